package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonSchema;
import dev.agentrt.core.json.JsonValue;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpTransportException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The client side of protocol revision 2026-07-28, which the MCP Java SDK does not implement: no session
 * handshake; every request carries the protocol version, the client's identity and its capabilities in
 * {@code params._meta} (and, over HTTP, in the {@code MCP-Protocol-Version}, {@code Mcp-Method} and
 * {@code Mcp-Name} headers: {@link HttpTransport}); results carry {@code resultType}. A server that needs
 * something of the client while serving a request ({@code elicitation/create}, {@code sampling/createMessage},
 * {@code roots/list}) answers {@code input_required} with the requests embedded; the client answers them with
 * the handlers it was configured with and sends the request again, on a new id, with the answers in
 * {@code inputResponses} and the server's {@code requestState} echoed, at most {@value #MAX_ROUNDS} rounds of at
 * most {@value #MAX_INPUT_REQUESTS} requests each. A
 * server asking for what the client did not declare gets no answer: the request fails, saying so. Every request
 * declares the tasks extension ({@code io.modelcontextprotocol/tasks}): a {@code tools/call} answered with a task is
 * followed to its result by {@link ModernTaskCall}.
 *
 * <p>{@link #listen} sends {@code subscriptions/listen}; the list changes and resource updates that come stamped
 * with the id of an open listen go to {@link #onChanges}, any other is dropped ({@link ModernListen} keeps the
 * listen open).
 *
 * <p>{@link #discover} is the negotiation: {@code server/discover}, whose answer says whether the server
 * speaks 2026-07-28; any other answer (a JSON-RPC error, an HTTP error other than 401/403, and on stdio a
 * silence) means it does not, and the connection falls back to {@code initialize}. Thread-safe; never blocks.
 */
final class ModernRequester implements McpRequester {
    private static final Logger log = LoggerFactory.getLogger(ModernRequester.class);
    static final String VERSION = "2026-07-28";
    static final String META_VERSION = "io.modelcontextprotocol/protocolVersion";
    static final String META_CLIENT = "io.modelcontextprotocol/clientInfo";
    static final String META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
    static final int MAX_ROUNDS = 10;
    /** The most input requests one input_required round may embed: each may ask the user or the model. */
    static final int MAX_INPUT_REQUESTS = 16;
    private static final TypeRef<Map<String, Object>> MAP = new TypeRef<>() {};
    static final String METHOD_LISTEN = "subscriptions/listen";
    static final String ACKNOWLEDGED = "notifications/subscriptions/acknowledged";
    static final String META_SUBSCRIPTION = "io.modelcontextprotocol/subscriptionId";
    private static final java.util.Set<String> CHANGES = java.util.Set.of(
            McpSchema.METHOD_NOTIFICATION_TOOLS_LIST_CHANGED, McpSchema.METHOD_NOTIFICATION_RESOURCES_LIST_CHANGED,
            McpSchema.METHOD_NOTIFICATION_PROMPTS_LIST_CHANGED, McpSchema.METHOD_NOTIFICATION_RESOURCES_UPDATED);

    /** What {@code server/discover} showed. */
    sealed interface Verdict {}

    /** The server speaks 2026-07-28. */
    record Modern(McpSchema.ServerCapabilities capabilities, String instructions) implements Verdict {}

    /** It does not: the connection uses {@code initialize}. */
    record Legacy(String why) implements Verdict {}

    /** A 2026-07-28 server broke the protocol, or asked for what it may not have. */
    static final class Failure extends McpTransportException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    private final String server;
    private final SharedTransport transport;
    private final RequestIds requestIds;
    private final McpJsonMapper json = McpJson.mapper();
    private final Map<String, Object> clientInfo;
    private final Map<String, Object> capabilities;
    private final List<McpSchema.Root> roots;
    private final ServerRequests requests;
    private final Function<McpSchema.ProgressNotification, Mono<Void>> progress;
    private final Map<String, Sinks.One<McpSchema.JSONRPCResponse>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile McpSchema.@Nullable ServerCapabilities serverCapabilities;
    /** The open {@code subscriptions/listen} requests, by id: what each one's acknowledgement goes to. */
    private final Map<String, Consumer<Map<?, ?>>> listens = new ConcurrentHashMap<>();
    /** Where the list changes and resource updates of an open listen go. */
    private volatile Consumer<McpSchema.JSONRPCNotification> changes = n -> {};
    /** What a task's polls wait on ({@link ModernTaskCall}). */
    private volatile Scheduler timers = Schedulers.parallel();
    /** How long a cancelled {@code tools/call} still takes its answer, so that a task it made can be cancelled. */
    static final Duration LATE_ANSWER = Duration.ofSeconds(30);

    ModernRequester(String server, SharedTransport transport, RequestIds requestIds, String clientVersion,
            List<McpSchema.Root> roots, ServerRequests requests,
            Function<McpSchema.ProgressNotification, Mono<Void>> progress) {
        this.server = server;
        this.transport = transport;
        this.requestIds = requestIds;
        this.clientInfo = Map.of("name", "agentrt", "version", clientVersion);
        // As on the initialize path: each capability only when the application configured it.
        var caps = new LinkedHashMap<String, Object>();
        if (!roots.isEmpty()) {
            caps.put("roots", Map.of());
        }
        if (requests.sampling() != null) {
            caps.put("sampling", Map.of());
        }
        if (requests.elicitation() != null) {
            caps.put("elicitation", Map.of());
        }
        // A tools/call may be answered with a task, which ModernTaskCall follows to its result.
        caps.put("extensions", Map.of(ModernTaskCall.EXTENSION, Map.of()));
        this.capabilities = Map.copyOf(caps);
        this.roots = List.copyOf(roots);
        this.requests = requests;
        this.progress = progress;
    }

    /** The scheduler a task's polls wait on; set before the first call. */
    void timers(Scheduler timers) {
        this.timers = timers;
    }

    /**
     * Connects the transport (the server's messages come here until the SDK's client takes it) and asks
     * {@code server/discover}. {@code silenceMeansLegacy}: on stdio, a server that does not answer within
     * {@code timeout} is taken for one of the older revisions (some ignore what comes before initialize).
     */
    Mono<Verdict> discover(Duration timeout, boolean silenceMeansLegacy) {
        return transport.connect(this::handle)
                .then(send("server/discover", Map.of()).timeout(timeout))
                .map(this::verdict)
                .onErrorResume(e -> legacyAnswer(e, silenceMeansLegacy).map(Mono::just)
                        .orElseGet(() -> Mono
                                .error(e)));
    }

    private Verdict verdict(Object result) {
        if (!(result instanceof Map<?, ?> map) || !(map.get("supportedVersions") instanceof List<?> versions)) {
            return new Legacy("its server/discover result lists no supportedVersions");
        }
        if (!versions.contains(VERSION)) {
            return new Legacy("it supports " + versions + ", not " + VERSION);
        }
        if (!(map.get("capabilities") instanceof Map<?, ?> caps)) {
            throw new Failure("MCP server '" + server + "' offered " + VERSION
                    + " in server/discover but declared no capabilities object");
        }
        McpSchema.ServerCapabilities declared = json.convertValue(caps, McpSchema.ServerCapabilities.class);
        serverCapabilities = declared;
        return new Modern(declared, map.get("instructions") instanceof String s ? s : "");
    }

    private java.util.Optional<Verdict> legacyAnswer(Throwable e, boolean silenceMeansLegacy) {
        if (e instanceof McpError m && m.getJsonRpcError() != null) {
            return java.util.Optional.of(new Legacy("it answered server/discover with JSON-RPC error "
                    + m.getJsonRpcError().code() + " (" + m.getJsonRpcError().message() + ")"));
        }
        if (e instanceof TimeoutException && silenceMeansLegacy) {
            return java.util.Optional.of(new Legacy("it did not answer server/discover"));
        }
        // As the v2 SDK: 401 and 403 (authorization) and 5xx are failures; any other status is an older server
        // (a 400 or 404 for a request before initialize, or a 202 with no answer to a method it does not know).
        int status = HttpTransport.httpStatus(e);
        if (status > 0 && status < 500 && status != 401 && status != 403) {
            return java.util.Optional.of(new Legacy("it answered server/discover with HTTP " + status
                    + " and no result"));
        }
        return java.util.Optional.empty();
    }

    /** The server's messages while this client has the transport. */
    private Mono<McpSchema.JSONRPCMessage> handle(Mono<McpSchema.JSONRPCMessage> incoming) {
        return incoming.flatMap(message -> {
            switch (message) {
                case McpSchema.JSONRPCResponse r -> {
                    Sinks.One<McpSchema.JSONRPCResponse> sink = pending.remove(key(r.id()));
                    if (sink == null) {
                        log.debug("MCP server '{}' answered request {}, which is not waiting", server, r.id());
                    } else {
                        sink.tryEmitValue(r);
                    }
                }
                case McpSchema.JSONRPCNotification n -> notification(n);
                case McpSchema.JSONRPCRequest r -> {
                    // 2026-07-28 has no requests from server to client: input comes in input_required results.
                    var error = new McpSchema.JSONRPCResponse.JSONRPCError(McpSchema.ErrorCodes.METHOD_NOT_FOUND,
                            "this client speaks " + VERSION + ": ask for input in an input_required result");
                    return transport.sendMessage(McpSchema.JSONRPCResponse.error(r.id(), error))
                            .onErrorResume(e -> Mono.empty())
                            .then(Mono.<McpSchema.JSONRPCMessage>empty());
                }
                default -> {
                }
            }
            return Mono.<McpSchema.JSONRPCMessage>empty();
        });
    }

    private void notification(McpSchema.JSONRPCNotification n) {
        if (McpSchema.METHOD_NOTIFICATION_PROGRESS.equals(n.method()) && n.params() != null) {
            try {
                progress.apply(json.convertValue(n.params(), McpSchema.ProgressNotification.class)).subscribe();
            } catch (RuntimeException e) {
                log.debug("MCP server '{}' sent a progress notification that could not be read", server, e);
            }
        } else if (CHANGES.contains(n.method()) || ACKNOWLEDGED.equals(n.method())) {
            listened(n);
        } else {
            log.debug("MCP server '{}' sent {}; not used on a {} connection", server, n.method(), VERSION);
        }
    }

    /** A notification on a listen stream: taken only with the id of a listen this client has open. */
    private void listened(McpSchema.JSONRPCNotification n) {
        Object id = n.params() instanceof Map<?, ?> p && p.get("_meta") instanceof Map<?, ?> meta
                ? meta.get(META_SUBSCRIPTION)
                : null;
        Consumer<Map<?, ?>> acknowledged = id == null ? null : listens.get(key(id));
        if (acknowledged == null) {
            log.debug("MCP server '{}' sent {} for no listen this client has open; ignored", server, n.method());
        } else if (ACKNOWLEDGED.equals(n.method())) {
            Map<?, ?> params = (Map<?, ?>) n.params();
            acknowledged.accept(params.get("notifications") instanceof Map<?, ?> honored ? honored : Map.of());
        } else {
            changes.accept(n);
        }
    }

    /** Where list changes and resource updates that come on an open listen go from now on. */
    void onChanges(Consumer<McpSchema.JSONRPCNotification> consumer) {
        this.changes = consumer;
    }

    /**
     * {@code subscriptions/listen} with {@code filter}: the server's acknowledgement (the notifications it agreed
     * to send) goes to {@code acknowledged}, its changes to {@link #onChanges}. Emits the result the server sends
     * when it ends the listen; fails with the connection or the server's error. Cancelling ends the listen:
     * with {@code notifications/cancelled} when {@code tellCancel} (stdio), else by the request's stream
     * closing (HTTP).
     */
    Mono<Object> listen(Map<String, Object> filter, Consumer<Map<?, ?>> acknowledged, boolean tellCancel) {
        return Mono.defer(() -> {
            var id = new java.util.concurrent.atomic.AtomicReference<@Nullable String>();
            return send(METHOD_LISTEN, Map.of("notifications", filter), sent -> {
                id.set(sent);
                listens.put(sent, acknowledged);
            }).doFinally(signal -> {
                String sent = id.get();
                if (sent == null) {
                    return;
                }
                listens.remove(sent);
                if (signal == reactor.core.publisher.SignalType.CANCEL && tellCancel && !closed.get()) {
                    var params = Map.<String, Object>of("requestId", Long.parseLong(sent), "reason",
                            "the client listens anew");
                    transport.sendMessage(new McpSchema.JSONRPCNotification(McpSchema.JSONRPC_VERSION,
                            "notifications/cancelled", params))
                            .onErrorResume(e -> Mono.empty())
                            .subscribe();
                }
            });
        });
    }

    /** Whether {@link #closeGracefully} ran. */
    boolean isClosed() {
        return closed.get();
    }

    private static String key(@Nullable Object id) {
        return id instanceof Number n ? Long.toString(n.longValue()) : String.valueOf(id);
    }

    /** One request with the per-request envelope; emits its result, or the server's JSON-RPC error as McpError. */
    private Mono<Object> send(String method, Map<String, Object> params) {
        return send(method, params, id -> {});
    }

    private Mono<Object> send(String method, Map<String, Object> params, Consumer<String> sent) {
        return send(method, params, sent, null);
    }

    /**
     * As {@link #send(String, Map, Consumer)}; a request cancelled before its answer still takes the answer for
     * {@link #LATE_ANSWER} and gives it to {@code late} (when not null): a {@code tools/call} the server answered
     * with a task just as the client cancelled it then cancels that task, rather than leave it running.
     */
    private Mono<Object> send(String method, Map<String, Object> params, Consumer<String> sent,
            @Nullable Consumer<Object> late) {
        return Mono.defer(() -> {
            if (closed.get()) {
                return Mono.error(new McpTransportException("the connection to MCP server '" + server
                        + "' is closed"));
            }
            long id = ids.incrementAndGet();
            String key = Long.toString(id);
            Sinks.One<McpSchema.JSONRPCResponse> sink = Sinks.one();
            pending.put(key, sink);
            sent.accept(key);
            var withMeta = new LinkedHashMap<String, Object>(params);
            var meta = new LinkedHashMap<String, Object>();
            if (params.get("_meta") instanceof Map<?, ?> given) {
                given.forEach((k, v) -> meta.put(String.valueOf(k), v));
            }
            meta.put(META_VERSION, VERSION);
            meta.put(META_CLIENT, clientInfo);
            meta.put(META_CAPABILITIES, capabilities);
            withMeta.put("_meta", meta);
            if (meta.get("progressToken") instanceof String token) {
                requestIds.note(token, id);
            }
            var request = new McpSchema.JSONRPCRequest(McpSchema.JSONRPC_VERSION, method, id, withMeta);
            return transport.sendMessage(request)
                    .then(sink.asMono())
                    .doFinally(signal -> {
                        if (signal != SignalType.CANCEL || late == null || closed.get()) {
                            pending.remove(key);
                            return;
                        }
                        sink.asMono()
                                .timeout(LATE_ANSWER, timers)
                                .doFinally(x -> pending.remove(key))
                                .subscribe(response -> {
                                    if (response.result() != null) {
                                        late.accept(response.result());
                                    }
                                }, e -> log.debug("MCP server '{}': no late answer to cancelled {} {}", server,
                                        method, key));
                    })
                    .flatMap(response -> {
                        if (response.error() != null) {
                            return Mono.error(new McpError(response.error()));
                        }
                        return response.result() == null
                                ? Mono.error(new Failure("MCP server '" + server + "' answered " + method
                                        + " with neither a result nor an error"))
                                : Mono.just(response.result());
                    });
        });
    }

    /** The answer to a {@code tools/call} cancelled before it came: a task it made is cancelled. */
    private void cancelLateTask(Object result) {
        if (result instanceof Map<?, ?> answer && "task".equals(answer.get("resultType"))
                && answer.get("taskId") instanceof String taskId && !closed.get()) {
            log.debug("MCP server '{}' answered a cancelled tools/call with task {}; cancelling it", server, taskId);
            ModernTaskCall.cancel(server, this::send, taskId);
        }
    }

    /** A request, its input_required rounds answered, until its complete result. */
    private <T> Mono<T> call(String method, Map<String, Object> params, Class<T> type) {
        return round(method, params, type, 1, false).map(type::cast);
    }

    /**
     * The one elicitation of an {@code input_required} round of a {@code tools/call} that is to pause the caller's
     * durable run rather than be answered here: the question, and what the call's re-run sends back with the answer.
     *
     * @param key the server's key of the elicitation in {@code inputRequests}
     * @param requestedSchema the server's schema of the answer: an object schema this client can check
     * @param requestState the round's {@code requestState}, or null when it had none
     * @param answered the round's other input requests (sampling, roots), answered here, by key
     */
    record Elicited(String message, JsonObject requestedSchema, String key, @Nullable String requestState,
            Map<String, Object> answered) {}

    /**
     * {@code tools/call} whose elicitation may pause the caller's durable run: emits the tool's
     * {@code CallToolResult}, or an {@link Elicited} when an {@code input_required} round asks the user exactly one
     * thing (a form-mode {@code elicitation/create} with an object schema), its other requests answered here. A round
     * with several elicitations, or one this client cannot check, is answered in process as by {@link #callTool}.
     * {@code resumed}, for the call's re-run after the user answered, is sent as the answer to that elicitation,
     * with the round's other answers and its {@code requestState}.
     */
    Mono<Object> callToolPausing(McpSchema.CallToolRequest request, @Nullable Elicited resumed,
            @Nullable JsonObject content) {
        Map<String, Object> params = params(request);
        if (resumed != null && content != null) {
            var responses = new LinkedHashMap<String, Object>(resumed.answered());
            responses.put(resumed.key(), Map.of("action", "accept", "content", McpJson.toMap(content)));
            params.put("inputResponses", responses);
            if (resumed.requestState() != null) {
                params.put("requestState", resumed.requestState());
            }
        }
        return round(McpSchema.METHOD_TOOLS_CALL, params, McpSchema.CallToolResult.class, 1, true);
    }

    /** The round's one elicitation the caller may pause on, or null when it has none, several, or one not checkable. */
    private @Nullable Elicited pausable(Map<?, ?> asked, @Nullable Object state) {
        if (requests.elicitation() == null) {
            return null;
        }
        Elicited found = null;
        for (var e : asked.entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> request)
                    || !McpSchema.METHOD_ELICITATION_CREATE.equals(request.get("method"))) {
                continue;
            }
            if (found != null || !(request.get("params") instanceof Map<?, ?> params)
                    || params.get("mode") != null && !"form".equals(params.get("mode"))
                    || !(McpJson.fromJava(params.get("requestedSchema")) instanceof JsonObject schema)
                    || !JsonValue.of("object").equals(schema.get("type"))) {
                return null;
            }
            try {
                JsonSchema.compile(schema);
            } catch (IllegalArgumentException bad) {
                return null;
            }
            found = new Elicited(params.get("message") instanceof String m ? m : "", schema,
                    String.valueOf(e.getKey()), state instanceof String s ? s : null, Map.of());
        }
        return found;
    }

    private Mono<Object> round(String method, Map<String, Object> params, Class<?> type, int round,
            boolean pausing) {
        Consumer<Object> late = type == McpSchema.CallToolResult.class ? this::cancelLateTask : null;
        return send(method, params, id -> {}, late).flatMap(result -> {
            if (!(result instanceof Map<?, ?> map)) {
                return Mono.error(new Failure("MCP server '" + server + "' answered " + method
                        + " with a result that is not an object"));
            }
            Object kind = map.get("resultType");
            if ("complete".equals(kind)) {
                var copy = new LinkedHashMap<Object, Object>(map);
                copy.remove("resultType");
                try {
                    return Mono.just((Object) json.convertValue(copy, type));
                } catch (RuntimeException e) {
                    return Mono.error(new Failure("MCP server '" + server + "' answered " + method
                            + " with a result that does not have the form of one: " + e.getMessage()));
                }
            }
            if ("task".equals(kind) && type == McpSchema.CallToolResult.class) {
                // The call's progress says it became a task: the agent sees why its answer may take a while.
                if (params.get("_meta") instanceof Map<?, ?> meta && meta.get("progressToken") instanceof String token
                        && map.get("taskId") instanceof String taskId) {
                    progress.apply(new McpSchema.ProgressNotification(token, 0.0, null, "MCP server '" + server
                            + "' runs the call as task " + ModernTaskCall.shown(taskId), null)).subscribe();
                }
                return ModernTaskCall.follow(server, this::send, this::answers, map, timers).map(o -> (Object) o);
            }
            if ("input_required".equals(kind)) {
                if (round > MAX_ROUNDS) {
                    return Mono.error(new Failure("MCP server '" + server + "' still asked for input after "
                            + MAX_ROUNDS + " rounds of " + method + "; the request is abandoned"));
                }
                Object state = map.get("requestState");
                Map<?, ?> asked = map.get("inputRequests") instanceof Map<?, ?> m ? m : Map.of();
                if (asked.size() > MAX_INPUT_REQUESTS) {
                    return Mono.error(new Failure("MCP server '" + server + "' embedded " + asked.size()
                            + " input requests in one input_required round of " + method + ", more than the "
                            + MAX_INPUT_REQUESTS + " a round may have; the request is abandoned"));
                }
                if (asked.isEmpty() && !(state instanceof String)) {
                    return Mono.error(new Failure("MCP server '" + server + "' answered " + method
                            + " with input_required but neither inputRequests nor requestState"));
                }
                Elicited elicited = pausing ? pausable(asked, state) : null;
                if (elicited != null) {
                    var others = new LinkedHashMap<Object, Object>(asked);
                    others.remove(elicited.key());
                    return answers(method, others).map(answered -> (Object) new Elicited(elicited.message(),
                            elicited.requestedSchema(), elicited.key(), elicited.requestState(), answered));
                }
                return answers(method, asked).flatMap(answers -> {
                    var next = new LinkedHashMap<String, Object>(params);
                    next.remove("inputResponses");
                    next.remove("requestState");
                    if (!answers.isEmpty()) {
                        next.put("inputResponses", answers);
                    }
                    if (state instanceof String s) {
                        next.put("requestState", s);
                    }
                    return round(method, next, type, round + 1, pausing);
                });
            }
            return Mono.error(new Failure("MCP server '" + server + "' answered " + method + (kind == null
                    ? " without the resultType a " + VERSION + " server must send"
                    : " with resultType '" + kind + "', which this client does not know")));
        });
    }

    /**
     * The answers to a round's embedded requests, by the server's keys; fails on the first that cannot be. Also
     * answers a task's input ({@link ModernTaskCall}).
     */
    Mono<Map<String, Object>> answers(String method, Map<?, ?> asked) {
        return Flux.fromIterable(asked.entrySet())
                .flatMap(e -> answer(method, String.valueOf(e.getKey()), e.getValue())
                        .map(a -> Map.entry(String.valueOf(e.getKey()), a)))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    private Mono<Object> answer(String method, String key, @Nullable Object entry) {
        if (!(entry instanceof Map<?, ?> request) || !(request.get("method") instanceof String asked)) {
            return Mono.error(new Failure("MCP server '" + server + "' embedded input request '" + key + "' in "
                    + method + " without a method"));
        }
        Object params = request.get("params") == null ? Map.of() : request.get("params");
        String refused = "MCP server '" + server + "' asked for " + asked + " (input '" + key + "' of " + method
                + "), which this client did not declare";
        Mono<?> answer;
        switch (asked) {
            case McpSchema.METHOD_ELICITATION_CREATE -> {
                var handler = requests.elicitation();
                if (handler == null) {
                    return Mono.error(new Failure(refused + ": no elicitation handler is configured"));
                }
                if (params instanceof Map<?, ?> p && p.get("mode") instanceof String mode && !"form".equals(mode)) {
                    return Mono.error(new Failure("MCP server '" + server + "' asked for elicitation in mode '"
                            + mode + "'; this client answers form mode only"));
                }
                answer = handler.apply(json.convertValue(params, McpSchema.ElicitFormRequest.class));
            }
            case McpSchema.METHOD_SAMPLING_CREATE_MESSAGE -> {
                var handler = requests.sampling();
                if (handler == null) {
                    return Mono.error(new Failure(refused + ": sampling is not configured"));
                }
                answer = handler.apply(json.convertValue(params, McpSchema.CreateMessageRequest.class));
            }
            case McpSchema.METHOD_ROOTS_LIST -> {
                if (roots.isEmpty()) {
                    return Mono.error(new Failure(refused + ": no roots are configured"));
                }
                answer = Mono.just(McpSchema.ListRootsResult.builder(roots).build());
            }
            default -> {
                return Mono.error(new Failure("MCP server '" + server + "' asked for " + asked + " (input '" + key
                        + "' of " + method + "), which is not an input a client gives"));
            }
        }
        return answer.map(a -> (Object) json.convertValue(a, MAP))
                .switchIfEmpty(Mono.error(() -> new Failure("the answer to MCP server '" + server + "''s "
                        + asked + " was not given (the connection closed)")));
    }

    @Override
    public @Nullable String protocolVersion() {
        return serverCapabilities == null ? null : VERSION;
    }

    @Override
    public McpSchema.@Nullable ServerCapabilities getServerCapabilities() {
        return serverCapabilities;
    }

    @Override
    public Mono<McpSchema.CallToolResult> callTool(McpSchema.CallToolRequest request) {
        return call(McpSchema.METHOD_TOOLS_CALL, params(request), McpSchema.CallToolResult.class);
    }

    @Override
    public Mono<McpSchema.ListToolsResult> listTools(@Nullable String cursor) {
        return call(McpSchema.METHOD_TOOLS_LIST, cursor(cursor), McpSchema.ListToolsResult.class);
    }

    @Override
    public Mono<McpSchema.ListPromptsResult> listPrompts(@Nullable String cursor) {
        return call(McpSchema.METHOD_PROMPT_LIST, cursor(cursor), McpSchema.ListPromptsResult.class);
    }

    @Override
    public Mono<McpSchema.GetPromptResult> getPrompt(McpSchema.GetPromptRequest request) {
        return call(McpSchema.METHOD_PROMPT_GET, params(request), McpSchema.GetPromptResult.class);
    }

    @Override
    public Mono<McpSchema.ReadResourceResult> readResource(McpSchema.ReadResourceRequest request) {
        return call(McpSchema.METHOD_RESOURCES_READ, params(request), McpSchema.ReadResourceResult.class);
    }

    @Override
    public Mono<McpSchema.ListResourcesResult> listResources(@Nullable String cursor) {
        return call(McpSchema.METHOD_RESOURCES_LIST, cursor(cursor), McpSchema.ListResourcesResult.class);
    }

    @Override
    public Mono<McpSchema.ListResourceTemplatesResult> listResourceTemplates(@Nullable String cursor) {
        return call(McpSchema.METHOD_RESOURCES_TEMPLATES_LIST, cursor(cursor),
                McpSchema.ListResourceTemplatesResult.class);
    }

    private Map<String, Object> params(Object request) {
        Map<String, Object> map = new LinkedHashMap<>(json.convertValue(request, MAP));
        map.values().removeIf(v -> v == null);
        return map;
    }

    private static Map<String, Object> cursor(@Nullable String cursor) {
        return cursor == null ? Map.of() : Map.of("cursor", cursor);
    }

    /** Fails what is waiting; the transport is closed by the connection. */
    @Override
    public Mono<Void> closeGracefully() {
        return Mono.fromRunnable(() -> {
            if (closed.compareAndSet(false, true)) {
                var closedError = new McpTransportException("the connection to MCP server '" + server
                        + "' is closed");
                for (String key : List.copyOf(pending.keySet())) {
                    Sinks.One<McpSchema.JSONRPCResponse> sink = pending.remove(key);
                    if (sink != null) {
                        sink.tryEmitError(closedError);
                    }
                }
            }
        });
    }
}
