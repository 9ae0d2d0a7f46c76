// A stdio MCP server with resources, built on the official TypeScript SDK, for the agent-tools tests of
// the client's resource tools. Usage: node resource-server.mjs [mode]
//   paged     (the default) resources/list in three pages (cursors "page-2", "page-3"):
//             note://one, note://two (text), bin://blob (1,024 bytes, application/octet-stream),
//             big://text (300,000 characters of "x", text/plain), broken://fails (reading it answers a
//             JSON-RPC error -32603 "the disk is on fire"), two://parts (two text contents); one template,
//             note://{name}. A resource it does not list answers -32002 "Resource not found". Reading
//             crash://now makes it write "crashing on resources/read" to stderr and exit with code 3.
//   endless   resources/list answers 150 resources a page and always another cursor
//   no-templates  as paged, without a handler for resources/templates/list (it answers -32601)
//   prompts   as paged, and prompts: "greet" (argument "name", required) answers a user message and an
//             assistant message; "wait" never answers
// Reading hang://forever never answers. Tools: none. Prompts: only in the prompts mode.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import {
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

const mode = process.argv[2] || "paged";
const capabilities = mode === "prompts" ? { resources: {}, prompts: {} } : { resources: {} };
const server = new Server({ name: "resource-test", version: "1.0.0" }, { capabilities });

if (mode === "prompts") {
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({
    prompts: [
      { name: "greet", description: "Greets someone", arguments: [{ name: "name", required: true }] },
      { name: "wait", description: "Never answers" },
    ],
  }));
  server.setRequestHandler(GetPromptRequestSchema, async (request) => {
    if (request.params.name === "wait") {
      return new Promise(() => {});
    }
    return {
      messages: [
        { role: "user", content: { type: "text", text: "Say hello to " + request.params.arguments.name } },
        { role: "assistant", content: { type: "text", text: "Hello, " + request.params.arguments.name + "!" } },
      ],
    };
  });
}

const pages = {
  "": {
    resources: [
      { uri: "note://one", name: "one", description: "The first note", mimeType: "text/plain" },
      { uri: "note://two", name: "two", mimeType: "text/plain" },
    ],
    nextCursor: "page-2",
  },
  "page-2": {
    resources: [
      { uri: "bin://blob", name: "blob", mimeType: "application/octet-stream", size: 1024 },
      { uri: "big://text", name: "big", mimeType: "text/plain", size: 300000 },
    ],
    nextCursor: "page-3",
  },
  "page-3": {
    resources: [
      { uri: "broken://fails", name: "broken", description: "Cannot be read" },
      { uri: "two://parts", name: "parts", mimeType: "text/plain" },
    ],
  },
};

server.setRequestHandler(ListResourcesRequestSchema, async (request) => {
  const cursor = request.params?.cursor ?? "";
  if (mode === "endless") {
    const page = Number(cursor || "0");
    const resources = [];
    for (let i = 0; i < 150; i++) {
      resources.push({ uri: `many://${page}/${i}`, name: `r${page}-${i}` });
    }
    return { resources, nextCursor: String(page + 1) };
  }
  const page = pages[cursor];
  if (!page) {
    throw new McpError(ErrorCode.InvalidParams, "Invalid cursor: " + cursor);
  }
  return page;
});

if (mode !== "no-templates") {
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [{ uriTemplate: "note://{name}", name: "note", description: "Any note by name",
      mimeType: "text/plain" }],
  }));
}

server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
  const uri = request.params.uri;
  switch (uri) {
    case "note://one":
      return { contents: [{ uri, mimeType: "text/plain", text: "first note" }] };
    case "note://two":
      return { contents: [{ uri, mimeType: "text/plain", text: "second note" }] };
    case "bin://blob":
      return { contents: [{ uri, mimeType: "application/octet-stream", blob: Buffer.alloc(1024, 7).toString("base64") }] };
    case "big://text":
      return { contents: [{ uri, mimeType: "text/plain", text: "x".repeat(300000) }] };
    case "hang://forever":
      return new Promise(() => {});
    case "crash://now":
      process.stderr.write("crashing on resources/read\n");
      process.exit(3);
    case "broken://fails":
      throw new McpError(ErrorCode.InternalError, "the disk is on fire");
    case "two://parts":
      return { contents: [{ uri: "two://parts#a", text: "part a" }, { uri: "two://parts#b", mimeType: "text/markdown", text: "part b" }] };
    default:
      throw new McpError(-32002, "Resource not found", { uri });
  }
});

await server.connect(new StdioServerTransport());
