package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.tool.ServerTelemetry;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a server serves besides tools: resources and prompts. Answers {@code resources/list},
 * {@code resources/read}, {@code prompts/list} and {@code prompts/get} itself ({@link OwnRequests}),
 * the same way over stdio, stateful and stateless HTTP, and declares the {@code resources} and
 * {@code prompts} capabilities only when there is something of the kind to serve (otherwise the
 * methods are left to the SDK's server, which answers {@code -32601}).
 *
 * <p>Resource subscriptions: {@code resources/subscribe} to a URI this server does not serve or is not granted is
 * refused here with the {@code -32002} or {@code -32602} a read would get; one it serves is left to the SDK's
 * server, which holds the session's subscriptions, and {@link #updated} has every SDK server serving now send
 * {@code notifications/resources/updated} to the sessions subscribed. A stateless server has no channel for
 * notifications: it does not declare {@code resources.subscribe}, and {@link #stateless()} refuses the methods
 * with a {@code -32601} saying so. A 2026-07-28 client subscribes with {@code subscriptions/listen} instead
 * ({@link ServedListens}), on every transport (stateless HTTP too: the listen's stream is its channel), and
 * {@link #updated} reaches its listens as well. Thread-safe.
 */
public final class ServerFeatures implements OwnRequests {
    private static final Logger log = LoggerFactory.getLogger(ServerFeatures.class);

    private final @Nullable ServedResources resources;
    private final @Nullable ServedPrompts prompts;
    private final ServerTelemetry telemetry;
    /** The SDK servers serving now (one per stdio stream pair, one per stateful HTTP endpoint). */
    private final Set<McpAsyncServer> serving = ConcurrentHashMap.newKeySet();
    /** The 2026-07-28 {@code subscriptions/listen}s open, on every transport. */
    private final ServedListens listens;

    public ServerFeatures(@Nullable ServedResources resources, @Nullable ServedPrompts prompts,
            ServerTelemetry telemetry) {
        this(resources, prompts, telemetry, ServedListens.DEFAULT_MAX_LISTENS, ServedListens.DEFAULT_MAX_URIS);
    }

    /**
     * @param maxListens the most {@code subscriptions/listen}s open at once on the server, over all its transports
     * @param maxListenUris the most resources one listen may subscribe to
     */
    public ServerFeatures(@Nullable ServedResources resources, @Nullable ServedPrompts prompts,
            ServerTelemetry telemetry, int maxListens, int maxListenUris) {
        this.resources = resources == null || resources.isEmpty() ? null : resources;
        this.prompts = prompts == null || prompts.isEmpty() ? null : prompts;
        this.telemetry = telemetry;
        this.listens = new ServedListens(this.resources, this.prompts != null, maxListens, maxListenUris);
    }

    /** The server's {@code subscriptions/listen}s, which each transport opens through a scope of its own. */
    ServedListens listens() {
        return listens;
    }

    /** How many {@code subscriptions/listen}s are open now, over all the server's transports. */
    public int openListens() {
        return listens.openCount();
    }

    /**
     * The capabilities to declare: tools always, resources and prompts when there are some; resource subscriptions
     * and tool and prompt list changes when the transport can {@code notify} (not stateless HTTP).
     */
    McpSchema.ServerCapabilities capabilities(boolean notify) {
        var builder = McpSchema.ServerCapabilities.builder().tools(notify);
        if (resources != null) {
            builder.resources(notify, false);
        }
        if (prompts != null) {
            builder.prompts(notify);
        }
        return builder.build();
    }

    /** {@code server} serves now, until the returned handle is disposed: it is told of {@link #updated} resources. */
    Disposable serving(McpAsyncServer server) {
        serving.add(server);
        return () -> serving.remove(server);
    }

    /**
     * Sends {@code notifications/resources/updated} for {@code uri} to every session subscribed to it, over every
     * transport serving now, and to every {@code subscriptions/listen} honouring it; a session that is gone is
     * skipped. Never fails.
     */
    public Mono<Void> updated(String uri) {
        var notification = new McpSchema.ResourcesUpdatedNotification(uri);
        return Mono.fromRunnable(() -> listens.updated(uri))
                .then(Flux.fromIterable(List.copyOf(serving))
                        .flatMap(s -> s.notifyResourcesUpdated(notification).onErrorResume(e -> {
                            log.debug("MCP server: an update of {} was not sent", uri, e);
                            return Mono.empty();
                        }))
                        .then());
    }

    /**
     * The server's tools changed: every {@code subscriptions/listen} honouring {@code toolsListChanged} is told (the
     * SDK's servers tell their own sessions). Never fails; never blocks.
     */
    public void toolsChanged() {
        listens.listChanged(ServedListens.TOOLS_LIST_CHANGED);
    }

    /**
     * Serves {@code prompt} from now on and tells the clients ({@code notifications/prompts/list_changed} to every
     * session of every transport serving now and to every {@code subscriptions/listen} honouring {@code
     * promptsListChanged}). Fails with {@code IllegalStateException} when the server serves no prompts (it declared
     * no {@code prompts} capability), {@code IllegalArgumentException} when a prompt of that name is served.
     */
    public Mono<Void> addPrompt(ServedPrompts.Prompt prompt) {
        return Mono.defer(() -> {
            ServedPrompts p = servedPrompts();
            if (!p.add(prompt)) {
                return Mono.error(new IllegalArgumentException("a prompt named " + prompt.name()
                        + " is served already"));
            }
            return promptsChanged();
        });
    }

    /** Stops serving the prompt {@code name} and tells the clients as {@link #addPrompt} does; false if none. */
    public Mono<Boolean> removePrompt(String name) {
        return Mono.defer(() -> servedPrompts().remove(name) ? promptsChanged().thenReturn(true) : Mono.just(false));
    }

    private ServedPrompts servedPrompts() {
        ServedPrompts p = prompts;
        if (p == null) {
            throw new IllegalStateException("this server was built without prompts, so it declared no prompts "
                    + "capability and its clients would not look for any: build it with at least one prompt "
                    + "(McpServer.Builder.prompt) to add and remove prompts while serving");
        }
        return p;
    }

    private Mono<Void> promptsChanged() {
        listens.listChanged(ServedListens.PROMPTS_LIST_CHANGED);
        return Flux.fromIterable(List.copyOf(serving))
                .flatMap(s -> s.notifyPromptsListChanged().onErrorResume(e -> {
                    log.debug("MCP server: a prompt list change was not sent", e);
                    return Mono.empty();
                }))
                .then();
    }

    /** These requests as a stateless server answers them: resource subscriptions refused, saying why. */
    OwnRequests stateless() {
        return request -> switch (request.method()) {
            case McpSchema.METHOD_RESOURCES_SUBSCRIBE, McpSchema.METHOD_RESOURCES_UNSUBSCRIBE -> Mono.just(
                    new McpSchema.JSONRPCResponse("2.0", request.id(), null,
                            new McpSchema.JSONRPCResponse.JSONRPCError(ErrorCodes.METHOD_NOT_FOUND,
                                    "Method not found: " + request.method() + " (a stateless server cannot send "
                                            + "notifications, so it offers no resource subscriptions)",
                                    null)));
            default -> answer(request);
        };
    }

    @Override
    public @Nullable Mono<McpSchema.JSONRPCResponse> answer(McpSchema.JSONRPCRequest request) {
        ServedResources r = resources;
        ServedPrompts p = prompts;
        if (request.method().equals(McpSchema.METHOD_RESOURCES_SUBSCRIBE) && r != null) {
            try {
                r.checkSubscribable(required(string(request, "uri"), "uri"));
                return null; // the SDK's server holds the session's subscriptions
            } catch (McpError e) {
                return Mono.just(new McpSchema.JSONRPCResponse("2.0", request.id(), null, error(request, e)));
            }
        }
        Mono<?> result = switch (request.method()) {
            case McpSchema.METHOD_RESOURCES_LIST -> r == null
                    ? null
                    : Mono.defer(() -> r.list(string(request, "cursor")));
            case McpSchema.METHOD_RESOURCES_READ -> r == null
                    ? null
                    : Mono.defer(() -> r.read(required(string(request, "uri"), "uri")));
            case McpSchema.METHOD_PROMPT_LIST -> p == null ? null : Mono.fromSupplier(p::list);
            case McpSchema.METHOD_PROMPT_GET -> p == null
                    ? null
                    : Mono.defer(() -> p.get(string(request, "name"),
                            params(request).get("arguments") instanceof Map<?, ?> m ? m : null));
            default -> null;
        };
        if (result == null) {
            return null;
        }
        Mono<McpSchema.JSONRPCResponse> answered = result.<McpSchema.JSONRPCResponse>map(
                ok -> new McpSchema.JSONRPCResponse("2.0", request.id(), ok, null))
                .onErrorResume(e -> Mono.just(new McpSchema.JSONRPCResponse("2.0", request.id(), null,
                        error(request, e))));
        return telemetry == ServerTelemetry.NONE ? answered : recorded(request, answered);
    }

    /**
     * {@code answered}, recorded by the server's telemetry as the MCP conventions' server span of the request:
     * {@code prompts/get {prompt}} or the method alone, {@code mcp.resource.uri} for a read, under the trace context
     * of the request's {@code params._meta}; a JSON-RPC error ends it with its code.
     */
    private Mono<McpSchema.JSONRPCResponse> recorded(McpSchema.JSONRPCRequest request,
            Mono<McpSchema.JSONRPCResponse> answered) {
        return Mono.deferContextual(context -> {
            ServedRequest served = context.getOrDefault(ServedRequest.class, null);
            var attributes = new LinkedHashMap<String, Object>(served == null ? Map.of() : served.attributes());
            Map<?, ?> params = params(request);
            String target = null;
            if (request.method().equals(McpSchema.METHOD_RESOURCES_READ) && params.get("uri") instanceof String uri) {
                attributes.put("mcp.resource.uri", uri);
            } else if (request.method().equals(McpSchema.METHOD_PROMPT_GET)
                    && params.get("name") instanceof String name) {
                target = name;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> meta = params.get("_meta") instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
            ServerTelemetry.Call record = telemetry.start(request.method(), target, ServedRequest.carrier(meta),
                    attributes);
            return answered.doOnNext(response -> {
                McpSchema.JSONRPCResponse.JSONRPCError error = response.error();
                if (error == null) {
                    record.end(null, null);
                } else {
                    String code = Integer.toString(error.code());
                    record.attribute("rpc.response.status_code", code);
                    record.end(code, error.message());
                }
            }).doOnCancel(() -> record.end("cancelled", "the client cancelled the request"));
        });
    }

    private static McpSchema.JSONRPCResponse.JSONRPCError error(McpSchema.JSONRPCRequest request, Throwable e) {
        if (e instanceof McpError m && m.getJsonRpcError() != null) {
            return m.getJsonRpcError();
        }
        log.warn("MCP server: {} failed", request.method(), e);
        return new McpSchema.JSONRPCResponse.JSONRPCError(ErrorCodes.INTERNAL_ERROR,
                "Internal error: " + request.method() + " failed (" + e.getClass().getSimpleName() + ")", null);
    }

    private static Map<?, ?> params(McpSchema.JSONRPCRequest request) {
        return request.params() instanceof Map<?, ?> m ? m : Map.of();
    }

    /** The string parameter {@code name}; fails for one of another type (null when absent). */
    private static @Nullable String string(McpSchema.JSONRPCRequest request, String name) {
        Object value = params(request).get(name);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw McpError.builder(ErrorCodes.INVALID_PARAMS)
                .message("Invalid params: \"" + name + "\" must be a string")
                .build();
    }

    private static String required(@Nullable String value, String name) {
        if (value == null) {
            throw McpError.builder(ErrorCodes.INVALID_PARAMS)
                    .message("Invalid params: the request needs \"" + name + "\"")
                    .build();
        }
        return value;
    }
}
