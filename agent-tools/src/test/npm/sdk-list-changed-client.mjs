// The official TypeScript SDK's (v1) client against an MCP server whose tools change while it serves, for the
// agent-tools tests of McpServer.addTool/removeTool. Usage:
//   node sdk-list-changed-client.mjs stdio <command> [args...]     (the server is agentrt's ListChangingServerMain)
//   node sdk-list-changed-client.mjs http <url>                    (a server with the same tools)
// Lists the tools, calls add_greet (which adds the tool greet), waits for notifications/tools/list_changed, lists the
// tools again and calls greet, calls remove_greet, waits for the next notifications/tools/list_changed, lists the
// tools and calls greet once more; then the same with the prompt review (add_review, remove_review,
// notifications/prompts/list_changed, prompts/list, prompts/get). Prints one JSON line with what it saw:
// {"listChanged": the server's tools.listChanged, "before": [names], "afterAdd": [names], "greet": text,
// "afterRemove": [names], "greetRemoved": {"code", "message", "data"} of the error, "changes": notifications seen,
// "promptsListChanged", "promptsBefore", "promptsAfterAdd", "review": the rendered text, "promptsAfterRemove",
// "reviewRemoved": {"code", "message"}, "promptChanges"}. Over HTTP the client's GET stream (where
// notifications go) opens on its own time and what is sent before it is dropped: until the first notification
// arrives, the tool is removed and added again. Exits 1 with the error otherwise.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { PromptListChangedNotificationSchema, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const [kind, ...rest] = process.argv.slice(2);
const client = new Client({ name: "ts-sdk-list-changed-client", version: "1.0.0" });
let changes = 0;
let waiters = [];
client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
  changes++;
  waiters.splice(0).forEach((wake) => wake());
});
const changed = (n) => new Promise((resolve) => {
  const check = () => (changes >= n ? resolve(true) : waiters.push(check));
  check();
});
let promptChanges = 0;
client.setNotificationHandler(PromptListChangedNotificationSchema, () => {
  promptChanges++;
  waiters.splice(0).forEach((wake) => wake());
});
const promptsChanged = (n) => new Promise((resolve) => {
  const check = () => (promptChanges >= n ? resolve(true) : waiters.push(check));
  check();
});
const prompts = async () => (await client.listPrompts()).prompts.map((p) => p.name).sort();
const names = async () => (await client.listTools()).tools.map((t) => t.name).sort();
const text = (result) => result.content[0].text;
try {
  const transport = kind === "http"
    ? new StreamableHTTPClientTransport(new URL(rest[0]))
    : new StdioClientTransport({ command: rest[0], args: rest.slice(1), stderr: "inherit" });
  await client.connect(transport);
  const seen = { listChanged: client.getServerCapabilities().tools?.listChanged ?? false };
  seen.before = await names();
  await client.callTool({ name: "add_greet", arguments: {} });
  if (kind === "http") {
    while (!(await Promise.race([changed(1), new Promise((r) => setTimeout(() => r(false), 500))]))) {
      await client.callTool({ name: "remove_greet", arguments: {} });
      await client.callTool({ name: "add_greet", arguments: {} });
    }
  } else {
    await changed(1);
  }
  const first = changes;
  seen.afterAdd = await names();
  seen.greet = text(await client.callTool({ name: "greet", arguments: { who: "TypeScript" } }));
  await client.callTool({ name: "remove_greet", arguments: {} });
  await changed(first + 1);
  seen.afterRemove = await names();
  try {
    const r = await client.callTool({ name: "greet", arguments: { who: "TypeScript" } });
    seen.greetRemoved = { answered: r };
  } catch (e) {
    seen.greetRemoved = { code: e.code, message: e.message, data: e.data ?? null };
  }
  seen.changes = changes - first + 1;
  // The prompts, once the tools are done (over HTTP the GET stream is open by now).
  seen.promptsListChanged = client.getServerCapabilities().prompts?.listChanged ?? false;
  seen.promptsBefore = await prompts();
  await client.callTool({ name: "add_review", arguments: {} });
  await promptsChanged(1);
  seen.promptsAfterAdd = await prompts();
  seen.review = (await client.getPrompt({ name: "review", arguments: { path: "a.md" } })).messages[0].content.text;
  await client.callTool({ name: "remove_review", arguments: {} });
  await promptsChanged(2);
  seen.promptsAfterRemove = await prompts();
  try {
    seen.reviewRemoved = { answered: await client.getPrompt({ name: "review", arguments: { path: "a.md" } }) };
  } catch (e) {
    seen.reviewRemoved = { code: e.code, message: e.message };
  }
  seen.promptChanges = promptChanges;
  await client.close();
  process.stdout.write(JSON.stringify(seen) + "\n");
} catch (e) {
  process.stderr.write("sdk-list-changed-client failed: " + (e.stack || e) + "\n");
  await client.close().catch(() => {});
  process.exit(1);
}
