// Runs the model's code in a fresh QuickJS engine. The code comes from the host (agentrt_host.code),
// so this script is the same for every run and compiles once per JVM. It reports exactly once,
// through agentrt_host.value (the result as JSON text) or agentrt_host.error.
(() => {
  const host = globalThis.agentrt_host;
  delete globalThis.agentrt_host;
  delete globalThis.quickjs4j_engine;

  const text = (v) => {
    if (typeof v === 'string') return v;
    if (v instanceof Error) return String(v.name) + ': ' + String(v.message);
    try {
      const s = JSON.stringify(v);
      return s === undefined ? String(v) : s;
    } catch (e) {
      return String(v);
    }
  };
  const line = (args) => args.map(text).join(' ');
  const out = console.log;
  const err = console.error;
  const log = (...args) => out(line(args));
  const logError = (...args) => err(line(args));
  globalThis.console = { log: log, info: log, debug: log, error: logError, warn: logError };

  const call = (request) => {
    const response = JSON.parse(host.call(JSON.stringify(request)));
    if (response.error !== undefined) throw new Error(response.error);
    return response.value;
  };
  globalThis.readFile = (path) => call({ op: 'read', path: String(path) });
  globalThis.writeFile = (path, content) => { call({ op: 'write', path: String(path), content: String(content) }); };

  // Code mode: tools.name(args) calls the task's tool through the host, which waits for its result.
  const names = call({ op: 'tools' });
  if (names !== null) {
    class ToolError extends Error {
      constructor(message, kind, tool) {
        super(message);
        this.name = 'ToolError';
        this.kind = kind;
        this.tool = tool;
      }
    }
    const callTool = (name, args) => {
      const request = JSON.stringify({ op: 'tool', name: name, args: args === undefined ? null : args });
      const response = JSON.parse(host.call(request));
      if (response.error !== undefined) throw new ToolError(response.error, response.kind, name);
      return response.value;
    };
    const known = {};
    for (const name of names) known[name] = (args) => callTool(name, args);
    // A name that is no tool still reaches the host, which answers with the tools there are.
    globalThis.tools = new Proxy(Object.freeze(known), {
      get(target, prop, receiver) {
        if (typeof prop !== 'string' || prop in target || prop === 'then' || prop === 'toJSON') {
          return Reflect.get(target, prop, receiver);
        }
        return (args) => callTool(prop, args);
      },
    });
    globalThis.ToolError = ToolError;
  }

  const fail = (e) => {
    let name = 'Error';
    let message = String(e);
    let stack = '';
    let at = 0;
    if (e !== null && typeof e === 'object') {
      name = String(e.name === undefined ? 'Error' : e.name);
      message = String(e.message === undefined ? e : e.message);
      stack = String(e.stack === undefined ? '' : e.stack);
      const m = /<input>:(\d+)/.exec(stack);
      if (m) at = Number(m[1]);
    }
    host.error(JSON.stringify({ name: name, message: message, line: at, stack: stack }));
  };
  const settle = (v) => {
    if (v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function') {
      Promise.resolve(v).then(settle, fail);
      return;
    }
    let json;
    try {
      json = JSON.stringify(v);
    } catch (e) {
      fail(new TypeError('the result cannot be written as JSON: ' + e.message));
      return;
    }
    host.value(json === undefined ? 'null' : json);
  };

  const code = host.code();
  // The marker is set by the code's first statement, on the code's first line so that line
  // numbers stay the user's: when it is unset after a SyntaxError, the code failed to parse and
  // nothing ran, so running it again as the body of an async function (for a top-level return or
  // await) cannot repeat a side effect.
  const started = Symbol.for('agentrt.started');
  const mark = 'void (globalThis[Symbol.for("agentrt.started")] = true);';
  let value;
  try {
    try {
      value = (0, eval)(mark + code);
    } catch (e) {
      if (!(e instanceof SyntaxError) || globalThis[started] === true) throw e;
      try {
        value = (0, eval)('(async function () {' + code + '\n})()');
      } catch (again) {
        throw e.message === 'return not in a function' ? again : e;
      }
    }
  } catch (e) {
    fail(e);
    return;
  } finally {
    delete globalThis[started];
  }
  settle(value);
})();
