package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.tools.mcp.McpTransportSpec;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A client's lasting relation with one MCP server, across connections: the connection in use, a new
 * one when that one died (a stdio server that crashed or exited: started again on the next call,
 * with backoff after failed attempts), and the server's tools as they were pinned at the first
 * connect.
 *
 * <p>The tools offered to the agent are fixed when the first connection lists them; each one's name,
 * description and input and output schemas are pinned. When a later listing (after a reconnect, or on the
 * server's {@code notifications/tools/list_changed}) differs, a listener hears of it, and calls to a
 * tool that changed are refused unless the policy accepts changes; a tool that is gone is refused
 * either way. Thread-safe.
 */
public final class McpSession {
    private static final Logger log = LoggerFactory.getLogger(McpSession.class);

    /** What a listing changed about the pinned tools (names as on the server). */
    public record Change(Set<String> changed, Set<String> removed, Set<String> added) {
        public boolean isEmpty() {
            return changed.isEmpty() && removed.isEmpty() && added.isEmpty();
        }
    }

    /** How the session is set up; {@code listener} hears of every change to the pinned tools. */
    public record Settings(String server, McpTransportSpec spec, Duration callTimeout, Duration connectTimeout,
            boolean reconnect, Duration firstBackoff, Duration maxBackoff, boolean acceptChanges,
            Consumer<Change> listener, LongSupplier clockMillis, List<McpSchema.Root> roots,
            ServerRequests requests, int maxSubscriptions, int maxMessageBytes, Scheduler timers) {
        /** These settings answering the server's requests with {@code value}. */
        public Settings withRequests(ServerRequests value) {
            return new Settings(server, spec, callTimeout, connectTimeout, reconnect, firstBackoff, maxBackoff,
                    acceptChanges, listener, clockMillis, roots, value, maxSubscriptions, maxMessageBytes, timers);
        }
    }

    /** The session cannot give a connection now: closed, or the server gone and not (yet) started again. */
    public static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }

        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Settings settings;
    private final McpNotices notices;
    private final AtomicLong tokens = new AtomicLong();
    private final Map<String, ToolContext> progressRoutes = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    /** Fingerprints of the pinned tools, by name on the server: set once, by the first listing. */
    private final Map<String, String> pinned = new HashMap<>();
    /** What the latest listing says of each pinned tool: its fingerprint, or null when it is gone. */
    private final Map<String, @Nullable String> latest = new HashMap<>();
    private final Set<String> latestNames = new TreeSet<>();
    private McpConnection current;
    private volatile boolean dead;
    private boolean closed;
    private @Nullable Mono<McpConnection> reconnecting;
    /** The connection a reconnect is making, until it is adopted or has failed. */
    private @Nullable McpConnection starting;
    private int failedAttempts;
    private long nextAttemptMillis;
    private @Nullable String lastFailure;

    private McpSession(Settings settings) {
        this.settings = settings;
        this.notices = new McpNotices(settings.server(), settings.callTimeout(), settings.maxSubscriptions(),
                this::listed, this::live);
        this.current = open();
    }

    /** A session whose first connection is made (not yet initialised: see {@link #initialize()}). */
    public static McpSession open(Settings settings) {
        return new McpSession(settings);
    }

    private McpConnection open() {
        McpConnection c = McpConnection.open(settings.server(), settings.spec(), settings.callTimeout(),
                settings.connectTimeout(), notices, this::progress, settings.roots(), settings.requests(),
                settings.maxMessageBytes(), settings.timers());
        c.failure().subscribe(e -> {
            synchronized (lock) {
                if (current == c) {
                    dead = true;
                }
            }
        }, e -> {});
        return c;
    }

    /** The first connection's handshake: its listing pins the tools. */
    public Mono<McpConnection.Initialized> initialize() {
        McpConnection first = current;
        return first.initialize().doOnNext(init -> {
            synchronized (lock) {
                for (McpSchema.Tool t : init.tools()) {
                    String print = fingerprint(t);
                    pinned.putIfAbsent(t.name(), print);
                    latest.put(t.name(), print);
                    latestNames.add(t.name());
                }
            }
        });
    }

    /** Whether the connection in use is up (not dead, not closed). */
    public boolean isConnected() {
        synchronized (lock) {
            return !dead && !closed;
        }
    }

    /** The connection in use now (perhaps dead), for its process and its description. */
    public McpConnection current() {
        synchronized (lock) {
            return current;
        }
    }

    /**
     * The connection to call on: the current one while it lives; else a new one (the server started
     * again and its tools listed and compared with the pinned ones), shared by the calls that ask
     * meanwhile. Fails when the session is closed, when reconnecting is off, when the last attempt
     * failed and its backoff has not passed (saying when the next may be made), or when this attempt
     * fails.
     */
    public Mono<McpConnection> live() {
        return Mono.defer(() -> {
            synchronized (lock) {
                if (closed) {
                    return Mono.error(new Unavailable("the connection was closed"));
                }
                if (!dead) {
                    return Mono.just(current);
                }
                if (!settings.reconnect()) {
                    return Mono.error(new Unavailable("the server is gone" + stderr(current)));
                }
                if (reconnecting != null) {
                    return reconnecting;
                }
                long now = settings.clockMillis().getAsLong();
                if (failedAttempts > 0 && now < nextAttemptMillis) {
                    return Mono.error(new Unavailable("the server is gone and could not be started again ("
                            + lastFailure + "); the next attempt is in " + (nextAttemptMillis - now) + " ms"));
                }
                McpConnection old = current;
                McpConnection next = open();
                starting = next;
                log.info("MCP server '{}' is gone; starting it again ({})", settings.server(), next.description());
                Mono<McpConnection> attempt = old.close()
                        .then(next.initialize().timeout(settings.connectTimeout()))
                        .map(init -> adopt(next, init))
                        .onErrorResume(e -> next.close().then(Mono.error(failedAttempt(next, e))))
                        .cache();
                reconnecting = attempt;
                return attempt;
            }
        });
    }

    private McpConnection adopt(McpConnection next, McpConnection.Initialized init) {
        boolean closeIt;
        synchronized (lock) {
            reconnecting = null;
            starting = null;
            closeIt = closed;
            if (!closeIt) {
                current = next;
                dead = false;
                failedAttempts = 0;
                lastFailure = null;
            }
        }
        if (closeIt) {
            next.close().subscribe();
            throw new Unavailable("the connection was closed");
        }
        listed(init.tools());
        notices.resubscribe(next);
        return next;
    }

    private Unavailable failedAttempt(McpConnection next, Throwable e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String stderr = stderr(next);
        String failure = why.contains(stderr.strip()) ? why : why + stderr;
        synchronized (lock) {
            reconnecting = null;
            starting = null;
            failedAttempts++;
            long backoff = Math.min(settings.maxBackoff().toMillis(),
                    settings.firstBackoff().toMillis() << Math.min(20, failedAttempts - 1));
            nextAttemptMillis = settings.clockMillis().getAsLong() + backoff;
            lastFailure = failure;
        }
        log.warn("MCP server '{}' could not be started again: {}", settings.server(), why);
        return new Unavailable("the server is gone and starting it again failed: " + failure, e);
    }

    private static String stderr(McpConnection c) {
        String s = c.stderrSummary();
        return s.isBlank() ? "" : s;
    }

    /**
     * Why a call to {@code name} must not go to the server now, or null: the tool is gone from the
     * latest listing, or it changed since it was pinned and changes are not accepted.
     */
    public @Nullable String refusal(String name) {
        synchronized (lock) {
            if (!latest.containsKey(name)) {
                return null; // never listed: not one of ours (cannot happen for a pinned tool)
            }
            String now = latest.get(name);
            if (now == null) {
                return "the server no longer offers it";
            }
            if (!now.equals(pinned.get(name)) && !settings.acceptChanges()) {
                return "the server changed its description or schemas since it was pinned at connect; "
                        + "changed tools are refused until the application accepts the change";
            }
            return null;
        }
    }

    /** Compares a listing with the pinned tools, telling the listener of any change. */
    private Mono<Void> listed(List<McpSchema.Tool> tools) {
        Change change;
        synchronized (lock) {
            if (pinned.isEmpty() && latest.isEmpty()) {
                return Mono.empty(); // the first listing pins them (see initialize)
            }
            var now = new HashMap<String, String>();
            for (McpSchema.Tool t : tools) {
                now.put(t.name(), fingerprint(t));
            }
            var changed = new TreeSet<String>();
            var removed = new TreeSet<String>();
            var added = new TreeSet<String>();
            for (String name : pinned.keySet()) {
                String print = now.get(name);
                String before = latest.get(name);
                if (print == null) {
                    if (before != null) {
                        removed.add(name);
                    }
                } else if (!print.equals(before)) {
                    changed.add(name);
                }
                latest.put(name, print);
            }
            for (String name : now.keySet()) {
                if (!latestNames.contains(name) && !pinned.containsKey(name)) {
                    added.add(name);
                }
            }
            latestNames.clear();
            latestNames.addAll(now.keySet());
            change = new Change(Set.copyOf(changed), Set.copyOf(removed), Set.copyOf(added));
        }
        if (!change.isEmpty()) {
            log.warn("MCP server '{}' changed its tools: changed {}, removed {}, added {}{}", settings.server(),
                    change.changed(), change.removed(), change.added(),
                    settings.acceptChanges() ? "" : " (changed and removed tools are refused)");
            try {
                settings.listener().accept(change);
            } catch (RuntimeException e) {
                log.warn("MCP server '{}': the tool-change listener failed", settings.server(), e);
            }
        }
        return Mono.empty();
    }

    /** A tool's name, description, input schema and output schema, with object members in a fixed order. */
    static String fingerprint(McpSchema.Tool t) {
        var parts = new ArrayList<JsonValue>();
        parts.add(JsonValue.of(t.name()));
        parts.add(JsonValue.of(t.description() == null ? "" : t.description()));
        parts.add(t.inputSchema() == null ? JsonValue.of("") : sorted(McpJson.fromJava(t.inputSchema())));
        if (t.outputSchema() != null) {
            // Only when there is one, so a tool without keeps the print it had before output schemas counted.
            parts.add(sorted(McpJson.fromJava(t.outputSchema())));
        }
        return new JsonArray(parts).toJson();
    }

    private static JsonValue sorted(JsonValue v) {
        if (v instanceof JsonObject o) {
            var b = JsonObject.builder();
            for (var e : new TreeMap<>(o.members()).entrySet()) {
                b.put(e.getKey(), sorted(e.getValue()));
            }
            return b.build();
        }
        if (v instanceof JsonArray a) {
            var items = new ArrayList<JsonValue>(a.size());
            for (JsonValue item : a.items()) {
                items.add(sorted(item));
            }
            return new JsonArray(items);
        }
        return v;
    }

    /**
     * A new progress token for one call, routed to {@code context} until {@link #done}: the server's
     * progress notifications for it become the call's progress reports.
     */
    public String progressToken(ToolContext context) {
        String token = "agentrt-" + settings.server() + "-" + tokens.incrementAndGet();
        progressRoutes.put(token, context);
        return token;
    }

    /** The call with {@code token} ended: its progress is no longer routed, its request id forgotten. */
    public void done(String token, McpConnection connection) {
        progressRoutes.remove(token);
        connection.forget(token);
    }

    private Mono<Void> progress(McpSchema.ProgressNotification n) {
        // A token of another client's making, or of a call that ended, is ignored.
        if (n.progressToken() instanceof String token && n.progress() != null) {
            ToolContext context = progressRoutes.get(token);
            if (context != null) {
                context.progress(n.progress(), n.total(), n.message());
            }
        }
        return Mono.empty();
    }

    /** The server's list changes and resource updates, and the application's subscriptions. */
    public McpNotices notices() {
        return notices;
    }

    /** Ends the session: the current connection, and one being made. Idempotent. */
    public Mono<Void> close() {
        Mono<Void> closing;
        notices.close();
        synchronized (lock) {
            closed = true;
            closing = starting == null ? current.close() : Mono.when(current.close(), starting.close());
        }
        return closing;
    }
}
