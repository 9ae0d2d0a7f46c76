package dev.agentrt.tools.internal.mcp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentrt.tools.mcp.McpHttpHandler.Request;
import dev.agentrt.tools.mcp.McpHttpHandler.Response;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * {@link StreamableHttpHandler} on the JDK's own HTTP server ({@code com.sun.net.httpserver}): this
 * class only moves bytes between an exchange and the handler, which makes every decision.
 *
 * <p>Each exchange runs on a virtual thread of its own ({@code agentrt-mcp-http-<name>-<n>}), which
 * reads the body, waits for the handler's response and writes it, an event stream event by event;
 * nothing blocks a Reactor thread. {@link #close()} closes the handler (running calls are cancelled
 * and answered 503, event streams ended), stops the JDK server once the exchanges have written their
 * last bytes (its dispatcher thread is joined) and interrupts what is still running.
 */
public final class HttpServerTransport implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpServerTransport.class);
    private static final Duration CLOSE_GUARD = Duration.ofSeconds(10);
    private static final int CHUNK = 16 * 1024;

    private final StreamableHttpHandler handler;
    private final InetAddress address;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The event streams being written, each completed once its exchange has closed. */
    private final Set<CompletableFuture<Void>> streams = ConcurrentHashMap.newKeySet();
    private volatile @Nullable HttpServer server;
    private volatile @Nullable ExecutorService executor;

    HttpServerTransport(StreamableHttpHandler handler, InetAddress address, int port) {
        this.handler = handler;
        this.address = Objects.requireNonNull(address, "address");
        this.port = port;
    }

    void start() {
        HttpServer s;
        try {
            s = HttpServer.create(new InetSocketAddress(address, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("MCP server '" + handler.name() + "' could not listen on "
                    + address.getHostAddress() + ":" + port + ": " + e.getMessage(), e);
        }
        ExecutorService threads = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("agentrt-mcp-http-" + handler.name() + "-", 0).factory());
        s.createContext("/", this::exchange);
        s.setExecutor(threads);
        executor = threads;
        server = s;
        s.start();
    }

    /** Where the server listens. */
    public InetSocketAddress address() {
        return Objects.requireNonNull(server, "not started").getAddress();
    }

    /** The endpoint's URL. */
    public URI url() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host.replaceFirst("%.*$", "") + "]";
        }
        return URI.create("http://" + host + ":" + a.getPort() + handler.settings().path());
    }

    /**
     * Closes the handler (running calls are cancelled and their exchanges answered {@code 503}), stops
     * the server and waits, bounded, for its threads to end. Idempotent; blocks the caller.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        handler.close();
        HttpServer s = server;
        if (s != null) {
            // The handler has ended every event stream: their exchanges now write the final chunk. Stopping first
            // would cut the connections mid-response, so a client would see a broken stream, not its end.
            awaitStreamsEnded();
            s.stop(0);
        }
        ExecutorService threads = executor;
        if (threads != null) {
            threads.shutdownNow();
            try {
                if (!threads.awaitTermination(CLOSE_GUARD.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("MCP server '{}': exchanges still running {} s after close", handler.name(),
                            CLOSE_GUARD.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        log.debug("MCP server '{}' stopped", handler.name());
    }

    /** Waits, at most the guard, for the event streams being written to end (each once its exchange closed). */
    private void awaitStreamsEnded() {
        try {
            CompletableFuture.allOf(streams.toArray(CompletableFuture[]::new))
                    .get(CLOSE_GUARD.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.debug("MCP server '{}': event streams still open at close", handler.name());
        }
    }

    private void exchange(HttpExchange ex) {
        boolean sent = false;
        CompletableFuture<Void> stream = null;
        try {
            var request = new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestHeaders(),
                    body(ex.getRequestBody()));
            Response response;
            try {
                response = Objects.requireNonNull(handler.handle(request).block(), "no response");
            } catch (RuntimeException e) {
                if (!Thread.currentThread().isInterrupted() && !(e.getCause() instanceof InterruptedException)) {
                    throw e;
                }
                response = handler.unavailable(); // close() interrupted the wait
            }
            sent = true;
            if (response.isEventStream()) {
                stream = new CompletableFuture<>();
                streams.add(stream);
            }
            write(ex, response);
        } catch (IOException | UncheckedIOException e) {
            log.debug("MCP server '{}': the client went away ({})", handler.name(), e.getMessage());
        } catch (RuntimeException e) {
            log.warn("MCP server '{}': serving {} {} failed", handler.name(), ex.getRequestMethod(),
                    ex.getRequestURI(), e);
            if (!sent) {
                try {
                    write(ex, handler.unavailable());
                } catch (IOException | RuntimeException again) {
                    log.debug("MCP server '{}': could not report the failure", handler.name(), again);
                }
            }
        } finally {
            ex.close();
            if (stream != null) {
                stream.complete(null);
                streams.remove(stream);
            }
        }
    }

    /** The body, read on the exchange's (virtual) thread as the handler asks for it. */
    private static Flux<ByteBuffer> body(InputStream in) {
        return Flux.generate(sink -> {
            byte[] buffer = new byte[CHUNK];
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    sink.complete();
                } else {
                    sink.next(ByteBuffer.wrap(buffer, 0, n));
                }
            } catch (IOException e) {
                sink.error(new UncheckedIOException(e));
            }
        });
    }

    private static void write(HttpExchange ex, Response response) throws IOException {
        response.headers().forEach(ex.getResponseHeaders()::set);
        if (response.isEventStream()) {
            ex.sendResponseHeaders(response.status(), 0);
            OutputStream out = ex.getResponseBody();
            // The headers now, not with the first event: a GET stream may carry none for a long time.
            out.flush();
            // Closing the stream (also when writing fails: the client went away) cancels the call.
            try (Stream<ByteBuffer> events = response.body().toStream(1)) {
                for (Iterator<ByteBuffer> it = events.iterator(); it.hasNext();) {
                    out.write(bytes(it.next()));
                    out.flush();
                }
            }
            return;
        }
        var body = new ByteArrayOutputStream();
        List<ByteBuffer> chunks = Objects.requireNonNull(response.body().collectList().block());
        for (ByteBuffer b : chunks) {
            body.write(bytes(b));
        }
        byte[] bytes = body.toByteArray();
        ex.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }
}
