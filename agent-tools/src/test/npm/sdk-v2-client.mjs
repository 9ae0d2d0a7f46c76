// The v2 TypeScript SDK's client (@modelcontextprotocol/client), pinned to protocol revision 2026-07-28,
// against an MCP server, for the agent-tools tests.
// Usage: node sdk-v2-client.mjs http <url> | node sdk-v2-client.mjs stdio <command> [args...]
// Connects (server/discover, no initialize), lists the tools, calls echo, divide by zero (a tool error result)
// and refund (denied by the server's grants), asks for a method the server does not have, closes, and prints
// one JSON line with what it saw. Exits 1 with the error otherwise.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

const [kind, target, ...args] = process.argv.slice(2);
const transport = kind === "http"
  ? new StreamableHTTPClientTransport(new URL(target))
  : new StdioClientTransport({ command: target, args, stderr: "inherit" });
const client = new Client({ name: "ts-sdk-v2-client", version: "2.3.1" },
  { versionNegotiation: { mode: { pin: "2026-07-28" } } });
const text = (result) => result.content[0].text;
try {
  await client.connect(transport);
  const seen = {
    era: client.getProtocolEra() ?? null,
    protocolVersion: client.getNegotiatedProtocolVersion() ?? null,
    server: client.getServerVersion()?.name ?? null,
    sessionId: transport.sessionId ?? null,
  };
  seen.tools = (await client.listTools()).tools.map((t) => t.name);
  const echo = await client.callTool({ name: "echo", arguments: { text: "from the v2 SDK" } });
  seen.echo = text(echo);
  seen.echoIsError = echo.isError ?? false;
  const divide = await client.callTool({ name: "divide", arguments: { a: 7, b: 0 } });
  seen.divide = text(divide);
  seen.divideIsError = divide.isError ?? false;
  const refund = await client.callTool({ name: "refund", arguments: {} });
  seen.refund = text(refund);
  seen.refundIsError = refund.isError ?? false;
  try {
    await client.callTool({ name: "no_such_tool", arguments: {} });
    seen.unknownTool = "answered";
  } catch (e) {
    seen.unknownTool = e.code ?? String(e);
  }
  await client.close();
  process.stdout.write(JSON.stringify(seen) + "\n");
} catch (e) {
  process.stderr.write("sdk-v2-client failed: " + (e.stack || e) + "\n");
  await client.close().catch(() => {});
  process.exit(1);
}
