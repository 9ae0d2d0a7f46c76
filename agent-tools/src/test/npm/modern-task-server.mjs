// A scripted MCP server of protocol revision 2026-07-28 over stdio (raw JSON-RPC lines) that serves the tasks
// extension in the ways a server may and ours does not, for the agent-tools client tests. Usage: node
// modern-task-server.mjs
// Every tools/call must declare io.modelcontextprotocol/tasks in its client capabilities (else -32021). Tools, each
// answered with a task: "quick" (created already completed, without its result, which tasks/get gives), "asks"
// (its task asks for input: input_required), "breaks" (failed with a JSON-RPC error), "weird" (a status that is
// none of the extension's), "late" (not answered until the client cancels it with notifications/cancelled, then
// answered with a working task), "takes" (input_required until tasks/update answers its elicitation "k1", then
// completed with the response as its text), "greedy" (asks for 17 inputs at once), "insatiable" (asks for a new
// input after each update, forever). "seen" answers once a "late" call has arrived. "cancelled" answers directly,
// once the task of every "asks", "weird", "late", "greedy" and "insatiable" call has been cancelled (tasks/cancel),
// with the ids cancelled, in order. "updates" answers with the tasks/update requests' params seen, in order.
import readline from "node:readline";

const EXTENSION = "io.modelcontextprotocol/tasks";
const tasks = new Map();
const cancelled = [];
const waiting = [];
let next = 0;
const now = "2026-12-07T05:00:00Z";
const send = (m) => process.stdout.write(JSON.stringify(m) + "\n");
const result = (id, r) => send({ jsonrpc: "2.0", id, result: { resultType: "complete", ...r } });
const error = (id, code, message, data) => send({ jsonrpc: "2.0", id, error: { code, message, ...(data ? { data } : {}) } });
const view = (task, status) => ({ taskId: task.id, status, createdAt: now, lastUpdatedAt: now, ttlMs: 60000,
  pollIntervalMs: 0 });
const expected = () => [...tasks.values()].filter((t) => ["asks", "weird", "late", "greedy", "insatiable"]
  .includes(t.tool)).length;
const updates = [];
const elicit = (message) => ({ method: "elicitation/create", params: { mode: "form", message,
  requestedSchema: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] } } });
const lateCalls = [];
const seen = [];
const settleSeen = () => {
  while (seen.length > 0 && lateCalls.length > 0) {
    result(seen.shift(), { content: [{ type: "text", text: "seen" }] });
  }
};
const settle = () => {
  while (waiting.length > 0 && cancelled.length >= expected()) {
    result(waiting.shift(), { content: [{ type: "text", text: JSON.stringify(cancelled) }] });
  }
};

for await (const line of readline.createInterface({ input: process.stdin })) {
  if (line.trim() === "") continue;
  const m = JSON.parse(line);
  if (m.method === "notifications/cancelled" && lateCalls.includes(m.params?.requestId)) {
    // The cancelled call is answered anyway, as a server that made its task just then would.
    const task = { id: "late-" + (++next), tool: "late" };
    tasks.set(task.id, task);
    send({ jsonrpc: "2.0", id: m.params.requestId, result: { resultType: "task", ...view(task, "working") } });
    continue;
  }
  if (m.id === undefined) continue;
  const declared = m.params?._meta?.["io.modelcontextprotocol/clientCapabilities"]?.extensions?.[EXTENSION];
  switch (m.method) {
    case "server/discover":
      result(m.id, { supportedVersions: ["2026-07-28"],
        capabilities: { tools: {}, extensions: { [EXTENSION]: {} } },
        serverInfo: { name: "modern-task-server", version: "1.0.0" } });
      break;
    case "tools/list":
      result(m.id, { tools: ["quick", "asks", "breaks", "weird", "late", "seen", "cancelled", "takes", "greedy",
        "insatiable", "updates"].map((name) => ({ name,
        inputSchema: { type: "object" } })), ttlMs: 0, cacheScope: "private" });
      break;
    case "tools/call": {
      if (declared === undefined) {
        error(m.id, -32021, "Missing required client capability",
          { requiredCapabilities: { extensions: { [EXTENSION]: {} } } });
        break;
      }
      const tool = m.params.name;
      if (tool === "late") {
        lateCalls.push(m.id);
        settleSeen();
        break;
      }
      if (tool === "seen") {
        seen.push(m.id);
        settleSeen();
        break;
      }
      if (tool === "updates") {
        result(m.id, { content: [{ type: "text", text: JSON.stringify(updates) }] });
        break;
      }
      if (tool === "cancelled") {
        waiting.push(m.id);
        settle();
        break;
      }
      const task = { id: tool + "-" + (++next), tool };
      tasks.set(task.id, task);
      send({ jsonrpc: "2.0", id: m.id, result: { resultType: "task",
        ...view(task, tool === "quick" ? "completed" : "working") } });
      break;
    }
    case "tasks/get": {
      const task = tasks.get(m.params?.taskId);
      if (task === undefined) {
        error(m.id, -32602, "Failed to retrieve task: Task not found");
      } else if (task.tool === "quick") {
        result(m.id, { ...view(task, "completed"), result: { content: [{ type: "text", text: "quick done" }] } });
      } else if (task.tool === "asks") {
        result(m.id, { ...view(task, "input_required"), inputRequests: { k1: { method: "elicitation/create",
          params: { message: "Which one?", requestedSchema: { type: "object", properties: {} } } } } });
      } else if (task.tool === "takes") {
        result(m.id, task.response === undefined
          ? { ...view(task, "input_required"), inputRequests: { k1: elicit("Your name?") } }
          : { ...view(task, "completed"), result: { content: [{ type: "text", text: JSON.stringify(task.response) }] } });
      } else if (task.tool === "greedy") {
        const inputRequests = {};
        for (let i = 0; i < 17; i++) inputRequests["g" + i] = elicit("Question " + i);
        result(m.id, { ...view(task, "input_required"), inputRequests });
      } else if (task.tool === "insatiable") {
        task.round = (task.round ?? 0) + 1;
        result(m.id, { ...view(task, "input_required"), inputRequests: { ["r" + task.round]: elicit("Again?") } });
      } else if (task.tool === "breaks") {
        result(m.id, { ...view(task, "failed"), error: { code: -32603, message: "backend down" } });
      } else {
        result(m.id, view(task, "paused"));
      }
      break;
    }
    case "tasks/update": {
      const task = tasks.get(m.params?.taskId);
      updates.push({ taskId: m.params?.taskId, inputResponses: m.params?.inputResponses });
      if (task === undefined) {
        error(m.id, -32602, "Failed to update task: Task not found");
      } else {
        if (task.tool === "takes") task.response = m.params?.inputResponses?.k1;
        result(m.id, {});
      }
      break;
    }
    case "tasks/cancel":
      if (tasks.has(m.params?.taskId)) {
        cancelled.push(m.params.taskId);
        result(m.id, {});
        settle();
      } else {
        error(m.id, -32602, "Failed to cancel task: Task not found");
      }
      break;
    default:
      error(m.id, -32601, "Method not found: " + m.method);
  }
}
