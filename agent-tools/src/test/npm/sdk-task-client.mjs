// The official TypeScript SDK's (v1) client calling tools as tasks (MCP 2025-11-25, client.experimental.tasks) on a
// stdio server, for the agent-tools tests. Usage: node sdk-task-client.mjs <command> [args...]
// The server (TaskServerMain, at most 2 tasks a session) has echo, fail and gate; the test holds each gate task's
// tool and says on this script's stdin when it has started ("entered <name>"). The script creates and polls an echo
// task to its result, fails a task, creates gates A and B, is refused C (over the cap), lists, cancels A (twice),
// asks for an unknown task, closes (which ends the session, B still running), and prints one JSON line of what it
// saw. Exits 1 with the error otherwise.
import readline from "node:readline";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { CallToolResultSchema, CreateTaskResultSchema } from "@modelcontextprotocol/sdk/types.js";

const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const entered = async (name) => {
  const { value } = await lines.next();
  if (value !== "entered " + name) throw new Error("expected 'entered " + name + "' on stdin, got " + value);
};
const refusal = async (promise) => {
  try {
    await promise;
    return "answered";
  } catch (e) {
    return { code: e.code, message: e.message };
  }
};

const [command, ...args] = process.argv.slice(2);
const transport = new StdioClientTransport({ command, args, stderr: "inherit" });
const client = new Client({ name: "ts-task-client", version: "1.0.0" });
const tasks = client.experimental.tasks;
try {
  await client.connect(transport);
  const seen = { protocolVersion: transport._protocolVersion ?? null };
  seen.capabilities = client.getServerCapabilities().tasks ?? null;
  seen.taskSupport = Object.fromEntries((await client.listTools()).tools
    .map((t) => [t.name, t.execution?.taskSupport ?? null]));

  seen.echo = [];
  for await (const m of tasks.callToolStream({ name: "echo", arguments: { text: "from a task" } },
    CallToolResultSchema, { task: { ttl: 60000 } })) {
    if (m.type === "result") seen.echo.push({ type: m.type, text: m.result.content[0].text });
    else if (m.type === "error") seen.echo.push({ type: m.type, message: m.error.message });
    else seen.echo.push({ type: m.type, status: m.task.status, ttl: m.task.ttl, pollInterval: m.task.pollInterval });
  }

  const create = (name, args) => client.request({ method: "tools/call",
    params: { name, arguments: args, task: { ttl: 60000 } } }, CreateTaskResultSchema);
  const failed = (await create("fail", {})).task.taskId;
  const failResult = await tasks.getTaskResult(failed, CallToolResultSchema);
  seen.fail = { status: (await tasks.getTask(failed)).status, isError: failResult.isError,
    text: failResult.content[0].text,
    relatedTask: failResult._meta?.["io.modelcontextprotocol/related-task"]?.taskId === failed };

  const a = (await create("gate", { name: "A" })).task;
  await entered("A");
  const b = (await create("gate", { name: "B" })).task;
  await entered("B");
  seen.created = { status: a.status, idLength: a.taskId.length, distinct: a.taskId !== b.taskId };
  seen.overCap = await refusal(create("gate", { name: "C" }));
  seen.listed = (await tasks.listTasks()).tasks
    .map((t) => (t.taskId === a.taskId ? "A" : t.taskId === b.taskId ? "B" : t.taskId) + ":" + t.status);
  seen.cancelA = (await tasks.cancelTask(a.taskId)).status;
  seen.afterCancelA = (await tasks.getTask(a.taskId)).status;
  seen.cancelAgain = await refusal(tasks.cancelTask(a.taskId));
  seen.unknown = await refusal(tasks.getTask("no-such-task"));
  seen.unknownResult = await refusal(tasks.getTaskResult("no-such-task", CallToolResultSchema));
  await client.close();
  process.stdout.write(JSON.stringify(seen) + "\n");
} catch (e) {
  process.stderr.write("sdk-task-client failed: " + (e.stack || e) + "\n");
  await client.close().catch(() => {});
  process.exit(1);
}
