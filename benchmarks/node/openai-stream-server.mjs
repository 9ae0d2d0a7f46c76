// A local OpenAI-compatible Chat Completions server for HttpLoad (Node's built-in http module only).
//
// Each POST .../chat/completions answers after --latency-ms, spread over --chunks timed pieces
// (timers, no busy-waiting): a request without a tool message gets one tool call (the first tool
// the request offers, arguments {"path":"README.md"}), a request with one gets the text --answer.
// "stream": true gives server-sent events as OpenAI sends them (chat.completion.chunk ... [DONE]),
// otherwise one chat.completion JSON body.
//
// Faults (a seeded random draw per request): --reset-share of the responses are cut mid-stream
// by a TCP reset (socket.resetAndDestroy() where the middle piece was due, after the first
// pieces went out); --rate-limit-share answer 429 at once with Retry-After: --retry-after-s and
// OpenAI's error body (code rate_limit_exceeded).
//
// Control (for the benchmark, never faulted): POST /_control/reset zeroes the statistics;
// GET /_control/stats returns them (requests, outcomes, peak connections and open responses,
// CPU time, event-loop delay, how late the timers fired); POST /_control/hold?n=N makes the
// first-turn replies wait until N of them have arrived, start together, and stop after their first
// piece until POST /_control/release.
//
// Usage: node openai-stream-server.mjs [--latency-ms 50] [--chunks 5] [--reset-share 0]
//        [--rate-limit-share 0] [--retry-after-s 1] [--seed 1] [--answer TEXT]
// Prints {"port":N} on one line once listening on 127.0.0.1; exits when stdin closes.
import http from "node:http";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const latencyMs = Number(option("latency-ms", "50"));
const chunks = Number(option("chunks", "5"));
const resetShare = Number(option("reset-share", "0"));
const rateLimitShare = Number(option("rate-limit-share", "0"));
const retryAfterS = Number(option("retry-after-s", "1"));
const answer = option("answer", "The README says to build the project with ./mvnw verify.");
let seed = Number(option("seed", "1")) >>> 0;

for (const [name, value] of [["latency-ms", latencyMs], ["chunks", chunks], ["reset-share", resetShare],
  ["rate-limit-share", rateLimitShare], ["retry-after-s", retryAfterS]]) {
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} must be a number >= 0, was ${value}`);
    process.exit(2);
  }
}
if (!Number.isInteger(chunks) || chunks < 2) {
  console.error(`--chunks must be an integer >= 2 (a reset needs a piece before it), was ${chunks}`);
  process.exit(2);
}
if (resetShare + rateLimitShare > 1) {
  console.error(`--reset-share + --rate-limit-share must not exceed 1`);
  process.exit(2);
}

// mulberry32: a small seeded generator, so a run's fault draws repeat for the same arrival order.
function random() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

// ------------------------------------------------------------------------------- statistics

const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
let stats;
function resetStats() {
  stats = {
    requests: 0, toolCallReplies: 0, textReplies: 0, resets: 0, rateLimited: 0, clientAborted: 0,
    badRequests: 0, peakConnections: connections, newConnections: 0, openResponses, peakOpenResponses: openResponses,
    cpu: process.cpuUsage(), since: performance.now(), late: [],
  };
  loopDelay.reset();
}
let connections = 0;
let openResponses = 0;
resetStats();

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function statsJson() {
  const cpu = process.cpuUsage(stats.cpu);
  const late = Float64Array.from(stats.late).sort();
  const round = (x) => Math.round(x * 100) / 100;
  return {
    requests: stats.requests, toolCallReplies: stats.toolCallReplies, textReplies: stats.textReplies,
    resets: stats.resets, rateLimited: stats.rateLimited, clientAborted: stats.clientAborted,
    badRequests: stats.badRequests, connections, peakConnections: stats.peakConnections,
    newConnections: stats.newConnections, openResponses, peakOpenResponses: stats.peakOpenResponses,
    held: held.length, holdArriving: arriving.length, elapsedMs: round(performance.now() - stats.since),
    cpuMs: round((cpu.user + cpu.system) / 1000),
    loopDelayP99Ms: round(loopDelay.count ? loopDelay.percentile(99) / 1e6 : 0),
    loopDelayMaxMs: round(loopDelay.count ? loopDelay.max / 1e6 : 0),
    timerLateP50Ms: round(percentile(late, 50)), timerLateP99Ms: round(percentile(late, 99)),
    timerLateMaxMs: round(late.length ? late[late.length - 1] : 0), timers: late.length,
    rssMiB: round(process.memoryUsage.rss() / 1048576),
  };
}

// ------------------------------------------------------------------------------- replies

let sequence = 0;
// Replies are the same but for their ids: each kind is serialised once, with this token where the
// reply's number goes, and only the token is replaced per reply (the server's CPU goes to the network).
const ID = "@@N@@";
const created = Math.floor(Date.now() / 1000);
const templates = new Map();

function chunk(model, delta, finishReason) {
  return {
    id: `chatcmpl-${ID}`, object: "chat.completion.chunk", created, model, system_fingerprint: "fp_httpload",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

function usage(request, completion) {
  return { prompt_tokens: request, completion_tokens: completion, total_tokens: request + completion };
}

/** The reply's SSE events (framed), in order. */
function streamEvents(turn, model, toolName, includeUsage) {
  const events = [];
  if (turn === "tool") {
    events.push(chunk(model, {
      role: "assistant", content: null,
      tool_calls: [{ index: 0, id: `call_${ID}`, type: "function", function: { name: toolName, arguments: "" } }],
    }, null));
    for (const piece of ['{"path":', '"README', '.md"}']) {
      events.push(chunk(model, { tool_calls: [{ index: 0, function: { arguments: piece } }] }, null));
    }
    events.push(chunk(model, {}, "tool_calls"));
  } else {
    events.push(chunk(model, { role: "assistant", content: "" }, null));
    for (const word of answer.split(/(?<= )/)) {
      events.push(chunk(model, { content: word }, null));
    }
    events.push(chunk(model, {}, "stop"));
  }
  if (includeUsage) {
    events.push({
      id: `chatcmpl-${ID}`, object: "chat.completion.chunk", created, model, system_fingerprint: "fp_httpload",
      choices: [], usage: usage(40, turn === "tool" ? 12 : 14),
    });
  }
  return events.map((e) => `data: ${JSON.stringify(e)}\n\n`).concat(["data: [DONE]\n\n"]);
}

function completionBody(turn, model, toolName) {
  const message = turn === "tool"
    ? { role: "assistant", content: null, tool_calls: [{ id: `call_${ID}`, type: "function",
      function: { name: toolName, arguments: '{"path":"README.md"}' } }] }
    : { role: "assistant", content: answer };
  return JSON.stringify({
    id: `chatcmpl-${ID}`, object: "chat.completion", created, model, system_fingerprint: "fp_httpload",
    choices: [{ index: 0, message, logprobs: null, finish_reason: turn === "tool" ? "tool_calls" : "stop" }],
    usage: usage(40, turn === "tool" ? 12 : 14),
  });
}

/** Splits the events of a reply into `chunks` groups, sent at latency * k / chunks. */
function groups(events) {
  const out = Array.from({ length: chunks }, () => "");
  events.forEach((p, i) => { out[Math.min(chunks - 1, Math.floor((i * chunks) / events.length))] += p; });
  return out;
}

function splitBody(body) {
  const out = [];
  for (let i = 0; i < chunks; i++) {
    out.push(body.slice(Math.floor((i * body.length) / chunks), Math.floor(((i + 1) * body.length) / chunks)));
  }
  return out;
}

/** The reply's pieces with its number in place of the token. */
function reply(turn, model, toolName, stream, includeUsage) {
  const key = `${turn}|${stream}|${includeUsage}|${model}|${toolName}`;
  let template = templates.get(key);
  if (!template) {
    template = stream ? groups(streamEvents(turn, model, toolName, includeUsage))
      : splitBody(completionBody(turn, model, toolName));
    if (templates.size < 1000) templates.set(key, template);
  }
  const n = String(++sequence);
  return template.map((piece) => piece.replaceAll(ID, n));
}

let holding = false;
let holdFor = 0;
let arriving = []; // held replies not started yet: they start together once holdFor have arrived
let held = []; // held replies stopped after their first piece

/**
 * Writes the groups on their schedule. The first group carries the headers (as a real server sends
 * them with the first token); a reset replaces the middle group; a held reply stops after the first.
 */
function play(res, requestId, contentType, pieces, mode) {
  let start = performance.now();
  const resetAt = Math.max(1, Math.floor(chunks / 2));
  let next = 0;
  let timer = null;
  let closed = false;
  openResponses++;
  stats.peakOpenResponses = Math.max(stats.peakOpenResponses, openResponses);
  res.on("close", () => {
    closed = true;
    openResponses--;
    if (timer) clearTimeout(timer);
    if (!res.writableFinished && mode !== "reset") stats.clientAborted++;
  });
  const step = () => {
    timer = null;
    if (closed) return;
    const due = start + (latencyMs * (next + 1)) / chunks;
    stats.late.length < 2_000_000 && stats.late.push(Math.max(0, performance.now() - due));
    if (mode === "reset" && next === resetAt) {
      stats.resets++;
      res.socket.resetAndDestroy();
      return;
    }
    if (next === 0) {
      res.writeHead(200, { "content-type": contentType, "cache-control": "no-cache", "x-request-id": requestId });
    }
    res.write(pieces[next]);
    next++;
    if (next === chunks) {
      res.end();
      return;
    }
    if (next === 1 && mode === "hold") {
      held.push(() => {
        if (!closed) timer = setTimeout(step, 0);
      });
      return;
    }
    schedule();
  };
  const schedule = () => {
    const due = start + (latencyMs * (next + 1)) / chunks;
    timer = setTimeout(step, Math.max(0, due - performance.now()));
  };
  if (mode !== "hold") {
    schedule();
    return;
  }
  // Held replies start together once all the expected requests are in: no client sees a reply
  // before it has sent every request (a client that reads a reply on the thread that sends its
  // requests would otherwise stop sending).
  arriving.push(() => {
    start = performance.now();
    if (!closed) schedule();
  });
  if (arriving.length >= holdFor) startArrived();
}

function startArrived() {
  const waiting = arriving;
  arriving = [];
  waiting.forEach((begin) => begin());
}

function rateLimited(res) {
  stats.rateLimited++;
  const body = JSON.stringify({
    error: {
      message: "Rate limit reached for requests per minute (RPM) on the local HttpLoad server. Please try again in "
        + `${retryAfterS}s.`,
      type: "requests", param: null, code: "rate_limit_exceeded",
    },
  });
  res.writeHead(429, {
    "content-type": "application/json", "retry-after": String(retryAfterS),
    "x-ratelimit-remaining-requests": "0", "x-request-id": `req_${++sequence}`,
  });
  res.end(body);
}

function badRequest(res, status, message) {
  stats.badRequests++;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { message, type: "invalid_request_error", param: null, code: null } }));
}

function completions(req, res, text) {
  let body;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return badRequest(res, 400, `We could not parse the JSON body of your request: ${e.message}`);
  }
  if (!Array.isArray(body.messages)) {
    return badRequest(res, 400, "'messages' is a required property");
  }
  stats.requests++;
  const turn = body.messages.some((m) => m && m.role === "tool") ? "text" : "tool";
  const toolName = body.tools?.[0]?.function?.name ?? "read_doc";
  const model = typeof body.model === "string" ? body.model : "unknown";
  let mode = "normal";
  if (holding && turn === "tool") {
    mode = "hold";
  } else if (!holding) {
    const r = random();
    if (r < rateLimitShare) return rateLimited(res);
    if (r < rateLimitShare + resetShare) mode = "reset";
  }
  if (turn === "tool") stats.toolCallReplies++;
  else stats.textReplies++;
  const stream = body.stream === true;
  const pieces = reply(turn, model, toolName, stream, stream && body.stream_options?.include_usage === true);
  const requestId = `req_${sequence}`;
  play(res, requestId, stream ? "text/event-stream; charset=utf-8" : "application/json", pieces, mode);
}

function control(req, res) {
  const reply = (value) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };
  const path = req.url.split("?")[0];
  if (path === "/_control/stats") return reply(statsJson());
  if (path === "/_control/reset" && req.method === "POST") {
    resetStats();
    return reply({ ok: true });
  }
  if (path === "/_control/hold" && req.method === "POST") {
    const n = Number(new URL(req.url, "http://127.0.0.1").searchParams.get("n") ?? "1");
    if (!Number.isInteger(n) || n < 1) return badRequest(res, 400, `hold needs n >= 1, was ${n}`);
    holding = true;
    holdFor = n;
    return reply({ ok: true });
  }
  if (path === "/_control/release" && req.method === "POST") {
    holding = false;
    startArrived();
    const waiting = held;
    held = [];
    waiting.forEach((resume) => resume());
    return reply({ released: waiting.length });
  }
  return badRequest(res, 404, `unknown control path ${path}`);
}

const server = http.createServer({ noDelay: true, requestTimeout: 0, headersTimeout: 120_000 }, (req, res) => {
  const parts = [];
  req.on("data", (d) => parts.push(d));
  req.on("end", () => {
    if (req.url.startsWith("/_control/")) return control(req, res);
    if (req.method !== "POST" || !req.url.split("?")[0].endsWith("/chat/completions")) {
      return badRequest(res, 404, `Unknown request URL: ${req.method} ${req.url}`);
    }
    completions(req, res, Buffer.concat(parts).toString("utf8"));
  });
});
// Clients keep connections for a long time between bursts; closing an idle one under a client
// that is about to reuse it would show up as resets the benchmark did not ask for.
server.keepAliveTimeout = 600_000;
server.maxRequestsPerSocket = 0;
server.on("connection", (socket) => {
  connections++;
  stats.newConnections++;
  stats.peakConnections = Math.max(stats.peakConnections, connections);
  socket.on("close", () => connections--);
});
server.on("clientError", (err, socket) => {
  if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
  else socket.destroy();
});
server.listen({ host: "127.0.0.1", port: 0, backlog: 65_535 }, () => {
  console.log(JSON.stringify({ port: server.address().port, node: process.version }));
});

// The benchmark owns this process: when its end of stdin closes (it exited or was killed), stop.
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
