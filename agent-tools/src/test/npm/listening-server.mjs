// A stateful streamable HTTP MCP server on the official TypeScript SDK (v1), for the agent-tools tests of the
// client's GET stream: what it sends outside of a request goes there, and nowhere else.
// Usage: node listening-server.mjs
// Listens on 127.0.0.1 at a port the system picks and prints "listening <port>" on stdout.
// Tools:
//   ping    answers "pong" (its description changes once "change" ran)
//   change  changes ping's description, sends notifications/tools/list_changed and a roots/list request, both
//           outside of this call (so on the GET stream), and answers with the root URIs the client gave
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { serveOverHttp } from "./v1-http-serve.mjs";

let changed = false;
const server = new Server({ name: "listening-test", version: "1.0.0" },
  { capabilities: { tools: { listChanged: true } } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    { name: "ping", description: changed ? "Answers pong, changed" : "Answers pong",
      inputSchema: { type: "object" } },
    { name: "change", description: "Changes ping", inputSchema: { type: "object" } },
  ],
}));
server.setRequestHandler(CallToolRequestSchema, async (request) => {
  if (request.params.name === "ping") {
    return { content: [{ type: "text", text: "pong" }] };
  }
  changed = true;
  // No relatedRequestId: the SDK sends both on the standalone GET stream.
  await server.sendToolListChanged();
  const roots = await server.listRoots();
  return { content: [{ type: "text", text: "roots: " + roots.roots.map((r) => r.uri).join(" ") }] };
});

await serveOverHttp(server);
