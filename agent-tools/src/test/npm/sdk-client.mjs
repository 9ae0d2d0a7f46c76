// The official TypeScript SDK's client against a stdio MCP server, for the agent-tools tests.
// Usage: node sdk-client.mjs <command> [args...]
// Starts the server, initializes, lists its tools, calls echo, pings, asks for a method the server
// does not have, closes, and prints one JSON line with what it saw. Exits 1 with the error otherwise.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { EmptyResultSchema } from "@modelcontextprotocol/sdk/types.js";

const [command, ...args] = process.argv.slice(2);
const transport = new StdioClientTransport({ command, args, stderr: "inherit" });
const client = new Client({ name: "ts-sdk-client", version: "1.0.0" });
try {
  await client.connect(transport);
  const seen = { server: client.getServerVersion().name };
  seen.tools = (await client.listTools()).tools.map((t) => t.name);
  const echo = await client.callTool({ name: "echo", arguments: { text: "from TypeScript" } });
  seen.echo = echo.content[0].text;
  seen.echoIsError = echo.isError ?? false;
  seen.ping = await client.ping();
  try {
    await client.request({ method: "no/such", params: {} }, EmptyResultSchema);
    seen.unknown = "answered";
  } catch (e) {
    seen.unknown = e.code;
  }
  await client.close();
  process.stdout.write(JSON.stringify(seen) + "\n");
} catch (e) {
  process.stderr.write("sdk-client failed: " + (e.stack || e) + "\n");
  await client.close().catch(() => {});
  process.exit(1);
}
