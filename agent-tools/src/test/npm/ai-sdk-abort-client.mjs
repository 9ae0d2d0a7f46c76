// The Vercel AI SDK's MCP client (@ai-sdk/mcp) abandoning a tool call, for the agent-tools tests.
// Usage: node ai-sdk-abort-client.mjs <url>
// Connects over streamable HTTP (protocol revision 2026-07-28), calls the tool wait with an AbortSignal, and
// aborts it when a line arrives on its stdin (the test sends one once the call runs on the server); the client
// then closes the call's HTTP request, which is all it does to cancel. Prints one JSON line with the error the
// call ended with. Exits 1 with the error otherwise.
import { createMCPClient } from "@ai-sdk/mcp";
import { createInterface } from "node:readline";

const [url] = process.argv.slice(2);
const uncaught = [];
let client;
try {
  client = await createMCPClient({ transport: { type: "http", url },
    onUncaughtError: (e) => uncaught.push(e?.message ?? String(e)) });
  const controller = new AbortController();
  const lines = createInterface({ input: process.stdin });
  lines.once("line", () => controller.abort(new Error("the test let go")));
  const seen = { protocolVersion: client.initializeResult.protocolVersion };
  try {
    await client.callTool({ name: "wait", arguments: {}, options: { signal: controller.signal } });
    seen.wait = "answered";
  } catch (e) {
    seen.wait = e?.message ?? String(e);
  }
  lines.close();
  await client.close();
  seen.uncaught = uncaught;
  process.stdout.write(JSON.stringify(seen) + "\n");
} catch (e) {
  process.stderr.write("ai-sdk-abort-client failed: " + (e.stack || e) + "\n");
  await client?.close().catch(() => {});
  process.exit(1);
}
