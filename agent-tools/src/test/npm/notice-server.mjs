// A stdio MCP server on the official TypeScript SDK that sends list changes and resource updates, for the
// agent-tools tests of the client's McpTools.changes() and resource subscriptions.
// Usage: node notice-server.mjs [mode]
//   declared  (the default) declares tools.listChanged, resources.subscribe and listChanged, prompts.listChanged
//   undeclared  declares tools, resources and prompts without listChanged or subscribe
// Resources: note://watched, note://other; subscribing to another URI answers -32002 "Resource not found".
// Prompts: "p1". Tools:
//   flood {n}   sends n tools/list_changed, n resources/list_changed, n prompts/list_changed and n
//               resources/updated for never://subscribed, all before it answers (none awaited), then answers "sent"
//   touch {uri} sends one resources/updated for uri, then answers "touched"
//   exit        exits with code 3 (the client starts it again on its next call)
//   count       answers the numbers of tools/list, resources/list, prompts/list, resources/read,
//               resources/subscribe and resources/unsubscribe requests received, as JSON
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  CallToolRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

const mode = process.argv[2] || "declared";
const capabilities = mode === "declared"
  ? { tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, prompts: { listChanged: true } }
  : { tools: {}, resources: {}, prompts: {} };
const server = new Server({ name: "notice-test", version: "1.0.0" }, { capabilities });
const counts = { toolsList: 0, resourcesList: 0, promptsList: 0, read: 0, subscribe: 0, unsubscribe: 0 };
const known = new Set(["note://watched", "note://other"]);

server.setRequestHandler(ListToolsRequestSchema, async () => {
  counts.toolsList++;
  const object = { type: "object", properties: {} };
  return {
    tools: [
      { name: "flood", inputSchema: { type: "object", properties: { n: { type: "integer" } } } },
      { name: "touch", inputSchema: { type: "object", properties: { uri: { type: "string" } } } },
      { name: "count", inputSchema: object },
      { name: "exit", inputSchema: object },
    ],
  };
});
server.setRequestHandler(ListResourcesRequestSchema, async () => {
  counts.resourcesList++;
  return { resources: [...known].map((uri) => ({ uri, name: uri.slice(7), mimeType: "text/plain" })) };
});
server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
  counts.read++;
  return { contents: [{ uri: request.params.uri, mimeType: "text/plain", text: "read " + counts.read }] };
});
server.setRequestHandler(ListPromptsRequestSchema, async () => {
  counts.promptsList++;
  return { prompts: [{ name: "p1", description: "The one prompt" }] };
});
if (mode === "declared") {
  server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    counts.subscribe++;
    if (!known.has(request.params.uri)) {
      throw new McpError(-32002, "Resource not found", { uri: request.params.uri });
    }
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, async () => {
    counts.unsubscribe++;
    return {};
  });
}

server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const args = request.params.arguments || {};
  switch (request.params.name) {
    case "flood": {
      for (let i = 0; i < args.n; i++) {
        server.notification({ method: "notifications/tools/list_changed" });
        server.notification({ method: "notifications/resources/list_changed" });
        server.notification({ method: "notifications/prompts/list_changed" });
        server.notification({ method: "notifications/resources/updated", params: { uri: "never://subscribed" } });
      }
      return { content: [{ type: "text", text: "sent" }] };
    }
    case "touch":
      server.notification({ method: "notifications/resources/updated", params: { uri: args.uri } });
      return { content: [{ type: "text", text: "touched" }] };
    case "exit":
      process.exit(3);
    case "count":
      return { content: [{ type: "text", text: JSON.stringify(counts) }] };
    default:
      throw new McpError(-32602, "no tool " + request.params.name);
  }
});

await server.connect(new StdioServerTransport());
