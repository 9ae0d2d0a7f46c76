package dev.agentrt.tools.internal.mcp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.server.McpStatelessServerHandler;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpStatelessServerTransport;
import io.modelcontextprotocol.spec.McpStreamableServerSession;
import io.modelcontextprotocol.spec.McpStreamableServerTransport;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.ProtocolVersions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The server side of MCP's streamable HTTP transport on the JDK's own HTTP server ({@code
 * com.sun.net.httpserver}), in front of the SDK's streamable session or its stateless handler. One
 * endpoint path takes:
 * <ul>
 * <li>{@code POST} of one JSON-RPC message: a request is answered with {@code application/json}, or
 * with an SSE stream when the client accepts only {@code text/event-stream}; a notification or a
 * response gets {@code 202}. {@code initialize} opens a session and names it in {@code
 * Mcp-Session-Id}; every later message must carry it ({@code 400} without, {@code 404} for one that
 * is unknown or ended). In stateless mode there are no sessions and the header is ignored;
 * <li>{@code GET}: {@code 405}, as the spec allows: this server sends nothing outside a request;
 * <li>{@code DELETE}: ends the session and cancels its running calls.
 * </ul>
 * Checked before anything else: the {@code Origin} (a browser page from elsewhere gets {@code 403}:
 * DNS rebinding), then the bearer token when a validator is set ({@code 401} with {@code
 * WWW-Authenticate}). Then a body over the limit gets {@code 413}, text that is not JSON a {@code
 * -32700} parse error, JSON that is not one JSON-RPC message a {@code -32600}, an unsupported
 * {@code MCP-Protocol-Version} a {@code 400}; the server goes on serving.
 *
 * <p>Each exchange runs on a virtual thread of its own ({@code agentrt-mcp-http-<name>-<n>}), which
 * waits for the call's answer and writes it; the SDK's session and the tools only enqueue, so nothing
 * blocks a Reactor thread. {@link #close()} ends the sessions, stops the JDK server (its dispatcher
 * thread is joined) and interrupts what is still running.
 */
public final class HttpServerTransport implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpServerTransport.class);
    private static final String SESSION_HEADER = "Mcp-Session-Id";
    private static final String VERSION_HEADER = "MCP-Protocol-Version";
    private static final String JSONRPC = "2.0";
    /** Streamable HTTP came with 2025-03-26; the earlier revision had HTTP+SSE instead. */
    static final List<String> VERSIONS = List.of(ProtocolVersions.MCP_2025_03_26, ProtocolVersions.MCP_2025_06_18,
            ProtocolVersions.MCP_2025_11_25);
    private static final TypeRef<McpSchema.InitializeRequest> INITIALIZE = new TypeRef<>() {};
    private static final Duration CLOSE_GUARD = Duration.ofSeconds(10);

    /**
     * What the server listens on and accepts.
     *
     * @param bearerTokens validates the token of {@code Authorization: Bearer <token>}; {@code null}
     *     for no authentication. Runs on the exchange's virtual thread and may block
     * @param resourceMetadata named in {@code WWW-Authenticate} when set (the OAuth protected resource
     *     metadata of the MCP authorization spec)
     */
    public record Settings(InetAddress address, int port, String path, Set<String> allowedOrigins,
            @Nullable Predicate<String> bearerTokens, @Nullable URI resourceMetadata, boolean stateless,
            int maxRequestBytes, int maxSessions) {
        public Settings {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(path, "path");
            allowedOrigins = Set.copyOf(allowedOrigins);
        }
    }

    private final String name;
    private final Settings settings;
    private final McpJsonMapper json;
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Orders the sessions' uses, for evicting the least recently used; a counter, not a clock. */
    private final AtomicLong uses = new AtomicLong();
    private volatile McpStreamableServerSession.@Nullable Factory sessionFactory;
    private volatile @Nullable McpStatelessServerHandler statelessHandler;
    private volatile @Nullable HttpServer server;
    private volatile @Nullable ExecutorService executor;

    HttpServerTransport(String name, Settings settings, McpJsonMapper json) {
        this.name = name;
        this.settings = settings;
        this.json = json;
    }

    /** The side the SDK's streamable server binds to. */
    McpStreamableServerTransportProvider streamable() {
        return new Streamable();
    }

    /** The side the SDK's stateless server binds to. */
    McpStatelessServerTransport stateless() {
        return new Stateless();
    }

    void start() {
        HttpServer s;
        try {
            s = HttpServer.create(new InetSocketAddress(settings.address(), settings.port()), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("MCP server '" + name + "' could not listen on "
                    + settings.address().getHostAddress() + ":" + settings.port() + ": " + e.getMessage(), e);
        }
        ExecutorService threads = Executors
                .newThreadPerTaskExecutor(Thread.ofVirtual().name("agentrt-mcp-http-" + name + "-", 0).factory());
        s.createContext("/", this::exchange);
        s.setExecutor(threads);
        executor = threads;
        server = s;
        s.start();
    }

    /** Where the server listens. */
    public InetSocketAddress address() {
        return Objects.requireNonNull(server, "not started").getAddress();
    }

    /** The endpoint's URL. */
    public URI url() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host.replaceFirst("%.*$", "") + "]";
        }
        return URI.create("http://" + host + ":" + a.getPort() + settings.path());
    }

    /**
     * Ends every session (running calls are cancelled and their exchanges answered {@code 503}), stops
     * the server and waits, bounded, for its threads to end. Idempotent; blocks the caller.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (String id : List.copyOf(sessions.keySet())) {
            Session s = sessions.remove(id);
            if (s != null) {
                s.end();
            }
        }
        HttpServer s = server;
        if (s != null) {
            s.stop(0);
        }
        ExecutorService threads = executor;
        if (threads != null) {
            threads.shutdownNow();
            try {
                if (!threads.awaitTermination(CLOSE_GUARD.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("MCP server '{}': exchanges still running {} s after close", name,
                            CLOSE_GUARD.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        log.debug("MCP server '{}' stopped", name);
    }

    // ---- one exchange

    private void exchange(HttpExchange ex) {
        try {
            route(ex);
        } catch (IOException e) {
            log.debug("MCP server '{}': the client went away ({})", name, e.getMessage());
        } catch (RuntimeException e) {
            log.warn("MCP server '{}': serving {} {} failed", name, ex.getRequestMethod(), ex.getRequestURI(), e);
            try {
                error(ex, 500, null, ErrorCodes.INTERNAL_ERROR, "Internal error: " + e.getMessage());
            } catch (IOException | RuntimeException again) {
                log.debug("MCP server '{}': could not report the failure", name, again);
            }
        } finally {
            ex.close();
        }
    }

    private void route(HttpExchange ex) throws IOException {
        if (!ex.getRequestURI().getPath().equals(settings.path())) {
            error(ex, 404, null, ErrorCodes.INVALID_REQUEST, "Not found: the MCP endpoint is " + settings.path());
            return;
        }
        if (closed.get()) {
            error(ex, 503, null, ErrorCodes.INTERNAL_ERROR, "the server is closing");
            return;
        }
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin != null && !originAllowed(origin)) {
            log.warn("MCP server '{}': refused a request from origin {}", name, origin);
            error(ex, 403, null, ErrorCodes.INVALID_REQUEST, "Forbidden: origin " + origin + " is not allowed");
            return;
        }
        if (settings.bearerTokens() != null && !authorized(ex, settings.bearerTokens())) {
            return;
        }
        switch (ex.getRequestMethod()) {
            case "POST" -> post(ex);
            case "DELETE" -> delete(ex);
            default -> {
                ex.getResponseHeaders().set("Allow", settings.stateless() ? "POST" : "POST, DELETE");
                error(ex, 405, null, ErrorCodes.INVALID_REQUEST, "Method not allowed: " + ex.getRequestMethod()
                        + (ex.getRequestMethod().equals("GET")
                                ? " (this server sends nothing outside the answer to a request)"
                                : ""));
            }
        }
    }

    private boolean originAllowed(String origin) {
        String normalized = origin.trim().toLowerCase(Locale.ROOT);
        if (settings.allowedOrigins().contains(normalized)) {
            return true;
        }
        try {
            URI uri = new URI(normalized);
            String host = uri.getHost();
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && host != null
                    && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private boolean authorized(HttpExchange ex, Predicate<String> tokens) throws IOException {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        String challenge = "Bearer realm=\"mcp\"" + (settings.resourceMetadata() == null
                ? ""
                : ", resource_metadata=\"" + settings.resourceMetadata() + "\"");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            ex.getResponseHeaders().set("WWW-Authenticate", challenge);
            error(ex, 401, null, ErrorCodes.INVALID_REQUEST, "Unauthorized: a bearer token is required");
            return false;
        }
        boolean valid;
        try {
            valid = tokens.test(header.substring(7).trim());
        } catch (RuntimeException e) {
            log.warn("MCP server '{}': the bearer token validator failed; refusing the request", name, e);
            valid = false;
        }
        if (!valid) {
            ex.getResponseHeaders().set("WWW-Authenticate", challenge + ", error=\"invalid_token\"");
            error(ex, 401, null, ErrorCodes.INVALID_REQUEST, "Unauthorized: the bearer token is not valid");
        }
        return valid;
    }

    private void post(HttpExchange ex) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.trim().toLowerCase(Locale.ROOT).startsWith("application/json")) {
            error(ex, 415, null, ErrorCodes.INVALID_REQUEST,
                    "Unsupported media type: a message is posted as application/json");
            return;
        }
        String body = body(ex);
        if (body == null) {
            return;
        }
        JsonValue value;
        try {
            value = JsonValue.parse(body);
        } catch (JsonParseException e) {
            error(ex, 400, null, ErrorCodes.PARSE_ERROR, "Parse error: " + e.getMessage());
            return;
        }
        if (value instanceof JsonArray) {
            error(ex, 400, null, ErrorCodes.INVALID_REQUEST,
                    "Invalid request: JSON-RPC batches are not accepted; post one message at a time");
            return;
        }
        if (!(value instanceof JsonObject object)) {
            error(ex, 400, null, ErrorCodes.INVALID_REQUEST,
                    "Invalid request: a message must be a JSON object, not " + value.typeName());
            return;
        }
        JSONRPCMessage message = message(ex, object, body);
        if (message == null) {
            return;
        }
        boolean initialize = message instanceof McpSchema.JSONRPCRequest r
                && r.method().equals(McpSchema.METHOD_INITIALIZE);
        String version = ex.getRequestHeaders().getFirst(VERSION_HEADER);
        if (!initialize && version != null && !VERSIONS.contains(version.trim())) {
            error(ex, 400, idOf(message), ErrorCodes.INVALID_REQUEST, "Bad request: unsupported " + VERSION_HEADER
                    + " " + version + "; this server speaks " + String.join(", ", VERSIONS));
            return;
        }
        Reply reply = Reply.JSON;
        if (message instanceof McpSchema.JSONRPCRequest) {
            reply = reply(ex.getRequestHeaders().get("Accept"));
            if (reply == null) {
                error(ex, 406, idOf(message), ErrorCodes.INVALID_REQUEST,
                        "Not acceptable: the answer is application/json or text/event-stream");
                return;
            }
        }
        if (settings.stateless()) {
            statelessPost(ex, message, reply);
        } else if (initialize) {
            initialize(ex, (McpSchema.JSONRPCRequest) message, reply);
        } else {
            Session session = session(ex);
            if (session != null) {
                sessionPost(ex, session, message, reply);
            }
        }
    }

    /** The body as text, or null once 413 or a parse error has been answered. */
    private @Nullable String body(HttpExchange ex) throws IOException {
        int max = settings.maxRequestBytes();
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null && length.trim().matches("\\d{1,18}") && Long.parseLong(length.trim()) > max) {
            tooLarge(ex, Long.parseLong(length.trim()));
            return null;
        }
        byte[] bytes;
        try (InputStream in = ex.getRequestBody()) {
            bytes = in.readNBytes(max + 1);
        }
        if (bytes.length > max) {
            tooLarge(ex, -1);
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            error(ex, 400, null, ErrorCodes.PARSE_ERROR, "Parse error: the message is not valid UTF-8");
            return null;
        }
    }

    private void tooLarge(HttpExchange ex, long bytes) throws IOException {
        log.warn("MCP server '{}': refused a message of {} bytes, over the limit of {} bytes", name,
                bytes < 0 ? "more than " + settings.maxRequestBytes() : bytes, settings.maxRequestBytes());
        ex.getResponseHeaders().set("Connection", "close");
        error(ex, 413, null, ErrorCodes.INVALID_REQUEST,
                "Payload too large: a message may have at most " + settings.maxRequestBytes() + " bytes");
    }

    /** One JSON-RPC message, or null once {@code -32600} has been answered. */
    private @Nullable JSONRPCMessage message(HttpExchange ex, JsonObject m, String text) throws IOException {
        JsonValue id = m.get("id");
        boolean usableId = id instanceof JsonValue.JsonString || id instanceof JsonValue.JsonNumber n && n.isIntegral();
        boolean response = !m.has("method") && (m.has("result") || m.has("error"));
        @Nullable
        Object replyId = usableId && !response ? McpJson.toJava(id) : null;
        String problem = null;
        if (!JSONRPC.equals(m.getString("jsonrpc").orElse(null))) {
            problem = "\"jsonrpc\" must be \"2.0\"";
        } else if (id != null && !usableId) {
            problem = "\"id\" must be a string or an integer, was " + id.toJson();
        } else if (m.has("method") && !(m.get("method") instanceof JsonValue.JsonString)) {
            problem = "\"method\" must be a string";
        } else if (!m.has("method") && !response) {
            problem = "a message needs a \"method\" (request, notification) or a \"result\" or \"error\" (response)";
        } else if (m.has("params") && !(m.get("params") instanceof JsonObject)) {
            problem = "\"params\" must be an object";
        } else if (response && (id == null || m.has("result") == m.has("error"))) {
            problem = "a response needs an \"id\" and either a \"result\" or an \"error\"";
        }
        if (problem == null) {
            try {
                return McpSchema.deserializeJsonRpcMessage(json, text);
            } catch (IOException | RuntimeException e) {
                problem = "not a JSON-RPC message (" + e.getMessage() + ")";
            }
        }
        error(ex, 400, replyId, ErrorCodes.INVALID_REQUEST, "Invalid request: " + problem);
        return null;
    }

    private static @Nullable Reply reply(@Nullable List<String> accept) {
        if (accept == null || accept.isEmpty()) {
            return Reply.JSON;
        }
        boolean jsonOk = false;
        boolean sseOk = false;
        for (String header : accept) {
            for (String range : header.split(",")) {
                String type = range.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
                jsonOk |= type.equals("application/json") || type.equals("application/*") || type.equals("*/*");
                sseOk |= type.equals("text/event-stream") || type.equals("text/*") || type.equals("*/*");
            }
        }
        return jsonOk ? Reply.JSON : sseOk ? Reply.SSE : null;
    }

    // ---- stateless

    private void statelessPost(HttpExchange ex, JSONRPCMessage message, Reply reply) throws IOException {
        McpStatelessServerHandler handler = Objects.requireNonNull(statelessHandler, "no MCP server");
        switch (message) {
            case McpSchema.JSONRPCRequest r -> {
                McpSchema.JSONRPCResponse response = await(ex, handler.handleRequest(McpTransportContext.EMPTY, r));
                if (response != null) {
                    answer(ex, reply, response);
                }
            }
            case McpSchema.JSONRPCNotification n -> {
                handler.handleNotification(McpTransportContext.EMPTY, n)
                        .subscribe(null,
                                e -> log.debug("MCP server '{}': notification {} failed", name, n.method(), e));
                accepted(ex);
            }
            // A stateless server sends no requests, so there is nothing a response could answer.
            default -> accepted(ex);
        }
    }

    // ---- sessions

    private void initialize(HttpExchange ex, McpSchema.JSONRPCRequest request, Reply reply) throws IOException {
        if (sessions.size() >= settings.maxSessions() && !evictIdleSession()) {
            log.warn("MCP server '{}': refused a new session, {} are open and busy", name, sessions.size());
            error(ex, 503, request.id(), ErrorCodes.INTERNAL_ERROR, "Service unavailable: all "
                    + settings.maxSessions() + " sessions have calls running; try again later");
            return;
        }
        McpSchema.InitializeRequest params;
        try {
            params = json.convertValue(request.params(), INITIALIZE);
        } catch (RuntimeException e) {
            error(ex, 400, request.id(), ErrorCodes.INVALID_PARAMS, "Invalid params: " + e.getMessage());
            return;
        }
        if (params == null) {
            error(ex, 400, request.id(), ErrorCodes.INVALID_PARAMS, "Invalid params: initialize needs params");
            return;
        }
        McpStreamableServerSession.Factory factory = Objects.requireNonNull(sessionFactory, "no MCP server");
        McpStreamableServerSession.McpStreamableServerSessionInit init = factory.startSession(params);
        McpSchema.InitializeResult result = await(ex, init.initResult());
        if (result == null) {
            return;
        }
        var session = new Session(init.session(), uses.incrementAndGet());
        sessions.put(session.id(), session);
        if (closed.get() && sessions.remove(session.id(), session)) {
            session.end();
        }
        log.debug("MCP server '{}': session {} opened", name, session.id());
        ex.getResponseHeaders().set(SESSION_HEADER, session.id());
        answer(ex, reply, new McpSchema.JSONRPCResponse(JSONRPC, request.id(), result, null));
    }

    /**
     * Makes room by ending the session used least recently among those with no call running: a
     * client that vanished without DELETE must not lock the server out. Its client, if it comes
     * back, gets 404 and initializes anew, as the spec prescribes. False if every session is busy.
     */
    private boolean evictIdleSession() {
        Session idle = null;
        for (Session s : sessions.values()) {
            if (s.calls.isEmpty() && (idle == null || s.lastUsed < idle.lastUsed)) {
                idle = s;
            }
        }
        if (idle == null || !sessions.remove(idle.id(), idle)) {
            return idle != null;
        }
        log.info("MCP server '{}': ended the idle session {} to open a new one ({} at most)", name, idle.id(),
                settings.maxSessions());
        idle.end();
        return true;
    }

    /** The session the request names, or null once 400 or 404 has been answered. */
    private @Nullable Session session(HttpExchange ex) throws IOException {
        String id = ex.getRequestHeaders().getFirst(SESSION_HEADER);
        if (id == null || id.isBlank()) {
            error(ex, 400, null, ErrorCodes.INVALID_REQUEST,
                    "Bad request: " + SESSION_HEADER + " is required (initialize first)");
            return null;
        }
        Session session = sessions.get(id.trim());
        if (session != null) {
            session.lastUsed = uses.incrementAndGet();
        } else {
            error(ex, 404, null, ErrorCodes.INVALID_REQUEST,
                    "Session not found: " + id.trim() + " is unknown or has ended; initialize a new one");
        }
        return session;
    }

    private void sessionPost(HttpExchange ex, Session session, JSONRPCMessage message, Reply reply)
            throws IOException {
        switch (message) {
            case McpSchema.JSONRPCRequest r -> call(ex, session, r, reply);
            case McpSchema.JSONRPCNotification n -> {
                if (n.method().equals("notifications/cancelled")) {
                    cancelled(session, n);
                } else {
                    session.sdk.accept(n)
                            .subscribe(null,
                                    e -> log.debug("MCP server '{}': notification {} failed", name, n.method(), e));
                }
                accepted(ex);
            }
            default -> {
                var r = (McpSchema.JSONRPCResponse) message;
                session.sdk.accept(r)
                        .subscribe(null, e -> log.debug("MCP server '{}': a response was not expected", name, e));
                accepted(ex);
            }
        }
    }

    private void cancelled(Session session, McpSchema.JSONRPCNotification n) {
        if (n.params() instanceof Map<?, ?> params && params.get("requestId") instanceof Object id) {
            Call call = session.calls.remove(key(id));
            if (call != null) {
                log.debug("MCP server '{}': request {} cancelled by the client", name, id);
                call.cancel();
            }
        }
    }

    private void call(HttpExchange ex, Session session, McpSchema.JSONRPCRequest request, Reply reply)
            throws IOException {
        Object key = key(request.id());
        var call = new Call();
        if (session.calls.putIfAbsent(key, call) != null) {
            error(ex, 400, request.id(), ErrorCodes.INVALID_REQUEST,
                    "Invalid request: id " + request.id() + " is already used by a request in progress");
            return;
        }
        try {
            if (!sessions.containsKey(session.id())) {
                call.cancel(); // the session ended while this request came in
            } else {
                call.subscription = session.sdk.responseStream(call)
                        .handle(request)
                        .subscribe(null, e -> call.fail(request.id(), e));
            }
            stream(ex, request, call, reply);
        } finally {
            session.calls.remove(key, call);
        }
    }

    /** Writes what the call's stream carries: its answer as JSON, or every message as SSE events. */
    private void stream(HttpExchange ex, McpSchema.JSONRPCRequest request, Call call, Reply reply) throws IOException {
        boolean open = false;
        try {
            while (true) {
                Outbound next = call.queue.take();
                if (next instanceof Outbound.Message m) {
                    if (reply == Reply.JSON) {
                        if (m.message() instanceof McpSchema.JSONRPCResponse response) {
                            answer(ex, Reply.JSON, response);
                            return;
                        }
                        // A notification about a call answered as plain JSON has nowhere to go.
                        log.debug("MCP server '{}': dropped a message sent during request {}", name, request.id());
                        continue;
                    }
                    if (!open) {
                        openStream(ex);
                        open = true;
                    }
                    event(ex.getResponseBody(), m.eventId(), write(m.message()));
                } else {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            call.cancel(); // the client went away: stop the call it no longer waits for
            throw e;
        }
        if (open) {
            return;
        }
        if (closed.get() || Thread.currentThread().isInterrupted()) {
            error(ex, 503, request.id(), ErrorCodes.INTERNAL_ERROR, "the server closed before the call ended");
        } else {
            // Cancelled by the client (or its session ended): the spec says not to answer with a response.
            ex.sendResponseHeaders(204, -1);
        }
    }

    private void delete(HttpExchange ex) throws IOException {
        if (settings.stateless()) {
            ex.getResponseHeaders().set("Allow", "POST");
            error(ex, 405, null, ErrorCodes.INVALID_REQUEST, "Method not allowed: a stateless server has no sessions");
            return;
        }
        Session session = session(ex);
        if (session == null) {
            return;
        }
        if (sessions.remove(session.id(), session)) {
            log.debug("MCP server '{}': session {} ended by the client", name, session.id());
            session.end();
        }
        ex.sendResponseHeaders(200, -1);
    }

    // ---- writing

    private void answer(HttpExchange ex, Reply reply, McpSchema.JSONRPCResponse response) throws IOException {
        String text = write(response);
        if (reply == Reply.JSON) {
            json(ex, 200, text);
        } else {
            openStream(ex);
            event(ex.getResponseBody(), null, text);
        }
    }

    private static void openStream(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
    }

    private static void event(OutputStream out, @Nullable String id, String data) throws IOException {
        var event = new StringBuilder("event: message\n");
        if (id != null) {
            event.append("id: ").append(id).append('\n');
        }
        for (String line : data.split("\n", -1)) {
            event.append("data: ").append(line).append('\n');
        }
        out.write(event.append('\n').toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void accepted(HttpExchange ex) throws IOException {
        ex.sendResponseHeaders(202, -1);
    }

    private void error(HttpExchange ex, int status, @Nullable Object id, int code, String message) throws IOException {
        var error = new LinkedHashMap<String, Object>();
        error.put("code", code);
        error.put("message", message);
        var m = new LinkedHashMap<String, @Nullable Object>();
        m.put("jsonrpc", JSONRPC);
        m.put("id", id);
        m.put("error", error);
        json(ex, status, write(m));
    }

    private static void json(HttpExchange ex, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private String write(Object message) {
        try {
            return json.writeValueAsString(message);
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode an MCP message", e);
        }
    }

    /** The value of {@code mono} on this (virtual) thread, or null once 503 or 500 has been answered. */
    private <T> @Nullable T await(HttpExchange ex, Mono<T> mono) throws IOException {
        try {
            return mono.toFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(ex, 503, null, ErrorCodes.INTERNAL_ERROR, "the server closed before the request was answered");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            log.warn("MCP server '{}': a request failed", name, cause);
            error(ex, 500, null, ErrorCodes.INTERNAL_ERROR, "Internal error: " + cause.getMessage());
        }
        return null;
    }

    private static @Nullable Object idOf(JSONRPCMessage message) {
        return message instanceof McpSchema.JSONRPCRequest r ? r.id() : null;
    }

    /** The id as a map key: the SDK hands integers back as Integer or Long. */
    private static Object key(Object id) {
        return id instanceof Number n ? (Object) n.longValue() : id.toString();
    }

    // ---- types

    private enum Reply {
        JSON, SSE
    }

    private sealed interface Outbound {
        record Message(JSONRPCMessage message, @Nullable String eventId) implements Outbound {}

        record End() implements Outbound {}
    }

    private static final Outbound END = new Outbound.End();

    /** One client's session: the SDK's, and the calls it has running. */
    private static final class Session {
        final McpStreamableServerSession sdk;
        final ConcurrentHashMap<Object, Call> calls = new ConcurrentHashMap<>();
        volatile long lastUsed;

        Session(McpStreamableServerSession sdk, long opened) {
            this.sdk = sdk;
            this.lastUsed = opened;
        }

        String id() {
            return sdk.getId();
        }

        void end() {
            for (Call call : List.copyOf(calls.values())) {
                call.cancel();
            }
            sdk.delete().subscribe(null, e -> log.debug("MCP session {}: closing failed", id(), e));
        }
    }

    /**
     * The stream of one request: what the SDK sends for it is queued, never written here, so the
     * SDK's threads never wait on a socket; the exchange's thread takes it off the queue.
     */
    private final class Call implements McpStreamableServerTransport {
        final LinkedBlockingQueue<Outbound> queue = new LinkedBlockingQueue<>();
        volatile @Nullable Disposable subscription;

        @Override
        public Mono<Void> sendMessage(JSONRPCMessage message) {
            return sendMessage(message, null);
        }

        @Override
        public Mono<Void> sendMessage(JSONRPCMessage message, @Nullable String messageId) {
            return Mono.fromRunnable(() -> queue.add(new Outbound.Message(message, messageId)));
        }

        @Override
        public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
            return json.convertValue(data, typeRef);
        }

        @Override
        public Mono<Void> closeGracefully() {
            return Mono.fromRunnable(this::close);
        }

        @Override
        public void close() {
            queue.add(END);
        }

        void cancel() {
            Disposable d = subscription;
            if (d != null) {
                d.dispose();
            }
            close();
        }

        void fail(Object id, Throwable e) {
            log.warn("MCP server '{}': request {} failed", name, id, e);
            queue.add(new Outbound.Message(new McpSchema.JSONRPCResponse(JSONRPC, id, null,
                    new McpSchema.JSONRPCResponse.JSONRPCError(ErrorCodes.INTERNAL_ERROR,
                            "Internal error: " + e.getMessage(), null)),
                    null));
            close();
        }
    }

    private final class Streamable implements McpStreamableServerTransportProvider {
        @Override
        public void setSessionFactory(McpStreamableServerSession.Factory factory) {
            sessionFactory = factory;
        }

        @Override
        public Mono<Void> notifyClients(String method, Object params) {
            return Flux.fromIterable(List.copyOf(sessions.values()))
                    .flatMap(s -> s.sdk.sendNotification(method, params).onErrorComplete())
                    .then();
        }

        @Override
        public Mono<Void> closeGracefully() {
            return Mono.fromRunnable(HttpServerTransport.this::close);
        }

        @Override
        public List<String> protocolVersions() {
            return VERSIONS;
        }
    }

    private final class Stateless implements McpStatelessServerTransport {
        @Override
        public void setMcpHandler(McpStatelessServerHandler handler) {
            statelessHandler = handler;
        }

        @Override
        public Mono<Void> closeGracefully() {
            return Mono.fromRunnable(HttpServerTransport.this::close);
        }

        @Override
        public List<String> protocolVersions() {
            return VERSIONS;
        }
    }
}
