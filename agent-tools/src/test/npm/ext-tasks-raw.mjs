// The raw channel the MCP tasks extension's client session needs (its rawDispatch), shared by the ext-tasks client
// scripts of the agent-tools tests: requests sent below the SDK, whose responses are taken off the transport before
// the SDK sees them (it would not accept a task where it expects a tool result).
// rawChannel(transport) gives { rawDispatch, install }; call install() once the client is connected.

export function rawChannel(transport) {
  const pending = new Map();
  let rawIds = 0;
  const rawDispatch = (request, options = {}) => new Promise((resolve, reject) => {
    const id = "raw-" + (++rawIds);
    pending.set(id, resolve);
    transport.send({ jsonrpc: "2.0", id, method: request.method, ...(request.params === undefined ? {}
      : { params: request.params }) }, options.context?.headers === undefined ? undefined
      : { headers: options.context.headers }).catch((e) => {
      pending.delete(id);
      // In 2026-07-28 a method the server does not have is a 404 whose body is the -32601 answer; the SDK's transport
      // hands on the body of a 400 only, and throws for any other status.
      let body;
      try {
        body = e?.status === 404 && typeof e.data?.text === "string" ? JSON.parse(e.data.text) : undefined;
      } catch {}
      if (body?.id === id && body.error !== undefined) {
        resolve({ kind: "error", error: body.error });
        return;
      }
      reject(e);
    });
  });
  const answered = (message) => {
    const resolve = typeof message?.id === "string" ? pending.get(message.id) : undefined;
    if (resolve === undefined) return false;
    pending.delete(message.id);
    resolve("error" in message ? { kind: "error", error: message.error } : { kind: "result", result: message.result });
    return true;
  };
  // Puts the raw answers' filter in front of the SDK's own handler of the transport's messages.
  const install = () => {
    const sdkOnMessage = transport.onmessage;
    transport.onmessage = (message, extra) => {
      if (!answered(message)) sdkOnMessage?.(message, extra);
    };
  };
  return { rawDispatch, install };
}
