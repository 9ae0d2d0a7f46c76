// The official TypeScript SDK's streamable HTTP client against an MCP server's endpoint, for the
// agent-tools tests. Usage: node sdk-http-client.mjs <url> [bearer token]
// Initializes, lists the tools, calls echo and refund, pings, ends the session (DELETE), then posts
// with the ended session id, and prints one JSON line with what it saw. Exits 1 with the error otherwise.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, token] = process.argv.slice(2);
const headers = token ? { Authorization: "Bearer " + token } : {};
const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
const client = new Client({ name: "ts-sdk-http-client", version: "1.0.0" });
try {
  await client.connect(transport);
  const seen = { server: client.getServerVersion().name, protocolVersion: transport.protocolVersion ?? null };
  const sessionId = transport.sessionId ?? null;
  seen.hasSession = sessionId !== null;
  seen.tools = (await client.listTools()).tools.map((t) => t.name);
  const echo = await client.callTool({ name: "echo", arguments: { text: "from TypeScript" } });
  seen.echo = echo.content[0].text;
  seen.echoIsError = echo.isError ?? false;
  const refund = await client.callTool({ name: "refund", arguments: {} });
  seen.refund = refund.content[0].text;
  seen.refundIsError = refund.isError ?? false;
  seen.ping = await client.ping();
  if (sessionId !== null) {
    await transport.terminateSession();
    seen.sessionAfterTermination = transport.sessionId ?? null;
    const after = await fetch(url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", accept: "application/json, text/event-stream",
        "mcp-session-id": sessionId, "mcp-protocol-version": seen.protocolVersion },
      body: JSON.stringify({ jsonrpc: "2.0", id: 99, method: "tools/list" }),
    });
    seen.statusAfterTermination = after.status;
  }
  await client.close();
  process.stdout.write(JSON.stringify(seen) + "\n");
} catch (e) {
  process.stderr.write("sdk-http-client failed: " + (e.stack || e) + "\n");
  await client.close().catch(() => {});
  process.exit(1);
}
