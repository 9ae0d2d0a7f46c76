// The official TypeScript SDK's client subscribing to an MCP server's resources over streamable HTTP, for the
// agent-tools tests of the server's resource subscriptions. Usage:
//   node sdk-subscribe-client.mjs <url> <uri to subscribe to> [<uri expected to be refused>...]
// Connects, asks to subscribe to each refused URI, then to the first one, and prints one JSON line:
// {"resources": <the server's resources capability>, "subscribe": {} or {"error": code, "message": ...},
//  "refusals": {uri: {"error": code, "message": ...} or {}}}. When the subscription was taken it then waits for a
// notifications/resources/updated of that URI, unsubscribes, closes and prints {"updates": [every URI updated]};
// otherwise it closes and prints {"updates": []}. Exits 1 with the error when anything else fails.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError, ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const [url, target, ...refused] = process.argv.slice(2);
const client = new Client({ name: "ts-sdk-subscribe-client", version: "1.0.0" });
const updates = [];
let updated;
const got = new Promise((resolve) => (updated = resolve));
client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
  updates.push(n.params.uri);
  if (n.params.uri === target) {
    updated();
  }
});

async function attempt(call) {
  try {
    await call();
    return {};
  } catch (e) {
    if (e instanceof McpError) {
      return { error: e.code, message: e.message };
    }
    throw e;
  }
}

try {
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  const refusals = {};
  for (const uri of refused) {
    refusals[uri] = await attempt(() => client.subscribeResource({ uri }));
  }
  const subscribe = await attempt(() => client.subscribeResource({ uri: target }));
  const resources = client.getServerCapabilities()?.resources ?? null;
  process.stdout.write(JSON.stringify({ resources, subscribe, refusals }) + "\n");
  if (subscribe.error === undefined) {
    await got;
    await client.unsubscribeResource({ uri: target });
  }
  await client.close();
  process.stdout.write(JSON.stringify({ updates }) + "\n");
} catch (e) {
  process.stderr.write("sdk-subscribe-client failed: " + (e.stack || e) + "\n");
  await client.close().catch(() => {});
  process.exit(1);
}
