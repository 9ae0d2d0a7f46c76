// An OAuth-protected streamable HTTP MCP server on the official TypeScript SDK's auth support: its auth router
// (resource and authorization server metadata, dynamic registration, authorize with PKCE, token) over the SDK's
// demo in-memory provider, which authorizes without a login and checks the resource parameter, and its bearer
// middleware in front of the endpoint. For the agent-tools OAuth tests.
// Usage: node oauth-server.mjs
// Listens on 127.0.0.1 at a port the system picks and prints "listening <port>" on stdout.
// Tool: echo answers "echo: <text>".
import express from "express";
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { mcpAuthRouter, getOAuthProtectedResourceMetadataUrl } from "@modelcontextprotocol/sdk/server/auth/router.js";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import { DemoInMemoryAuthProvider } from "@modelcontextprotocol/sdk/examples/server/demoInMemoryOAuthProvider.js";

const server = new Server({ name: "oauth-test", version: "1.0.0" }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [{ name: "echo", description: "Echoes the text",
    inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } }],
}));
server.setRequestHandler(CallToolRequestSchema, async (request) => ({
  content: [{ type: "text", text: "echo: " + request.params.arguments.text }],
}));
const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() });
await server.connect(transport);

const app = express();
const http = createServer(app);
await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
const port = http.address().port;
const base = new URL(`http://127.0.0.1:${port}`);
const mcpUrl = new URL("/mcp", base);
const provider = new DemoInMemoryAuthProvider((resource) => resource?.toString() === mcpUrl.href);
app.use(mcpAuthRouter({ provider, issuerUrl: base, resourceServerUrl: mcpUrl, scopesSupported: ["mcp:tools"] }));
const bearer = requireBearerAuth({ verifier: provider, resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl) });
app.all("/mcp", bearer, (req, res) => {
  transport.handleRequest(req, res).catch((e) => {
    process.stderr.write("request failed: " + e + "\n");
    if (!res.headersSent) {
      res.writeHead(500).end();
    }
  });
});
process.stdout.write("listening " + port + "\n");
