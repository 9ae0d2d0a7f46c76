// A TypeScript SDK client that answers a server's questions, for the agent-tools tests of a served tool that asks
// (ToolResult.inputRequired). Usage: node sdk-asked-client.mjs <v1|v2> <answer> http <url> | ... stdio <command> [args...]
// v1 is @modelcontextprotocol/sdk (2025 revisions, elicitation/create as a request of the server), v2 is
// @modelcontextprotocol/client pinned to 2026-07-28 (the question comes in an input_required result). <answer> is
// what its elicitation handler does: accept (answers "Ada Lovelace"), decline, cancel, never (never answers), or
// none (declares no elicitation capability). Calls the tool ask, then echo, and prints one JSON line with what it
// saw, the messages of the questions it was asked among it. Exits 1 with the error otherwise.
import { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport as V1Stdio } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport as V1Http } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { Client as V2Client, StreamableHTTPClientTransport as V2Http } from "@modelcontextprotocol/client";
import { StdioClientTransport as V2Stdio } from "@modelcontextprotocol/client/stdio";

const [sdk, mode, kind, target, ...args] = process.argv.slice(2);
const v1 = sdk === "v1";
const transport = kind === "http"
  ? new (v1 ? V1Http : V2Http)(new URL(target))
  : new (v1 ? V1Stdio : V2Stdio)({ command: target, args, stderr: "inherit" });
const capabilities = mode === "none" ? {} : { elicitation: { form: {} } };
const client = v1
  ? new V1Client({ name: "ts-sdk-asked-client", version: "1.0.0" }, { capabilities })
  : new V2Client({ name: "ts-sdk-v2-asked-client", version: "2.3.1" },
    { capabilities, versionNegotiation: { mode: { pin: "2026-07-28" } } });
const asked = [];
const handler = async (request) => {
  asked.push(request.params.message);
  switch (mode) {
    case "accept": return { action: "accept", content: { answer: "Ada Lovelace" } };
    case "decline": return { action: "decline" };
    case "cancel": return { action: "cancel" };
    default: return new Promise(() => {});
  }
};
if (mode !== "none") {
  if (v1) {
    client.setRequestHandler(ElicitRequestSchema, handler);
  } else {
    client.setRequestHandler("elicitation/create", handler);
  }
}
try {
  await client.connect(transport);
  const seen = { protocolVersion: v1 ? (transport.protocolVersion ?? null) : client.getNegotiatedProtocolVersion() };
  const call = { name: "ask", arguments: { topic: "names" } };
  const result = v1 ? await client.callTool(call, undefined, { timeout: 120000 })
    : await client.callTool(call, { timeout: 120000 });
  seen.text = result.content[0].text;
  seen.isError = result.isError ?? false;
  const echo = await client.callTool({ name: "echo", arguments: { text: "still serving" } });
  seen.echo = echo.content[0].text;
  seen.asked = asked;
  await client.close();
  process.stdout.write(JSON.stringify(seen) + "\n");
} catch (e) {
  process.stderr.write("sdk-asked-client failed: " + (e.stack || e) + "\n");
  await client.close().catch(() => {});
  process.exit(1);
}
