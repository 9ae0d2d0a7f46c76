// The reference client of the MCP tasks extension (@modelcontextprotocol/ext-tasks, createTaskSessionFromClient) over
// the v2 TypeScript SDK's client pinned to protocol revision 2026-07-28, against a server serving the extension, for
// the agent-tools tests. Usage: node sdk-v2-task-client.mjs http <url> | node sdk-v2-task-client.mjs stdio <command>
// [args...]
// The server has echo, fail and gate; the test holds each gate call's tool and says on this script's stdin when it
// has started ("entered <name>"). The script calls echo through the task session (a task it follows to its result),
// fail (a tool error result, completed), gate A (cancelled once it has started), asks raw for an unknown task, for a
// task without declaring the extension and for tasks/result, calls echo with the SDK alone (no extension declared),
// closes, and prints one JSON line of what it saw. Exits 1 with the error otherwise.
import readline from "node:readline";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { createTaskSessionFromClient, resultFromTaskOutcome } from "@modelcontextprotocol/ext-tasks/client";
import { rawChannel } from "./ext-tasks-raw.mjs";

const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const entered = async (name) => {
  const { value } = await lines.next();
  if (value !== "entered " + name) throw new Error("expected 'entered " + name + "' on stdin, got " + value);
};

const [kind, target, ...args] = process.argv.slice(2);
const transport = kind === "http"
  ? new StreamableHTTPClientTransport(new URL(target))
  : new StdioClientTransport({ command: target, args, stderr: "inherit" });
const clientInfo = { name: "ts-ext-tasks-client", version: "0.2.2" };
const client = new Client(clientInfo, { versionNegotiation: { mode: { pin: "2026-07-28" } } });

const { rawDispatch, install } = rawChannel(transport);
const envelope = (capabilities) => ({
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": clientInfo,
  "io.modelcontextprotocol/clientCapabilities": capabilities,
});
const raw = async (method, params, capabilities) => {
  const response = await rawDispatch({ method, params: { ...params, _meta: envelope(capabilities) } });
  return response.kind === "error"
    ? { code: response.error.code, message: response.error.message, data: response.error.data ?? null }
    : response.result;
};
const declaring = { extensions: { "io.modelcontextprotocol/tasks": {} } };

let session;
try {
  await client.connect(transport);
  install();
  const seen = {
    era: client.getProtocolEra() ?? null,
    extensions: client.getServerCapabilities()?.extensions ?? null,
  };
  session = createTaskSessionFromClient(client, {
    endpointId: "agentrt-tests",
    rawDispatch,
    v2RequestFraming: { protocolVersion: "2026-07-28", clientInfo, clientCapabilities: {} },
    tools: { currentTool: () => undefined },
  });

  const echo = await session.callTool("echo", { text: "from a v2 task" });
  const echoed = await echo.settle();
  seen.echo = { kind: echo.kind, taskIdLength: echo.handle?.taskId?.length ?? null, status: echoed.outcome.status,
    text: resultFromTaskOutcome(echoed.outcome).content[0].text };

  const fail = await session.callTool("fail", {});
  const failed = await fail.settle();
  const failResult = resultFromTaskOutcome(failed.outcome);
  seen.fail = { kind: fail.kind, status: failed.outcome.status, isError: failResult.isError ?? false,
    text: failResult.content[0].text };

  const gate = await session.callTool("gate", { name: "A" });
  await entered("A");
  await gate.cancel();
  seen.gate = { kind: gate.kind, outcome: (await gate.result()).status,
    status: (await raw("tasks/get", { taskId: gate.handle.taskId }, declaring)).status };

  seen.unknown = await raw("tasks/get", { taskId: "no-such-task" }, declaring);
  seen.undeclared = await raw("tasks/get", { taskId: echo.handle.taskId }, {});
  seen.taskResult = await raw("tasks/result", { taskId: echo.handle.taskId }, declaring);
  seen.cancelEnded = await raw("tasks/cancel", { taskId: echo.handle.taskId }, declaring);
  seen.afterCancelEnded = (await raw("tasks/get", { taskId: echo.handle.taskId }, declaring)).status;

  const direct = await client.callTool({ name: "echo", arguments: { text: "directly" } });
  seen.direct = { resultType: direct.resultType ?? null, text: direct.content[0].text };

  await session.close();
  await client.close();
  process.stdout.write(JSON.stringify(seen) + "\n");
} catch (e) {
  process.stderr.write("sdk-v2-task-client failed: " + (e.stack || e) + "\n");
  await session?.close().catch(() => {});
  await client.close().catch(() => {});
  process.exit(1);
}
