package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The one {@code subscriptions/listen} a 2026-07-28 connection keeps open, through which the server's list
 * changes (those it declares {@code listChanged} for) and the updates of the subscribed resources (when it
 * declares {@code resources.subscribe}) come. {@link #listen} opens it anew with the subscriptions of now; the
 * listen it replaces is ended once the new one is acknowledged, so nothing is missed in between; callers that
 * asked at once are all answered by the acknowledgement of the newest listen, which has all their resources. A
 * listen that ends (the server ended it, the stream broke) is opened again after {@code 200 ms}, doubling up to
 * {@code 10 s}, back to the shortest once one that was acknowledged stayed open {@code 10 s} (a server that
 * acknowledges each listen and ends it at once cannot make the client listen again more often than the backoff
 * allows); a server that refuses the listen (a JSON-RPC error), or honours none of it, is not asked again until
 * the subscriptions change. {@link #close} ends everything. Thread-safe.
 */
final class ModernListen {
    private static final Logger log = LoggerFactory.getLogger(ModernListen.class);
    static final Duration FIRST_RETRY = Duration.ofMillis(200);
    static final Duration LAST_RETRY = Duration.ofSeconds(10);
    /** How long an acknowledged listen must have stayed open for the backoff to start over. */
    static final Duration STEADY = Duration.ofSeconds(10);

    private final String server;
    private final ModernRequester requester;
    private final McpSchema.ServerCapabilities declared;
    private final boolean tellCancel;
    private final Supplier<List<String>> subscriptions;
    private long generation;
    private int failures;
    /** When the newest listen was acknowledged (the timers' clock, ms), or -1. */
    private long acknowledgedAt = -1;
    /** The retry waits, and the clock that says how long a listen stayed open. */
    private final Scheduler timers;
    private boolean closed;
    private @Nullable Disposable current;
    private @Nullable Disposable replaced;
    private @Nullable Disposable retry;
    /** The callers of {@link #listen} waiting for the acknowledgement of the newest listen (which has them all). */
    private final List<Sinks.One<Map<?, ?>>> waiting = new java.util.ArrayList<>();

    ModernListen(String server, ModernRequester requester, McpSchema.ServerCapabilities declared, boolean tellCancel,
            Supplier<List<String>> subscriptions, Scheduler timers) {
        this.server = server;
        this.timers = timers;
        this.requester = requester;
        this.declared = declared;
        this.tellCancel = tellCancel;
        this.subscriptions = subscriptions;
    }

    /** Whether the server declares that it sends what a listen asks for: resource updates, some list change. */
    boolean offersSubscriptions() {
        return declared.resources() != null && Boolean.TRUE.equals(declared.resources().subscribe());
    }

    /**
     * Opens the listen anew with the resources subscribed to now; emits what the server acknowledged it will
     * send (empty map: nothing is asked, no listen is open), or fails when it refuses or the listen ends first.
     */
    Mono<Map<?, ?>> listen() {
        Sinks.One<Map<?, ?>> acknowledged = Sinks.one();
        start(acknowledged);
        return acknowledged.asMono();
    }

    private Map<String, Object> filter() {
        var filter = new LinkedHashMap<String, Object>();
        if (declared.tools() != null && Boolean.TRUE.equals(declared.tools().listChanged())) {
            filter.put("toolsListChanged", true);
        }
        if (declared.prompts() != null && Boolean.TRUE.equals(declared.prompts().listChanged())) {
            filter.put("promptsListChanged", true);
        }
        if (declared.resources() != null && Boolean.TRUE.equals(declared.resources().listChanged())) {
            filter.put("resourcesListChanged", true);
        }
        List<String> uris = subscriptions.get();
        if (offersSubscriptions() && !uris.isEmpty()) {
            filter.put("resourceSubscriptions", uris);
        }
        return filter;
    }

    private synchronized void start(Sinks.@Nullable One<Map<?, ?>> acknowledged) {
        dispose(retry);
        retry = null;
        if (acknowledged != null) {
            waiting.add(acknowledged);
        }
        if (closed || requester.isClosed()) {
            fail(new IllegalStateException("the connection to MCP server '" + server + "' is closed"));
            return;
        }
        Map<String, Object> filter = filter();
        long mine = ++generation;
        acknowledgedAt = -1;
        if (filter.isEmpty()) {
            dispose(current);
            dispose(replaced);
            current = null;
            replaced = null;
            waiting.forEach(w -> w.tryEmitValue(Map.of()));
            waiting.clear();
            return;
        }
        // The listen of now stays open until this one is acknowledged; one older than it is not needed.
        dispose(replaced);
        replaced = current;
        var honoured = new java.util.concurrent.atomic.AtomicReference<@Nullable Map<?, ?>>();
        current = requester.listen(filter, ack -> {
            honoured.set(ack);
            acknowledged(mine, ack);
        }, tellCancel)
                .subscribe(result -> ended(mine, honoured.get(), null),
                        error -> ended(mine, honoured.get(), error));
    }

    /** An acknowledgement: of the newest listen, it ends the one replaced and answers all who wait. */
    private synchronized void acknowledged(long which, Map<?, ?> honoured) {
        if (which == generation) {
            acknowledgedAt = timers.now(TimeUnit.MILLISECONDS);
            dispose(replaced);
            replaced = null;
            waiting.forEach(w -> w.tryEmitValue(honoured));
            waiting.clear();
        }
    }

    /** Fails all who wait (the caller holds the lock). */
    private void fail(Throwable error) {
        waiting.forEach(w -> w.tryEmitError(error));
        waiting.clear();
    }

    private void ended(long which, @Nullable Map<?, ?> honoured, @Nullable Throwable error) {
        synchronized (this) {
            if (closed || which != generation) {
                return;
            }
            if (honoured == null) {
                fail(error != null
                        ? error
                        : new IllegalStateException("MCP server '" + server + "' ended subscriptions/listen before "
                                + "it acknowledged it"));
            }
            if (error instanceof McpError e && e.getJsonRpcError() != null) {
                log.warn("MCP server '{}' refused subscriptions/listen ({}): its list changes and resource updates "
                        + "are not received", server, e.getJsonRpcError().message());
                return;
            }
            if (error == null && honoured != null && honoured.isEmpty()) {
                log.debug("MCP server '{}' honoured none of subscriptions/listen; not asked again", server);
                return;
            }
            if (requester.isClosed()) {
                return;
            }
            long since = acknowledgedAt;
            acknowledgedAt = -1;
            if (honoured != null && since >= 0 && timers.now(TimeUnit.MILLISECONDS) - since >= STEADY.toMillis()) {
                failures = 0;
            }
            long millis = Math.min(LAST_RETRY.toMillis(), FIRST_RETRY.toMillis() << Math.min(failures, 16));
            failures++;
            log.debug("MCP server '{}': subscriptions/listen ended ({}); listening again in {} ms", server,
                    error == null ? "the server ended it" : McpErrors.why(error), millis);
            retry = Mono.delay(Duration.ofMillis(millis), timers).subscribe(t -> start(null));
        }
    }

    /** Ends the listen and any retry; nothing is opened after. Idempotent. */
    synchronized void close() {
        closed = true;
        fail(new IllegalStateException("the connection to MCP server '" + server + "' is closed"));
        dispose(retry);
        dispose(current);
        dispose(replaced);
        retry = null;
        current = null;
        replaced = null;
    }

    private static void dispose(@Nullable Disposable d) {
        if (d != null) {
            d.dispose();
        }
    }
}
