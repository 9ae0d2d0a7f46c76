// The official TypeScript SDK's client calling tools with structured results on a stdio MCP server, for the
// agent-tools tests. Usage: node sdk-structured-client.mjs <command> [args...]
// Lists the tools and calls "weather" for Paris and Oslo and "chart"; the SDK's client checks a structured
// result against the tool's output schema itself (and fails the call when it does not match). Prints one JSON
// line: each tool's outputSchema (or null), the weather results' structuredContent and text, and chart's content
// types. Exits 1 with the error otherwise.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const [command, ...args] = process.argv.slice(2);
const transport = new StdioClientTransport({ command, args, stderr: "inherit" });
const client = new Client({ name: "ts-sdk-structured-client", version: "1.0.0" });
try {
  await client.connect(transport);
  const seen = { schemas: {} };
  for (const t of (await client.listTools()).tools) seen.schemas[t.name] = t.outputSchema ?? null;
  for (const city of ["Paris", "Oslo"]) {
    const r = await client.callTool({ name: "weather", arguments: { city } });
    seen[city] = { structured: r.structuredContent ?? null, text: r.content[0].text, isError: r.isError ?? false };
  }
  const chart = await client.callTool({ name: "chart", arguments: {} });
  seen.chart = chart.content.map((c) => c.type + (c.mimeType ? ":" + c.mimeType : ""));
  await client.close();
  process.stdout.write(JSON.stringify(seen) + "\n");
} catch (e) {
  process.stderr.write("sdk-structured-client failed: " + (e.stack || e) + "\n");
  await client.close().catch(() => {});
  process.exit(1);
}
