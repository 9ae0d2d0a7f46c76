// The official TypeScript SDK's (v1) client calling a tool that asks the user a question as a task (MCP 2025-11-25,
// client.experimental.tasks.callToolStream), for the agent-tools tests. Usage: node sdk-task-asked-client.mjs
// <accept|decline|never|none> http <url> | ... stdio <command> [args...]
// Its elicitation handler answers "Ada Lovelace", declines or never answers (none: no elicitation capability). Calls ask as a task,
// then echo directly, and prints one JSON line of what it saw: the task's statuses, its result, and the questions it
// was asked with their related-task ids. Exits 1 with the error otherwise.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const [mode, kind, target, ...args] = process.argv.slice(2);
const transport = kind === "http"
  ? new StreamableHTTPClientTransport(new URL(target))
  : new StdioClientTransport({ command: target, args, stderr: "inherit" });
const client = new Client({ name: "ts-task-asked-client", version: "1.0.0" },
  { capabilities: mode === "none" ? {} : { elicitation: { form: {} } } });
const asked = [];
if (mode !== "none") {
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push({ message: request.params.message,
      relatedTask: request.params._meta?.["io.modelcontextprotocol/related-task"]?.taskId ?? null });
    if (mode === "never") return new Promise(() => {});
    return mode === "accept" ? { action: "accept", content: { answer: "Ada Lovelace" } } : { action: "decline" };
  });
}
try {
  await client.connect(transport);
  const seen = { statuses: [], asked };
  let taskId = null;
  for await (const m of client.experimental.tasks.callToolStream({ name: "ask", arguments: { topic: "names" } },
    CallToolResultSchema, { task: { ttl: 60000 } })) {
    if (m.type === "taskCreated") taskId = m.task.taskId;
    else if (m.type === "taskStatus") seen.statuses.push(m.task.status);
    else if (m.type === "result") seen.result = { text: m.result.content[0].text, isError: m.result.isError ?? false };
    else if (m.type === "error") seen.error = m.error.message;
  }
  seen.taskId = taskId;
  seen.final = (await client.experimental.tasks.getTask(taskId)).status;
  if (seen.result === undefined) {
    const r = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    seen.result = { text: r.content[0].text, isError: r.isError ?? false };
  }
  seen.echo = (await client.callTool({ name: "echo", arguments: { text: "still serving" } })).content[0].text;
  await client.close();
  process.stdout.write(JSON.stringify(seen) + "\n");
} catch (e) {
  process.stderr.write("sdk-task-asked-client failed: " + (e.stack || e) + "\n");
  await client.close().catch(() => {});
  process.exit(1);
}
