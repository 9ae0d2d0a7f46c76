package dev.agentrt.tools.internal.mcp;

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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The loopback redirect listener behind {@link dev.agentrt.tools.mcp.McpOAuthLoopback}: the JDK's HTTP
 * server on 127.0.0.1, answering {@code GET /callback} for the authorizations waiting for their
 * {@code state}. Thread-safe; requests are handled on virtual threads.
 */
public final class LoopbackRedirectListener implements AutoCloseable {
    private static final String PATH = "/callback";

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final URI redirectUri;
    private final Map<String, Sinks.One<URI>> waiting = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private LoopbackRedirectListener(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
        redirectUri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
    }

    /** Listens on 127.0.0.1 at {@code port} (0: one the system picks); fails if it cannot be bound. */
    public static LoopbackRedirectListener open(int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in 0..65535, was " + port);
        }
        try {
            return new LoopbackRedirectListener(port);
        } catch (IOException e) {
            throw new UncheckedIOException("could not listen on 127.0.0.1:" + port, e);
        }
    }

    /** {@code http://127.0.0.1:<port>/callback}. */
    public URI redirectUri() {
        return redirectUri;
    }

    /** Gives {@code url} to {@code open}, then waits for the redirect that carries its {@code state}. */
    public Mono<URI> authorize(URI url, Function<URI, Mono<Void>> open) {
        return Mono.defer(() -> {
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
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
        threads.close();
        waiting.values().forEach(s -> s.tryEmitError(new IllegalStateException("the redirect listener closed")));
        waiting.clear();
    }

    @Override
    public String toString() {
        return "LoopbackRedirectListener[" + redirectUri + "]";
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
