// A stdio MCP server, raw JSON-RPC (no SDK), with a tool that must run as a task (MCP 2025-11-25 tasks), for the
// agent-tools tests of the client's task calls. Usage: node task-server.mjs <mode>
//   done     the task "job" is working at creation, completed at the first tasks/get; tasks/result answers
//            "job done: <argument x>"
//   never    the task stays working forever
//   garbage  tasks/get answers the status "exploded"
//   late     as never, and a task-augmented call of "job" is answered only when "release" is called (counted as
//            pending until then), so a client can give up on the call before it learns the task's id
// Tools: "job" (execution.taskSupport "required", argument x), "count" (a plain tool answering the numbers of
// tasks/get and tasks/cancel requests received, and the last cancelled task id, as JSON).
import readline from "node:readline";

const mode = process.argv[2] || "done";
const counts = { get: 0, cancel: 0, cancelled: null, plainCallsOfJob: 0, pending: 0 };
const held = [];
const tasks = new Map();
const send = (msg) => process.stdout.write(JSON.stringify(msg) + "\n");
const task = (id) => ({ taskId: id, status: tasks.get(id).status, createdAt: "2026-12-06T00:00:00Z",
  lastUpdatedAt: "2026-12-06T00:00:00Z", ttl: 60000, pollInterval: 100 });

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const msg = JSON.parse(line);
  const reply = (result) => send({ jsonrpc: "2.0", id: msg.id, result });
  switch (msg.method) {
    case "initialize":
      return reply({ protocolVersion: "2025-11-25", serverInfo: { name: "task-test", version: "1" },
        capabilities: { tools: {}, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } } });
    case "tools/list":
      return reply({ tools: [
        { name: "job", inputSchema: { type: "object", properties: { x: { type: "string" } } },
          execution: { taskSupport: "required" } },
        { name: "count", inputSchema: { type: "object" } },
        ...(mode === "late" ? [{ name: "release", inputSchema: { type: "object" } }] : []),
      ] });
    case "tools/call": {
      if (msg.params.name === "count") {
        return reply({ content: [{ type: "text", text: JSON.stringify(counts) }] });
      }
      if (msg.params.name === "release") {
        held.splice(0).forEach((answer) => answer());
        counts.pending = 0;
        return reply({ content: [{ type: "text", text: "released" }] });
      }
      if (!msg.params.task) {
        counts.plainCallsOfJob++;
        return send({ jsonrpc: "2.0", id: msg.id, error: { code: -32600, message: "job must be called as a task" } });
      }
      const id = "task-" + (tasks.size + 1);
      tasks.set(id, { status: "working", x: msg.params.arguments.x });
      if (mode === "late") {
        counts.pending++;
        held.push(() => reply({ task: task(id) }));
        return;
      }
      return reply({ task: task(id) });
    }
    case "tasks/get": {
      counts.get++;
      const t = tasks.get(msg.params.taskId);
      if (mode === "done") t.status = "completed";
      if (mode === "garbage") return reply({ ...task(msg.params.taskId), status: "exploded" });
      return reply(task(msg.params.taskId));
    }
    case "tasks/result":
      return reply({ content: [{ type: "text", text: "job done: " + tasks.get(msg.params.taskId).x }] });
    case "tasks/cancel": {
      counts.cancel++;
      counts.cancelled = msg.params.taskId;
      tasks.get(msg.params.taskId).status = "cancelled";
      return reply(task(msg.params.taskId));
    }
    default:
      if (msg.id !== undefined) reply({});
  }
});
