package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.tools.mcp.McpHttpHandler.Request;
import dev.agentrt.tools.mcp.McpHttpHandler.Response;
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
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The server side of MCP's streamable HTTP transport, independent of any HTTP server, in front of
 * the SDK's streamable session or its stateless handler. The JDK server ({@link HttpServerTransport})
 * and the Spring adapters only move bytes; every decision is made here. One endpoint path takes:
 * <ul>
 * <li>{@code POST} of one JSON-RPC message: a request is answered with {@code application/json}, or
 * with an SSE stream when the client accepts only {@code text/event-stream}, or accepts it and the
 * request carries a {@code progressToken} (its progress notifications then come before the answer,
 * in order; a stateless server sends none); a notification or a
 * response gets {@code 202}. {@code initialize} opens a session and names it in {@code
 * Mcp-Session-Id}; every later message must carry it ({@code 400} without, {@code 404} for one that
 * is unknown or ended). In stateless mode there are no sessions and the header is ignored;
 * <li>{@code GET} with {@code Accept: text/event-stream} and the session id: the session's stream of
 * what the server sends outside the answer to a request, with event ids; {@code Last-Event-ID}
 * resumes it, replaying from the session's last {@value ListeningStream#MAX_EVENTS} events. One at a
 * time per session: a new one replaces the open one, which ends; an id that is not one
 * of the stream's, or whose successors are no longer kept, {@code 400}; no {@code text/event-stream}
 * in {@code Accept}, {@code 406}. A stateless server answers {@code 405}, as the spec allows;
 * <li>{@code DELETE}: ends the session and cancels its running calls.
 * </ul>
 * Checked before anything else: the path ({@code 404}), the {@code Origin} (a browser page from
 * elsewhere gets {@code 403}: DNS rebinding), then the bearer token when a validator is set ({@code
 * 401} with {@code WWW-Authenticate}). Then a body over the limit gets {@code 413}, text that is not
 * JSON a {@code -32700} parse error, JSON that is not one JSON-RPC message a {@code -32600}, an
 * unsupported {@code MCP-Protocol-Version} a {@code 400}; the handler goes on serving. A message of the
 * 2026-07-28 revision (its envelope in {@code params._meta}, or that version in {@code MCP-Protocol-Version}) is
 * served without a session in either mode: see {@link #modernPost}.
 *
 * <p>Nothing here blocks: the SDK's session and the tools emit into a per-call sink; the response
 * is made from it when the answer (or, for SSE, the first message) arrives. The bearer token
 * validator, which may block, runs on {@link AgentSchedulers#blocking()}.
 */
public final class StreamableHttpHandler {
    private static final Logger log = LoggerFactory.getLogger(StreamableHttpHandler.class);
    private static final String SESSION_HEADER = "Mcp-Session-Id";
    private static final String VERSION_HEADER = "MCP-Protocol-Version";
    private static final String JSONRPC = "2.0";
    private static final String JSON_TYPE = "application/json";
    private static final String SSE_TYPE = "text/event-stream";
    /** Streamable HTTP came with 2025-03-26; the earlier revision had HTTP+SSE instead. */
    static final List<String> VERSIONS = List.of(ProtocolVersions.MCP_2025_03_26, ProtocolVersions.MCP_2025_06_18,
            ProtocolVersions.MCP_2025_11_25);
    private static final TypeRef<McpSchema.InitializeRequest> INITIALIZE = new TypeRef<>() {};

    /**
     * What the endpoint accepts.
     *
     * @param bearerTokens validates the token of {@code Authorization: Bearer <token>}; {@code null}
     *     for no authentication. Runs on a virtual thread and may block
     * @param resourceMetadata named in {@code WWW-Authenticate} when set (the OAuth protected resource
     *     metadata of the MCP authorization spec)
     */
    public record Settings(String path, Set<String> allowedOrigins, @Nullable Predicate<String> bearerTokens,
            @Nullable URI resourceMetadata, boolean stateless, int maxRequestBytes, int maxSessions,
            int maxRequestsInFlight, Duration keepAlive) {
        public Settings {
            Objects.requireNonNull(path, "path");
            allowedOrigins = Set.copyOf(allowedOrigins);
            Objects.requireNonNull(keepAlive, "keepAlive");
        }

        /** With {@value #DEFAULT_IN_FLIGHT} requests in flight at most and a keep-alive every 15 s. */
        public Settings(String path, Set<String> allowedOrigins, @Nullable Predicate<String> bearerTokens,
                @Nullable URI resourceMetadata, boolean stateless, int maxRequestBytes, int maxSessions) {
            this(path, allowedOrigins, bearerTokens, resourceMetadata, stateless, maxRequestBytes, maxSessions,
                    DEFAULT_IN_FLIGHT, Duration.ofSeconds(15));
        }
    }

    /** The requests in flight at once by default (see {@link Settings#maxRequestsInFlight()}). */
    public static final int DEFAULT_IN_FLIGHT = 512;
    /** An SSE comment: keeps an idle stream alive through proxies, and shows the server a client that left. */
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

    private final String name;
    private final Settings settings;
    private final McpJsonMapper json;
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Orders the sessions' uses, for evicting the least recently used; a counter, not a clock. */
    private final AtomicLong uses = new AtomicLong();
    private volatile McpStreamableServerSession.@Nullable Factory sessionFactory;
    private volatile @Nullable McpStatelessServerHandler statelessHandler;
    private volatile OwnRequests own = OwnRequests.NONE;
    private volatile Disposable onClose = () -> {};
    private volatile ModernRevision.@Nullable Server modern;
    private volatile UnaryOperator<Object> initializeResult = UnaryOperator.identity();
    private volatile Consumer<String> sessionEnded = id -> {};
    private volatile ServedListens.@Nullable Scope listens;
    /** The posted requests being served now (a listen is not one: it has a limit of its own). */
    private final AtomicInteger inFlight = new AtomicInteger();

    StreamableHttpHandler(String name, Settings settings, McpJsonMapper json) {
        this.name = name;
        this.settings = settings;
        this.json = json;
    }

    /** What this endpoint answers itself before the SDK's server sees a request; set before serving. */
    void ownRequests(OwnRequests own) {
        this.own = own;
    }

    /** What the server adds to the SDK's initialize result (what its schema lacks); set before serving. */
    void initializeResult(UnaryOperator<Object> shape) {
        this.initializeResult = shape;
    }

    /** Told the id of each session that ends (deleted, evicted, closed); set before serving. */
    void onSessionEnd(Consumer<String> hook) {
        this.sessionEnded = hook;
    }

    /** Disposed when this handler is closed (now, if it is). */
    void onClose(Disposable hook) {
        onClose = hook;
        if (closed.get()) {
            hook.dispose();
        }
    }

    /**
     * Serves the 2026-07-28 revision too (see {@link #modernPost}), describing the server as {@code server} in
     * {@code server/discover}; set before serving. Without it an enveloped request is served as a 2025 one.
     */
    void modern(ModernRevision.Server server) {
        this.modern = server;
    }

    /** Serves the 2026-07-28 {@code subscriptions/listen} through {@code listens}; set before serving. */
    void listens(ServedListens.Scope listens) {
        this.listens = listens;
    }

    /** The side the SDK's streamable server binds to. */
    McpStreamableServerTransportProvider streamable() {
        return new Streamable();
    }

    /**
     * Asks the client of session {@code sessionId} {@code request} on the session's GET stream (a task's tool,
     * outside any request of the client's), or null when the session is gone or its client did not declare
     * elicitation.
     */
    @Nullable
    Mono<McpSchema.ElicitResult> elicit(String sessionId, McpSchema.ElicitFormRequest request) {
        Session s = sessions.get(sessionId);
        if (s == null || !s.elicits) {
            return null;
        }
        return s.sdk.sendRequest(McpSchema.METHOD_ELICITATION_CREATE, request,
                new TypeRef<McpSchema.ElicitResult>() {});
    }

    /** The side the SDK's stateless server binds to. */
    McpStatelessServerTransport stateless() {
        return new Stateless();
    }

    public String name() {
        return name;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Ends every session; running calls are cancelled and their requests answered {@code 503}, as
     * are later requests. Idempotent; does not block.
     */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        onClose.dispose();
        ServedListens.Scope scope = listens;
        if (scope != null) {
            scope.endAll();
        }
        for (String id : List.copyOf(sessions.keySet())) {
            Session s = sessions.remove(id);
            if (s != null) {
                s.end();
            }
        }
        log.debug("MCP server '{}': endpoint closed", name);
    }

    /** Answers one request; never fails (a fault becomes a 500 with a JSON-RPC error). */
    public Mono<Response> handle(Request request) {
        return Mono.defer(() -> route(request))
                .onErrorResume(Refused.class, r -> Mono.just(r.response))
                .onErrorResume(e -> {
                    log.warn("MCP server '{}': serving {} {} failed", name, request.method(), request.path(), e);
                    return Mono.just(error(500, null, ErrorCodes.INTERNAL_ERROR, "Internal error: " + e.getMessage()));
                });
    }

    /** A response for a server that cannot answer any more (its host is stopping, say). */
    public Response unavailable() {
        return error(503, null, ErrorCodes.INTERNAL_ERROR, "the server is closing");
    }

    // ---- one exchange

    private Mono<Response> route(Request request) {
        if (!request.path().equals(settings.path())) {
            return refuse(404, null, ErrorCodes.INVALID_REQUEST, "Not found: the MCP endpoint is " + settings.path());
        }
        if (closed.get()) {
            return Mono.just(unavailable());
        }
        String origin = request.header("Origin");
        if (origin != null && !originAllowed(origin)) {
            log.warn("MCP server '{}': refused a request from origin {}", name, origin);
            return refuse(403, null, ErrorCodes.INVALID_REQUEST, "Forbidden: origin " + origin + " is not allowed");
        }
        Predicate<String> tokens = settings.bearerTokens();
        if (tokens == null) {
            return dispatch(request);
        }
        String header = request.header("Authorization");
        String challenge = "Bearer realm=\"mcp\"" + (settings.resourceMetadata() == null
                ? ""
                : ", resource_metadata=\"" + settings.resourceMetadata() + "\"");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            return Mono.just(withHeader(error(401, null, ErrorCodes.INVALID_REQUEST,
                    "Unauthorized: a bearer token is required"), "WWW-Authenticate", challenge));
        }
        String token = header.substring(7).trim();
        return Mono.fromCallable(() -> valid(tokens, token))
                .subscribeOn(AgentSchedulers.blocking())
                .flatMap(valid -> valid
                        ? dispatch(request)
                        : Mono.just(withHeader(error(401, null, ErrorCodes.INVALID_REQUEST,
                                "Unauthorized: the bearer token is not valid"), "WWW-Authenticate",
                                challenge + ", error=\"invalid_token\"")));
    }

    private boolean valid(Predicate<String> tokens, String token) {
        try {
            return tokens.test(token);
        } catch (RuntimeException e) {
            log.warn("MCP server '{}': the bearer token validator failed; refusing the request", name, e);
            return false;
        }
    }

    private Mono<Response> dispatch(Request request) {
        if (!request.method().equals("POST") && modern != null
                && ModernRevision.modernHeader(request.header(VERSION_HEADER))) {
            return Mono.just(withHeader(error(405, null, ErrorCodes.INVALID_REQUEST, "Method not allowed: "
                    + request.method() + " (protocol revision " + ModernRevision.VERSION
                    + " has no sessions and no GET stream: every message is posted)"), "Allow", "POST"));
        }
        return switch (request.method()) {
            case "POST" -> post(request);
            case "GET" -> get(request);
            case "DELETE" -> Mono.fromSupplier(() -> delete(request));
            default -> Mono.just(withHeader(error(405, null, ErrorCodes.INVALID_REQUEST, "Method not allowed: "
                    + request.method()), "Allow", settings.stateless() ? "POST" : "GET, POST, DELETE"));
        };
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

    private Mono<Response> post(Request request) {
        String type = request.header("Content-Type");
        if (type == null || !type.trim().toLowerCase(Locale.ROOT).startsWith(JSON_TYPE)) {
            return refuse(415, null, ErrorCodes.INVALID_REQUEST,
                    "Unsupported media type: a message is posted as application/json");
        }
        int max = settings.maxRequestBytes();
        String length = request.header("Content-Length");
        if (length != null && length.trim().matches("\\d{1,18}") && Long.parseLong(length.trim()) > max) {
            return Mono.just(tooLarge(Long.parseLong(length.trim())));
        }
        return read(request.body(), max).map(bytes -> {
            if (bytes.length > max) {
                return tooLarge(-1);
            }
            return message(request, text(bytes));
        }).flatMap(parsed -> parsed instanceof Response r ? Mono.just(r) : posted(request, (JSONRPCMessage) parsed));
    }

    /** At most {@code max + 1} bytes of the body: more than {@code max} says it is too large. */
    private static Mono<byte[]> read(Flux<ByteBuffer> body, int max) {
        return Mono.defer(() -> {
            var out = new ByteArrayOutputStream();
            return body.takeUntil(buffer -> {
                ByteBuffer b = buffer.duplicate();
                byte[] chunk = new byte[Math.min(b.remaining(), max + 1 - out.size())];
                b.get(chunk);
                out.write(chunk, 0, chunk.length);
                return out.size() > max;
            }).then(Mono.fromSupplier(out::toByteArray));
        });
    }

    private String text(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw refused(400, null, ErrorCodes.PARSE_ERROR, "Parse error: the message is not valid UTF-8");
        }
    }

    private Response tooLarge(long bytes) {
        log.warn("MCP server '{}': refused a message of {} bytes, over the limit of {} bytes", name,
                bytes < 0 ? "more than " + settings.maxRequestBytes() : bytes, settings.maxRequestBytes());
        return withHeader(error(413, null, ErrorCodes.INVALID_REQUEST,
                "Payload too large: a message may have at most " + settings.maxRequestBytes() + " bytes"),
                "Connection", "close");
    }

    /** The message, or the response refusing it (as an Object: a JSONRPCMessage or a Response). */
    private Object message(Request request, String body) {
        JsonValue value;
        try {
            value = JsonValue.parse(body);
        } catch (JsonParseException e) {
            return error(400, null, ErrorCodes.PARSE_ERROR, "Parse error: " + e.getMessage());
        }
        if (value instanceof JsonArray) {
            return error(400, null, ErrorCodes.INVALID_REQUEST,
                    "Invalid request: JSON-RPC batches are not accepted; post one message at a time");
        }
        if (!(value instanceof JsonObject object)) {
            return error(400, null, ErrorCodes.INVALID_REQUEST,
                    "Invalid request: a message must be a JSON object, not " + value.typeName());
        }
        return message(object, body);
    }

    /**
     * A posted message, served; a request (not a listen) counts against {@link Settings#maxRequestsInFlight()} until
     * its response's body ends: over it, {@code 503} with {@code Retry-After} and a JSON-RPC error.
     */
    private Mono<Response> posted(Request request, JSONRPCMessage message) {
        if (!(message instanceof McpSchema.JSONRPCRequest r) || r.method().equals(ServedListens.METHOD)) {
            return serve(request, message);
        }
        if (inFlight.incrementAndGet() > settings.maxRequestsInFlight()) {
            inFlight.decrementAndGet();
            log.warn("MCP server '{}': refused request {} ({}): {} requests are in flight, the most it serves at once",
                    name, r.id(), r.method(), settings.maxRequestsInFlight());
            return Mono.just(withHeader(error(503, r.id(), ErrorCodes.INTERNAL_ERROR, "Service unavailable: "
                    + settings.maxRequestsInFlight() + " requests are in flight, the most this server serves at "
                    + "once; retry later"), "Retry-After", "1"));
        }
        var released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
            }
        };
        return Mono.defer(() -> serve(request, message))
                .map(response -> new Response(response.status(), response.headers(),
                        response.body().doFinally(signal -> release.run())))
                .doOnCancel(release)
                .doOnError(e -> release.run());
    }

    private Mono<Response> serve(Request request, JSONRPCMessage message) {
        boolean initialize = message instanceof McpSchema.JSONRPCRequest r
                && r.method().equals(McpSchema.METHOD_INITIALIZE);
        String version = request.header(VERSION_HEADER);
        ModernRevision.Server server = modern;
        if (server != null && (ModernRevision.modernHeader(version) || message instanceof McpSchema.JSONRPCRequest r
                && ModernRevision.claims(r.params()))) {
            return modernPost(server, request, message, version);
        }
        if (!initialize && version != null && !VERSIONS.contains(version.trim())) {
            return refuse(400, idOf(message), ErrorCodes.INVALID_REQUEST, "Bad request: unsupported "
                    + VERSION_HEADER + " " + version + "; this server speaks " + String.join(", ", VERSIONS));
        }
        Reply reply = Reply.JSON;
        if (message instanceof McpSchema.JSONRPCRequest r) {
            reply = reply(request.headers().get("Accept"), !settings.stateless() && wantsProgress(r));
            if (reply == null) {
                return refuse(406, idOf(message), ErrorCodes.INVALID_REQUEST,
                        "Not acceptable: the answer is application/json or text/event-stream");
            }
        }
        String served = version == null ? null : version.trim();
        if (settings.stateless()) {
            return statelessPost(message, reply, served, m -> m);
        } else if (initialize) {
            return initialize((McpSchema.JSONRPCRequest) message, reply);
        }
        return sessionPost(session(request), message, reply, served);
    }

    /** One JSON-RPC message, or the {@code -32600} response refusing it. */
    private Object message(JsonObject m, String text) {
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
        return error(400, replyId, ErrorCodes.INVALID_REQUEST, "Invalid request: " + problem);
    }

    /**
     * How to answer a request: as JSON when the client accepts it, unless {@code preferSse} (the request
     * asked for progress, which only an event stream can carry before the answer) and it accepts SSE too.
     */
    private static @Nullable Reply reply(@Nullable List<String> accept, boolean preferSse) {
        if (accept == null || accept.isEmpty()) {
            return Reply.JSON;
        }
        boolean jsonOk = false;
        boolean sseOk = false;
        for (String header : accept) {
            for (String range : header.split(",")) {
                String type = range.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
                jsonOk |= type.equals(JSON_TYPE) || type.equals("application/*") || type.equals("*/*");
                sseOk |= type.equals(SSE_TYPE) || type.equals("text/*") || type.equals("*/*");
            }
        }
        if (sseOk && (preferSse || !jsonOk)) {
            return Reply.SSE;
        }
        return jsonOk ? sseOk ? Reply.JSON_OR_SSE : Reply.JSON : null;
    }

    /** Whether the request carries a {@code progressToken} in its {@code params._meta}. */
    private static boolean wantsProgress(McpSchema.JSONRPCRequest request) {
        return request.params() instanceof Map<?, ?> params && params.get("_meta") instanceof Map<?, ?> meta
                && meta.get("progressToken") != null;
    }

    // ---- 2026-07-28

    /**
     * A message of the 2026-07-28 revision (its envelope in the body, or its version in {@code
     * MCP-Protocol-Version}): no session, whatever the settings. A request's envelope is checked (a {@code 400}
     * with the revision's JSON-RPC error when it is refused, or when the headers contradict the body: {@code
     * MCP-Protocol-Version}, {@code Mcp-Method}, and {@code Mcp-Name} once decoded from its Base64 form), a method
     * the server does not have is a {@code 404} with {@code -32601} when answered as JSON, {@code
     * server/discover} is answered here, and the rest are served as a 2025 request is (by the stateless handler,
     * or by a session of the SDK's opened for the one request and ended with it), their answers put in the
     * revision's form. A notification is accepted ({@code 202}) and, having no session to reach, dropped; a
     * response answers nothing the server asked.
     */
    private Mono<Response> modernPost(ModernRevision.Server server, Request request, JSONRPCMessage message,
            @Nullable String header) {
        if (message instanceof McpSchema.JSONRPCNotification) {
            return Mono.just(accepted());
        }
        if (!(message instanceof McpSchema.JSONRPCRequest r)) {
            return refuse(400, null, ErrorCodes.INVALID_REQUEST, "Invalid request: a " + ModernRevision.VERSION
                    + " server asks its client nothing, so there is no request a posted response could answer");
        }
        Object claimed = r.params() instanceof Map<?, ?> p && p.get("_meta") instanceof Map<?, ?> meta
                ? meta.get(ModernRevision.PROTOCOL_VERSION_KEY)
                : null;
        if (header != null && claimed instanceof String body && !header.trim().equals(body)) {
            return Mono.just(mismatch(r.id(), header.trim(), "the body's envelope names protocol version " + body
                    + " but the " + VERSION_HEADER + " header names " + header.trim()));
        }
        String methodHeader = request.header("Mcp-Method");
        if (methodHeader != null && !methodHeader.trim().equals(r.method())) {
            return Mono.just(mismatch(r.id(), methodHeader.trim(), "the body names method " + r.method()
                    + " but the Mcp-Method header names " + methodHeader.trim()));
        }
        Optional<String> named = ModernRevision.named(r.method(), r.params());
        List<String> nameHeaders = request.headers().getOrDefault("Mcp-Name", List.of());
        if (named.isPresent()) {
            for (String raw : nameHeaders) {
                String nameHeader = raw.trim();
                String value = ModernRevision.headerValue(nameHeader);
                if (value == null) {
                    return Mono
                            .just(mismatch(r.id(), nameHeader, "the Mcp-Name header holds neither a plain header value"
                                    + " nor Base64 of UTF-8 text between =?base64? and ?="));
                }
                if (!value.equals(named.get())) {
                    return Mono.just(mismatch(r.id(), nameHeader, "the body names " + named.get()
                            + " but the Mcp-Name header names " + value));
                }
            }
        }
        ModernRevision.Verdict verdict = ModernRevision.check(r.params());
        if (verdict instanceof ModernRevision.Refused refused) {
            return Mono.just(error(400, r.id(), refused));
        }
        var accepted = (ModernRevision.Accepted) verdict;
        if (r.method().equals(McpSchema.METHOD_INITIALIZE)) {
            return Mono.just(error(400, r.id(), ModernRevision.noHandshake()));
        }
        // A tool call is answered as an event stream when the client takes one: in this revision closing that
        // stream is how a client cancels the call, and the server notices it (keep-alives) only on a stream.
        Reply reply = reply(request.headers().get("Accept"), r.method().equals(McpSchema.METHOD_TOOLS_CALL)
                || !settings.stateless() && wantsProgress(r));
        if (reply == null) {
            return refuse(406, r.id(), ErrorCodes.INVALID_REQUEST,
                    "Not acceptable: the answer is application/json or text/event-stream");
        }
        if (r.method().equals(ServedListens.METHOD)) {
            return listen(request, r);
        }
        if (r.method().equals(ModernRevision.DISCOVER) || r.method().equals(McpSchema.METHOD_PING)) {
            Map<String, Object> result = r.method().equals(ModernRevision.DISCOVER)
                    ? ModernRevision.discover(server, json)
                    : Map.of("resultType", "complete");
            return Mono.just(answer(reply, new McpSchema.JSONRPCResponse(JSONRPC, r.id(), result, null)));
        }
        UnaryOperator<JSONRPCMessage> shape = m -> m instanceof McpSchema.JSONRPCResponse response
                ? ModernRevision.shape(r.method(), response, server, json)
                : m;
        if (settings.stateless() && reply == Reply.SSE) {
            // As for a session's call: the stream opens now, so that its closing can cancel the request.
            McpStatelessServerHandler handler = Objects.requireNonNull(statelessHandler, "no MCP server");
            Mono<McpSchema.JSONRPCResponse> answer = Objects.requireNonNullElseGet(own.answer(r),
                    () -> handler.handleRequest(McpTransportContext.EMPTY, r));
            return Mono.just(eventStream(keepAlive(answer
                    .contextWrite(Context.of(ServedRequest.class, served(r, null, ModernRevision.VERSION)))
                    .onErrorResume(e -> {
                        log.warn("MCP server '{}': request {} failed", name, r.id(), e);
                        return Mono.just(new McpSchema.JSONRPCResponse(JSONRPC, r.id(), null,
                                new McpSchema.JSONRPCResponse.JSONRPCError(ErrorCodes.INTERNAL_ERROR,
                                        "Internal error: " + e.getMessage(), null)));
                    })
                    .map(response -> event(null, write(shape.apply(response))))
                    .flux())));
        }
        if (settings.stateless()) {
            return statelessPost(r, reply, ModernRevision.VERSION, shape);
        }
        McpStreamableServerSession.Factory factory = Objects.requireNonNull(sessionFactory, "no MCP server");
        McpSchema.InitializeRequest init = ModernRevision.initialize(accepted, json);
        // As for initialize: starting a session draws a random UUID, so not on an event loop.
        return Mono.fromCallable(() -> factory.startSession(init))
                .subscribeOn(AgentSchedulers.blocking())
                .flatMap(started -> started.initResult().then(Mono.defer(() -> {
                    var session = new Session(started.session(), new ListeningStream(json), uses.incrementAndGet());
                    sessions.put(session.id(), session);
                    if (closed.get() && sessions.remove(session.id(), session)) {
                        session.end();
                        return Mono.just(unavailable());
                    }
                    Runnable end = () -> {
                        if (sessions.remove(session.id(), session)) {
                            session.end();
                        }
                    };
                    // The session ends with the response's body (an event stream outlives the Mono of its head).
                    return call(session, r, reply, ModernRevision.VERSION, shape)
                            .map(response -> new Response(response.status(), response.headers(),
                                    response.body().doFinally(s -> end.run())))
                            .doOnCancel(end)
                            .doOnError(e -> end.run());
                })))
                .onErrorResume(e -> Mono.just(failed(e)));
    }

    /**
     * A {@code subscriptions/listen}: answered with an event stream kept open, its acknowledgement first, in either
     * mode (the listen lives as long as its stream, in this process). The client closing the stream cancels it;
     * {@link #close()} ends it with its graceful result. Its messages wait in a queue of {@value
     * ServedListens#QUEUE}: a client that lets it fill has the listen ended. A refusal is a JSON-RPC error with
     * {@code 200}, as the reference server answers.
     */
    private Mono<Response> listen(Request request, McpSchema.JSONRPCRequest r) {
        ServedListens.Scope scope = listens;
        if (scope == null) {
            return refuse(404, r.id(), ErrorCodes.METHOD_NOT_FOUND, "Method not found: " + ServedListens.METHOD);
        }
        if (!acceptsEventStream(request.headers().get("Accept"))) {
            return refuse(406, r.id(), ErrorCodes.INVALID_REQUEST,
                    "Not acceptable: " + ServedListens.METHOD + " is answered with text/event-stream");
        }
        Sinks.Many<Map<String, Object>> sink = Sinks.many()
                .unicast()
                .onBackpressureBuffer(new ArrayBlockingQueue<>(ServedListens.QUEUE));
        ServedListens.Outlet outlet = new ServedListens.Outlet() {
            @Override
            public boolean offer(Map<String, Object> message) {
                return sink.tryEmitNext(message).isSuccess();
            }

            @Override
            public void close(boolean byServer) {
                sink.tryEmitComplete();
            }
        };
        // Ids are the clients' own (the TypeScript SDK's are "listen:0", ...), and clients share the endpoint: the
        // listen is its stream's, cancelled only by closing it.
        Object key = new Object();
        if (scope.open(key, r.id(), r.params(), outlet) instanceof ServedListens.Refused refused) {
            return Mono.just(error(200, r.id(), refused.error()));
        }
        return Mono.just(eventStream(keepAlive(sink.asFlux().map(m -> event(null, write(m))))
                .doOnCancel(() -> scope.cancel(key))));
    }

    /**
     * {@code events} with an SSE comment every {@link Settings#keepAlive()} while they last: the JDK's server learns
     * that a client closed its stream only when a write fails, so this is what cancels a call or a listen whose
     * client left while it had nothing to send.
     */
    private Flux<byte[]> keepAlive(Flux<byte[]> events) {
        Duration every = settings.keepAlive();
        // A tick the writer is not ready for (a client not reading) is dropped: it would only say the same.
        return events.publish(shared -> Flux.merge(shared, Flux.interval(every, every)
                .onBackpressureDrop()
                .map(tick -> KEEP_ALIVE)
                .takeUntilOther(shared.ignoreElements().then(Mono.just(0L)))));
    }

    private Response mismatch(Object id, String header, String problem) {
        return error(400, id, new ModernRevision.Refused(ModernRevision.HEADER_MISMATCH,
                "Bad Request: the request headers and body disagree: " + problem,
                Map.of("mismatch", Map.of("header", header, "body", problem))));
    }

    // ---- stateless

    private Mono<Response> statelessPost(JSONRPCMessage message, Reply reply, @Nullable String version,
            UnaryOperator<JSONRPCMessage> shape) {
        McpStatelessServerHandler handler = Objects.requireNonNull(statelessHandler, "no MCP server");
        return switch (message) {
            case McpSchema.JSONRPCRequest r -> Objects.requireNonNullElseGet(own.answer(r),
                    () -> handler.handleRequest(McpTransportContext.EMPTY, r))
                    .contextWrite(Context.of(ServedRequest.class, served(r, null, version)))
                    .map(response -> answer(reply, (McpSchema.JSONRPCResponse) shape.apply(response), version))
                    .onErrorResume(e -> Mono.just(failed(e)));
            case McpSchema.JSONRPCNotification n -> {
                handler.handleNotification(McpTransportContext.EMPTY, n)
                        .subscribe(null,
                                e -> log.debug("MCP server '{}': notification {} failed", name, n.method(), e));
                yield Mono.just(accepted());
            }
            // A stateless server sends no requests, so there is nothing a response could answer.
            default -> Mono.just(accepted());
        };
    }

    // ---- sessions

    private Mono<Response> initialize(McpSchema.JSONRPCRequest request, Reply reply) {
        if (sessions.size() >= settings.maxSessions() && !evictIdleSession()) {
            log.warn("MCP server '{}': refused a new session, {} are open and busy", name, sessions.size());
            return refuse(503, request.id(), ErrorCodes.INTERNAL_ERROR, "Service unavailable: all "
                    + settings.maxSessions() + " sessions have calls running; try again later");
        }
        McpSchema.InitializeRequest params;
        try {
            params = json.convertValue(request.params(), INITIALIZE);
        } catch (RuntimeException e) {
            return refuse(400, request.id(), ErrorCodes.INVALID_PARAMS, "Invalid params: " + e.getMessage());
        }
        if (params == null) {
            return refuse(400, request.id(), ErrorCodes.INVALID_PARAMS, "Invalid params: initialize needs params");
        }
        McpStreamableServerSession.Factory factory = Objects.requireNonNull(sessionFactory, "no MCP server");
        // Starting a session draws a random UUID, which may read the system's entropy source: not on an event loop.
        return Mono.fromCallable(() -> factory.startSession(params))
                .subscribeOn(AgentSchedulers.blocking())
                .flatMap(init -> init.initResult().map(result -> {
                    var session = new Session(init.session(), new ListeningStream(json), uses.incrementAndGet());
                    session.elicits = params.capabilities() != null && params.capabilities().elicitation() != null;
                    sessions.put(session.id(), session);
                    if (closed.get() && sessions.remove(session.id(), session)) {
                        session.end();
                        return unavailable();
                    }
                    log.debug("MCP server '{}': session {} opened", name, session.id());
                    return withHeader(
                            answer(reply, new McpSchema.JSONRPCResponse(JSONRPC, request.id(),
                                    initializeResult.apply(result), null)),
                            SESSION_HEADER, session.id());
                }))
                .onErrorResume(e -> Mono.just(failed(e)));
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

    /** The session the request names; refuses with 400 or 404. */
    private Session session(Request request) {
        String id = request.header(SESSION_HEADER);
        if (id == null || id.isBlank()) {
            throw refused(400, null, ErrorCodes.INVALID_REQUEST,
                    "Bad request: " + SESSION_HEADER + " is required (initialize first)");
        }
        Session session = sessions.get(id.trim());
        if (session == null) {
            throw refused(404, null, ErrorCodes.INVALID_REQUEST,
                    "Session not found: " + id.trim() + " is unknown or has ended; initialize a new one");
        }
        session.lastUsed = uses.incrementAndGet();
        return session;
    }

    private Mono<Response> sessionPost(Session session, JSONRPCMessage message, Reply reply,
            @Nullable String version) {
        switch (message) {
            case McpSchema.JSONRPCRequest r -> {
                return call(session, r, reply, version);
            }
            case McpSchema.JSONRPCNotification n -> {
                if (n.method().equals("notifications/cancelled")) {
                    cancelled(session, n);
                } else {
                    session.sdk.accept(n)
                            .subscribe(null,
                                    e -> log.debug("MCP server '{}': notification {} failed", name, n.method(), e));
                }
                return Mono.just(accepted());
            }
            default -> {
                var r = (McpSchema.JSONRPCResponse) message;
                session.sdk.accept(r)
                        .subscribe(null, e -> log.debug("MCP server '{}': a response was not expected", name, e));
                return Mono.just(accepted());
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

    /** What the server's telemetry learns of a request beside what the SDK passes on. */
    private static ServedRequest served(McpSchema.JSONRPCRequest request, @Nullable String session,
            @Nullable String version) {
        return new ServedRequest(String.valueOf(request.id()), "tcp", session, version);
    }

    private Mono<Response> call(Session session, McpSchema.JSONRPCRequest request, Reply reply,
            @Nullable String version) {
        return call(session, request, reply, version, null);
    }

    /**
     * Starts the call and answers with what its stream carries: its answer as JSON, or every message
     * as SSE events. A call that ends without an answer (cancelled by the client, or its session
     * ended) gets 204, as the spec says not to answer it; one ended by {@link #close()} gets 503. {@code
     * modernShape} puts the answer of a 2026-07-28 request in that revision's form (null for a 2025 request).
     */
    private Mono<Response> call(Session session, McpSchema.JSONRPCRequest request, Reply reply,
            @Nullable String version, @Nullable UnaryOperator<JSONRPCMessage> modernShape) {
        UnaryOperator<JSONRPCMessage> shape = modernShape == null ? m -> m : modernShape;
        // A 2026-07-28 request has no session of its own: the one it is served in is not the client's.
        String servedSession = modernShape == null ? session.id() : null;
        Object key = key(request.id());
        var call = new Call();
        if (session.calls.putIfAbsent(key, call) != null) {
            return refuse(400, request.id(), ErrorCodes.INVALID_REQUEST,
                    "Invalid request: id " + request.id() + " is already used by a request in progress");
        }
        Runnable done = () -> session.calls.remove(key, call);
        if (!sessions.containsKey(session.id())) {
            call.cancel(); // the session ended while this request came in
        } else {
            Mono<McpSchema.JSONRPCResponse> answer = own.answer(request);
            if (answer != null) {
                call.start(() -> answer.contextWrite(Context.of(ServedRequest.class, served(request, servedSession,
                        version)))
                        .flatMap(call::sendMessage)
                        .subscribe(null, e -> call.fail(request.id(), e), call::close));
            } else {
                // The SDK names each response stream with a random UUID, which may read the system's entropy
                // source: started off the caller's thread, which may be an event loop.
                AgentSchedulers.blocking()
                        .schedule(() -> call.start(() -> session.sdk.responseStream(call)
                                .handle(request)
                                .contextWrite(Context.of(ServedRequest.class, served(request, servedSession, version)))
                                .subscribe(null, e -> call.fail(request.id(), e))));
            }
        }
        if (reply != Reply.SSE) {
            return orUnanswered(call.messages()
                    .filter(m -> {
                        if (m.message() instanceof McpSchema.JSONRPCResponse
                                || reply == Reply.JSON_OR_SSE && m.message() instanceof McpSchema.JSONRPCRequest) {
                            return true;
                        }
                        // A notification about a call answered as plain JSON has nowhere to go.
                        log.debug("MCP server '{}': dropped a message sent during request {}", name, request.id());
                        return false;
                    })
                    .next()
                    .map(m -> {
                        if (m.message() instanceof McpSchema.JSONRPCRequest) {
                            // The call asks the client something (a tool's question) before it answers: only an
                            // event stream carries that, so the answer becomes one, from the call's first message.
                            return eventStream(keepAlive(call.messages()
                                    .map(o -> event(o.eventId(), write(shape.apply(o.message())))))
                                    .doOnCancel(call::cancel)
                                    .doFinally(x -> done.run()));
                        }
                        done.run();
                        return json(status(m.message(), version), write(shape.apply(m.message())));
                    }), call::cancel, done);
        }
        if (modernShape != null) {
            // 2026-07-28: closing the stream is the cancellation, so the stream opens now and keeps alive.
            return Mono.just(eventStream(keepAlive(call.messages()
                    .map(m -> event(m.eventId(), write(shape.apply(m.message())))))
                    .doOnCancel(call::cancel)
                    .doFinally(s -> done.run())));
        }
        return orUnanswered(call.messages()
                .next()
                .map(first -> eventStream(call.messages()
                        .map(m -> event(m.eventId(), write(shape.apply(m.message()))))
                        .doOnCancel(call::cancel)
                        .doFinally(s -> done.run()))),
                call::cancel, done);
    }

    /**
     * {@code answer}, or the response for a call that ended without one; either way {@code done} runs once the
     * call is over, and a client gone before the answer cancels it.
     */
    private Mono<Response> orUnanswered(Mono<Response> answer, Runnable cancel, Runnable done) {
        return answer.switchIfEmpty(Mono.fromSupplier(() -> {
            done.run();
            return unanswered();
        })).doOnCancel(() -> {
            cancel.run();
            done.run();
        });
    }

    private Response unanswered() {
        return closed.get()
                ? error(503, null, ErrorCodes.INTERNAL_ERROR, "the server closed before the call ended")
                : new Response(204, Map.of(), Flux.empty());
    }

    /**
     * Opens the session's stream of messages sent outside a request (see {@link ListeningStream}), or
     * resumes it after {@code Last-Event-ID}. A stateless server has none: {@code 405}.
     */
    private Mono<Response> get(Request request) {
        if (settings.stateless()) {
            return Mono.just(withHeader(error(405, null, ErrorCodes.INVALID_REQUEST, "Method not allowed: GET "
                    + "(a stateless server sends nothing outside the answer to a request)"), "Allow", "POST"));
        }
        if (!acceptsEventStream(request.headers().get("Accept"))) {
            return refuse(406, null, ErrorCodes.INVALID_REQUEST,
                    "Not acceptable: a GET opens a stream, so it must accept text/event-stream");
        }
        String version = request.header(VERSION_HEADER);
        if (version != null && !VERSIONS.contains(version.trim())) {
            return refuse(400, null, ErrorCodes.INVALID_REQUEST, "Bad request: unsupported " + VERSION_HEADER + " "
                    + version + "; this server speaks " + String.join(", ", VERSIONS));
        }
        Session session = session(request);
        String lastEventId = request.header("Last-Event-ID");
        // Handing the stream to the SDK draws a random UUID, which may read the system's entropy source.
        return Mono.fromCallable(() -> {
            if (session.listening.claim()) {
                session.sdk.listeningStream(session.listening);
            }
            return switch (session.listening.open(lastEventId)) {
                case ListeningStream.Opened o -> {
                    log.debug("MCP server '{}': session {} opened its GET stream{}", name, session.id(),
                            lastEventId == null ? "" : " after event " + lastEventId);
                    yield eventStream(o.events().map(e -> event(Long.toString(e.id()), e.data())));
                }
                case ListeningStream.Refusal r -> error(r.status(), null, ErrorCodes.INVALID_REQUEST, r.message());
            };
        }).subscribeOn(AgentSchedulers.blocking());
    }

    private static boolean acceptsEventStream(@Nullable List<String> accept) {
        if (accept != null) {
            for (String header : accept) {
                for (String range : header.split(",")) {
                    String type = range.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
                    if (type.equals(SSE_TYPE) || type.equals("text/*") || type.equals("*/*")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private Response delete(Request request) {
        if (settings.stateless()) {
            return withHeader(error(405, null, ErrorCodes.INVALID_REQUEST,
                    "Method not allowed: a stateless server has no sessions"), "Allow", "POST");
        }
        Session session = session(request);
        if (sessions.remove(session.id(), session)) {
            log.debug("MCP server '{}': session {} ended by the client", name, session.id());
            session.end();
        }
        return new Response(200, Map.of(), Flux.empty());
    }

    // ---- responses

    private Response answer(Reply reply, McpSchema.JSONRPCResponse response) {
        return answer(reply, response, null);
    }

    /** {@link #answer(Reply, McpSchema.JSONRPCResponse)} to a request of protocol {@code version} (null: unknown). */
    private Response answer(Reply reply, McpSchema.JSONRPCResponse response, @Nullable String version) {
        String text = write(response);
        return reply != Reply.SSE
                ? json(status(response, version), text)
                : eventStream(Flux.just(event(null, text)));
    }

    /**
     * The HTTP status of {@code answer}, sent as JSON to a request of protocol {@code version}: 200, but in
     * 2026-07-28 404 for the {@code -32601} of a method the server does not have, as that revision requires (in the
     * earlier ones every JSON-RPC error goes with 200).
     */
    private static int status(JSONRPCMessage answer, @Nullable String version) {
        return ModernRevision.VERSION.equals(version) && answer instanceof McpSchema.JSONRPCResponse r
                && r.error() != null && r.error().code() == ErrorCodes.METHOD_NOT_FOUND ? 404 : 200;
    }

    private static Response eventStream(Flux<byte[]> events) {
        return new Response(200, Map.of("Content-Type", SSE_TYPE, "Cache-Control", "no-cache"),
                events.map(bytes -> ByteBuffer.wrap(bytes).asReadOnlyBuffer()));
    }

    private static byte[] event(@Nullable String id, String data) {
        var event = new StringBuilder("event: message\n");
        if (id != null) {
            event.append("id: ").append(id).append('\n');
        }
        for (String line : data.split("\n", -1)) {
            event.append("data: ").append(line).append('\n');
        }
        return event.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Response accepted() {
        return new Response(202, Map.of(), Flux.empty());
    }

    private Response failed(Throwable e) {
        log.warn("MCP server '{}': a request failed", name, e);
        return error(500, null, ErrorCodes.INTERNAL_ERROR, "Internal error: " + e.getMessage());
    }

    private Mono<Response> refuse(int status, @Nullable Object id, int code, String message) {
        return Mono.just(error(status, id, code, message));
    }

    private Refused refused(int status, @Nullable Object id, int code, String message) {
        return new Refused(error(status, id, code, message));
    }

    private Response error(int status, @Nullable Object id, int code, String message) {
        var error = new LinkedHashMap<String, Object>();
        error.put("code", code);
        error.put("message", message);
        var m = new LinkedHashMap<String, @Nullable Object>();
        m.put("jsonrpc", JSONRPC);
        m.put("id", id);
        m.put("error", error);
        return json(status, write(m));
    }

    private Response error(int status, @Nullable Object id, ModernRevision.Refused refused) {
        return json(status, write(refused.response(id)));
    }

    private static Response json(int status, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new Response(status, Map.of("Content-Type", JSON_TYPE),
                Mono.fromSupplier(() -> ByteBuffer.wrap(bytes).asReadOnlyBuffer()).flux());
    }

    private static Response withHeader(Response response, String name, String value) {
        var headers = new LinkedHashMap<>(response.headers());
        headers.put(name, value);
        return new Response(response.status(), headers, response.body());
    }

    private String write(Object message) {
        try {
            return json.writeValueAsString(message);
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode an MCP message", e);
        }
    }

    private static @Nullable Object idOf(JSONRPCMessage message) {
        return message instanceof McpSchema.JSONRPCRequest r ? r.id() : null;
    }

    /** The id as a map key: the SDK hands integers back as Integer or Long. */
    private static Object key(Object id) {
        return id instanceof Number n ? (Object) n.longValue() : id.toString();
    }

    // ---- types

    /**
     * JSON; an event stream; or JSON unless the call sends the client a request before its answer, which turns the
     * answer into an event stream (a client accepting both).
     */
    private enum Reply {
        JSON, SSE, JSON_OR_SSE
    }

    /** A request refused with {@code response}, thrown from the synchronous steps and answered by {@link #handle}. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Response response;

        Refused(Response response) {
            super(null, null, false, false);
            this.response = response;
        }
    }

    private record Outbound(JSONRPCMessage message, @Nullable String eventId) {}

    /** One client's session: the SDK's, its GET stream, and the calls it has running. */
    private final class Session {
        final McpStreamableServerSession sdk;
        final ListeningStream listening;
        final ConcurrentHashMap<Object, Call> calls = new ConcurrentHashMap<>();
        volatile long lastUsed;
        /** Whether the client's initialize declared {@code elicitation}. */
        volatile boolean elicits;

        Session(McpStreamableServerSession sdk, ListeningStream listening, long opened) {
            this.sdk = sdk;
            this.listening = listening;
            this.lastUsed = opened;
        }

        String id() {
            return sdk.getId();
        }

        void end() {
            for (Call call : List.copyOf(calls.values())) {
                call.cancel();
            }
            listening.close();
            sessionEnded.accept(id());
            sdk.delete().subscribe(null, e -> log.debug("MCP session {}: closing failed", id(), e));
        }
    }

    /**
     * The stream of one request: what the SDK sends for it is kept in a replaying sink (a call sends
     * a few messages: progress, then its answer), so the SDK's threads never wait on a client; the
     * response is made from the sink, and an event stream replays it from the first message.
     */
    private final class Call implements McpStreamableServerTransport {
        private final Sinks.Many<Outbound> sink = Sinks.many().replay().all();
        private @Nullable Disposable subscription;
        private boolean cancelled;

        /** Starts the call unless it was cancelled first. */
        void start(java.util.function.Supplier<Disposable> starter) {
            synchronized (this) {
                if (!cancelled) {
                    subscription = starter.get();
                }
            }
        }

        Flux<Outbound> messages() {
            return sink.asFlux();
        }

        @Override
        public Mono<Void> sendMessage(JSONRPCMessage message) {
            return sendMessage(message, null);
        }

        @Override
        public Mono<Void> sendMessage(JSONRPCMessage message, @Nullable String messageId) {
            return Mono.fromRunnable(() -> emit(new Outbound(message, messageId)));
        }

        private synchronized void emit(Outbound message) {
            sink.tryEmitNext(message);
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
        public synchronized void close() {
            sink.tryEmitComplete();
        }

        void cancel() {
            Disposable d;
            synchronized (this) {
                cancelled = true;
                d = subscription;
            }
            if (d != null) {
                d.dispose();
            }
            close();
        }

        void fail(Object id, Throwable e) {
            log.warn("MCP server '{}': request {} failed", name, id, e);
            emit(new Outbound(new McpSchema.JSONRPCResponse(JSONRPC, id, null,
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

        /** On the session's GET stream (see ListeningStream). */
        @Override
        public Mono<Void> notifyClient(String sessionId, String method, Object params) {
            Session s = sessions.get(sessionId);
            return s == null ? Mono.empty() : s.sdk.sendNotification(method, params).onErrorComplete();
        }

        @Override
        public Mono<Void> closeGracefully() {
            return Mono.fromRunnable(StreamableHttpHandler.this::close);
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
            return Mono.fromRunnable(StreamableHttpHandler.this::close);
        }

        @Override
        public List<String> protocolVersions() {
            return VERSIONS;
        }
    }
}
