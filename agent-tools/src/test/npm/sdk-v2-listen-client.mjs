// The v2 TypeScript SDK's client (@modelcontextprotocol/client), pinned to protocol revision 2026-07-28, opening a
// subscriptions/listen on an MCP server, for the agent-tools tests.
// Usage: node sdk-v2-listen-client.mjs <url> <resource uri>...
// Connects over streamable HTTP, listens for updates of the given resources and prints one JSON line per event:
// {"honored": <the acknowledged filter>}, then {"updated": <uri>, "subscriptionId": <id>} for each
// notifications/resources/updated, and {"closed": "local" | "graceful" | "remote"} when the subscription ends.
// A line "close" on stdin closes the subscription; the client exits once it has ended. Exits 1 with the error
// otherwise.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { createInterface } from "node:readline";

const [url, ...uris] = process.argv.slice(2);
const client = new Client({ name: "ts-sdk-v2-listen-client", version: "2.3.1" },
  { versionNegotiation: { mode: { pin: "2026-07-28" } } });
const print = (value) => process.stdout.write(JSON.stringify(value) + "\n");
client.setNotificationHandler("notifications/resources/updated", (n) => {
  print({ updated: n.params.uri, subscriptionId: n.params._meta?.["io.modelcontextprotocol/subscriptionId"] ?? null });
});
try {
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  const subscription = await client.listen({ resourceSubscriptions: uris });
  print({ honored: subscription.honoredFilter });
  const input = createInterface({ input: process.stdin });
  input.on("line", (line) => {
    if (line.trim() === "close") {
      subscription.close();
    }
  });
  const cause = await subscription.closed;
  print({ closed: cause });
  input.close();
  await client.close().catch(() => {});
} catch (e) {
  process.stderr.write("sdk-v2-listen-client failed: " + (e.stack || e) + "\n");
  await client.close().catch(() => {});
  process.exit(1);
}
