// An MCP server on the v2 TypeScript SDK (@modelcontextprotocol/server), which speaks the 2026-07-28 revision
// (server/discover, per-request _meta, input_required results) and the 2025 ones, for the agent-tools tests
// of the client's negotiation.
// Usage: node modern-server.mjs stdio | node modern-server.mjs http   (http: prints "listening <port>")
// Tools:
//   echo     answers "echo: <text>"
//   confirm  asks the client, in an input_required result, to confirm by elicitation; answers with the action
//   ask      asks the client, in an input_required result, for a model's reply (sampling/createMessage)
//   rooted   asks the client for its roots (roots/list) and answers with their URIs
//   forever  answers input_required with a new elicitation every round ("Round <n>", n counted in the
//            requestState the client sends back), never a result
//   plan     asks, in one input_required round with requestState "plan-state", for a model's reply (sampling) and
//            a seat (elicitation); answers with both and the requestState it got back
//   slow     writes "slow called" to stderr and never answers; writes "slow cancelled" when the request is
//            cancelled (notifications/cancelled on stdio, the request's stream closed over HTTP)
//   steps    sends progress 1/2 "half" and 2/2 "all" for the call's progress token, then answers "stepped"
// Resource: note://hello ("hello from the modern server"). Prompt: greet {name}.
import { createServer } from "node:http";
import { Server, createMcpHandler, inputRequired, inputResponse } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";

const text = (t) => ({ content: [{ type: "text", text: t }] });
const confirmSchema = { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] };
const seatSchema = { type: "object", properties: { seat: { type: "string" } }, required: ["seat"] };

function build() {
  const server = new Server({ name: "modern-test", version: "2.0.0" },
    { capabilities: { tools: {}, resources: {}, prompts: {} }, instructions: "modern instructions" });
  server.setRequestHandler("tools/list", async () => ({
    tools: [
      { name: "echo", description: "Echoes the text",
        inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] } },
      { name: "confirm", description: "Asks for confirmation", inputSchema: { type: "object", properties: {} } },
      { name: "ask", description: "Asks a model", inputSchema: { type: "object", properties: {} } },
      { name: "rooted", description: "Lists the client's roots", inputSchema: { type: "object", properties: {} } },
      { name: "forever", description: "Never done asking", inputSchema: { type: "object", properties: {} } },
      { name: "plan", description: "Asks a model and the user at once",
        inputSchema: { type: "object", properties: {} } },
      { name: "slow", description: "Never answers", inputSchema: { type: "object", properties: {} } },
      { name: "steps", description: "Reports progress", inputSchema: { type: "object", properties: {} } },
    ],
  }));
  server.setRequestHandler("tools/call", async (request, ctx) => {
    const args = request.params.arguments ?? {};
    const responses = ctx.mcpReq?.inputResponses ?? request.params.inputResponses;
    switch (request.params.name) {
      case "echo":
        return text("echo: " + args.text);
      case "confirm": {
        const answer = inputResponse(responses, "confirm");
        if (answer.kind !== "elicit") {
          return inputRequired({ inputRequests: { confirm: inputRequired.elicit({
            message: "Proceed?", requestedSchema: confirmSchema }) } });
        }
        return text("confirm: " + answer.action + " " + JSON.stringify(answer.content ?? {}));
      }
      case "ask": {
        const answer = inputResponse(responses, "model");
        if (answer.kind !== "sampling") {
          return inputRequired({ inputRequests: { model: inputRequired.createMessage({
            messages: [{ role: "user", content: { type: "text", text: "Say hi" } }], maxTokens: 20 }) } });
        }
        return text("model said: " + answer.result.content.text);
      }
      case "rooted": {
        const answer = inputResponse(responses, "roots");
        if (answer.kind !== "roots") {
          return inputRequired({ inputRequests: { roots: inputRequired.listRoots() } });
        }
        return text("roots: " + answer.roots.map((r) => r.uri).join(","));
      }
      case "forever": {
        // The SDK lifts requestState out of the params into ctx.mcpReq.requestState().
        const round = Number(ctx.mcpReq?.requestState?.() ?? request.params.requestState ?? "0") + 1;
        return inputRequired({ requestState: String(round), inputRequests: { ["again" + round]:
          inputRequired.elicit({ message: "Round " + round, requestedSchema: confirmSchema }) } });
      }
      case "plan": {
        const said = inputResponse(responses, "model");
        const seat = inputResponse(responses, "seat");
        if (said.kind !== "sampling" || seat.kind !== "elicit") {
          return inputRequired({ requestState: "plan-state", inputRequests: {
            model: inputRequired.createMessage({
              messages: [{ role: "user", content: { type: "text", text: "Pick a meal" } }], maxTokens: 20 }),
            seat: inputRequired.elicit({ message: "Which seat?", requestedSchema: seatSchema }) } });
        }
        return text("plan: model said " + said.result.content.text + "; seat " + seat.action + " "
          + JSON.stringify(seat.content ?? {}) + "; state " + (ctx.mcpReq?.requestState?.() ?? "none"));
      }
      case "slow":
        process.stderr.write("slow called\n");
        return new Promise(() => {
          ctx.mcpReq.signal.addEventListener("abort", () => process.stderr.write("slow cancelled\n"));
        });
      case "steps": {
        const token = request.params._meta?.progressToken;
        for (const [progress, message] of [[1, "half"], [2, "all"]]) {
          await ctx.mcpReq.notify({ method: "notifications/progress",
            params: { progressToken: token, progress, total: 2, message } });
        }
        return text("stepped");
      }
      default:
        throw new Error("unknown tool " + request.params.name);
    }
  });
  server.setRequestHandler("resources/list", async () => ({
    resources: [{ uri: "note://hello", name: "hello", mimeType: "text/plain" }],
  }));
  server.setRequestHandler("resources/templates/list", async () => ({ resourceTemplates: [] }));
  server.setRequestHandler("resources/read", async (request) => ({
    contents: [{ uri: request.params.uri, mimeType: "text/plain", text: "hello from the modern server" }],
  }));
  server.setRequestHandler("prompts/list", async () => ({
    prompts: [{ name: "greet", description: "Greets someone", arguments: [{ name: "name", required: true }] }],
  }));
  server.setRequestHandler("prompts/get", async (request) => ({
    messages: [{ role: "user", content: { type: "text", text: "Hello, " + request.params.arguments.name } }],
  }));
  return server;
}

if (process.argv[2] === "http") {
  const handler = createMcpHandler(() => build());
  const http = createServer(async (req, res) => {
    try {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const body = Buffer.concat(chunks);
      // The client closing its request's stream cancels the request (2026-07-28 over HTTP).
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
        for await (const chunk of response.body) res.write(chunk);
      }
      res.end();
    } catch (e) {
      process.stderr.write("request failed: " + e + "\n");
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
  http.listen(0, "127.0.0.1", () => console.log("listening " + http.address().port));
} else {
  serveStdio(() => build());
}
