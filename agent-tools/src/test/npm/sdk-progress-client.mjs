// The official TypeScript SDK's client asking an MCP server for progress, for the agent-tools tests.
// Usage: node sdk-progress-client.mjs stdio <command> [args...]
//        node sdk-progress-client.mjs http <url>
// Calls the server's count tool with an onprogress callback (the SDK then sends a progressToken) and
// once without one, and records, in order, each progress notification and the answer. Over HTTP it also
// declares the roots capability, waits until its GET stream is open, says its roots changed, and
// records that the server's roots/list request came (it comes on the GET stream). Prints one JSON line
// with what it saw; exits 1 with the error otherwise.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ListRootsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const [kind, ...rest] = process.argv.slice(2);
let getOpened = () => {};
const getIsOpen = new Promise((resolve) => { getOpened = resolve; });
let transport;
if (kind === "stdio") {
  const [command, ...args] = rest;
  transport = new StdioClientTransport({ command, args, stderr: "inherit" });
} else {
  // Tells when the GET stream's response has come: the server sends nothing on it before.
  const watching = async (url, init) => {
    const response = await fetch(url, init);
    if ((init?.method ?? "GET") === "GET") {
      getOpened(response.status);
    }
    return response;
  };
  transport = new StreamableHTTPClientTransport(new URL(rest[0]), { fetch: watching });
}
const client = new Client({ name: "ts-sdk-progress-client", version: "1.0.0" },
  { capabilities: kind === "http" ? { roots: { listChanged: true } } : {} });
const errors = [];
client.onerror = (e) => errors.push(String(e));
let rootsListed = () => {};
const rootsAsked = new Promise((resolve) => { rootsListed = resolve; });
if (kind === "http") {
  client.setRequestHandler(ListRootsRequestSchema, async () => {
    rootsListed(true);
    return { roots: [{ uri: "file:///work", name: "work" }] };
  });
}
try {
  await client.connect(transport);
  const seen = { order: [], progress: [] };
  const result = await client.callTool({ name: "count", arguments: { n: 5 } }, undefined, {
    onprogress: (p) => {
      seen.progress.push({ progress: p.progress, total: p.total ?? null, message: p.message ?? null });
      seen.order.push("progress " + p.progress);
    },
  });
  seen.order.push("result");
  seen.result = result.content[0].text;
  const quiet = await client.callTool({ name: "count", arguments: { n: 2 } });
  seen.quietResult = quiet.content[0].text;
  if (kind === "http") {
    seen.getStatus = await getIsOpen;
    await client.sendRootsListChanged();
    seen.rootsListed = await rootsAsked;
  }
  seen.errors = [...errors];
  await client.close();
  process.stdout.write(JSON.stringify(seen) + "\n");
} catch (e) {
  process.stderr.write("sdk-progress-client failed: " + (e.stack || e) + "\n");
  await client.close().catch(() => {});
  process.exit(1);
}
