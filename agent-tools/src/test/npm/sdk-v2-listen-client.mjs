// The v2 TypeScript SDK's client (@modelcontextprotocol/client), pinned to protocol revision 2026-07-28, opening a
// subscriptions/listen on an MCP server, for the agent-tools tests.
// Usage: node sdk-v2-listen-client.mjs http <url> <resource uri>...
//        node sdk-v2-listen-client.mjs stdio <resource uri> <command> [args...]
// Prints one JSON line per event: {"honored": <the acknowledged filter>}, then {"updated": <uri>, "subscriptionId":
// <id>} for each notifications/resources/updated, and {"closed": "local" | "graceful" | "remote"} when the
// subscription ends. Over HTTP a line "close" on stdin closes the subscription; the client exits once it has ended.
// Over stdio the server is agentrt's ListenServerMain: the client has its tool touch tell of the resource, closes the
// subscription once the update came, asks the tool listens how many listens the server still has open (printed as
// {"listens": n}) and exits. Exits 1 with the error otherwise.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { createInterface } from "node:readline";

const [kind, ...rest] = process.argv.slice(2);
const client = new Client({ name: "ts-sdk-v2-listen-client", version: "2.3.1" },
  { versionNegotiation: { mode: { pin: "2026-07-28" } } });
const print = (value) => process.stdout.write(JSON.stringify(value) + "\n");
let updated;
const firstUpdate = new Promise((resolve) => { updated = resolve; });
client.setNotificationHandler("notifications/resources/updated", (n) => {
  print({ updated: n.params.uri, subscriptionId: n.params._meta?.["io.modelcontextprotocol/subscriptionId"] ?? null });
  updated();
});
try {
  if (kind === "http") {
    const [url, ...uris] = rest;
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const subscription = await client.listen({ resourceSubscriptions: uris });
    print({ honored: subscription.honoredFilter });
    const input = createInterface({ input: process.stdin });
    input.on("line", (line) => {
      if (line.trim() === "close") {
        subscription.close();
      }
    });
    print({ closed: await subscription.closed });
    input.close();
  } else {
    const [uri, command, ...args] = rest;
    await client.connect(new StdioClientTransport({ command, args, stderr: "inherit" }));
    const subscription = await client.listen({ resourceSubscriptions: [uri, "file:///nowhere/x.md"] });
    print({ honored: subscription.honoredFilter });
    await client.callTool({ name: "touch", arguments: { uri } });
    await firstUpdate;
    await subscription.close();
    print({ closed: await subscription.closed });
    const listens = await client.callTool({ name: "listens", arguments: {} });
    print({ listens: Number(listens.content[0].text) });
  }
  await client.close().catch(() => {});
} catch (e) {
  process.stderr.write("sdk-v2-listen-client failed: " + (e.stack || e) + "\n");
  await client.close().catch(() => {});
  process.exit(1);
}
