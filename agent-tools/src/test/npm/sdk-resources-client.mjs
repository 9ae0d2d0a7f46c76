// The official TypeScript SDK's client asking an MCP server for its resources and prompts, for the
// agent-tools tests. Usage: node sdk-resources-client.mjs <plan JSON> <url | command [args...]>
// The plan: {"reads": [uri...], "gets": [{"name": ..., "arguments": {...}}...]}. Connects (streamable
// HTTP for an http:// URL, else stdio to the command), records the server's capabilities, lists every
// page of resources and the prompts, reads each URI, gets each prompt, closes, and prints one JSON
// line with what it saw; a request the server refused is recorded as {"error": code, "message": ...}.
// Exits 1 with the error when anything else fails.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";

const [planText, target, ...args] = process.argv.slice(2);
const plan = JSON.parse(planText);
const transport = target.startsWith("http://")
  ? new StreamableHTTPClientTransport(new URL(target))
  : new StdioClientTransport({ command: target, args, stderr: "inherit" });
const client = new Client({ name: "ts-sdk-resources-client", version: "1.0.0" });

async function attempt(call) {
  try {
    return await call();
  } catch (e) {
    if (e instanceof McpError) {
      return { error: e.code, message: e.message };
    }
    throw e;
  }
}

try {
  await client.connect(transport);
  const capabilities = client.getServerCapabilities() ?? {};
  const seen = { capabilities: Object.keys(capabilities).sort(), pages: [], resources: [], reads: {}, gets: [] };
  let cursor;
  do {
    const page = await attempt(() => client.listResources(cursor === undefined ? {} : { cursor }));
    if (page.error !== undefined) {
      seen.listError = page;
      break;
    }
    seen.pages.push(page.resources.length);
    seen.resources.push(...page.resources.map((r) => ({ uri: r.uri, name: r.name, mimeType: r.mimeType ?? null,
      size: r.size ?? null })));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  const prompts = await attempt(() => client.listPrompts());
  seen.prompts = prompts.error !== undefined ? prompts : prompts.prompts;
  for (const uri of plan.reads ?? []) {
    const read = await attempt(() => client.readResource({ uri }));
    seen.reads[uri] = read.error !== undefined ? read : read.contents.map((c) => ({ uri: c.uri,
      mimeType: c.mimeType ?? null, text: c.text ?? null, blob: c.blob ?? null }));
  }
  for (const get of plan.gets ?? []) {
    seen.gets.push(await attempt(() => client.getPrompt(get)));
  }
  await client.close();
  process.stdout.write(JSON.stringify(seen) + "\n");
} catch (e) {
  process.stderr.write("sdk-resources-client failed: " + (e.stack || e) + "\n");
  await client.close().catch(() => {});
  process.exit(1);
}
