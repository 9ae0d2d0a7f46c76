package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server side of the 2026-07-28 {@code subscriptions/listen}: the listens open on one server, over all its
 * transports. A listen asks for kinds of notification ({@code params.notifications}); the server honours the
 * {@code resourceSubscriptions} it serves and is granted (a URI it would refuse to {@code resources/subscribe} is
 * left out of the acknowledgement, as the spec says of what a server does not support), {@code toolsListChanged}
 * (its tools may change while it serves) and, when it serves prompts, {@code promptsListChanged} (never {@code
 * resourcesListChanged}: its resources are fixed when it is built). Its first message is {@code
 * notifications/subscriptions/acknowledged} with that subset; then {@link #updated} sends {@code
 * notifications/resources/updated} to every listen honouring the URI, and {@link #listChanged} the list change to
 * every listen honouring its flag. Every message carries the listen's
 * request id in {@code _meta["io.modelcontextprotocol/subscriptionId"]}. A listen that honours nothing is
 * acknowledged and ended at once (its graceful result).
 *
 * <p>A transport opens listens through its own {@link Scope}, which ends them: the client cancelled ({@link
 * Scope#cancel}: nothing more is sent), or the transport shuts down ({@link Scope#endAll}: the graceful result,
 * {@code {"resultType": "complete"}} with the subscription id in {@code _meta}, then the transport's {@link
 * Outlet#close}, which on stdio also sends {@code notifications/cancelled} referencing the listen, as the
 * cancellation page requires of a server tearing a subscription down). Bounded: at most {@code maxListens} open
 * on the server (another is refused with {@code -32603}, as the reference server does), at most {@code maxUris}
 * URIs a listen ({@code -32602}), and each listen's outgoing messages bounded by its {@link Outlet}: a client too
 * slow to take them has its listen ended (logged; no graceful result, a sign to listen again: over HTTP its stream
 * ends, over stdio {@code notifications/cancelled} tells it). Thread-safe.
 */
final class ServedListens {
    private static final Logger log = LoggerFactory.getLogger(ServedListens.class);
    static final String METHOD = "subscriptions/listen";
    static final String ACKNOWLEDGED = "notifications/subscriptions/acknowledged";
    static final String SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";
    static final int DEFAULT_MAX_LISTENS = 100;
    /** The listen filter's flag for {@code notifications/tools/list_changed}. */
    static final String TOOLS_LIST_CHANGED = "toolsListChanged";
    /** The listen filter's flag for {@code notifications/prompts/list_changed}. */
    static final String PROMPTS_LIST_CHANGED = "promptsListChanged";
    /** The notification each list-change flag this server may honour stands for. */
    private static final Map<String, String> LIST_CHANGES = Map.of(TOOLS_LIST_CHANGED,
            McpSchema.METHOD_NOTIFICATION_TOOLS_LIST_CHANGED, PROMPTS_LIST_CHANGED,
            McpSchema.METHOD_NOTIFICATION_PROMPTS_LIST_CHANGED);
    static final int DEFAULT_MAX_URIS = 100;
    /** The messages a listen may have waiting to be written before its client counts as too slow. */
    static final int QUEUE = 256;

    private final @Nullable ServedResources resources;
    /** The list-change flags honoured: tools always, prompts when the server serves some. */
    private final Set<String> lists;
    private final int maxListens;
    private final int maxUris;
    private final Set<Listen> open = ConcurrentHashMap.newKeySet();

    ServedListens(@Nullable ServedResources resources, boolean prompts, int maxListens, int maxUris) {
        if (maxListens <= 0 || maxUris <= 0) {
            throw new IllegalArgumentException("the listen limits must be positive, were " + maxListens + " and "
                    + maxUris);
        }
        this.resources = resources;
        this.lists = prompts ? Set.of(TOOLS_LIST_CHANGED, PROMPTS_LIST_CHANGED) : Set.of(TOOLS_LIST_CHANGED);
        this.maxListens = maxListens;
        this.maxUris = maxUris;
    }

    /** The listens open now, on every transport of the server. */
    int openCount() {
        return open.size();
    }

    /** A transport's share of the listens: those it opened, which it cancels and ends. */
    Scope scope(String name) {
        return new Scope(name);
    }

    /**
     * Sends {@code notifications/resources/updated} for {@code uri} to every listen honouring it; a listen whose
     * client does not take it is ended. Never fails; never blocks.
     */
    void updated(String uri) {
        for (Listen listen : List.copyOf(open)) {
            if (listen.uris.contains(uri)) {
                var params = new LinkedHashMap<String, Object>();
                params.put("uri", uri);
                listen.send(McpSchema.METHOD_NOTIFICATION_RESOURCES_UPDATED, params);
            }
        }
    }

    /**
     * Sends the list change {@code flag} stands for (a key of {@link #LIST_CHANGES}, e.g. {@code
     * notifications/tools/list_changed} for {@code toolsListChanged}) to every listen honouring it; a listen whose
     * client does not take it is ended. Never fails; never blocks.
     */
    void listChanged(String flag) {
        String method = LIST_CHANGES.get(flag);
        for (Listen listen : List.copyOf(open)) {
            if (listen.lists.contains(flag)) {
                listen.send(method, new LinkedHashMap<>());
            }
        }
    }

    /** Where one listen's messages go: the transport's side of it. */
    interface Outlet {
        /**
         * Queues one message (a JSON-RPC notification or the listen's final response, as Java maps); false when
         * the client has too many waiting, or the stream is gone. Called by one thread at a time.
         */
        boolean offer(Map<String, Object> message);

        /**
         * Nothing more is sent: what was offered goes out, then the stream ends. {@code byServer}: the server tore
         * the listen down (shutdown, a slow client), not the client cancelling it.
         */
        void close(boolean byServer);
    }

    /** What opening a listen gave: it is open (or was acknowledged and ended at once), or it was refused. */
    sealed interface Opening {}

    /** The listen, acknowledged. */
    record Opened() implements Opening {}

    /** The JSON-RPC error to answer the listen request with; nothing was sent on its stream. */
    record Refused(ModernRevision.Refused error) implements Opening {}

    /** The listens of one transport (one stdio connection, one HTTP endpoint). */
    final class Scope {
        private final String name;
        private final ConcurrentHashMap<Object, Listen> mine = new ConcurrentHashMap<>();
        private volatile boolean ended;

        private Scope(String name) {
            this.name = name;
        }

        /**
         * Opens the listen {@code id} (the request's id as Java: a string or a number) with the request's {@code
         * params}, its messages going to {@code outlet}, and acknowledges it there; {@code key} finds it again for
         * {@link #cancel}. Refused (nothing offered) when the server holds its most listens, the params are not
         * a listen's, or this scope has ended.
         */
        Opening open(Object key, Object id, @Nullable Object params, Outlet outlet) {
            Map<String, Object> honoured;
            try {
                honoured = honoured(params);
            } catch (McpError e) {
                var error = e.getJsonRpcError();
                return new Refused(new ModernRevision.Refused(error.code(), error.message(), error.data()));
            }
            var listen = new Listen(this, key, id, outlet, uris(honoured), lists(honoured));
            synchronized (ServedListens.this) {
                if (ended) {
                    return new Refused(new ModernRevision.Refused(ErrorCodes.INTERNAL_ERROR,
                            "Internal error: the server is stopping", null));
                }
                if (open.size() >= maxListens) {
                    log.warn("MCP server '{}': refused subscriptions/listen {}: {} listens are open, the most this "
                            + "server keeps", name, id, maxListens);
                    return new Refused(new ModernRevision.Refused(ErrorCodes.INTERNAL_ERROR,
                            "Subscription limit reached: this server keeps at most " + maxListens
                                    + " subscriptions/listen open; end one first",
                            Map.of("maxListens", maxListens)));
                }
                if (mine.putIfAbsent(key, listen) != null) {
                    return new Refused(new ModernRevision.Refused(ErrorCodes.INVALID_REQUEST, "Invalid request: id "
                            + id + " is already used by a subscriptions/listen in progress", null));
                }
                open.add(listen);
            }
            log.debug("MCP server '{}': subscriptions/listen {} open, honouring {}", name, id, honoured);
            var ack = new LinkedHashMap<String, Object>();
            ack.put("notifications", honoured);
            if (!listen.send(ACKNOWLEDGED, ack)) {
                return new Opened();
            }
            if (honoured.isEmpty()) {
                listen.end(true, "it honours none of the notifications asked for");
            }
            return new Opened();
        }

        /**
         * The client cancelled the listen {@code key} (stdio's {@code notifications/cancelled}, HTTP's stream
         * closing): nothing more is sent, no response. False if no such listen is open here.
         */
        boolean cancel(Object key) {
            Listen listen = mine.get(key);
            if (listen == null) {
                return false;
            }
            if (listen.remove()) {
                log.debug("MCP server '{}': subscriptions/listen {} cancelled by the client", name, listen.id);
                listen.outlet.close(false);
            }
            return true;
        }

        /** Whether {@code key} names a listen open here. */
        boolean isOpen(Object key) {
            return mine.containsKey(key);
        }

        /** Ends every listen of this scope with its graceful result; later ones are refused. Idempotent. */
        void endAll() {
            synchronized (ServedListens.this) {
                ended = true;
            }
            for (Listen listen : List.copyOf(mine.values())) {
                listen.end(true, "the server is stopping");
            }
        }
    }

    /** The subset of the request's {@code notifications} the server honours; fails with a -32602 McpError. */
    private Map<String, Object> honoured(@Nullable Object params) {
        if (!(params instanceof Map<?, ?> p) || !(p.get("notifications") instanceof Map<?, ?> filter)) {
            throw invalid("Invalid params: subscriptions/listen needs \"notifications\", an object naming what to "
                    + "receive");
        }
        var honoured = new LinkedHashMap<String, Object>();
        for (String flag : List.of(TOOLS_LIST_CHANGED, PROMPTS_LIST_CHANGED)) {
            Object wanted = filter.get(flag);
            if (wanted != null && !(wanted instanceof Boolean)) {
                throw invalid("Invalid params: \"" + flag + "\" must be a boolean");
            }
            if (Boolean.TRUE.equals(wanted) && lists.contains(flag)) {
                honoured.put(flag, true);
            }
        }
        Object tasks = filter.get("taskIds");
        if (tasks != null) {
            if (!(tasks instanceof List<?> ids) || !ids.stream().allMatch(String.class::isInstance)) {
                throw invalid("Invalid params: \"taskIds\" must be an array of task id strings");
            }
            if (!ModernTasks.declares(p)) {
                // The tasks extension's rule: task notifications are for a client that declares it.
                throw new McpError(ModernTasks.missingError("Missing required client capability: \"taskIds\" asks "
                        + "for notifications/tasks, which are for a client that declares the "
                        + ModernTasks.EXTENSION + " extension in its client capabilities"));
            }
            // Declared: not honoured (left out of the acknowledgement), as this server sends no notifications/tasks;
            // its tasks are followed with tasks/get.
        }
        Object asked = filter.get("resourceSubscriptions");
        if (asked == null) {
            return honoured;
        }
        if (!(asked instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
            throw invalid("Invalid params: \"resourceSubscriptions\" must be an array of resource URI strings");
        }
        if (list.size() > maxUris) {
            throw invalid("Invalid params: a subscriptions/listen may subscribe to at most " + maxUris
                    + " resources, was " + list.size());
        }
        var uris = new LinkedHashSet<String>();
        for (Object o : list) {
            String uri = (String) o;
            ServedResources r = resources;
            if (r == null) {
                continue;
            }
            try {
                r.checkSubscribable(uri);
                uris.add(uri);
            } catch (McpError e) {
                log.debug("MCP server: subscriptions/listen: {} not honoured ({})", uri, e.getMessage());
            }
        }
        if (!uris.isEmpty()) {
            honoured.put("resourceSubscriptions", List.copyOf(uris));
        }
        return honoured;
    }

    private static Set<String> uris(Map<String, Object> honoured) {
        return honoured.get("resourceSubscriptions") instanceof List<?> l
                ? Set.copyOf(l.stream().map(String.class::cast).toList())
                : Set.of();
    }

    private static Set<String> lists(Map<String, Object> honoured) {
        var lists = new java.util.HashSet<>(honoured.keySet());
        lists.retainAll(LIST_CHANGES.keySet());
        return Set.copyOf(lists);
    }

    private static McpError invalid(String message) {
        return McpError.builder(ErrorCodes.INVALID_PARAMS).message(message).build();
    }

    private static Map<String, Object> meta(Object id) {
        var meta = new LinkedHashMap<String, Object>();
        meta.put(SUBSCRIPTION_ID, id);
        return meta;
    }

    /** One open listen. */
    private final class Listen {
        final Scope scope;
        final Object key;
        final Object id;
        final Outlet outlet;
        final Set<String> uris;
        /** The list-change flags honoured. */
        final Set<String> lists;
        private boolean closed;

        Listen(Scope scope, Object key, Object id, Outlet outlet, Set<String> uris, Set<String> lists) {
            this.scope = scope;
            this.key = key;
            this.id = id;
            this.outlet = outlet;
            this.uris = uris;
            this.lists = lists;
        }

        /** Sends a notification on the listen; false (and the listen ended) when its client does not take it. */
        boolean send(String method, Map<String, Object> params) {
            var stamped = new LinkedHashMap<String, Object>(params);
            stamped.put("_meta", meta(id));
            var message = new LinkedHashMap<String, Object>();
            message.put("jsonrpc", McpSchema.JSONRPC_VERSION);
            message.put("method", method);
            message.put("params", stamped);
            boolean taken;
            synchronized (this) {
                if (closed) {
                    return false;
                }
                taken = outlet.offer(message);
            }
            if (!taken) {
                log.warn("MCP server '{}': subscriptions/listen {} ended: its client did not take its messages ({} "
                        + "waiting at most); {} not sent", scope.name, id, QUEUE, method);
                end(false, "its client is too slow");
            }
            return taken;
        }

        /** The server ends the listen; {@code graceful}: with its final result first. */
        void end(boolean graceful, String why) {
            if (!remove()) {
                return;
            }
            log.debug("MCP server '{}': subscriptions/listen {} ended: {}", scope.name, id, why);
            if (graceful) {
                var result = new LinkedHashMap<String, Object>();
                result.put("resultType", "complete");
                result.put("_meta", meta(id));
                var response = new LinkedHashMap<String, Object>();
                response.put("jsonrpc", McpSchema.JSONRPC_VERSION);
                response.put("id", id);
                response.put("result", result);
                outlet.offer(response);
            }
            outlet.close(true);
        }

        /** Takes the listen out of the open ones; false if it was already. */
        boolean remove() {
            synchronized (this) {
                if (closed) {
                    return false;
                }
                closed = true;
            }
            scope.mine.remove(key, this);
            open.remove(this);
            return true;
        }
    }
}
