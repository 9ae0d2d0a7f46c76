// A stdio MCP server that sends the client the sampling/createMessage and elicitation/create requests a test
// gives it, as given, for the agent-tools tests of the client's sampling and elicitation.
// Tools: "sample" and "elicit", each taking {"params": {...}}: the params of the request to send. The result is
// the client's answer as JSON text, or an isError result with the client's error ("code: message").
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  CallToolRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  ListToolsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

const server = new Server({ name: "asking-server", version: "1.0.0" }, { capabilities: { tools: {} } });
const paramsSchema = {
  type: "object",
  properties: { params: { type: "object" } },
  required: ["params"],
};
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [
    { name: "sample", description: "Sends sampling/createMessage with these params.", inputSchema: paramsSchema },
    { name: "elicit", description: "Sends elicitation/create with these params.", inputSchema: paramsSchema },
  ],
}));
server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
  const [method, schema] = request.params.name === "sample"
    ? ["sampling/createMessage", CreateMessageResultSchema]
    : ["elicitation/create", ElicitResultSchema];
  try {
    const result = await extra.sendRequest({ method, params: request.params.arguments.params }, schema);
    return { content: [{ type: "text", text: JSON.stringify(result) }] };
  } catch (e) {
    return { content: [{ type: "text", text: `${e.code}: ${e.message}` }], isError: true };
  }
});
await server.connect(new StdioServerTransport());
