package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.ToolException;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransport;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import io.modelcontextprotocol.spec.ProtocolVersions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * The server side of the MCP stdio transport over a pair of streams, in place of the SDK's
 * {@code StdioServerTransportProvider}, which stops reading for good at the first line it cannot
 * parse or that is over its size cap, drops the answers to calls still running when the input ends,
 * and leaves requests sent before initialisation unanswered. Here every line gets what JSON-RPC
 * prescribes, and serving goes on:
 * <ul>
 * <li>a line that is not JSON (or not UTF-8): a {@code -32700} parse error with id {@code null};
 * <li>JSON that is not a valid JSON-RPC message: a {@code -32600} invalid request, with the message's
 * id when it has a usable one;
 * <li>a line over the cap: skipped without being held, answered with {@code -32600} and its id;
 * <li>a blank line: ignored;
 * <li>a batch (a JSON array): answered as a batch when the negotiated protocol is 2025-03-26, the
 * one revision that has batches; otherwise one {@code -32600};
 * <li>{@code ping}: {@code {}} at any time, before initialisation too; any other request before the
 * client's {@code notifications/initialized}: {@code -32600}; a second {@code initialize}: {@code
 * -32600};
 * <li>{@code notifications/cancelled}: the call is cancelled and not answered, as the spec asks;
 * <li>a first request with the 2026-07-28 envelope in {@code params._meta} (see {@link ModernRevision}): the
 * connection speaks that revision from then on, every request must carry the envelope ({@code -32602} without),
 * and {@code initialize} is {@code -32601}; an envelope on a connection that began with {@code initialize}:
 * {@code -32600}.
 * </ul>
 * When the input ends, the calls still running are answered as they finish, for at most the drain
 * timeout; those still running then are cancelled and answered with an error. Then {@link #serve()}
 * completes.
 *
 * <p>Two daemon platform threads, {@code agentrt-mcp-serve-<name>-in} and {@code -out}, do the
 * blocking reads and writes; callers, the SDK's session and the tools never block on the streams.
 * One instance serves one pair of streams, once.
 */
public final class StdioServerTransport implements McpServerTransportProvider {
    private static final Logger log = LoggerFactory.getLogger(StdioServerTransport.class);
    private static final String JSONRPC = "2.0";
    private static final TypeRef<Map<String, Object>> MAP = new TypeRef<>() {};
    private static final int UNINITIALIZED = 0;
    private static final int INITIALIZING = 1;
    private static final int READY = 2;
    /** A hang guard for the SDK's answer to the initialize made for a 2026-07-28 connection (it answers at once). */
    private static final Duration INITIALIZE_GUARD = Duration.ofSeconds(30);

    private final String name;
    private final InputStream in;
    private final OutputStream out;
    private final McpJsonMapper json;
    private final Duration drainTimeout;
    private final int maxLineBytes;
    private volatile OwnRequests own = OwnRequests.NONE;
    private volatile ModernRevision.@Nullable Server modern;
    private volatile UnaryOperator<Object> initializeResult = UnaryOperator.identity();
    private volatile ServedListens.@Nullable Scope listens;
    private final ConcurrentHashMap<Object, Call> calls = new ConcurrentHashMap<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicInteger state = new AtomicInteger(UNINITIALIZED);
    private final Sinks.Empty<Void> done = Sinks.empty();
    private volatile @Nullable McpServerSession session;
    private volatile @Nullable LineWriter writer;
    private volatile @Nullable Object initializeKey;
    private volatile @Nullable String protocolVersion;
    /** Whether the client's initialize declared {@code elicitation}: only then may the server ask it. */
    private volatile boolean elicits;
    /** Whether the connection speaks 2026-07-28: its first request carried that revision's envelope. */
    private volatile boolean modernEra;
    /** The SDK's answer to the initialize request made for it when the connection began in 2026-07-28. */
    private volatile @Nullable CompletableFuture<McpSchema.JSONRPCResponse> modernInitialize;
    private volatile boolean inputEnded;
    private volatile @Nullable Disposable drainTimer;
    private volatile @Nullable IOException outputFailure;

    public StdioServerTransport(String name, InputStream in, OutputStream out, McpJsonMapper json,
            Duration drainTimeout, int maxLineBytes) {
        this.name = name;
        this.in = in;
        this.out = out;
        this.json = json;
        this.drainTimeout = drainTimeout;
        this.maxLineBytes = maxLineBytes;
    }

    public StdioServerTransport(String name, InputStream in, OutputStream out, McpJsonMapper json,
            Duration drainTimeout) {
        this(name, in, out, json, drainTimeout, LineReader.DEFAULT_MAX_BYTES);
    }

    /** What this transport answers itself before the SDK's session sees a request; set before {@link #serve()}. */
    public void ownRequests(OwnRequests own) {
        this.own = own;
    }

    /**
     * Serves the 2026-07-28 revision too, describing the server as {@code server} in {@code server/discover}; set
     * before {@link #serve()}. Without it an enveloped request is served as a 2025 one.
     */
    void modern(ModernRevision.Server server) {
        this.modern = server;
    }

    /** What the server adds to the SDK's initialize result (what its schema lacks); set before {@link #serve()}. */
    void initializeResult(UnaryOperator<Object> shape) {
        this.initializeResult = shape;
    }

    /** Serves the 2026-07-28 {@code subscriptions/listen} through {@code listens}; set before {@link #serve()}. */
    void listens(ServedListens.Scope listens) {
        this.listens = listens;
    }

    @Override
    public void setSessionFactory(McpServerSession.Factory sessionFactory) {
        this.session = sessionFactory.create(new SessionTransport());
    }

    /**
     * Starts reading and writing; completes once the input has ended and the calls still running
     * have been answered (or the drain timeout has passed), and everything has been written. Fails
     * with a {@link ToolException} if the output breaks (the client stopped reading). Cancelling
     * stops serving at once: running calls are cancelled unanswered.
     */
    public Mono<Void> serve() {
        return Mono.<Void>defer(() -> {
            if (session == null) {
                return Mono.error(new IllegalStateException("no MCP server uses this transport"));
            }
            if (!started.compareAndSet(false, true)) {
                return Mono.error(new IllegalStateException("this transport already served its streams"));
            }
            var w = new LineWriter(threadName("out"), out, this::outputFailed, this::written);
            writer = w;
            w.start();
            Thread.ofPlatform().daemon().name(threadName("in")).start(this::read);
            return done.asMono();
        }).doOnCancel(this::stop);
    }

    private String threadName(String stream) {
        return "agentrt-mcp-serve-" + name + "-" + stream;
    }

    @Override
    public Mono<Void> notifyClients(String method, Object params) {
        if (modernEra && (method.equals(McpSchema.METHOD_NOTIFICATION_TOOLS_LIST_CHANGED)
                || method.equals(McpSchema.METHOD_NOTIFICATION_PROMPTS_LIST_CHANGED))) {
            // A 2026-07-28 client hears of list changes only on a subscriptions/listen that asked for them.
            return Mono.empty();
        }
        McpServerSession s = session;
        return s == null ? Mono.error(new IllegalStateException("no session")) : s.sendNotification(method, params);
    }

    @Override
    public Mono<Void> notifyClient(String sessionId, String method, Object params) {
        McpServerSession s = session;
        if (s == null || !s.getId().equals(sessionId)) {
            return Mono.error(new IllegalStateException("no session " + sessionId));
        }
        return s.sendNotification(method, params);
    }

    /**
     * Asks the client {@code request} ({@code elicitation/create}) outside any request of its own (a task's tool), or
     * null when it did not declare elicitation in a 2025 handshake.
     */
    @Nullable
    Mono<McpSchema.ElicitResult> elicit(McpSchema.ElicitFormRequest request) {
        McpServerSession s = session;
        if (s == null || modernEra || !elicits) {
            return null;
        }
        return s.sendRequest(McpSchema.METHOD_ELICITATION_CREATE, request, new TypeRef<McpSchema.ElicitResult>() {});
    }

    /** Stops serving (as cancelling {@link #serve()} does); completes once everything queued is written. */
    @Override
    public Mono<Void> closeGracefully() {
        return Mono.defer(() -> {
            stop();
            return started.get() ? done.asMono().onErrorComplete() : Mono.<Void>empty();
        });
    }

    // ---- reading

    private void read() {
        var reader = new LineReader(in, maxLineBytes, true);
        try {
            LineReader.Line line;
            while (!stopping.get() && (line = reader.next()) != null) {
                try {
                    handle(line);
                } catch (RuntimeException e) {
                    log.warn("MCP server '{}': handling a message failed", name, e);
                }
            }
        } catch (IOException e) {
            if (!stopping.get()) {
                log.debug("MCP server '{}': reading the input failed; treating it as its end", name, e);
            }
        } finally {
            inputEnded();
        }
    }

    private void handle(LineReader.Line line) {
        switch (line) {
            case LineReader.Text t -> {
                if (!t.text().isBlank()) {
                    text(t.text());
                }
            }
            case LineReader.NotUtf8 n -> send(error(null, ErrorCodes.PARSE_ERROR,
                    "Parse error: the message is not valid UTF-8"));
            case LineReader.TooLong t -> tooLong(t);
        }
    }

    private void tooLong(LineReader.TooLong line) {
        IdScanner.Scan scan = line.scan();
        String what = "a message of " + line.bytes() + " bytes, over the limit of " + maxLineBytes + " bytes";
        if (scan.looksLikeResponse() || scan.hasMethod() && !scan.hasId()) {
            log.warn("MCP server '{}': discarded {} (not a request, so not answered)", name, what);
            return;
        }
        log.warn("MCP server '{}': rejected {}", name, what);
        send(error(idValue(scan.id()), ErrorCodes.INVALID_REQUEST,
                "Invalid request: " + what + "; it was discarded"));
    }

    private void text(String text) {
        JsonValue value;
        try {
            value = JsonValue.parse(text);
        } catch (JsonParseException e) {
            send(error(null, ErrorCodes.PARSE_ERROR, "Parse error: " + e.getMessage()));
            return;
        }
        switch (value) {
            case JsonObject o -> message(o, null);
            case JsonArray a -> batch(a);
            default -> send(error(null, ErrorCodes.INVALID_REQUEST,
                    "Invalid request: a message must be a JSON object, not " + value.typeName()));
        }
    }

    private void batch(JsonArray items) {
        String version = protocolVersion;
        if (state.get() != READY) {
            send(error(null, ErrorCodes.INVALID_REQUEST,
                    "Invalid request: a JSON-RPC batch is not accepted before the session is initialized"));
            return;
        }
        if (!ProtocolVersions.MCP_2025_03_26.equals(version)) {
            send(error(null, ErrorCodes.INVALID_REQUEST, "Invalid request: MCP protocol version " + version
                    + " has no JSON-RPC batches (only 2025-03-26 had them); send one message per line"));
            return;
        }
        if (items.items().isEmpty()) {
            send(error(null, ErrorCodes.INVALID_REQUEST, "Invalid request: the batch is empty"));
            return;
        }
        var batch = new Batch();
        for (JsonValue item : items.items()) {
            if (item instanceof JsonObject o) {
                message(o, batch);
            } else {
                batch.answer(error(null, ErrorCodes.INVALID_REQUEST,
                        "Invalid request: a message must be a JSON object, not " + item.typeName()));
            }
        }
        batch.seal();
    }

    private void message(JsonObject m, @Nullable Batch batch) {
        JsonValue id = m.get("id");
        boolean hasMethod = m.has("method");
        boolean response = !hasMethod && (m.has("result") || m.has("error"));
        @Nullable
        Object key = id == null ? null : key(id);
        // A malformed response must not be answered with its id: that id is one of ours, not the client's.
        @Nullable
        JsonValue replyId = response || key == null ? null : id;
        if (!JSONRPC.equals(m.getString("jsonrpc").orElse(null))) {
            answer(batch, error(replyId, ErrorCodes.INVALID_REQUEST, "Invalid request: \"jsonrpc\" must be \"2.0\""));
            return;
        }
        if (id != null && key == null) {
            answer(batch, error(null, ErrorCodes.INVALID_REQUEST,
                    "Invalid request: \"id\" must be a string or an integer, was " + id.toJson()));
            return;
        }
        if (response) {
            response(m, id, batch);
            return;
        }
        if (!(m.get("method") instanceof JsonValue.JsonString method)) {
            answer(batch, error(replyId, ErrorCodes.INVALID_REQUEST, hasMethod
                    ? "Invalid request: \"method\" must be a string"
                    : "Invalid request: a message needs a \"method\" (request, notification) or a \"result\" or "
                            + "\"error\" (response)"));
            return;
        }
        JsonValue params = m.get("params");
        if (params != null && !(params instanceof JsonObject)) {
            answer(batch, error(replyId, ErrorCodes.INVALID_REQUEST,
                    "Invalid request: \"params\" must be an object, was " + params.typeName()));
            return;
        }
        @Nullable
        Object javaParams = params == null ? null : McpJson.toJava(params);
        if (id == null || key == null) {
            notification(method.value(), params instanceof JsonObject o ? o : null, javaParams);
        } else {
            request(method.value(), id, key, javaParams, batch);
        }
    }

    private void request(String method, JsonValue id, Object key, @Nullable Object params, @Nullable Batch batch) {
        ModernRevision.Server server = modern;
        if (server != null && (modernEra || ModernRevision.claims(params))) {
            modernRequest(server, method, id, key, params, batch);
            return;
        }
        if (method.equals(McpSchema.METHOD_PING)) {
            answer(batch, result(id, Map.of()));
            return;
        }
        if (method.equals(McpSchema.METHOD_INITIALIZE)) {
            if (batch != null) {
                answer(batch, error(id, ErrorCodes.INVALID_REQUEST,
                        "Invalid request: initialize must not be part of a JSON-RPC batch"));
                return;
            }
            if (!state.compareAndSet(UNINITIALIZED, INITIALIZING)) {
                answer(null, error(id, ErrorCodes.INVALID_REQUEST,
                        "Invalid request: the session is already initialized (or being initialized)"));
                return;
            }
            initializeKey = key;
            elicits = params instanceof Map<?, ?> p && p.get("capabilities") instanceof Map<?, ?> c
                    && c.get("elicitation") instanceof Map<?, ?>;
        } else if (state.get() != READY) {
            answer(batch, error(id, ErrorCodes.INVALID_REQUEST, "Invalid request: the session is not initialized; "
                    + "only ping may come before initialize and the notifications/initialized that follows it"));
            return;
        }
        dispatch(method, id, key, params, batch, null);
    }

    /**
     * A request of the 2026-07-28 revision, or any request on a connection that began in it: the envelope is
     * checked on each, the connection is opened with the SDK's server at the first (no handshake from the
     * client), {@code server/discover} is answered here, and the rest go where a 2025 request goes, with their
     * answers put in the revision's form.
     */
    private void modernRequest(ModernRevision.Server server, String method, JsonValue id, Object key,
            @Nullable Object params, @Nullable Batch batch) {
        if (batch != null) {
            answer(batch, error(id, ErrorCodes.INVALID_REQUEST, "Invalid request: a " + ModernRevision.VERSION
                    + " request must not be part of a JSON-RPC batch"));
            return;
        }
        ModernRevision.Verdict verdict = ModernRevision.check(params);
        if (verdict instanceof ModernRevision.Refused refused) {
            send(error(id, refused));
            return;
        }
        var accepted = (ModernRevision.Accepted) verdict;
        if (method.equals(McpSchema.METHOD_INITIALIZE)) {
            send(error(id, ModernRevision.noHandshake()));
            return;
        }
        if (!modernEra && (method.equals(ModernRevision.DISCOVER) || method.equals(McpSchema.METHOD_PING))) {
            // Asking is not choosing: a client whose discover timed out (a slow server start) falls back to
            // initialize on the same connection, which must still work; the first other request opens the era.
            send(method.equals(ModernRevision.DISCOVER)
                    ? result(id, ModernRevision.discover(server, json))
                    : result(id, Map.of("resultType", "complete")));
            return;
        }
        if (!modernEra) {
            if (state.get() != UNINITIALIZED) {
                send(error(id, ErrorCodes.INVALID_REQUEST, "Invalid request: this connection began with initialize ("
                        + (protocolVersion == null ? "a 2025 revision" : protocolVersion) + "); a "
                        + ModernRevision.VERSION + " request needs a connection of its own"));
                return;
            }
            String failure = openModern(accepted);
            if (failure != null) {
                send(error(id, ErrorCodes.INTERNAL_ERROR, "Internal error: " + failure));
                return;
            }
        }
        switch (method) {
            case ModernRevision.DISCOVER -> send(result(id, ModernRevision.discover(server, json)));
            case McpSchema.METHOD_PING -> send(result(id, Map.of("resultType", "complete")));
            case ServedListens.METHOD -> listen(id, key, params);
            default -> dispatch(method, id, key, params, null, method);
        }
    }

    /**
     * A {@code subscriptions/listen}: its acknowledgement and updates go out among the other lines, each stamped
     * with its id; it ends with the client's {@code notifications/cancelled} (no response) or when serving ends
     * (its graceful result, then {@code notifications/cancelled} referencing it). Its messages count as written
     * when the writer takes them: a client that lets {@value ServedListens#QUEUE} lines wait has it ended.
     */
    private void listen(JsonValue id, Object key, @Nullable Object params) {
        ServedListens.Scope scope = listens;
        if (scope == null || calls.containsKey(key)) {
            send(scope == null
                    ? error(id, ErrorCodes.METHOD_NOT_FOUND, "Method not found: " + ServedListens.METHOD)
                    : error(id, ErrorCodes.INVALID_REQUEST, "Invalid request: id " + id.toJson()
                            + " is already used by a request in progress"));
            return;
        }
        Object javaId = Objects.requireNonNull(McpJson.toJava(id));
        ServedListens.Outlet outlet = new ServedListens.Outlet() {
            @Override
            public boolean offer(Map<String, Object> message) {
                LineWriter w = writer;
                return w != null && w.backlog() < ServedListens.QUEUE && w.send(write(message));
            }

            @Override
            public void close(boolean byServer) {
                if (byServer) {
                    var cancelled = new LinkedHashMap<String, Object>();
                    cancelled.put("requestId", javaId);
                    cancelled.put("reason", "the server ended the subscription");
                    var m = new LinkedHashMap<String, Object>();
                    m.put("jsonrpc", JSONRPC);
                    m.put("method", "notifications/cancelled");
                    m.put("params", cancelled);
                    send(write(m));
                }
            }
        };
        if (scope.open(key, javaId, params, outlet) instanceof ServedListens.Refused refused) {
            send(error(id, refused.error()));
        }
    }

    /**
     * Opens the connection in 2026-07-28 with the SDK's server, which serves nothing before an initialize request
     * and its notification: both are made here, on the reading thread (which blocks on nothing else), so no
     * request of the client's can come before them.
     */
    private @Nullable String openModern(ModernRevision.Accepted accepted) {
        McpServerSession s = session;
        if (s == null || stopping.get() || !state.compareAndSet(UNINITIALIZED, INITIALIZING)) {
            return "the server is stopping";
        }
        var answered = new CompletableFuture<McpSchema.JSONRPCResponse>();
        String initKey = "agentrt-initialize-" + UUID.randomUUID();
        modernInitialize = answered;
        initializeKey = initKey;
        s.handle(new McpSchema.JSONRPCRequest(JSONRPC, McpSchema.METHOD_INITIALIZE, initKey,
                json.convertValue(ModernRevision.initialize(accepted, json), MAP)))
                .subscribe(null, answered::completeExceptionally);
        McpSchema.JSONRPCResponse response;
        try {
            response = answered.get(INITIALIZE_GUARD.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response = null;
        } catch (ExecutionException | TimeoutException e) {
            log.warn("MCP server '{}': opening a {} connection failed", name, ModernRevision.VERSION, e);
            response = null;
        } finally {
            initializeKey = null;
            modernInitialize = null;
        }
        if (response == null || response.error() != null) {
            state.set(UNINITIALIZED);
            return response == null
                    ? "the server did not start serving the connection"
                    : response.error().message();
        }
        protocolVersion = ModernRevision.VERSION;
        modernEra = true;
        state.set(READY);
        s.handle(new McpSchema.JSONRPCNotification(JSONRPC, McpSchema.METHOD_NOTIFICATION_INITIALIZED, null))
                .subscribe(null, e -> log.warn("MCP server '{}': notifications/initialized failed", name, e));
        return null;
    }

    /** Hands a request to this server's own answers or the SDK's session; {@code modernMethod} as in {@link Call}. */
    private void dispatch(String method, JsonValue id, Object key, @Nullable Object params, @Nullable Batch batch,
            @Nullable String modernMethod) {
        McpServerSession s = session;
        if (s == null || stopping.get()) {
            answer(batch, error(id, ErrorCodes.INTERNAL_ERROR, "the server is stopping"));
            return;
        }
        var call = new Call(key, id, batch, modernMethod);
        if (calls.putIfAbsent(key, call) != null) {
            answer(batch, error(id, ErrorCodes.INVALID_REQUEST,
                    "Invalid request: id " + id.toJson() + " is already used by a request in progress"));
            return;
        }
        if (batch != null) {
            batch.expect();
        }
        var request = new McpSchema.JSONRPCRequest(JSONRPC, method, key, params);
        var served = new ServedRequest(id instanceof JsonValue.JsonString text ? text.value() : id.toJson(), "pipe",
                null, protocolVersion);
        Mono<McpSchema.JSONRPCResponse> answer = own.answer(request);
        if (answer != null) {
            call.subscription = answer.contextWrite(Context.of(ServedRequest.class, served))
                    .subscribe(this::outbound,
                            e -> {
                                log.warn("MCP server '{}': request {} failed", name, method, e);
                                finish(call, error(id, ErrorCodes.INTERNAL_ERROR, "Internal error: " + e.getMessage()));
                            });
            return;
        }
        call.subscription = s.handle(request)
                .contextWrite(Context.of(ServedRequest.class, served))
                .subscribe(null, e -> {
                    log.warn("MCP server '{}': request {} failed", name, method, e);
                    finish(call, error(id, ErrorCodes.INTERNAL_ERROR, "Internal error: " + e.getMessage()));
                });
    }

    private void notification(String method, @Nullable JsonObject params, @Nullable Object javaParams) {
        switch (method) {
            case McpSchema.METHOD_NOTIFICATION_INITIALIZED -> {
                if (!state.compareAndSet(INITIALIZING, READY)) {
                    log.warn("MCP server '{}': ignored {} {}", name, method,
                            state.get() == READY ? "(already initialized)" : "(no initialize came before it)");
                    return;
                }
            }
            case "notifications/cancelled" -> {
                cancelled(params);
                return;
            }
            default -> {
                if (state.get() != READY) {
                    log.debug("MCP server '{}': ignored the notification {} before initialization", name, method);
                    return;
                }
            }
        }
        McpServerSession s = session;
        if (s != null) {
            s.handle(new McpSchema.JSONRPCNotification(JSONRPC, method, javaParams))
                    .subscribe(null, e -> log.warn("MCP server '{}': notification {} failed", name, method, e));
        }
    }

    private void cancelled(@Nullable JsonObject params) {
        JsonValue requestId = params == null ? null : params.get("requestId");
        Object key = requestId == null ? null : key(requestId);
        ServedListens.Scope scope = listens;
        if (key != null && scope != null && scope.cancel(key)) {
            return;
        }
        Call call = key == null ? null : calls.get(key);
        if (call == null || call.isInitialize(initializeKey)) {
            // Unknown, finished already, or initialize (which the spec says must not be cancelled).
            return;
        }
        if (calls.remove(key, call)) {
            log.debug("MCP server '{}': request {} cancelled by the client", name, requestId);
            call.cancel();
            if (call.batch != null) {
                call.batch.done();
            }
            drained();
        }
    }

    private void response(JsonObject m, @Nullable JsonValue id, @Nullable Batch batch) {
        Object result = m.has("result") ? McpJson.toJava(m.get("result")) : null;
        McpSchema.JSONRPCResponse.JSONRPCError rpcError = null;
        if (m.get("error") instanceof JsonObject e && e.get("code") instanceof JsonValue.JsonNumber code
                && code.isIntegral() && e.get("message") instanceof JsonValue.JsonString message) {
            rpcError = new McpSchema.JSONRPCResponse.JSONRPCError(code.value().intValue(), message.value(),
                    e.has("data") ? McpJson.toJava(e.get("data")) : null);
        }
        if (id == null || m.has("result") == m.has("error") || m.has("error") && rpcError == null) {
            answer(batch, error(null, ErrorCodes.INVALID_REQUEST, "Invalid request: a response needs an \"id\" and "
                    + "either a \"result\" or an \"error\" with an integer \"code\" and a string \"message\""));
            return;
        }
        McpServerSession s = session;
        Object sdkId = key(id);
        if (s != null && sdkId != null) {
            s.handle(new McpSchema.JSONRPCResponse(JSONRPC, sdkId, result, rpcError))
                    .subscribe(null, e -> log.debug("MCP server '{}': handling a response failed", name, e));
        }
    }

    private void inputEnded() {
        inputEnded = true;
        if (stopping.get()) {
            return;
        }
        endListens();
        if (!calls.isEmpty()) {
            log.debug("MCP server '{}': the input ended; answering the {} call(s) still running for at most {} ms",
                    name, calls.size(), drainTimeout.toMillis());
            drainTimer = Mono.delay(drainTimeout).subscribe(x -> expire());
        }
        drained();
    }

    private void drained() {
        if (inputEnded && calls.isEmpty()) {
            stop();
        }
    }

    private void expire() {
        for (Call call : List.copyOf(calls.values())) {
            if (calls.remove(call.key, call)) {
                call.cancel();
                log.warn("MCP server '{}': request {} did not finish within {} ms of the end of input; cancelled",
                        name, call.id.toJson(), drainTimeout.toMillis());
                answer(call.batch, error(call.id, ErrorCodes.INTERNAL_ERROR, "the server stopped: the client closed "
                        + "its input and the call did not finish within " + drainTimeout.toMillis() + " ms"));
                if (call.batch != null) {
                    call.batch.done();
                }
            }
        }
        stop();
    }

    // ---- writing

    private void answer(@Nullable Batch batch, String line) {
        if (batch != null) {
            batch.answer(line);
        } else {
            send(line);
        }
    }

    private void send(String line) {
        LineWriter w = writer;
        if (w == null || !w.send(line)) {
            log.debug("MCP server '{}': a message was dropped, the output is closed", name);
        }
    }

    /** Routes an SDK message: an answer to a call ends it; anything else goes out as it is. */
    private void outbound(JSONRPCMessage message) {
        String line = write(message);
        if (!(message instanceof McpSchema.JSONRPCResponse response)) {
            send(line);
            return;
        }
        Object key = response.id() == null ? null : key(McpJson.fromJava(response.id()));
        CompletableFuture<McpSchema.JSONRPCResponse> opening = modernInitialize;
        if (opening != null && key != null && key.equals(initializeKey)) {
            opening.complete(response);
            return;
        }
        if (key != null && key.equals(initializeKey)) {
            initialized(response);
            if (response.result() != null) {
                line = write(new McpSchema.JSONRPCResponse(JSONRPC, response.id(),
                        initializeResult.apply(response.result()), null));
            }
        }
        Call call = key == null ? null : calls.get(key);
        if (call == null) {
            log.debug("MCP server '{}': dropped the answer to request {}, which was cancelled", name, response.id());
            return;
        }
        ModernRevision.Server server = modern;
        if (call.modernMethod != null && server != null) {
            line = write(ModernRevision.shape(call.modernMethod, response, server, json));
        }
        finish(call, line);
    }

    private void finish(Call call, String line) {
        if (!calls.remove(call.key, call)) {
            return;
        }
        answer(call.batch, line);
        if (call.batch != null) {
            call.batch.done();
        }
        drained();
    }

    private void initialized(McpSchema.JSONRPCResponse response) {
        if (response.error() != null || response.result() == null) {
            state.compareAndSet(INITIALIZING, UNINITIALIZED);
            return;
        }
        Object version = json.convertValue(response.result(), MAP).get("protocolVersion");
        protocolVersion = version == null ? null : version.toString();
    }

    private String write(Object message) {
        try {
            String line = json.writeValueAsString(message);
            // One message per line: JSON text never needs a raw line break.
            return line.indexOf('\n') < 0 && line.indexOf('\r') < 0
                    ? line
                    : line.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n");
        } catch (IOException e) {
            throw new IllegalStateException("could not encode an MCP message", e);
        }
    }

    private String error(@Nullable JsonValue id, int code, String message) {
        var error = new LinkedHashMap<String, Object>();
        error.put("code", code);
        error.put("message", message);
        var m = new LinkedHashMap<String, @Nullable Object>();
        m.put("jsonrpc", JSONRPC);
        m.put("id", id == null ? null : McpJson.toJava(id));
        m.put("error", error);
        return write(m);
    }

    private String error(JsonValue id, ModernRevision.Refused refused) {
        return write(refused.response(McpJson.toJava(id)));
    }

    private String result(JsonValue id, Object result) {
        var m = new LinkedHashMap<String, @Nullable Object>();
        m.put("jsonrpc", JSONRPC);
        m.put("id", McpJson.toJava(id));
        m.put("result", result);
        return write(m);
    }

    // ---- ending

    private void outputFailed(IOException e) {
        if (!stopping.get()) {
            log.warn("MCP server '{}': writing to the client failed ({}); serving ends", name, e.getMessage());
            outputFailure = e;
        }
        stop();
    }

    /** Called on the writer thread once it has written everything (or failed). */
    private void written() {
        IOException failure = outputFailure;
        if (failure != null) {
            done.tryEmitError(new ToolException("MCP server '" + name + "' could not write to its client: "
                    + failure.getMessage(), failure));
        } else {
            done.tryEmitEmpty();
        }
    }

    private void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        Disposable timer = drainTimer;
        if (timer != null) {
            timer.dispose();
        }
        endListens();
        for (Call call : List.copyOf(calls.values())) {
            if (calls.remove(call.key, call)) {
                call.cancel();
            }
        }
        LineWriter w = writer;
        if (w != null) {
            w.finish();
        } else {
            done.tryEmitEmpty();
        }
    }

    /** Ends the connection's listens, each with its graceful result, before the writer finishes. */
    private void endListens() {
        ServedListens.Scope scope = listens;
        if (scope != null) {
            scope.endAll();
        }
    }

    // ---- helpers

    /** The id as a map key: strings as they are, integers as Long (the SDK hands them back as Integer or Long). */
    private static @Nullable Object key(JsonValue id) {
        return switch (id) {
            case JsonValue.JsonString s -> s.value();
            case JsonValue.JsonNumber n when n.isIntegral() -> {
                try {
                    yield n.value().longValueExact();
                } catch (ArithmeticException e) {
                    yield null;
                }
            }
            default -> null;
        };
    }

    private static @Nullable JsonValue idValue(@Nullable Object id) {
        return id == null ? null : McpJson.fromJava(id);
    }

    /** One request handed to the SDK's session and not answered yet. */
    private static final class Call {
        final Object key;
        final JsonValue id;
        final @Nullable Batch batch;
        /** The method of a 2026-07-28 request, whose answer is put in that revision's form; null for 2025. */
        final @Nullable String modernMethod;
        volatile @Nullable Disposable subscription;

        Call(Object key, JsonValue id, @Nullable Batch batch, @Nullable String modernMethod) {
            this.key = key;
            this.id = id;
            this.batch = batch;
            this.modernMethod = modernMethod;
        }

        boolean isInitialize(@Nullable Object initializeKey) {
            return key.equals(initializeKey);
        }

        void cancel() {
            Disposable d = subscription;
            if (d != null) {
                d.dispose();
            }
        }
    }

    /** The answers to one batch, written as one array once its last call is answered. */
    private final class Batch {
        private final List<String> answers = new ArrayList<>();
        private int expected;
        private boolean sealed;
        private boolean sent;

        synchronized void expect() {
            expected++;
        }

        synchronized void answer(String line) {
            answers.add(line);
        }

        /** One expected call has ended, answered or not. */
        synchronized void done() {
            expected--;
            flushIfComplete();
        }

        synchronized void seal() {
            sealed = true;
            flushIfComplete();
        }

        private void flushIfComplete() {
            if (sealed && expected == 0 && !sent) {
                sent = true;
                if (!answers.isEmpty()) {
                    send("[" + String.join(",", answers) + "]");
                }
            }
        }
    }

    /** The session's side: what the SDK sends goes through {@link #outbound}. */
    private final class SessionTransport implements McpServerTransport {
        @Override
        public Mono<Void> sendMessage(JSONRPCMessage message) {
            return Mono.fromRunnable(() -> outbound(message));
        }

        @Override
        public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
            return json.convertValue(data, typeRef);
        }

        @Override
        public Mono<Void> closeGracefully() {
            return Mono.empty();
        }

        @Override
        public void close() {
            // The provider owns the streams and ends serving; the session has nothing of its own to release.
        }
    }
}
