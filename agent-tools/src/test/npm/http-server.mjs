// A streamable HTTP MCP server built on the official TypeScript SDK, for the agent-tools tests.
// Usage: node http-server.mjs
// Listens on 127.0.0.1 at a port the system picks and prints "listening <port>" on stdout.
// Tools:
//   echo   answers "echo: <text>"
//   wait   first sends a log notification on the call's stream (when "notify" is true), then writes
//          "wait called" to stderr and never answers; the test kills the process while it waits.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { serveOverHttp } from "./v1-http-serve.mjs";

const server = new Server({ name: "http-test", version: "1.0.0" }, { capabilities: { tools: {}, logging: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    { name: "echo", description: "Echoes the text",
      inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } },
    { name: "wait", description: "Never answers",
      inputSchema: { type: "object", properties: { notify: { type: "boolean" } } } },
  ],
}));
server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
  if (request.params.name === "echo") {
    return { content: [{ type: "text", text: "echo: " + request.params.arguments.text }] };
  }
  if (request.params.arguments?.notify) {
    await extra.sendNotification({ method: "notifications/message", params: { level: "info", data: "waiting" } });
  }
  process.stderr.write("wait called\n");
  return new Promise(() => {});
});

await serveOverHttp(server);
