package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.tool.ToolTrace;
import dev.agentrt.tools.mcp.McpTransportSpec;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpTransportException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * One client session with one MCP server: the SDK's async client over our subprocess transport or
 * our streamable HTTP transport. {@link #close()} is idempotent and leaves nothing running: the
 * session, the subprocess (killed if need be) or the HTTP client and its threads.
 */
public final class McpConnection {
    private static final Logger log = LoggerFactory.getLogger(McpConnection.class);
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    private final String server;
    private final String description;
    private final McpAsyncClient client;
    /** Our own client for 2026-07-28, on the same transport; used when server/discover shows the server speaks it. */
    private final ModernRequester modern;
    /** The waits of this connection's own (retries, task polls); a test's virtual clock in tests. */
    private final Scheduler timers;
    private volatile McpRequester requester;
    private final @Nullable ProcessTransport process;
    private final McpClientTransport transport;
    private final RequestIds requestIds;
    private final NoticeGate gate;
    /** Where the server is, for telemetry: an HTTP endpoint, or null for a subprocess. */
    private final @Nullable URI endpoint;
    private final AtomicReference<@Nullable Mono<Void>> closing = new AtomicReference<>();
    private final Sinks.Empty<Void> ended = Sinks.empty();
    private final Duration connectTimeout;
    private final McpNotices notices;
    /** The listen of a 2026-07-28 connection whose server declares something to listen for; else null. */
    private volatile @Nullable ModernListen listen;

    private McpConnection(String server, String description, McpClientTransport transport,
            @Nullable ProcessTransport process, Duration callTimeout, Duration connectTimeout,
            McpNotices notices, Function<McpSchema.ProgressNotification, Mono<Void>> progress,
            List<McpSchema.Root> roots, ServerRequests requests, Scheduler timers) {
        this.server = server;
        this.timers = timers;
        this.description = description;
        this.transport = transport;
        this.process = process;
        this.connectTimeout = connectTimeout;
        this.notices = notices;
        this.requestIds = new RequestIds(transport);
        this.endpoint = transport instanceof HttpTransport http ? http.endpoint() : null;
        var shared = new SharedTransport(requestIds);
        this.modern = new ModernRequester(server, shared, requestIds, version(), roots, requests,
                progress);
        // The server's list changes and resource updates go to notices, not to the SDK's client (see NoticeGate).
        this.gate = new NoticeGate(shared, n -> notices.take(this, n));
        modern.onChanges(n -> notices.take(this, n));
        modern.timers(timers);
        var spec = McpClient.async(gate)
                .clientInfo(McpSchema.Implementation.builder("agentrt", version()).build())
                // The SDK's one request timeout also bounds initialize and tools/list: a short call
                // timeout must not cut the handshake short. Calls have their own (McpClientTool).
                .requestTimeout(callTimeout.compareTo(connectTimeout) >= 0 ? callTimeout : connectTimeout)
                .initializationTimeout(connectTimeout)
                .progressConsumer(progress);
        // Each capability is declared only when the application configured it: a server asks only then.
        var capabilities = McpSchema.ClientCapabilities.builder();
        if (!roots.isEmpty()) {
            capabilities.roots(false);
            spec.roots(roots);
        }
        var sampling = requests.sampling();
        if (sampling != null) {
            capabilities.sampling();
            spec.sampling(r -> untilClosed(sampling.apply(r)));
        }
        var elicitation = requests.elicitation();
        if (elicitation != null) {
            capabilities.elicitation(); // "elicitation": {}, which is form mode
            spec.elicitation(r -> untilClosed(elicitation.apply(r)));
        }
        this.client = spec.capabilities(capabilities.build()).build();
        this.requester = new LegacyRequester(client);
    }

    /**
     * A server's request being answered (a model call, a person's approval) ends with the connection: its answer
     * could not be sent anyway. Ends empty, so the SDK sends nothing.
     */
    private <T> Mono<T> untilClosed(Mono<T> answer) {
        return answer.takeUntilOther(Mono.firstWithSignal(ended.asMono(), failure().then()));
    }

    /**
     * Tells the server that the {@code tools/call} sent with progress token {@code token} is
     * cancelled ({@code notifications/cancelled}), if it was sent and not yet cancelled; a
     * connection that is gone is not told, nor a 2026-07-28 server over HTTP, for which the request's
     * stream closing is the cancellation. Never blocks, never fails.
     */
    public void cancel(String token, String reason) {
        Object id = requestIds.take(token);
        if (id == null || closing.get() != null) {
            return;
        }
        if (endpoint != null && requester == modern) {
            // 2026-07-28 over HTTP: closing the request's stream (the call's cancellation did) is the cancellation;
            // the revision expects no notice, and a server without sessions could not place one.
            return;
        }
        var params = Map.<String, Object>of("requestId", id, "reason", reason);
        transport.sendMessage(new McpSchema.JSONRPCNotification(McpSchema.JSONRPC_VERSION,
                "notifications/cancelled", params))
                .onErrorResume(e -> {
                    log.debug("MCP server '{}': could not send notifications/cancelled", server, e);
                    return Mono.empty();
                })
                .subscribe();
    }

    /**
     * Describes this connection to the telemetry of a call made on it, with the OpenTelemetry MCP conventions'
     * client attributes: {@code network.transport} ({@code pipe} for a subprocess, {@code tcp} for HTTP), the
     * server's address and port and {@code network.protocol.name} for HTTP, the session id the server gave, the
     * protocol version the session negotiated, and the JSON-RPC id of the {@code tools/call} sent with progress
     * token {@code token} if it was sent. Never fails.
     */
    public void describe(ToolTrace trace, String token) {
        if (endpoint == null) {
            trace.attribute("network.transport", "pipe");
        } else {
            trace.attribute("network.transport", "tcp");
            trace.attribute("network.protocol.name", "http");
            String host = endpoint.getHost();
            if (host != null) {
                trace.attribute("server.address", host);
                int port = endpoint.getPort() >= 0
                        ? endpoint.getPort()
                        : "https".equalsIgnoreCase(endpoint.getScheme()) ? 443 : 80;
                trace.attribute("server.port", port);
            }
            if (transport instanceof HttpTransport http && http.sessionId() != null) {
                trace.attribute("mcp.session.id", Objects.requireNonNull(http.sessionId()));
            }
        }
        String version = requester.protocolVersion();
        if (version != null) {
            trace.attribute("mcp.protocol.version", version);
        }
        Object id = requestIds.peek(token);
        if (id != null) {
            trace.attribute("jsonrpc.request.id", String.valueOf(id));
        }
    }

    /** The JSON-RPC id of the request sent with progress token {@code token}, or null when none was. */
    @Nullable
    Object requestId(String token) {
        return requestIds.peek(token);
    }

    /**
     * Whether the server's elicitations come stamped with the call they belong to ({@link ElicitationPauses}): over
     * HTTP, where a 2025-revision server sends a call's requests on the call's own response stream.
     */
    boolean tiesElicitations() {
        return transport instanceof HttpTransport && !(requester instanceof ModernRequester);
    }

    /**
     * Sends a request the SDK's client cannot make or read (a task-augmented {@code tools/call}, {@code tasks/*}):
     * its result as maps and lists, or an {@link io.modelcontextprotocol.spec.McpError} for a JSON-RPC error.
     */
    public Mono<Object> request(String method, Map<String, Object> params) {
        return gate.request(method, params);
    }

    /** The scheduler of this connection's own waits (retries, task polls, call timeouts). */
    Scheduler timers() {
        return timers;
    }

    /**
     * The {@code execution.taskSupport} the server's latest listing gave tool {@code name}, or "forbidden"; always
     * "forbidden" on a 2026-07-28 connection, where tasks are an extension the server starts on its own, not the
     * 2025-11-25 task-augmented call (which such a server would refuse for lacking the revision's envelope).
     */
    public String taskSupport(String name) {
        return requester == modern ? "forbidden" : gate.taskSupport(name);
    }

    /** Forgets the request sent with {@code token} (it was answered). */
    public void forget(String token) {
        requestIds.take(token);
    }

    /**
     * Prepares a session; nothing starts before {@link #initialize()}. {@code notices} handles the server's
     * list changes and resource updates, {@code progress} the server's progress
     * notifications; {@code roots} are declared to the server as the client's roots (none: the
     * capability is not declared); {@code requests} answer the server's sampling and elicitation requests.
     */
    public static McpConnection open(String server, McpTransportSpec spec, Duration callTimeout,
            Duration connectTimeout, McpNotices notices, Function<McpSchema.ProgressNotification, Mono<Void>> progress,
            List<McpSchema.Root> roots, ServerRequests requests, int maxMessageBytes, Scheduler timers) {
        return switch (spec) {
            case McpTransportSpec.Stdio s -> {
                var command = new ArrayList<String>();
                command.add(s.command());
                command.addAll(s.args());
                var transport = new ProcessTransport(server, command, s.env(), s.workingDirectory(), McpJson.mapper(),
                        maxMessageBytes);
                yield new McpConnection(server, "stdio: " + String.join(" ", command), transport, transport,
                        callTimeout, connectTimeout, notices, progress, roots, requests, timers);
            }
            case McpTransportSpec.Http h -> {
                var transport = new HttpTransport(server, h.url(), h.headers(), connectTimeout, McpJson.mapper(),
                        maxMessageBytes, h.oauth(), timers);
                yield new McpConnection(server, "http: " + h.url(), transport, null, callTimeout, connectTimeout,
                        notices, progress, roots, requests, timers);
            }
        };
    }

    /** The requests to the server, in the protocol revision this connection negotiated. */
    public McpRequester client() {
        return requester;
    }

    /** The protocol revision this connection negotiated, or null before {@link #initialize()} did. */
    public @Nullable String protocolVersion() {
        return requester.protocolVersion();
    }

    /** How the server is reached, for messages. */
    public String description() {
        return description;
    }

    /** Emits if the server dies or breaks the protocol; completes empty on close; never for HTTP. */
    public Mono<McpTransportException> failure() {
        return process == null ? Mono.never() : process.failure();
    }

    /** The subprocess, for a stdio server that was started. */
    public @Nullable Process processHandle() {
        return process == null ? null : process.process();
    }

    /** What the server wrote to stderr last, for error messages ("" when nothing or not stdio). */
    public String stderrSummary() {
        return process == null ? "" : process.stderrSummary();
    }

    /** What the server's {@code initialize} result said: its tools and its instructions ("" for none). */
    public record Initialized(List<McpSchema.Tool> tools, String instructions) {}

    /**
     * Negotiates the protocol revision and lists the server's tools; fails fast if the server dies meanwhile.
     * {@code server/discover} comes first: a server that offers 2026-07-28 gets our own client for it, with no
     * handshake; any other gets the SDK's {@code initialize} on the same connection.
     */
    public Mono<Initialized> initialize() {
        Duration probe = connectTimeout.dividedBy(3);
        Mono<Initialized> work = modern.discover(probe, process != null).flatMap(verdict -> switch (verdict) {
            case ModernRequester.Modern m -> {
                log.debug("MCP server '{}' speaks {}", server, ModernRequester.VERSION);
                requester = modern;
                yield (m.capabilities().tools() == null
                        ? Mono.just(List.<McpSchema.Tool>of())
                        : McpPages.allTools(modern, server))
                        .flatMap(tools -> startListening(m.capabilities(), probe).thenReturn(tools))
                        .map(tools -> new Initialized(tools, m.instructions()));
            }
            case ModernRequester.Legacy l -> {
                log.debug("MCP server '{}' does not speak {} ({}); initializing", server, ModernRequester.VERSION,
                        l.why());
                // Off the thread that brought the verdict: the SDK's session setup blocks (a SecureRandom id).
                yield Mono.defer(this::legacyInitialize).subscribeOn(AgentSchedulers.blocking());
            }
        });
        Mono<Initialized> died = failure().flatMap(e -> Mono.<Initialized>error(e)).switchIfEmpty(Mono.never());
        return Mono.firstWithSignal(work, died);
    }

    /**
     * Opens the 2026-07-28 connection's {@code subscriptions/listen} (list changes, updates of the resources
     * subscribed to) and waits at most {@code wait} for the server to acknowledge it; a server that refuses it
     * is still connected to, without them.
     */
    private Mono<Void> startListening(McpSchema.ServerCapabilities declared, Duration wait) {
        var opened = new ModernListen(server, modern, declared, process != null, notices::subscriptions, timers);
        listen = opened;
        if (closing.get() != null) {
            opened.close();
        }
        return opened.listen()
                .timeout(wait)
                .doOnError(e -> log.warn("MCP server '{}': subscriptions/listen was not acknowledged: {}", server,
                        McpErrors.why(e)))
                .onErrorResume(e -> Mono.empty())
                .then();
    }

    /**
     * Opens the listen of this 2026-07-28 connection anew with the resources subscribed to now (see
     * {@link McpNotices#subscriptions()}); emits what the server acknowledged it will send.
     */
    Mono<Map<?, ?>> listenAgain() {
        ModernListen l = listen;
        return l == null
                ? Mono.error(new IllegalStateException("MCP server '" + server + "' has no listen open"))
                : l.listen();
    }

    /** Whether this connection's server speaks 2026-07-28 and declares {@code resources.subscribe}. */
    boolean listensForResources() {
        ModernListen l = listen;
        return l != null && l.offersSubscriptions();
    }

    private Mono<Initialized> legacyInitialize() {
        return client.initialize()
                // A server without the tools capability (resources or prompts only) is not asked for
                // tools: the SDK refuses to ask it.
                .flatMap(init -> (init.capabilities() == null || init.capabilities().tools() == null
                        ? Mono.just(List.<McpSchema.Tool>of())
                        : McpPages.allTools(requester, server))
                        .map(tools -> new Initialized(tools, init.instructions() == null ? "" : init.instructions())));
    }

    /**
     * Closes the session and releases everything; the returned Mono completes when the subprocess
     * (if any) has exited. Idempotent: later calls share the first close.
     */
    public Mono<Void> close() {
        Mono<Void> existing = closing.get();
        if (existing != null) {
            return existing;
        }
        Mono<Void> close = Mono.defer(() -> requester.closeGracefully())
                .timeout(CLOSE_GRACE)
                .onErrorResume(e -> {
                    log.debug("MCP server '{}': the graceful close failed", server, e);
                    return Mono.empty();
                })
                // The client's close already closed the transport; this makes sure of it, killing a
                // process that outlived the grace period or shutting the HTTP client down. Both are idempotent.
                .then(Mono.defer(transport::closeGracefully).onErrorResume(e -> Mono.empty()))
                .subscribeOn(AgentSchedulers.blocking())
                .cache();
        if (!closing.compareAndSet(null, close)) {
            Mono<Void> other = closing.get();
            return other != null ? other : Mono.empty();
        }
        ended.tryEmitEmpty();
        ModernListen l = listen;
        if (l != null) {
            l.close();
        }
        return close;
    }

    private static String version() {
        String v = McpConnection.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
