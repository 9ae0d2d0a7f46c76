// Serves a v1 TypeScript SDK server over streamable HTTP (stateful, one transport) on 127.0.0.1 and a free port,
// printing "listening <port>" when ready: the HTTP set-up the v1 server scripts of the agent-tools tests share.
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

export async function serveOverHttp(server) {
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() });
  await server.connect(transport);
  const http = createServer((req, res) => {
    transport.handleRequest(req, res).catch((e) => {
      process.stderr.write("request failed: " + e + "\n");
      if (!res.headersSent) {
        res.writeHead(500).end();
      }
    });
  });
  http.listen(0, "127.0.0.1", () => process.stdout.write("listening " + http.address().port + "\n"));
}
