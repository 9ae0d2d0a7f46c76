// An MCP server on the v2 TypeScript SDK (@modelcontextprotocol/server) that speaks 2026-07-28 and declares
// tools/prompts/resources listChanged and resources.subscribe, so a client gets its changes through
// subscriptions/listen; for the agent-tools tests of the client's listen.
// Usage: node listen-server.mjs stdio|http [reject]   (http: prints "listening <port>")
//   reject: every subscriptions/listen is answered with JSON-RPC error -32601
// Tools:
//   echo    answers "echo: <text>"; its description names the tools version (see change)
//   change  {what, n, uri}: what "tools" makes the tools version one more and says the tools changed;
//           "resources"/"prompts" say those lists changed; "update" says resource <uri> was updated; each n times
//           (default 1), all on the listen streams, before the call is answered
//           "resources" also holds the answers to resources/list until release is called
//   release lets the held resources/list answers go
//   drop    (http) breaks every open listen stream (its connection is destroyed, no result sent)
//   count   answers {"toolsList":..,"resourcesList":..,"promptsList":..,"listen":..}: the requests received,
//           and (http) "open": the listen streams whose acknowledgement was written and that are still open
import { createServer } from "node:http";
import { Server, createMcpHandler } from "@modelcontextprotocol/server";
import { serveStdio, StdioServerTransport } from "@modelcontextprotocol/server/stdio";

const mode = process.argv[2];
const reject = process.argv[3] === "reject";
const text = (t) => ({ content: [{ type: "text", text: t }] });
const counts = { toolsList: 0, resourcesList: 0, promptsList: 0, listen: 0 };
let version = 1;
let handler;
const openListens = new Set(); // http: the responses of listen streams past their acknowledgement
let held = null; // { promise, resolve } while resources/list answers are held

function hold() {
  if (!held) {
    let resolve;
    const promise = new Promise((r) => { resolve = r; });
    held = { promise, resolve };
  }
}

function notifier(server) {
  if (mode === "http") {
    return { tools: () => handler.notify.toolsChanged(), prompts: () => handler.notify.promptsChanged(),
      resources: () => handler.notify.resourcesChanged(), update: (uri) => handler.notify.resourceUpdated(uri) };
  }
  return { tools: () => server.sendToolListChanged(), prompts: () => server.sendPromptListChanged(),
    resources: () => server.sendResourceListChanged(), update: (uri) => server.sendResourceUpdated({ uri }) };
}

function build() {
  const server = new Server({ name: "listen-test", version: "2.0.0" }, { capabilities: {
    tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, prompts: { listChanged: true } } });
  server.setRequestHandler("tools/list", async () => {
    counts.toolsList++;
    return { tools: [
      { name: "echo", description: "Echoes the text, tools version " + version,
        inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } },
      { name: "change", description: "Changes things", inputSchema: { type: "object", properties: {
        what: { type: "string" }, n: { type: "number" }, uri: { type: "string" } } } },
      { name: "release", description: "Releases held listings", inputSchema: { type: "object", properties: {} } },
      { name: "drop", description: "Breaks the listen streams", inputSchema: { type: "object", properties: {} } },
      { name: "count", description: "Counts requests", inputSchema: { type: "object", properties: {} } },
    ] };
  });
  server.setRequestHandler("tools/call", async (request) => {
    const args = request.params.arguments ?? {};
    switch (request.params.name) {
      case "echo":
        return text("echo: " + args.text);
      case "change": {
        const notify = notifier(server);
        if (args.what === "resources") hold();
        for (let i = 0; i < (args.n ?? 1); i++) {
          if (args.what === "tools") version++;
          await (args.what === "update" ? notify.update(args.uri) : notify[args.what]());
        }
        return text("changed " + args.what);
      }
      case "release":
        held?.resolve();
        held = null;
        return text("released");
      case "drop":
        for (const res of openListens) res.destroy();
        return text("dropped");
      case "count":
        return text(JSON.stringify({ ...counts, open: openListens.size }));
      default:
        throw new Error("unknown tool " + request.params.name);
    }
  });
  server.setRequestHandler("resources/list", async () => {
    counts.resourcesList++;
    if (held) await held.promise;
    return { resources: [{ uri: "note://watched", name: "watched", mimeType: "text/plain" }] };
  });
  server.setRequestHandler("resources/templates/list", async () => ({ resourceTemplates: [] }));
  server.setRequestHandler("resources/read", async (request) => ({
    contents: [{ uri: request.params.uri, mimeType: "text/plain", text: "watched" }],
  }));
  server.setRequestHandler("prompts/list", async () => {
    counts.promptsList++;
    return { prompts: [{ name: "greet", description: "Greets", arguments: [] }] };
  });
  return server;
}

const refusal = (id) => ({ jsonrpc: "2.0", id, error: { code: -32601, message: "listen refused by the test" } });

if (mode === "http") {
  handler = createMcpHandler(() => build());
  const http = createServer(async (req, res) => {
    try {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const body = Buffer.concat(chunks);
      let message;
      try { message = JSON.parse(body.toString() || "null"); } catch { message = null; }
      if (message?.method === "subscriptions/listen") {
        counts.listen++;
        if (reject) {
          res.writeHead(200, { "Content-Type": "application/json" });
          res.end(JSON.stringify(refusal(message.id)));
          return;
        }
      }
      const aborted = new AbortController();
      res.on("close", () => { if (!res.writableFinished) aborted.abort(); });
      const request = new Request("http://" + req.headers.host + req.url, {
        method: req.method,
        signal: aborted.signal,
        headers: Object.entries(req.headers).filter(([, v]) => typeof v === "string"),
        body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
      });
      const response = await handler.fetch(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (response.body) {
        const listen = message?.method === "subscriptions/listen";
        if (listen) res.on("close", () => openListens.delete(res));
        for await (const chunk of response.body) {
          res.write(chunk);
          if (listen && !res.destroyed) openListens.add(res);
        }
      }
      res.end();
    } catch (e) {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
  http.listen(0, "127.0.0.1", () => console.log("listening " + http.address().port));
} else {
  // The wire, with the listen requests counted (and refused, with reject) before the SDK sees them.
  const wire = new StdioServerTransport();
  const counted = {
    onmessage: undefined, onclose: undefined, onerror: undefined,
    start: () => wire.start(),
    send: (m, o) => wire.send(m, o),
    close: () => wire.close(),
  };
  wire.onmessage = (m, extra) => {
    if (m?.method === "subscriptions/listen") {
      counts.listen++;
      if (reject) {
        wire.send(refusal(m.id));
        return;
      }
    }
    counted.onmessage?.(m, extra);
  };
  wire.onclose = () => counted.onclose?.();
  wire.onerror = (e) => counted.onerror?.(e);
  serveStdio(() => build(), { transport: counted });
}
