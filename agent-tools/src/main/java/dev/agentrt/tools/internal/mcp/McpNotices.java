package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.ToolException;
import dev.agentrt.tools.mcp.McpChange;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a client does with the server's {@code notifications/…/list_changed} and
 * {@code notifications/resources/updated}, for one session across its connections, and the resources the
 * application subscribed to.
 *
 * <p>A list change makes the client list again, coalesced: at most one listing of each kind is in flight and at
 * most one more is owed, however many notifications came meanwhile, so a server that floods them gets at most
 * two listings per burst and nothing queues. A list change the server did not declare ({@code listChanged}) is
 * dropped. An update for a URI the application did not subscribe to is dropped (the SDK alone would read every
 * URI a server names). Changes are told on a hot {@link Flux} that drops what a slow subscriber has not asked
 * for. Thread-safe.
 */
public final class McpNotices {
    private static final Logger log = LoggerFactory.getLogger(McpNotices.class);
    /** The most resources, prompts or tools one listing after a change gathers. */
    static final int MAX_LISTED = 1000;

    private final String server;
    private final Duration timeout;
    private final int maxSubscriptions;
    private final Function<List<McpSchema.Tool>, Mono<Void>> toolsListed;
    private final Supplier<Mono<McpConnection>> live;
    private final Coalesced tools = new Coalesced("tools", this::listTools);
    private final Coalesced resources = new Coalesced("resources", this::listResources);
    private final Coalesced prompts = new Coalesced("prompts", this::listPrompts);
    private final Set<String> subscribed = new LinkedHashSet<>();
    private final Sinks.Many<McpChange> changes = Sinks.many().multicast().directBestEffort();

    /**
     * @param toolsListed gets the server's tools listed again after {@code tools/list_changed}
     * @param live the connection to subscribe on
     */
    public McpNotices(String server, Duration timeout, int maxSubscriptions,
            Function<List<McpSchema.Tool>, Mono<Void>> toolsListed, Supplier<Mono<McpConnection>> live) {
        this.server = server;
        this.timeout = timeout;
        this.maxSubscriptions = maxSubscriptions;
        this.toolsListed = toolsListed;
        this.live = live;
    }

    /** The changes told from now on; completes when the session closes. */
    public Flux<McpChange> changes() {
        return changes.asFlux();
    }

    /** Whether this is a notification of ours, which it then handles (the SDK's client must not). */
    boolean take(McpConnection connection, McpSchema.JSONRPCNotification n) {
        switch (n.method()) {
            case McpSchema.METHOD_NOTIFICATION_TOOLS_LIST_CHANGED -> tools.poke(connection);
            case McpSchema.METHOD_NOTIFICATION_RESOURCES_LIST_CHANGED -> {
                var declared = capabilities(connection);
                if (declared != null && declared.resources() != null
                        && Boolean.TRUE.equals(declared.resources().listChanged())) {
                    resources.poke(connection);
                } else {
                    log.debug("MCP server '{}' said its resources changed without declaring it would; ignored", server);
                }
            }
            case McpSchema.METHOD_NOTIFICATION_PROMPTS_LIST_CHANGED -> {
                var declared = capabilities(connection);
                if (declared != null && declared.prompts() != null
                        && Boolean.TRUE.equals(declared.prompts().listChanged())) {
                    prompts.poke(connection);
                } else {
                    log.debug("MCP server '{}' said its prompts changed without declaring it would; ignored", server);
                }
            }
            case McpSchema.METHOD_NOTIFICATION_RESOURCES_UPDATED -> updated(n.params());
            default -> {
                return false;
            }
        }
        return true;
    }

    private void updated(@Nullable Object params) {
        if (!(params instanceof Map<?, ?> map) || !(map.get("uri") instanceof String uri)) {
            log.debug("MCP server '{}' sent a resource update without a URI; ignored", server);
            return;
        }
        boolean ours;
        synchronized (subscribed) {
            ours = subscribed.contains(uri);
        }
        if (ours) {
            tell(new McpChange.ResourceUpdated(server, uri));
        } else {
            log.debug("MCP server '{}' sent an update of '{}', which the client did not subscribe to; ignored", server,
                    uri);
        }
    }

    /**
     * Subscribes to the resource {@code uri}; empty if it is subscribed already. Fails with an
     * {@link IllegalStateException} when the server does not declare {@code resources.subscribe} or the cap is
     * reached, with a {@link ToolException} when the server refuses or does not answer in time.
     */
    public Mono<Void> subscribe(String uri) {
        return live.get().flatMap(connection -> {
            boolean modern = !(connection.client() instanceof LegacyRequester);
            var declared = capabilities(connection);
            if (modern
                    ? !connection.listensForResources()
                    : declared == null || declared.resources() == null
                            || !Boolean.TRUE.equals(declared.resources().subscribe())) {
                return Mono.error(new IllegalStateException("MCP server '" + server
                        + "' does not offer resource subscriptions (it does not declare resources.subscribe)"));
            }
            synchronized (subscribed) {
                if (subscribed.contains(uri)) {
                    return Mono.empty();
                }
                if (subscribed.size() >= maxSubscriptions) {
                    return Mono.error(new IllegalStateException("MCP server '" + server + "': " + subscribed.size()
                            + " resources are subscribed to, the most allowed (maxResourceSubscriptions); unsubscribe "
                            + "from one first"));
                }
                subscribed.add(uri); // before the answer: the server may send an update before it
            }
            Mono<Void> ask = modern
                    ? connection.listenAgain()
                            .flatMap(honoured -> honoured.get("resourceSubscriptions") instanceof List<?> uris
                                    && uris.contains(uri)
                                            ? Mono.<Void>empty()
                                            : Mono.<Void>error(new IllegalStateException("its subscriptions/listen "
                                                    + "acknowledgement leaves the resource out")))
                    : sdk(connection).subscribeResource(McpSchema.SubscribeRequest.builder(uri).build());
            return ask.timeout(timeout)
                    .onErrorMap(e -> {
                        synchronized (subscribed) {
                            subscribed.remove(uri);
                        }
                        return failed("refused the subscription to '" + uri + "'", e);
                    });
        });
    }

    /**
     * Ends the subscription to {@code uri}: its updates are dropped from now on, and the server is told. Empty
     * when it was not subscribed. Fails with a {@link ToolException} when the server refuses or does not answer
     * in time (the subscription ends here either way).
     */
    public Mono<Void> unsubscribe(String uri) {
        return Mono.defer(() -> {
            synchronized (subscribed) {
                if (!subscribed.remove(uri)) {
                    return Mono.empty();
                }
            }
            return live.get()
                    .flatMap(connection -> connection.client() instanceof LegacyRequester
                            ? Mono.fromCallable(() -> sdk(connection))
                                    .flatMap(sdk -> sdk.unsubscribeResource(
                                            McpSchema.UnsubscribeRequest.builder(uri).build()))
                            : connection.listenAgain().then())
                    .timeout(timeout)
                    .onErrorMap(e -> failed("could not end the subscription to '" + uri + "'", e));
        });
    }

    /** The URIs subscribed to now, in the order they were. */
    public List<String> subscriptions() {
        synchronized (subscribed) {
            return List.copyOf(subscribed);
        }
    }

    /** Subscribes again, on a new connection (the server was started again), to what was subscribed. */
    void resubscribe(McpConnection connection) {
        if (!(connection.client() instanceof LegacyRequester legacy)) {
            return;
        }
        for (String uri : subscriptions()) {
            legacy.client()
                    .subscribeResource(McpSchema.SubscribeRequest.builder(uri).build())
                    .timeout(timeout)
                    .subscribe(null, e -> log.warn("MCP server '{}': could not subscribe again to '{}': {}", server,
                            uri, McpErrors.why(e)));
        }
    }

    /** The session ended: the changes complete. */
    void close() {
        synchronized (changes) {
            changes.tryEmitComplete();
        }
    }

    private void tell(McpChange change) {
        // Serialised: notifications and listings end on different threads. A subscriber that asked for none is skipped.
        synchronized (changes) {
            changes.tryEmitNext(change);
        }
    }

    private Mono<Void> listTools(McpConnection connection) {
        var declared = capabilities(connection);
        if (declared == null || declared.tools() == null) {
            return Mono.empty();
        }
        return McpPages.<McpSchema.Tool>collect(cursor -> connection.client()
                .listTools(cursor)
                .map(r -> new McpPages.Page<>(r.tools() == null ? List.of() : r.tools(), r.nextCursor())),
                MAX_LISTED, "tools")
                .timeout(timeout)
                .flatMap(listing -> toolsListed.apply(listing.items()));
    }

    private Mono<Void> listResources(McpConnection connection) {
        return McpPages.<McpSchema.Resource>collect(cursor -> connection.client()
                .listResources(cursor)
                .map(r -> new McpPages.Page<>(r.resources() == null ? List.of() : r.resources(), r.nextCursor())),
                MAX_LISTED, "resources")
                .timeout(timeout)
                .doOnNext(listing -> tell(new McpChange.ResourcesListChanged(server,
                        listing.items().stream().map(McpSchema.Resource::uri).toList())))
                .then();
    }

    private Mono<Void> listPrompts(McpConnection connection) {
        return McpPages.<McpSchema.Prompt>collect(cursor -> connection.client()
                .listPrompts(cursor)
                .map(r -> new McpPages.Page<>(r.prompts() == null ? List.of() : r.prompts(), r.nextCursor())),
                MAX_LISTED, "prompts")
                .timeout(timeout)
                .doOnNext(listing -> tell(new McpChange.PromptsListChanged(server,
                        listing.items().stream().map(McpPrompts::prompt).toList())))
                .then();
    }

    /** The SDK's client of a connection that negotiated a revision up to 2025-11-25 (subscriptions are its). */
    private McpAsyncClient sdk(McpConnection connection) {
        if (connection.client() instanceof LegacyRequester legacy) {
            return legacy.client();
        }
        throw new IllegalStateException("MCP server '" + server + "': resource subscriptions are not offered over "
                + "protocol revision " + connection.client().protocolVersion());
    }

    private static McpSchema.@Nullable ServerCapabilities capabilities(McpConnection connection) {
        return connection.client().getServerCapabilities();
    }

    private ToolException failed(String what, Throwable e) {
        String why = McpErrors.isTimeout(e)
                ? "it did not answer within " + timeout.toMillis() + " ms"
                : McpErrors.why(e);
        return new ToolException("MCP server '" + server + "' " + what + ": " + why, e);
    }

    /**
     * One kind of listing, made again when the server says its list changed: one in flight, one more owed at
     * most. State 0: idle; 1: listing; 2: listing, and another is owed.
     */
    private final class Coalesced {
        private final String what;
        private final Function<McpConnection, Mono<Void>> work;
        private final AtomicInteger state = new AtomicInteger();
        private volatile @Nullable McpConnection latest;

        Coalesced(String what, Function<McpConnection, Mono<Void>> work) {
            this.what = what;
            this.work = work;
        }

        void poke(McpConnection connection) {
            latest = connection;
            while (true) {
                int s = state.get();
                if (s == 0 && state.compareAndSet(0, 1)) {
                    run();
                    return;
                }
                if (s == 2 || (s == 1 && state.compareAndSet(1, 2))) {
                    return;
                }
            }
        }

        private void run() {
            McpConnection connection = latest;
            Mono<Void> listing = connection == null ? Mono.empty() : Mono.defer(() -> work.apply(connection));
            listing.onErrorResume(e -> {
                log.warn("MCP server '{}' said its {} changed, and listing them again failed: {}", server, what,
                        McpErrors.isTimeout(e) ? "no answer within " + timeout.toMillis() + " ms" : McpErrors.why(e));
                return Mono.empty();
            }).doFinally(signal -> finished()).subscribe();
        }

        private void finished() {
            while (true) {
                if (state.compareAndSet(1, 0)) {
                    return;
                }
                if (state.compareAndSet(2, 1)) {
                    run();
                    return;
                }
            }
        }
    }
}
