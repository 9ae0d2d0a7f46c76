package dev.agentrt.tools.mcp;

import dev.agentrt.tools.internal.mcp.StreamableHttpHandler;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * MCP's streamable HTTP transport without an HTTP server: one request in, one response out, for
 * mounting an {@link McpServer} on a server the application already runs (Spring WebFlux or MVC,
 * say). {@link McpServer#serveHttp} is this handler on the JDK's own HTTP server.
 *
 * <pre>{@code
 * McpHttpHandler mcp = server.httpHandler(McpHttpOptions.defaults().path("/mcp"));
 * // for each exchange on the endpoint's path:
 * mcp.handle(new McpHttpHandler.Request(method, path, headers, bodyChunks))
 *     .subscribe(response -> write(response.status(), response.headers(), response.body()));
 * }</pre>
 *
 * <p>The handler does everything the protocol asks of the endpoint, so every server hosting it
 * answers alike: the {@code Origin} check (a page from another origin gets 403: DNS rebinding), the
 * bearer token check of {@link McpHttpOptions#bearerTokens}, the body limit (413, checked against
 * {@code Content-Length} and while reading, so a chunked body is bounded too), JSON-RPC parse and
 * shape errors, sessions ({@code Mcp-Session-Id}: 400 without, 404 unknown), the {@code
 * MCP-Protocol-Version} header, the methods (POST, GET for the session's event stream, DELETE; 405
 * otherwise, and for GET when stateless), media types (415, 406),
 * and a path other than {@link McpHttpOptions#path()} (404). {@link McpHttpOptions#address()} and
 * {@link McpHttpOptions#port()} are the hosting server's business and are ignored here.
 *
 * <p>Non-blocking: {@link #handle} never blocks the subscribing thread; a bearer token validator
 * runs on a virtual thread of {@link dev.agentrt.core.AgentSchedulers#blocking()}, the tools on
 * their registry's schedulers. Thread-safe; one handler serves any number of concurrent requests.
 */
public final class McpHttpHandler implements AutoCloseable {
    private final StreamableHttpHandler handler;

    McpHttpHandler(StreamableHttpHandler handler) {
        this.handler = handler;
    }

    /**
     * One HTTP request.
     *
     * @param method the HTTP method, e.g. {@code POST}
     * @param path the request's path without the query, e.g. {@code /mcp} (within the application,
     *     when the hosting server adds a context path)
     * @param headers the request headers; names are looked up ignoring case
     * @param body the request body as it arrives; read at most once, and cancelled once it passes
     *     the size limit. The handler reads the buffers' remaining bytes without changing them
     */
    public record Request(String method, String path, Map<String, List<String>> headers, Flux<ByteBuffer> body) {
        public Request {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(path, "path");
            var copy = new TreeMap<String, List<String>>(String.CASE_INSENSITIVE_ORDER);
            headers.forEach((name, values) -> copy.merge(name, List.copyOf(values), (a, b) -> {
                var all = new java.util.ArrayList<>(a);
                all.addAll(b);
                return List.copyOf(all);
            }));
            headers = java.util.Collections.unmodifiableMap(copy);
            Objects.requireNonNull(body, "body");
        }

        /** The first value of header {@code name} (any case), or null. */
        public @Nullable String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.getFirst();
        }
    }

    /**
     * One HTTP response.
     *
     * @param status the HTTP status
     * @param headers the headers to send ({@code Content-Type} among them when there is a body)
     * @param body the body: one buffer for a JSON answer, none for 202/204 and other empty answers,
     *     and for an event stream ({@link #isEventStream()}) one buffer per server-sent event, each to
     *     be written and flushed as it comes; its status and headers are to be sent at once, as a
     *     session's {@code GET} stream may carry no event for a long time. Cancelling an event
     *     stream's body (the client went away) cancels the call it answers. Read-only buffers;
     *     subscribe once
     */
    public record Response(int status, Map<String, String> headers, Flux<ByteBuffer> body) {
        public Response {
            headers = Map.copyOf(headers);
            Objects.requireNonNull(body, "body");
        }

        /** Whether the body is a stream of server-sent events, to be flushed event by event. */
        public boolean isEventStream() {
            return "text/event-stream".equals(headers.get("Content-Type"));
        }
    }

    /** The endpoint's path, {@link McpHttpOptions#path()}. */
    public String path() {
        return handler.settings().path();
    }

    /**
     * Answers one request. Never fails: whatever goes wrong becomes a JSON-RPC error with its HTTP
     * status (500 for a fault of the server's). Cancelling the returned {@code Mono} (the client went
     * away) cancels the call the request started.
     */
    public Mono<Response> handle(Request request) {
        return handler.handle(Objects.requireNonNull(request, "request"));
    }

    /**
     * Ends every session and cancels the calls still running; their requests are answered 503.
     * Later requests get 503. Does not block; idempotent.
     */
    @Override
    public void close() {
        handler.close();
    }

    @Override
    public String toString() {
        return "McpHttpHandler[" + path() + "]";
    }
}
