// The Vercel AI SDK's MCP client (@ai-sdk/mcp: its own JSON-RPC client and transports, not the official SDK's)
// against an MCP server of ours, for the agent-tools tests.
// Usage: node ai-sdk-client.mjs <era> http <url> | node ai-sdk-client.mjs <era> stdio <command> [args...]
// era modern: the client's default (server/discover first, protocol revision 2026-07-28 when the server has it);
// modern-wait: the same, but over stdio the client waits for the discover answer instead of giving it 1 s (a JVM
// may take longer to start, and the client then falls back to initialize); legacy: protocolVersionDiscovery off
// (initialize, revision 2025-11-25).
// Connects, lists the tools and turns them into AI SDK tools (automatic and explicit zod schemas), calls text,
// structured, image, error, denied, progress-reporting and unknown tools, lists and reads resources, lists and
// gets prompts, over stdio has a tool added (grow), closes (over HTTP keeping its session: a second client takes it over without initialize and ends it,
// a third finds it ended), and prints one JSON line with what it saw, the errors the client reported on the side
// (onUncaughtError) among it. Exits 1 with the error otherwise.
import { createMCPClient, ElicitationRequestSchema } from "@ai-sdk/mcp";
import { StdioMCPTransport } from "@ai-sdk/mcp/mcp-stdio";
import { z } from "zod";

const [era, kind, target, ...args] = process.argv.slice(2);
const uncaught = [];
const sessions = [];
const transport = kind === "http"
  ? { type: "http", url: target, terminateSessionOnClose: false, onSessionIdChange: (id) => sessions.push(id ?? null) }
  : new StdioMCPTransport({ command: target, args, stderr: "inherit" });
if (era === "modern-wait" && kind === "stdio") {
  transport.waitsForProtocolVersionDiscovery = true;
}
const describe = (e) => ({ message: e?.message ?? String(e), code: e?.code ?? null,
  statusCode: e?.statusCode ?? null });
const attempt = async (f) => {
  try {
    return { answer: await f() };
  } catch (e) {
    return { error: describe(e) };
  }
};
let client;
try {
  client = await createMCPClient({
    transport,
    clientName: "ai-sdk-interop",
    version: "2.0.99",
    protocolVersionDiscovery: era !== "legacy",
    // As an AI SDK application that can ask its user: it answers ask's question, or declines it.
    capabilities: { elicitation: {} },
    onUncaughtError: (e) => uncaught.push(e?.message ?? String(e)),
  });
  const elicitations = [];
  client.onElicitationRequest(ElicitationRequestSchema, (request) => {
    elicitations.push(request.params.message);
    return request.params.message.includes("decline")
      ? { action: "decline" }
      : { action: "accept", content: { answer: "Ada Lovelace" } };
  });
  const seen = {
    protocolVersion: client.initializeResult.protocolVersion,
    server: client.serverInfo,
    capabilities: client.initializeResult.capabilities,
  };
  const listed = await client.listTools();
  seen.tools = Object.fromEntries(listed.tools.map((t) => [t.name, {
    description: t.description ?? null,
    inputSchema: t.inputSchema,
    outputSchema: t.outputSchema ?? null,
  }]));
  seen.nextCursor = listed.nextCursor ?? null;

  const call = (name, args) => client.callTool({ name, arguments: args });
  seen.echo = await call("echo", { text: "from the AI SDK" });
  seen.weather = await call("weather", { city: "Bergen" });
  seen.nothing = await call("nothing", {});
  seen.chart = await call("chart", {});
  seen.divide = await call("divide", { a: 7, b: 0 });
  seen.refund = await call("refund", {});
  seen.lookup = await call("lookup", {});
  seen.count = await call("count", { n: 3 });
  seen.ask = await attempt(() => call("ask", { topic: "the AI SDK" }));
  seen.askDeclined = await attempt(() => call("ask", { topic: "decline" }));
  seen.badArguments = await attempt(() => call("echo", { text: 42 }));
  seen.unknownTool = await attempt(() => call("no_such_tool", {}));

  // What an AI SDK application sees: the tools as AI SDK tools, run the way generateText runs them.
  const options = { toolCallId: "call-1", messages: [] };
  const automatic = await client.tools();
  seen.automatic = {
    names: Object.keys(automatic),
    echoParameters: automatic.echo.inputSchema.jsonSchema,
    echo: await automatic.echo.execute({ text: "as a tool" }, options),
    echoForTheModel: automatic.echo.toModelOutput({ toolCallId: "call-1", input: {},
      output: await automatic.chart.execute({}, options) }),
  };
  const explicit = await client.tools({
    schemas: {
      weather: {
        inputSchema: z.object({ city: z.string() }),
        outputSchema: z.object({ city: z.string(), celsius: z.number(), sky: z.string().nullable() }),
      },
    },
  });
  seen.explicit = {
    names: Object.keys(explicit),
    weather: await explicit.weather.execute({ city: "Oslo" }, options),
  };

  if (seen.capabilities.resources) {
    const resources = [];
    let page = await client.listResources();
    resources.push(...page.resources);
    while (page.nextCursor != null) {
      page = await client.listResources({ params: { cursor: page.nextCursor } });
      resources.push(...page.resources);
    }
    seen.resources = resources;
    seen.read = await attempt(() => client.readResource({ uri: resources[0].uri }));
    seen.readMissing = await attempt(() => client.readResource({ uri: resources[0].uri + ".missing" }));
    seen.templates = await attempt(() => client.listResourceTemplates());
  }
  if (seen.capabilities.prompts) {
    seen.prompts = (await client.listPrompts()).prompts;
    seen.prompt = await attempt(() => client.getPrompt({ name: "review", arguments: { path: "a.txt" } }));
    seen.promptMissingArgument = await attempt(() => client.getPrompt({ name: "review", arguments: {} }));
    seen.unicodePrompt = await attempt(() => client.getPrompt({ name: "r\u00e9sum\u00e9" }));
  }
  if (kind === "stdio") {
    // grow adds a tool before it answers: a 2025-11-25 client is told so on the connection first
    seen.grow = await call("grow", {});
    seen.toolsAfterGrowing = (await client.listTools()).tools.map((t) => t.name);
  }
  seen.complete = await attempt(() => client.complete({ ref: { type: "ref/prompt", name: "review" },
    argument: { name: "path", value: "a" } }));
  await client.close();
  if (kind === "http") {
    // A second client (a process that restarted, say) takes the session over without initialize, then ends it
    // (DELETE); a third finds it gone.
    seen.sessions = sessions;
    const resumed = (extra) => createMCPClient({ transport: { type: "http", url: target,
      initialSessionId: sessions[0] ?? undefined, ...extra }, initialInitializeResult: client.initializeResult,
      onUncaughtError: (e) => uncaught.push(e?.message ?? String(e)) });
    const second = await resumed({});
    seen.resumed = await attempt(() => second.callTool({ name: "echo", arguments: { text: "resumed" } }));
    await second.close();
    const expired = [];
    const third = await resumed({ onSessionExpired: (id) => expired.push(id) });
    seen.afterEnd = await attempt(() => third.callTool({ name: "echo", arguments: { text: "too late" } }));
    seen.expired = expired;
    await third.close();
  }
  seen.elicitations = elicitations;
  seen.uncaught = uncaught;
  process.stdout.write(JSON.stringify(seen) + "\n");
} catch (e) {
  process.stderr.write("ai-sdk-client failed: " + (e.stack || e) + "\nuncaught: " + JSON.stringify(uncaught)
    + "\n");
  await client?.close().catch(() => {});
  process.exit(1);
}
