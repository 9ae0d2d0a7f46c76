// The v2 TypeScript SDK's client (@modelcontextprotocol/client), pinned to protocol revision 2026-07-28, following an
// MCP server's tool list with its listChanged option (which opens a subscriptions/listen asking for toolsListChanged
// and lists the tools again at each notifications/tools/list_changed), for the agent-tools tests of
// McpServer.addTool/removeTool and addPrompt/removePrompt. Usage:
//   node sdk-v2-list-changed-client.mjs stdio <command> [args...]   (the server is agentrt's ListChangingServerMain)
//   node sdk-v2-list-changed-client.mjs http <url>                  (a server with the same tools)
// Calls add_greet (which adds the tool greet), waits until the refreshed list has greet, calls it, calls
// remove_greet, waits until the refreshed list lacks greet, calls greet once more; then the same with the prompt
// review (add_review, remove_review, prompts/get). Prints one JSON line: {"listChanged": the discovered
// tools.listChanged, "honored": the listen's acknowledged filter, "lists": [[names] of each refresh], "greet": text,
// "greetRemoved": {"code", "message"} of the error, "promptLists", "review": the rendered text, "reviewRemoved"}. Exits 1 with the error otherwise.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";

const [kind, ...rest] = process.argv.slice(2);
const lists = [];
const promptLists = [];
let waiters = [];
const client = new Client({ name: "ts-sdk-v2-list-changed-client", version: "2.3.1" }, {
  versionNegotiation: { mode: { pin: "2026-07-28" } },
  listChanged: {
    tools: {
      debounceMs: 0,
      onChanged: (error, tools) => {
        lists.push(error ? ["error: " + error.message] : tools.map((t) => t.name).sort());
        waiters.splice(0).forEach((wake) => wake());
      },
    },
    prompts: {
      debounceMs: 0,
      onChanged: (error, prompts) => {
        promptLists.push(error ? ["error: " + error.message] : prompts.map((p) => p.name).sort());
        waiters.splice(0).forEach((wake) => wake());
      },
    },
  },
});
const listedIn = (all, test) => new Promise((resolve) => {
  const check = () => (all.length > 0 && test(all[all.length - 1]) ? resolve() : waiters.push(check));
  check();
});
const listed = (test) => listedIn(lists, test);
try {
  const transport = kind === "http"
    ? new StreamableHTTPClientTransport(new URL(rest[0]))
    : new StdioClientTransport({ command: rest[0], args: rest.slice(1), stderr: "inherit" });
  await client.connect(transport);
  const seen = {
    listChanged: client.getServerCapabilities()?.tools?.listChanged ?? false,
    honored: client.autoOpenedSubscription?.honoredFilter ?? null,
  };
  await client.callTool({ name: "add_greet", arguments: {} });
  await listed((names) => names.includes("greet"));
  seen.greet = (await client.callTool({ name: "greet", arguments: { who: "v2" } })).content[0].text;
  await client.callTool({ name: "remove_greet", arguments: {} });
  await listed((names) => !names.includes("greet"));
  try {
    seen.greetRemoved = { answered: await client.callTool({ name: "greet", arguments: { who: "v2" } }) };
  } catch (e) {
    seen.greetRemoved = { code: e.code ?? null, message: e.message };
  }
  seen.lists = lists;
  await client.callTool({ name: "add_review", arguments: {} });
  await listedIn(promptLists, (names) => names.includes("review"));
  seen.review = (await client.getPrompt({ name: "review", arguments: { path: "a.md" } })).messages[0].content.text;
  await client.callTool({ name: "remove_review", arguments: {} });
  await listedIn(promptLists, (names) => !names.includes("review"));
  try {
    seen.reviewRemoved = { answered: await client.getPrompt({ name: "review", arguments: { path: "a.md" } }) };
  } catch (e) {
    seen.reviewRemoved = { code: e.code ?? null, message: e.message };
  }
  seen.promptLists = promptLists;
  await client.close();
  process.stdout.write(JSON.stringify(seen) + "\n");
} catch (e) {
  process.stderr.write("sdk-v2-list-changed-client failed: " + (e.stack || e) + "\n");
  await client.close().catch(() => {});
  process.exit(1);
}
