package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.internal.http.SharedHttpClient;
import dev.agentrt.tools.mcp.McpOAuth;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpTransportException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The client side of MCP's streamable HTTP transport, in place of the SDK's {@code
 * HttpClientStreamableHttpTransport}, which forgets a request once the server's response stream has
 * started: when the stream then broke or ended without the answer (the server died mid-call), the
 * call waited for its timeout. Here every request is followed to its answer:
 * <ul>
 * <li>each message is POSTed; the answer comes as JSON or on an SSE stream, with whatever
 * notifications and requests the server sends first;
 * <li>a stream that ends or breaks before the answer is resumed with {@code Last-Event-ID} (a GET)
 * when the server gave its events ids, as the spec provides, and followed again as long as it brings
 * new events; otherwise, or when resuming fails, the request fails at once with an error naming the
 * server and what happened (connection refused or reset, stream ended, HTTP status);
 * <li>the session id from the initialize answer and the negotiated protocol version go with every
 * later request; when the server answers 404 for the session (it restarted, say), a new session is
 * started, as the spec requires, by sending the client's initialize again, and the request that met
 * the 404 (which the server never processed) is sent once more in it;
 * <li>a message (an SSE event's data, a JSON answer) over the message limit ({@code maxMessageBytes}, 16 MiB by
 * default) is never held: an event's data past the limit is only scanned for the message's {@code id}, as a line
 * over the limit is over stdio. Once it shows to be the answer the stream's request awaits, the stream is closed
 * and the request fails saying so (the session stays usable); a notification over the limit is skipped with a
 * warning and the stream read on; a request of the server's over the limit is answered with an error, and an
 * answer to another of our requests fails that request. A JSON answer over the limit is refused unread. Only an
 * event's data is ever buffered, up to that limit, and a line's other fields and comments at most {@value
 * #MAX_FIELD_BYTES} bytes each;
 * <li>a stream is read only as fast as its messages are handed to the session: with {@value #MAX_PENDING_EVENTS}
 * of its messages waiting, the stream is not read further until they are handed on, so a server that floods
 * notifications is slowed down instead of filling the client's memory;
 * <li>a stream resumed again and again waits the server's {@code retry} time, at least {@value #MIN_RETRY_MILLIS}
 * ms, doubled per resumption up to 30 seconds (the first resumption of a broken stream is made at once);
 * <li>closing cancels what is in flight, sends the session's DELETE (at most two seconds) and shuts the HTTP
 * client and its threads down.
 * </ul>
 * Once the session is initialized (the client's notifications/initialized was accepted), the stream
 * for what the server sends outside of a request is opened with a GET, as the spec provides:
 * list_changed and resource update notifications, and requests such as roots/list, sampling or ping,
 * which go to the session like those on a POST's stream (a request's answer is POSTed). Initialization
 * completes once the server answered that GET, so nothing the server sends after connect is missed.
 * A server that answers 405 (or with anything but an event stream) offers no such stream, and it is
 * not asked again. A stream that ends or breaks is opened again, with {@code Last-Event-ID} when its
 * events had ids, after the server's {@code retry} time (else one second, and never less than {@value
 * #MIN_RETRY_MILLIS} ms) doubled per reconnect up to 30 seconds; the doubling starts over only after a stream
 * that stayed open {@value #STEADY_MILLIS} ms, so a server that ends each stream after a message or two cannot
 * make the client reconnect more often than that. After {@value #MAX_LISTEN_ATTEMPTS} reconnects in a row that
 * bring no message it is given up, with a warning. A 404 means the session is gone: a new one is started as for
 * a request, then the stream opened in it. An event over the message limit ends the stream for good, with a warning.
 *
 * <p>Non-blocking: all I/O runs on the JDK HTTP client's own threads; messages are handed to the
 * session there, in the order the server sent them.
 */
public final class HttpTransport implements McpClientTransport {
    private static final Logger log = LoggerFactory.getLogger(HttpTransport.class);
    private static final TypeRef<Object> ANY = new TypeRef<>() {};
    private static final String SESSION_HEADER = "Mcp-Session-Id";
    private static final String VERSION_HEADER = "MCP-Protocol-Version";
    private static final Duration DELETE_WAIT = Duration.ofSeconds(2);
    private static final long DEFAULT_RETRY_MILLIS = 1000;
    private static final long MAX_RETRY_MILLIS = 30_000;
    /** The least wait before a stream is opened again, whatever {@code retry} the server sets. */
    static final long MIN_RETRY_MILLIS = 100;
    /** How long a stream must have stayed open for the reconnect backoff to start over. */
    static final long STEADY_MILLIS = 10_000;
    /** The most bytes kept of an SSE field other than {@code data} (an id, an event type, a retry time). */
    static final int MAX_FIELD_BYTES = 1024;
    /** The most messages of one stream read but not yet handed to the session; then reading waits. */
    static final int MAX_PENDING_EVENTS = 256;
    /** An event buffer larger than this is not kept for the next event. */
    private static final int KEPT_CAPACITY = 64 * 1024;
    private static final int ERROR_EXCERPT_BYTES = 2048;
    /** Attempts in a row to open the GET stream that bring no message before it is given up. */
    static final int MAX_LISTEN_ATTEMPTS = 5;

    private final String server;
    private final URI endpoint;
    private final Map<String, String> headers;
    private final McpJsonMapper json;
    private final HttpClient client;
    private final Scheduler.Worker delivery;
    /** The reconnect and resume waits, and the clock that says how long a stream stayed open. */
    private final Scheduler timers;
    private final int maxMessageBytes;
    private final @Nullable OAuthFlow oauth;
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean listening = new AtomicBoolean();
    private final Duration connectTimeout;
    private volatile @Nullable Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler;
    private volatile @Nullable String sessionId;
    private volatile @Nullable String protocolVersion;
    private volatile McpSchema.@Nullable JSONRPCRequest initializeRequest;
    private @Nullable Mono<Void> renewal; // guarded by this

    /** The endpoint requests go to. */
    public URI endpoint() {
        return endpoint;
    }

    /** The session the server gave ({@code Mcp-Session-Id}), or null before it gave one or for a stateless one. */
    public @Nullable String sessionId() {
        return sessionId;
    }

    public HttpTransport(String server, URI endpoint, Map<String, String> headers, Duration connectTimeout,
            McpJsonMapper json) {
        this(server, endpoint, headers, connectTimeout, json, LineReader.DEFAULT_MAX_BYTES, null,
                Schedulers.parallel());
    }

    /** With {@code oauth}, requests carry its access token, and a {@code 401} authorizes (see {@link McpOAuth}). */
    public HttpTransport(String server, URI endpoint, Map<String, String> headers, Duration connectTimeout,
            McpJsonMapper json, @Nullable McpOAuth oauth) {
        this(server, endpoint, headers, connectTimeout, json, LineReader.DEFAULT_MAX_BYTES, oauth,
                Schedulers.parallel());
    }

    /**
     * With {@code maxMessageBytes}, the largest message (SSE event data or JSON answer) taken from the server, and
     * {@code timers}, the scheduler of the reconnect and resume waits and the clock that times a stream.
     */
    public HttpTransport(String server, URI endpoint, Map<String, String> headers, Duration connectTimeout,
            McpJsonMapper json, int maxMessageBytes, @Nullable McpOAuth oauth, Scheduler timers) {
        this.server = server;
        this.endpoint = endpoint;
        this.headers = Map.copyOf(headers);
        this.json = json;
        if (maxMessageBytes <= 0) {
            throw new IllegalArgumentException("maxMessageBytes must be positive, was " + maxMessageBytes);
        }
        this.maxMessageBytes = maxMessageBytes;
        this.connectTimeout = connectTimeout;
        this.timers = timers;
        this.delivery = Schedulers.parallel().createWorker();
        // On the runtime's bounded HTTP threads: a client of its own would grow a platform thread per
        // busy stream. Messages leave those threads in deliver().
        this.client = HttpClient.newBuilder()
                .executor(SharedHttpClient.executor())
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        // The authorization's requests go over the same client: same threads, no redirects followed.
        this.oauth = oauth == null ? null : new OAuthFlow(server, endpoint, oauth, json, connectTimeout);
    }

    @Override
    public Mono<Void> connect(Function<Mono<JSONRPCMessage>, Mono<JSONRPCMessage>> handler) {
        this.handler = handler;
        return Mono.empty();
    }

    /**
     * Posts the message. For a request, completes once its answer has been handed to the session and
     * fails (which fails the request) if it cannot come any more; for anything else, completes once
     * the server has accepted it.
     */
    @Override
    public Mono<Void> sendMessage(JSONRPCMessage message) {
        Mono<Void> sent = postToSession(message);
        if (message instanceof McpSchema.JSONRPCNotification n
                && McpSchema.METHOD_NOTIFICATION_INITIALIZED.equals(n.method())) {
            return sent.then(Mono.defer(this::listen));
        }
        return sent;
    }

    /**
     * Opens the GET stream for messages the server sends outside of a request (once per transport);
     * completes once the server answered it (or could not be reached), so that what it sends after
     * initialization reaches the session.
     */
    private Mono<Void> listen() {
        String version = protocolVersion;
        if (closed.get() || (version != null && version.compareTo(ModernRevision.VERSION) >= 0)
                || !listening.compareAndSet(false, true)) {
            return Mono.empty();
        }
        return Mono.create(sink -> new Exchange(sink).listenNow());
    }

    private Mono<Void> postToSession(JSONRPCMessage message) {
        return Mono.create(sink -> {
            if (closed.get()) {
                sink.error(closedError());
                return;
            }
            String body;
            try {
                body = json.writeValueAsString(message);
            } catch (IOException e) {
                sink.error(new McpTransportException("could not encode an MCP message", e));
                return;
            }
            if (message instanceof McpSchema.JSONRPCRequest r && McpSchema.METHOD_INITIALIZE.equals(r.method())) {
                initializeRequest = r;
            }
            var exchange = new Exchange(message, body, sink, null);
            if (!exchange.modernHeaders.isEmpty()) {
                // 2026-07-28 over HTTP: closing a request's stream is how a client cancels it.
                sink.onCancel(exchange::abort);
            }
            exchange.post();
        });
    }

    /**
     * Starts a new session in place of {@code expired}: the client's initialize again, then
     * notifications/initialized. Exchanges that meet the same 404 share one renewal.
     */
    private synchronized Mono<Void> renewSession(String expired) {
        String current = sessionId;
        if (current != null && !current.equals(expired)) {
            return Mono.empty();
        }
        Mono<Void> running = renewal;
        if (running != null) {
            return running;
        }
        McpSchema.JSONRPCRequest initialize = initializeRequest;
        if (initialize == null) {
            return Mono.error(new IOException("no initialize to repeat"));
        }
        sessionId = null;
        var initialized = new McpSchema.JSONRPCNotification("2.0", McpSchema.METHOD_NOTIFICATION_INITIALIZED, null);
        Mono<Void> renew = post(initialize).then(post(initialized)).doFinally(s -> {
            synchronized (this) {
                renewal = null;
            }
        }).cache();
        renewal = renew;
        return renew;
    }

    /** Sends a message of our own: what the server answers is not handed to the session. */
    private Mono<Void> post(JSONRPCMessage message) {
        return Mono.create(sink -> {
            try {
                new Exchange(message, json.writeValueAsString(message), sink, m -> {}).post();
            } catch (IOException e) {
                sink.error(e);
            }
        });
    }

    @Override
    public Mono<Void> closeGracefully() {
        return Mono.defer(() -> {
            if (!closed.compareAndSet(false, true)) {
                return Mono.<Void>empty();
            }
            for (CompletableFuture<?> f : List.copyOf(inFlight)) {
                f.cancel(true);
            }
            String session = sessionId;
            Mono<Void> delete = session == null
                    ? Mono.empty()
                    : Mono.fromFuture(() -> client.sendAsync(request(null).DELETE().build(),
                            HttpResponse.BodyHandlers.discarding()))
                            .timeout(DELETE_WAIT)
                            .doOnError(e -> log.debug("MCP server '{}': ending the session failed", server, e))
                            .onErrorComplete()
                            .then();
            return delete.doFinally(s -> {
                client.shutdownNow();
                delivery.dispose();
            });
        });
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
        return json.convertValue(data, typeRef);
    }

    @Override
    public String toString() {
        return "HttpTransport[" + server + ", " + endpoint + "]";
    }

    /** The HTTP status a server answered a message with, if that is why {@code error} happened; else 0. */
    static int httpStatus(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ExchangeFailure f) {
                return f.status;
            }
        }
        return 0;
    }

    private McpTransportException closedError() {
        return new McpTransportException("the connection to MCP server '" + server + "' is closed");
    }

    /** A request to the endpoint with the configured headers, the session id and the protocol version. */
    private HttpRequest.Builder request(@Nullable String accept) {
        var b = HttpRequest.newBuilder(endpoint);
        headers.forEach(b::header);
        OAuthFlow flow = oauth;
        String token = flow == null ? null : flow.accessToken();
        if (token != null) {
            b.setHeader("Authorization", "Bearer " + token);
        }
        if (accept != null) {
            b.header("Accept", accept);
        }
        String session = sessionId;
        if (session != null) {
            b.header(SESSION_HEADER, session);
        }
        String version = protocolVersion;
        if (version != null) {
            b.header(VERSION_HEADER, version);
        }
        return b;
    }

    /** Hands the message to the session; {@code handed} runs once it was (or was dropped). */
    private void deliver(JSONRPCMessage message, Runnable handed) {
        var h = handler;
        if (h == null) {
            log.warn("MCP server '{}': a message arrived before the session connected; dropped", server);
            handed.run();
            return;
        }
        // In order, on one worker of the parallel scheduler: what the session does with a message (completing
        // a call, and what the caller chains on it) never runs on the few shared HTTP threads.
        try {
            delivery.schedule(() -> {
                try {
                    h.apply(Mono.just(message))
                            .subscribe(null, e -> log.debug("MCP server '{}': handling a message failed", server, e));
                } finally {
                    handed.run();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
            log.debug("MCP server '{}': a message arrived after the transport closed; dropped", server);
            handed.run();
        }
    }

    /** What went wrong with a connection, in a few words. */
    private static String describe(Throwable error) {
        Throwable e = error;
        while (true) {
            if (e instanceof HttpConnectTimeoutException) {
                return "connecting timed out";
            }
            if (e instanceof ConnectException) {
                return "connection refused";
            }
            Throwable cause = e.getCause();
            if (cause == null || cause == e) {
                return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            }
            e = cause;
        }
    }

    /** A message of the server's: one JSON-RPC object as the SDK's type. */
    private JSONRPCMessage toMessage(Object item) throws IOException {
        if (!(item instanceof Map<?, ?> map)) {
            throw new IOException("not a JSON object");
        }
        if (map.containsKey("method")) {
            return map.containsKey("id")
                    ? json.convertValue(map, McpSchema.JSONRPCRequest.class)
                    : json.convertValue(map, McpSchema.JSONRPCNotification.class);
        }
        if (map.containsKey("result") || map.containsKey("error")) {
            return json.convertValue(map, McpSchema.JSONRPCResponse.class);
        }
        throw new IOException("neither a request, a notification nor a response");
    }

    private static boolean sameId(@Nullable Object a, @Nullable Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.longValue() == y.longValue();
        }
        return a != null && b != null && a.toString().equals(b.toString());
    }

    /** A message that could not be delivered or answered; {@code why} is the message without the server's name. */
    private static final class ExchangeFailure extends McpTransportException {
        private static final long serialVersionUID = 1L;
        final String why;

        final int status;

        ExchangeFailure(String message, String why, int status) {
            super(message);
            this.why = why;
            this.status = status;
        }
    }

    /** Failed on purpose (a message too large, a broken answer): the exchange is over, with this reason. */
    private static final class Abort extends IOException {
        private static final long serialVersionUID = 1L;

        Abort(String message) {
            super(message);
        }
    }

    /**
     * One message on its way: the POST, and for a request, the streams that may bring its answer
     * (the POST's own, then resumptions).
     */
    private final class Exchange {
        private final String body;
        private final MonoSink<Void> sink;
        private final @Nullable Consumer<JSONRPCMessage> internal;
        private final @Nullable Object awaited;
        private final String what;
        private final boolean initialize;
        private final Map<String, String> modernHeaders;
        private final boolean listen;
        private volatile int listenFailures;
        /** Reconnects (or resumptions) since the last stream that stayed open {@value #STEADY_MILLIS} ms. */
        private volatile int backoff;
        private volatile @Nullable String listenSession;
        private volatile boolean renewed;
        private volatile boolean aborted;
        private volatile @Nullable CompletableFuture<?> current;
        private volatile boolean authorized;
        private volatile boolean answered;
        private volatile @Nullable String lastEventId;
        private volatile long retryMillis = -1;
        private volatile @Nullable String firstBreak;

        /** @param internal where the server's messages go instead of the session, for messages of our own */
        Exchange(JSONRPCMessage message, String body, MonoSink<Void> sink,
                @Nullable Consumer<JSONRPCMessage> internal) {
            this.body = body;
            this.sink = sink;
            this.internal = internal;
            this.modernHeaders = ModernHeaders.of(message);
            if (message instanceof McpSchema.JSONRPCRequest r) {
                this.awaited = r.id();
                this.what = r.method();
                this.initialize = McpSchema.METHOD_INITIALIZE.equals(r.method());
            } else {
                this.awaited = null;
                this.what = message instanceof McpSchema.JSONRPCNotification n ? n.method() : "a response";
                this.initialize = false;
            }
            this.listen = false;
        }

        /** The GET stream for messages outside of requests; {@code opened} completes once the server answered it. */
        Exchange(MonoSink<Void> opened) {
            this.body = "";
            this.sink = opened;
            this.internal = null;
            this.modernHeaders = Map.of();
            this.awaited = null;
            this.what = "the GET stream";
            this.initialize = false;
            this.listen = true;
        }

        /** Opens the GET stream, resuming after the last event id when it is still the same session. */
        void listenNow() {
            if (closed.get()) {
                sink.success();
                return;
            }
            String session = sessionId;
            var b = request("text/event-stream").timeout(connectTimeout);
            String id = lastEventId;
            boolean resuming = id != null && Objects.equals(session, listenSession);
            if (resuming) {
                b.header("Last-Event-ID", id);
            } else {
                lastEventId = null;
            }
            listenSession = session;
            send(b.GET().build(), resuming);
        }

        private void listenEnded(Stream stream, HttpRequest request, @Nullable HttpResponse<Void> response,
                @Nullable Throwable error) {
            sink.success();
            if (closed.get()) {
                return;
            }
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause()
                        : error;
                if (cause instanceof Abort abort) {
                    stopListening(abort.getMessage());
                } else {
                    listenAgain(stream, (stream.started ? "the GET stream broke (" : "opening the GET stream failed (")
                            + describe(cause) + ")");
                }
                return;
            }
            int status = Objects.requireNonNull(response).statusCode();
            if (status >= 200 && status < 300) {
                if (stream.eventStream) {
                    listenAgain(stream, "ended the GET stream");
                } else {
                    log.info("MCP server '{}' answered the GET for messages outside requests with HTTP {} but no event "
                            + "stream; not listening", server, status);
                }
                return;
            }
            if (status == 405) {
                log.debug("MCP server '{}' offers no stream for messages outside requests (HTTP 405)", server);
                return;
            }
            String expired = request.headers().firstValue(SESSION_HEADER).orElse(null);
            if (status == 404 && expired != null) {
                if (++listenFailures > MAX_LISTEN_ATTEMPTS) {
                    stopListening("no longer knows the session (HTTP 404) and gave up after " + MAX_LISTEN_ATTEMPTS
                            + " new sessions in a row that brought no message");
                    return;
                }
                log.info("MCP server '{}' no longer knows session {} (HTTP 404 to the GET stream); starting a new one",
                        server, expired);
                renewSession(expired).subscribe(null,
                        e -> stopListening("no longer knows the session (HTTP 404), and starting a new one failed: "
                                + (e instanceof ExchangeFailure f ? f.why : describe(e))),
                        this::listenNow);
            } else if (status >= 500) {
                listenAgain(stream, "answered the GET stream with HTTP " + status + stream.excerpt());
            } else {
                stopListening("answered the GET for messages outside requests with HTTP " + status + stream.excerpt());
            }
        }

        /** Opens the GET stream again after a backoff, or gives up after too many attempts that brought nothing. */
        private void listenAgain(Stream stream, String why) {
            if (stream.brought || stream.progressed) {
                listenFailures = 0;
            }
            int failures = ++listenFailures;
            if (failures > MAX_LISTEN_ATTEMPTS) {
                stopListening(why + "; gave up after " + MAX_LISTEN_ATTEMPTS
                        + " reconnects in a row that brought no message");
                return;
            }
            long delay = backoffMillis(stream);
            log.debug("MCP server '{}' {}; opening it again in {} ms", server, why, delay);
            later(delay, this::listenNow);
        }

        /**
         * The wait before the next stream: the server's {@code retry} (else the default), at least the floor,
         * doubled per stream since the last one that stayed open {@value #STEADY_MILLIS} ms.
         */
        private long backoffMillis(Stream ended) {
            if (timers.now(TimeUnit.MILLISECONDS) - ended.openedAt >= STEADY_MILLIS) {
                backoff = 0;
            }
            int step = backoff;
            backoff = step + 1;
            long base = Math.clamp(retryMillis >= 0 ? retryMillis : DEFAULT_RETRY_MILLIS, MIN_RETRY_MILLIS,
                    MAX_RETRY_MILLIS);
            return Math.min(base << Math.min(step, 16), MAX_RETRY_MILLIS);
        }

        private void stopListening(@Nullable String why) {
            log.warn("MCP server '{}' ({}) {}; messages it sends outside requests are no longer received", server,
                    endpoint, why);
        }

        /** The caller no longer waits: the request's stream is closed, and nothing more is done for it. */
        void abort() {
            aborted = true;
            CompletableFuture<?> f = current;
            if (f != null) {
                f.cancel(true);
            }
        }

        void post() {
            OAuthFlow flow = oauth;
            if (flow == null) {
                postNow();
                return;
            }
            flow.ready().subscribe(null, this::authorizationFailed, this::postNow);
        }

        private void postNow() {
            var b = request("application/json, text/event-stream").header("Content-Type", "application/json");
            modernHeaders.forEach(b::setHeader);
            send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build(), false);
        }

        private void authorizationFailed(Throwable e) {
            fail("needs authorization, which failed: " + (e instanceof OAuthFlow.Failure
                    ? e.getMessage()
                    : describe(e)));
        }

        private void resume() {
            String id = lastEventId;
            if (closed.get() || id == null) {
                fail(String.valueOf(firstBreak));
                return;
            }
            log.debug("MCP server '{}': resuming the stream of {} after event {}", server, what, id);
            send(request("text/event-stream").header("Last-Event-ID", id).GET().build(), true);
        }

        private void resumeLater(long millis) {
            later(millis, this::resume);
        }

        /** Runs {@code action} after {@code millis} (on the timers' clock), or at once when the transport closes. */
        private void later(long millis, Runnable action) {
            var delay = new CompletableFuture<@Nullable Void>();
            inFlight.add(delay);
            var timer = new java.util.concurrent.atomic.AtomicReference<reactor.core.@Nullable Disposable>();
            delay.whenComplete((v, e) -> {
                inFlight.remove(delay);
                reactor.core.Disposable t = timer.getAndSet(null);
                if (t != null) {
                    t.dispose();
                }
                action.run();
            });
            if (closed.get()) {
                delay.cancel(true);
                return;
            }
            try {
                timer.set(timers.schedule(() -> delay.complete(null), millis, TimeUnit.MILLISECONDS));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                delay.cancel(true);
            }
            if (delay.isDone()) {
                reactor.core.Disposable t = timer.getAndSet(null);
                if (t != null) {
                    t.dispose();
                }
            }
        }

        private void send(HttpRequest request, boolean resumed) {
            var stream = new Stream(resumed);
            CompletableFuture<HttpResponse<Void>> f;
            try {
                f = client.sendAsync(request, stream::subscriber);
            } catch (RuntimeException e) {
                fail("did not get " + what + ": " + describe(e));
                return;
            }
            inFlight.add(f);
            current = f;
            if (closed.get() || aborted) {
                f.cancel(true);
            }
            f.whenComplete((response, error) -> {
                inFlight.remove(f);
                if (!aborted) {
                    ended(stream, request, response, error);
                }
            });
        }

        private void ended(Stream stream, HttpRequest request, @Nullable HttpResponse<Void> response,
                @Nullable Throwable error) {
            if (listen) {
                listenEnded(stream, request, response, error);
                return;
            }
            if (closed.get()) {
                sink.error(closedError());
                return;
            }
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause()
                        : error;
                if (cause instanceof Abort abort) {
                    fail(abort.getMessage());
                } else if (awaited == null) {
                    fail("did not take " + what + ": the request failed (" + describe(cause) + ")");
                } else if (answered) {
                    sink.success();
                } else {
                    broke(stream, stream.started
                            ? "the response stream broke (" + describe(cause) + ")"
                            : "the request failed (" + describe(cause) + ")", 0);
                }
                return;
            }
            int status = Objects.requireNonNull(response).statusCode();
            if (status >= 200 && status < 300) {
                if (awaited == null || answered) {
                    sink.success();
                } else if (stream.eventStream) {
                    broke(stream, "it ended the response stream", retryMillis < 0
                            ? DEFAULT_RETRY_MILLIS
                            : Math.min(retryMillis, MAX_RETRY_MILLIS));
                } else if (stream.isJson) {
                    fail("answered " + what + " with JSON that holds no answer to it" + stream.excerpt());
                } else {
                    fail("accepted " + what + " (HTTP " + status + ") but sent no answer", status);
                }
                return;
            }
            OAuthFlow flow = oauth;
            String challenge = stream.challenge;
            boolean stepUp = status == 403 && OAuthFlow.asksForScope(challenge);
            if ((status == 401 || stepUp) && flow != null && !stream.resumed) {
                if (authorized) {
                    fail("refused the access token it was just given (HTTP " + status + ")" + stream.excerpt());
                    return;
                }
                authorized = true;
                String used = request.headers()
                        .firstValue("Authorization")
                        .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                        .map(h -> h.substring(7))
                        .orElse(null);
                (stepUp
                        ? flow.insufficientScope(used, Objects.requireNonNull(challenge))
                        : flow.unauthorized(used, challenge))
                        .subscribe(null, this::authorizationFailed, this::post);
                return;
            }
            String expired = request.headers().firstValue(SESSION_HEADER).orElse(null);
            if (status == 404 && expired != null) {
                if (initialize || renewed || internal != null) {
                    fail("no longer knows the session (HTTP 404)" + stream.excerpt());
                    return;
                }
                renewed = true;
                log.info("MCP server '{}' no longer knows session {} (HTTP 404); starting a new one", server, expired);
                renewSession(expired).subscribe(null,
                        e -> fail("no longer knows the session (HTTP 404), and starting a new one failed: "
                                + (e instanceof ExchangeFailure f ? f.why : describe(e))),
                        this::post);
            } else if (stream.resumed) {
                fail(firstBreak + "; resuming the stream failed (HTTP " + status + ")" + stream.excerpt());
            } else {
                fail((awaited == null ? "did not take " : "answered ") + what + " with HTTP " + status
                        + stream.excerpt(), status);
            }
        }

        /** The stream ended before the answer: resume it if it can be, or fail. */
        private void broke(Stream stream, String why, long delayMillis) {
            if (!stream.resumed) {
                firstBreak = "did not answer " + what + ": " + why;
            }
            if (lastEventId == null || !stream.progressed) {
                fail(stream.resumed ? firstBreak + "; resuming it brought nothing more: " + why : firstBreak);
            } else if (stream.resumed) {
                // A server that ends every resumed stream after an event sets the pace no more: the backoff does.
                resumeLater(backoffMillis(stream));
            } else if (delayMillis <= 0) {
                resume();
            } else {
                resumeLater(delayMillis);
            }
        }

        private void fail(@Nullable String why) {
            fail(why, 0);
        }

        private void fail(@Nullable String why, int status) {
            if (listen) {
                sink.success();
                if (!closed.get()) {
                    stopListening(why);
                }
                return;
            }
            if (closed.get()) {
                sink.error(closedError());
            } else {
                sink.error(new ExchangeFailure("MCP server '" + server + "' (" + endpoint + ") " + why,
                        String.valueOf(why), status));
            }
        }

        private String streamName() {
            return listen ? "the GET stream" : "the response stream of " + what;
        }

        /** One HTTP response: decides how its body is read, and records what it brought. */
        private final class Stream {
            final boolean resumed;
            final long openedAt = timers.now(TimeUnit.MILLISECONDS);
            volatile boolean started;
            volatile boolean eventStream;
            volatile boolean isJson;
            volatile boolean progressed;
            volatile boolean brought;
            volatile @Nullable String challenge;
            /** The event stream reader, when the body is one. */
            volatile @Nullable Sse sse;
            private volatile byte @Nullable [] body;

            Stream(boolean resumed) {
                this.resumed = resumed;
            }

            HttpResponse.BodySubscriber<Void> subscriber(HttpResponse.ResponseInfo info) {
                started = true;
                if (listen) {
                    sink.success();
                }
                int status = info.statusCode();
                if (initialize && !resumed) {
                    info.headers().firstValue(SESSION_HEADER).ifPresent(id -> sessionId = id);
                }
                String type = info.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
                if (status == 401 || status == 403) {
                    challenge = info.headers().firstValue("WWW-Authenticate").orElse(null);
                }
                if (status < 200 || status >= 300) {
                    return new Collect(ERROR_EXCERPT_BYTES, false, bytes -> body = bytes, -1);
                }
                if (type.contains("text/event-stream")) {
                    eventStream = true;
                    return new Sse(this);
                }
                if (type.contains("application/json")) {
                    isJson = true;
                    long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
                    return new Collect(maxMessageBytes, true, this::jsonBody, declared);
                }
                return HttpResponse.BodySubscribers.replacing(null);
            }

            /** The start of the body, for error messages. */
            String excerpt() {
                byte[] b = body;
                if (b == null || b.length == 0) {
                    return "";
                }
                String text = new String(b, 0, Math.min(b.length, ERROR_EXCERPT_BYTES), StandardCharsets.UTF_8)
                        .strip();
                return text.isEmpty() ? "" : ": " + (text.length() <= 300 ? text : text.substring(0, 300) + "…");
            }

            private void jsonBody(byte[] bytes) throws Abort {
                body = bytes;
                if (bytes.length > 0) {
                    messages(new String(bytes, StandardCharsets.UTF_8));
                }
            }

            /** One SSE event's data or a JSON body: a message or a batch of them. */
            void messages(String data) throws Abort {
                Object parsed;
                try {
                    parsed = json.readValue(data, ANY);
                    if (parsed == null) {
                        throw new IOException("null is no message");
                    }
                } catch (IOException | RuntimeException e) {
                    IdScanner.Scan scan = IdScanner.scan(data);
                    String clipped = data.length() <= 200 ? data : data.substring(0, 200) + "…";
                    log.warn("MCP server '{}' sent data that is not JSON-RPC; skipped: {}", server, clipped);
                    if (awaited != null && !scan.hasMethod() && sameId(scan.id(), awaited)) {
                        throw new Abort("answered " + what + " with a message that is not valid JSON-RPC: " + clipped);
                    }
                    return;
                }
                List<?> items = parsed instanceof List<?> l ? l : List.of(parsed);
                for (Object item : items) {
                    JSONRPCMessage m;
                    try {
                        m = toMessage(item);
                    } catch (IOException | RuntimeException e) {
                        log.warn("MCP server '{}' sent a message that is not JSON-RPC; skipped: {}", server, item);
                        continue;
                    }
                    m = related(m);
                    if (m instanceof McpSchema.JSONRPCResponse r && sameId(r.id(), awaited)) {
                        if (initialize) {
                            negotiated(r);
                        }
                        answered = true;
                    }
                    brought = true;
                    Sse reader = sse;
                    if (internal != null) {
                        internal.accept(m);
                    } else if (reader != null) {
                        reader.pending.incrementAndGet();
                        deliver(m, reader::handed);
                    } else {
                        deliver(m, () -> {});
                    }
                }
            }

            /**
             * An {@code elicitation/create} stamped with the id of the {@code tools/call} whose response stream brought
             * it (ElicitationPauses), any stamp the server wrote removed: how the client ties an elicitation to the call
             * it belongs to. Every other message is returned as it is.
             */
            private JSONRPCMessage related(JSONRPCMessage m) {
                if (!(m instanceof McpSchema.JSONRPCRequest r)
                        || !McpSchema.METHOD_ELICITATION_CREATE.equals(r.method())
                        || !(r.params() instanceof Map<?, ?> params)) {
                    return m;
                }
                boolean stamped = awaited != null && McpSchema.METHOD_TOOLS_CALL.equals(what);
                boolean forged = params.get("_meta") instanceof Map<?, ?> given
                        && given.containsKey(ElicitationPauses.RELATED);
                if (!stamped && !forged) {
                    return m;
                }
                var meta = new java.util.LinkedHashMap<String, Object>();
                if (params.get("_meta") instanceof Map<?, ?> given) {
                    given.forEach((k, v) -> meta.put(String.valueOf(k), v));
                }
                meta.remove(ElicitationPauses.RELATED);
                if (stamped) {
                    meta.put(ElicitationPauses.RELATED, awaited);
                }
                var copy = new java.util.LinkedHashMap<String, Object>();
                params.forEach((k, v) -> copy.put(String.valueOf(k), v));
                copy.put("_meta", meta);
                return new McpSchema.JSONRPCRequest(r.jsonrpc(), r.method(), r.id(), copy);
            }

            /**
             * An event over the message limit, as far as it was scanned: the answer this stream's request awaits ends
             * the exchange at once.
             */
            void oversizedSoFar(IdScanner.Scan scan) throws Abort {
                if (awaited != null && scan.looksLikeResponse() && sameId(scan.id(), awaited)) {
                    throw new Abort(tooLarge());
                }
            }

            /**
             * A whole event over the message limit, scanned: the awaited answer ends the exchange; an answer to
             * another request of ours fails that request; a request of the server's is answered with an error; a
             * notification (or what cannot be told) is skipped.
             */
            void oversized(IdScanner.Scan scan) throws Abort {
                Object id = scan.id();
                if (id != null && !scan.hasMethod()) {
                    if (sameId(id, awaited)) {
                        throw new Abort(tooLarge());
                    }
                    log.warn("MCP server '{}' answered request {} with a message over the limit of {} bytes on {}",
                            server, id, maxMessageBytes, streamName());
                    var error = new McpSchema.JSONRPCResponse.JSONRPCError(McpSchema.ErrorCodes.INTERNAL_ERROR,
                            "MCP server '" + server + "' answered with a message of more than " + maxMessageBytes
                                    + " bytes (the limit); it was discarded",
                            null);
                    deliver(McpSchema.JSONRPCResponse.error(id, error), () -> {});
                    return;
                }
                log.warn("MCP server '{}' sent a message of more than {} bytes (the limit) on {}; skipped", server,
                        maxMessageBytes, streamName());
                if (id != null) {
                    // A request from the server: tell it, so it does not wait for an answer that will never come.
                    sendMessage(McpSchema.JSONRPCResponse.error(id, new McpSchema.JSONRPCResponse.JSONRPCError(
                            McpSchema.ErrorCodes.INVALID_REQUEST, "Invalid request: a message of more than "
                                    + maxMessageBytes + " bytes, over the limit; it was discarded",
                            null)))
                            .subscribe(null, e -> log.debug("MCP server '{}': could not refuse a request", server, e));
                }
            }

            private String tooLarge() {
                return "sent a message of more than " + maxMessageBytes + " bytes (the limit) on " + streamName()
                        + "; it was refused unread";
            }
        }

        private void negotiated(McpSchema.JSONRPCResponse response) {
            if (response.result() instanceof Map<?, ?> result && result.get("protocolVersion") instanceof String v) {
                protocolVersion = v;
            }
        }

        /**
         * Reads a server-sent event stream (WHATWG rules), handing each message event's data on. Parsed byte by
         * byte as it arrives: an event's data is the only thing buffered, up to the message limit; other fields
         * keep at most {@value #MAX_FIELD_BYTES} bytes (a longer id or event type is ignored, a longer retry
         * too), comments and unknown fields nothing. Reads a buffer at a time, and no further while {@value
         * #MAX_PENDING_EVENTS} of its messages wait to be handed to the session.
         */
        private final class Sse implements HttpResponse.BodySubscriber<Void> {
            private static final int NAME = 0;
            private static final int VALUE = 1;
            private static final int SKIP = 2;
            private static final int OTHER = 0;
            private static final int DATA = 1;
            private static final int ID = 2;
            private static final int EVENT = 3;
            private static final int RETRY = 4;
            private static final byte[] EMPTY = new byte[0];

            private final Stream stream;
            private final CompletableFuture<Void> done = new CompletableFuture<>();
            private final java.util.concurrent.atomic.AtomicInteger pending = new java.util.concurrent.atomic.AtomicInteger();
            private final AtomicBoolean paused = new AtomicBoolean();
            private final byte[] name = new byte[16];
            private final byte[] value = new byte[MAX_FIELD_BYTES];
            private int state = NAME;
            private int nameLength;
            private int field;
            private boolean lineStarted;
            private boolean valueStarted;
            private int valueLength;
            private boolean valueTooLong;
            private boolean afterCr;
            private byte[] data = new byte[1024];
            private int dataLength;
            private boolean hasData;
            private @Nullable String eventType;
            private @Nullable String idBuffer;
            /** Scans the event being read once its data passed the message limit; null below it. */
            private @Nullable IdScanner oversized;
            private volatile Flow.@Nullable Subscription subscription;

            Sse(Stream stream) {
                this.stream = stream;
                stream.sse = this;
            }

            @Override
            public CompletionStage<Void> getBody() {
                return done;
            }

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onNext(List<ByteBuffer> buffers) {
                if (done.isDone()) {
                    return;
                }
                try {
                    for (ByteBuffer b : buffers) {
                        while (b.hasRemaining()) {
                            next(b.get());
                        }
                    }
                    IdScanner scanner = oversized;
                    if (scanner != null) {
                        stream.oversizedSoFar(scanner.result());
                    }
                } catch (Abort e) {
                    abort(e);
                    return;
                }
                if (pending.get() < MAX_PENDING_EVENTS) {
                    more();
                } else {
                    paused.set(true);
                    // The session may have taken them all meanwhile: then nobody else would resume reading.
                    if (pending.get() < MAX_PENDING_EVENTS && paused.compareAndSet(true, false)) {
                        more();
                    }
                }
            }

            /** One of this stream's messages was handed to the session: reading goes on if it waited for that. */
            void handed() {
                if (pending.decrementAndGet() < MAX_PENDING_EVENTS && paused.compareAndSet(true, false)) {
                    more();
                }
            }

            private void more() {
                Flow.Subscription s = subscription;
                if (s != null && !done.isDone()) {
                    s.request(1);
                }
            }

            private void abort(Abort e) {
                Flow.Subscription s = subscription;
                if (s != null) {
                    s.cancel();
                }
                release();
                done.completeExceptionally(e);
            }

            private void release() {
                data = EMPTY;
                dataLength = 0;
            }

            private void next(byte c) throws Abort {
                if (c == '\n' && afterCr) {
                    afterCr = false;
                    return;
                }
                afterCr = c == '\r';
                if (c == '\n' || c == '\r') {
                    endOfLine();
                    return;
                }
                lineStarted = true;
                switch (state) {
                    case NAME -> {
                        if (c == ':') {
                            startValue();
                        } else if (nameLength == name.length) {
                            state = SKIP; // no field has so long a name
                        } else {
                            name[nameLength++] = c;
                        }
                    }
                    case VALUE -> {
                        if (!valueStarted) {
                            valueStarted = true;
                            if (c == ' ') {
                                return;
                            }
                        }
                        if (field == DATA) {
                            appendData(c);
                        } else if (valueLength == value.length) {
                            valueTooLong = true;
                        } else {
                            value[valueLength++] = c;
                        }
                    }
                    default -> {
                        // a comment, or a field nobody reads: its bytes pass
                    }
                }
            }

            /** The field's name is complete: its value follows (a comment or an unknown field is skipped). */
            private void startValue() throws Abort {
                field = fieldNamed();
                if (field == OTHER) {
                    state = SKIP;
                    return;
                }
                state = VALUE;
                if (field == DATA) {
                    if (hasData) {
                        appendData((byte) '\n');
                    }
                    hasData = true;
                }
            }

            private int fieldNamed() {
                String n = new String(name, 0, nameLength, StandardCharsets.US_ASCII);
                return switch (n) {
                    case "data" -> DATA;
                    case "id" -> ID;
                    case "event" -> EVENT;
                    case "retry" -> RETRY;
                    default -> OTHER;
                };
            }

            private void appendData(byte c) {
                IdScanner scanner = oversized;
                if (scanner != null) {
                    scanner.feed(c);
                    return;
                }
                if (dataLength == data.length) {
                    if (dataLength >= maxMessageBytes) {
                        // Over the limit: from here on the message is only scanned for its id, never held.
                        scanner = new IdScanner();
                        scanner.feed(data, 0, dataLength);
                        scanner.feed(c);
                        oversized = scanner;
                        release();
                        return;
                    }
                    data = Arrays.copyOf(data, (int) Math.min(maxMessageBytes, Math.max(1024L, 2L * data.length)));
                }
                data[dataLength++] = c;
            }

            private void endOfLine() throws Abort {
                if (!lineStarted) {
                    dispatch();
                    return;
                }
                if (state == NAME) {
                    startValue(); // a field with no colon: its value is empty
                }
                if (state == VALUE && !valueTooLong) {
                    String text = new String(value, 0, valueLength, StandardCharsets.UTF_8);
                    switch (field) {
                        case ID -> {
                            if (text.indexOf('\0') < 0) {
                                idBuffer = text;
                            }
                        }
                        case EVENT -> eventType = text;
                        case RETRY -> {
                            if (!text.isEmpty() && text.chars().allMatch(ch -> ch >= '0' && ch <= '9')
                                    && text.length() < 10) {
                                retryMillis = Long.parseLong(text);
                            }
                        }
                        default -> {
                            // data went to the event's buffer as it came
                        }
                    }
                } else if (state == VALUE && field == EVENT) {
                    eventType = "(too long)"; // not a message event, so not read
                }
                lineStarted = false;
                state = NAME;
                nameLength = 0;
                valueStarted = false;
                valueLength = 0;
                valueTooLong = false;
            }

            private void dispatch() throws Abort {
                String id = idBuffer;
                if (id != null && !id.equals(lastEventId)) {
                    lastEventId = id.isEmpty() ? null : id;
                    stream.progressed = true;
                }
                if (!hasData) {
                    eventType = null;
                    return;
                }
                IdScanner scanner = oversized;
                if (scanner != null) {
                    String type = eventType;
                    oversized = null;
                    hasData = false;
                    eventType = null;
                    if (type == null || type.isEmpty() || type.equals("message")) {
                        stream.oversized(scanner.result());
                    }
                    return;
                }
                String text = new String(data, 0, dataLength, StandardCharsets.UTF_8);
                String type = eventType;
                dataLength = 0;
                if (data.length > KEPT_CAPACITY) {
                    data = new byte[1024];
                }
                hasData = false;
                eventType = null;
                if (type == null || type.isEmpty() || type.equals("message")) {
                    stream.messages(text);
                }
            }

            @Override
            public void onError(Throwable throwable) {
                release();
                done.completeExceptionally(throwable);
            }

            @Override
            public void onComplete() {
                // An event not closed by a blank line is dropped, as the SSE spec says.
                release();
                done.complete(null);
            }
        }
    }

    /** Collects a body up to {@code limit} bytes; over it, fails (if {@code strict}) or keeps the start. */
    private final class Collect implements HttpResponse.BodySubscriber<Void> {
        interface Sink {
            void accept(byte[] bytes) throws Abort;
        }

        private final int limit;
        private final boolean strict;
        private final Sink sink;
        private final long declared;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final List<byte[]> parts = new ArrayList<>();
        private int size;
        private volatile Flow.@Nullable Subscription subscription;

        /** @param declared the body's {@code Content-Length}, or -1: a strict limit refuses a longer one unread */
        Collect(int limit, boolean strict, Sink sink, long declared) {
            this.limit = limit;
            this.strict = strict;
            this.sink = sink;
            this.declared = declared;
        }

        private void tooLarge() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            parts.clear();
            done.completeExceptionally(new Abort("sent a JSON answer of more than " + limit
                    + " bytes (the limit); it was refused unread"));
        }

        @Override
        public CompletionStage<Void> getBody() {
            return done;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (strict && declared > limit) {
                tooLarge();
                return;
            }
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (done.isDone()) {
                return;
            }
            for (ByteBuffer b : buffers) {
                int n = b.remaining();
                if (size + (long) n > limit) {
                    if (strict) {
                        tooLarge();
                        return;
                    }
                    n = limit - size;
                }
                byte[] part = new byte[n];
                b.get(part);
                parts.add(part);
                size += n;
            }
        }

        @Override
        public void onError(Throwable throwable) {
            done.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            if (done.isDone()) {
                return;
            }
            byte[] all = new byte[size];
            int at = 0;
            for (byte[] p : parts) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            try {
                sink.accept(all);
                done.complete(null);
            } catch (Abort e) {
                done.completeExceptionally(e);
            }
        }
    }
}
