// The reference client of the MCP tasks extension (@modelcontextprotocol/ext-tasks, createTaskSessionFromClient) over
// the v2 TypeScript SDK's client pinned to 2026-07-28, against a server whose tool ask asks the user a question, for
// the agent-tools tests. Usage: node sdk-v2-task-asked-client.mjs <accept|decline> http <url> | ... stdio <command>
// [args...]
// Calls ask through the task session: the task becomes input_required, the session's input handler answers its
// elicitation ("Ada Lovelace", or declines) with tasks/update, and the task ends with the result; prints one JSON line
// of what it saw. Exits 1 with the error otherwise.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { createApplicationInputHandler, createTaskSessionFromClient, resultFromTaskOutcome }
  from "@modelcontextprotocol/ext-tasks/client";
import { rawChannel } from "./ext-tasks-raw.mjs";

const [mode, kind, target, ...args] = process.argv.slice(2);
const transport = kind === "http"
  ? new StreamableHTTPClientTransport(new URL(target))
  : new StdioClientTransport({ command: target, args, stderr: "inherit" });
const clientInfo = { name: "ts-ext-tasks-asked-client", version: "0.2.2" };
const client = new Client(clientInfo, { versionNegotiation: { mode: { pin: "2026-07-28" } } });

const { rawDispatch, install } = rawChannel(transport);

const asked = [];
let session;
try {
  await client.connect(transport);
  install();
  session = createTaskSessionFromClient(client, {
    endpointId: "agentrt-tests",
    rawDispatch,
    v2RequestFraming: { protocolVersion: "2026-07-28", clientInfo, clientCapabilities: { elicitation: {} } },
    tools: { currentTool: () => undefined },
    onInputRequest: createApplicationInputHandler({
      elicitation: (request, context) => {
        asked.push({ message: request.params.message, delivery: context.delivery, scope: context.scope });
        return mode === "accept" ? { action: "accept", content: { answer: "Ada Lovelace" } } : { action: "decline" };
      },
      sampling: () => { throw new Error("no sampling here"); },
      roots: () => { throw new Error("no roots here"); },
    }),
  });
  const call = await session.callTool("ask", { topic: "names" });
  const settled = await call.settle();
  const result = resultFromTaskOutcome(settled.outcome);
  const seen = { kind: call.kind, status: settled.outcome.status, text: result.content[0].text,
    isError: result.isError ?? false, asked };
  await session.close();
  await client.close();
  process.stdout.write(JSON.stringify(seen) + "\n");
} catch (e) {
  process.stderr.write("sdk-v2-task-asked-client failed: " + (e.stack || e) + "\n");
  await session?.close().catch(() => {});
  await client.close().catch(() => {});
  process.exit(1);
}
