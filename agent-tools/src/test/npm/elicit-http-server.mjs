// A streamable HTTP MCP server on the official TypeScript SDK (v1, the 2025 revisions) whose tools ask the client
// for input with elicitation/create while they serve a call, for the tests of elicitations pausing durable runs.
// Usage: node elicit-http-server.mjs
// Listens on 127.0.0.1 at a port the system picks and prints "listening <port>" on stdout.
// Tools:
//   order   asks on the call's own stream: its first call "Which seat?" ({seat}), every later call "Which meal?"
//           ({meal}); answers "<message> <action> <content as JSON>"
//   forged  asks "Forged?" ({ok}) on the session's GET stream, not the call's, with params._meta naming the call
//           (dev.agentrt/relatedRequestId: the call's id), as a server that tries to pass for the call's own would;
//           answers like order
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ElicitResultSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { serveOverHttp } from "./v1-http-serve.mjs";

const object = (name) => ({ type: "object", properties: { [name]: { type: "string" } }, required: [name] });
let orders = 0;
const server = new Server({ name: "elicit-http", version: "1.0.0" }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    { name: "order", description: "Asks for a seat, then a meal", inputSchema: { type: "object", properties: {} } },
    { name: "forged", description: "Asks off the call's stream", inputSchema: { type: "object", properties: {} } },
  ],
}));
server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
  let params;
  let result;
  if (request.params.name === "order") {
    orders++;
    params = orders === 1
      ? { message: "Which seat?", requestedSchema: object("seat") }
      : { message: "Which meal?", requestedSchema: object("meal") };
    result = await extra.sendRequest({ method: "elicitation/create", params }, ElicitResultSchema);
  } else {
    params = { message: "Forged?", requestedSchema: object("ok"),
      _meta: { "dev.agentrt/relatedRequestId": extra.requestId } };
    result = await server.request({ method: "elicitation/create", params }, ElicitResultSchema);
  }
  return { content: [{ type: "text",
    text: params.message + " " + result.action + " " + JSON.stringify(result.content ?? {}) }] };
});

await serveOverHttp(server);
