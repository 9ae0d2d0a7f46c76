package dev.agentrt.tools.mcp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A redirect listener on 127.0.0.1 for {@link McpOAuth}, for an application on the user's own
 * machine: the authorization server sends the user's browser back to {@link #redirectUri()}, and the
 * redirect completes the authorization that is waiting for it (matched by its {@code state}).
 *
 * <pre>{@code
 * try (McpOAuthLoopback loopback = McpOAuthLoopback.open(0)) {
 *     McpOAuth oauth = McpOAuth.of(loopback.redirectUri(),
 *             loopback.handler(url -> Mono.fromRunnable(() -> desktop.browse(url))));
 *     ...
 * }
 * }</pre>
 *
 * <p>Only {@code GET /callback} with the {@code state} of an authorization in progress is answered
 * (a page telling the user to go back to the application); anything else gets 400 or 404 and
 * completes nothing. Thread-safe. {@link #close()} stops the listener and fails the authorizations
 * still waiting.
 */
public final class McpOAuthLoopback implements AutoCloseable {
    private static final String PATH = "/callback";

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final URI redirectUri;
    private final Map<String, Sinks.One<URI>> waiting = new ConcurrentHashMap<>();

    private McpOAuthLoopback(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
        redirectUri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
    }

    /**
     * Listens on 127.0.0.1 at {@code port} (0: one the system picks; a fixed one when the client is
     * registered beforehand with that redirect URI).
     *
     * @throws UncheckedIOException if the port cannot be bound
     */
    public static McpOAuthLoopback open(int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in 0..65535, was " + port);
        }
        try {
            return new McpOAuthLoopback(port);
        } catch (IOException e) {
            throw new UncheckedIOException("could not listen on 127.0.0.1:" + port, e);
        }
    }

    /** {@code http://127.0.0.1:<port>/callback}: the redirect URI to give {@link McpOAuth#of}. */
    public URI redirectUri() {
        return redirectUri;
    }

    /**
     * A handler that gives the authorization URL to {@code open} (which shows it to the user: opens a
     * browser, prints it) and completes with the redirect that reaches this listener with the URL's
     * {@code state}. {@code open} must not block; its failure fails the authorization.
     */
    public McpOAuth.AuthorizationHandler handler(Function<URI, Mono<Void>> open) {
        Objects.requireNonNull(open, "open");
        return url -> Mono.defer(() -> {
            String state = param(url.getRawQuery(), "state");
            if (state == null) {
                return Mono.error(new IllegalArgumentException("the authorization URL has no state"));
            }
            Sinks.One<URI> sink = Sinks.one();
            waiting.put(state, sink);
            return open.apply(url).then(sink.asMono()).doFinally(s -> waiting.remove(state, sink));
        });
    }

    @Override
    public void close() {
        server.stop(0);
        threads.close();
        waiting.values().forEach(s -> s.tryEmitError(new IllegalStateException("the redirect listener closed")));
        waiting.clear();
    }

    @Override
    public String toString() {
        return "McpOAuthLoopback[" + redirectUri + "]";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            if (!PATH.equals(uri.getPath()) || !"GET".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String state = param(uri.getRawQuery(), "state");
            Sinks.One<URI> sink = state == null ? null : waiting.remove(state);
            if (sink == null) {
                page(exchange, 400, "This sign-in is unknown or already finished.");
                return;
            }
            page(exchange, 200, "Done. You can close this window and return to the application.");
            String query = uri.getRawQuery();
            sink.tryEmitValue(URI.create(redirectUri + (query == null ? "" : "?" + query)));
        }
    }

    private static void page(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = ("<!doctype html><meta charset=utf-8><title>Authorization</title><p>" + text)
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static @Nullable String param(@Nullable String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
