package dev.agentrt.core.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real HTTP/1.1 server on 127.0.0.1 (the JDK's {@code HttpServer}) that answers the way a model
 * provider does: status codes, headers, bodies written in chosen pieces with chosen pauses
 * (chunked transfer encoding, one flush per piece), bodies cut off mid-way. Requests are recorded.
 * Responses come from a queue, or from a function of the request when the queue is empty.
 */
public final class FakeHttpServer implements AutoCloseable {
    static {
        // Every piece goes out at once, as a provider's server sends it; without this, Nagle's
        // algorithm and delayed ACKs hold a small second piece back for 40 ms.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Responder> queue = new ConcurrentLinkedQueue<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger brokenWrites = new AtomicInteger();
    private volatile CountDownLatch clientGone = new CountDownLatch(1);
    private volatile Function<Recorded, Responder> fallback = r -> Responder.json(500,
            "{\"error\":{\"type\":\"test_error\",\"message\":\"no response queued\"}}");

    private FakeHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeHttpServer start() {
        try {
            return new FakeHttpServer();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code http://127.0.0.1:port} */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public FakeHttpServer enqueue(Responder... responders) {
        queue.addAll(List.of(responders));
        return this;
    }

    /** Answers requests with an empty queue by computing a response from the request. */
    public FakeHttpServer otherwise(Function<Recorded, Responder> responder) {
        this.fallback = responder;
        return this;
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    public Recorded lastRequest() {
        return requests.get(requests.size() - 1);
    }

    /** Waits until a response write failed because the client had closed the connection. */
    public boolean awaitClientGone(Duration timeout) throws InterruptedException {
        return clientGone.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public int brokenWrites() {
        return brokenWrites.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        var headers = new TreeMap<String, List<String>>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
        byte[] body = exchange.getRequestBody().readAllBytes();
        var recorded = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                exchange.getProtocol(), headers, new String(body, StandardCharsets.UTF_8));
        requests.add(recorded);
        Responder r = queue.poll();
        if (r == null) {
            r = fallback.apply(recorded);
        }
        try {
            r.respond(exchange);
        } catch (IOException e) {
            brokenWrites.incrementAndGet();
            clientGone.countDown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    /** A recorded request. Header names are case-insensitive. */
    public record Recorded(String method, String path, String protocol, Map<String, List<String>> headers,
            String body) {
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /** One response. */
    @FunctionalInterface
    public interface Responder {
        void respond(HttpExchange exchange) throws IOException, InterruptedException;

        /** A whole body with a Content-Length. Extra headers as name, value pairs. */
        static Responder json(int status, String body, String... headers) {
            return ex -> {
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                setHeaders(ex, "application/json", headers);
                ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
                if (bytes.length > 0) {
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(bytes);
                    }
                }
            };
        }

        /** A chunked body written piece by piece, flushed after each, with {@code gap} between pieces. */
        static Responder stream(String contentType, List<byte[]> pieces, Duration gap, String... headers) {
            return ex -> {
                setHeaders(ex, contentType, headers);
                ex.sendResponseHeaders(200, 0);
                OutputStream out = ex.getResponseBody();
                for (int i = 0; i < pieces.size(); i++) {
                    if (i > 0 && !gap.isZero()) {
                        Thread.sleep(gap.toMillis());
                    }
                    out.write(pieces.get(i));
                    out.flush();
                }
                out.close();
            };
        }

        /** A server-sent event stream in one piece. */
        static Responder sse(String body, String... headers) {
            return stream("text/event-stream", List.of(body.getBytes(StandardCharsets.UTF_8)), Duration.ZERO,
                    headers);
        }

        /** A server-sent event stream split into the given text pieces. */
        static Responder sse(List<String> pieces, Duration gap, String... headers) {
            var bytes = new ArrayList<byte[]>();
            for (String p : pieces) {
                bytes.add(p.getBytes(StandardCharsets.UTF_8));
            }
            return stream("text/event-stream", bytes, gap, headers);
        }

        /** Sends the headers and {@code first}, then stays silent for {@code silence}, then ends the body. */
        static Responder stall(String contentType, String first, Duration silence) {
            return ex -> {
                setHeaders(ex, contentType);
                ex.sendResponseHeaders(200, 0);
                OutputStream out = ex.getResponseBody();
                out.write(first.getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(silence.toMillis());
                out.close();
            };
        }

        private static void setHeaders(HttpExchange ex, String contentType, String... headers) {
            ex.getResponseHeaders().set("Content-Type", contentType);
            for (int i = 0; i + 1 < headers.length; i += 2) {
                ex.getResponseHeaders().add(headers[i], headers[i + 1]);
            }
        }
    }

    /**
     * A server that answers every connection with a 200, a chunked body holding {@code body}, and
     * then a TCP reset (SO_LINGER 0): the client sees the connection break in the middle of a reply.
     */
    public static final class ResettingServer implements AutoCloseable {
        private final java.net.ServerSocket socket;
        private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();

        private ResettingServer(String contentType, String body) throws IOException {
            socket = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            byte[] payload = body.getBytes(StandardCharsets.UTF_8);
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try (java.net.Socket s = socket.accept()) {
                        connections.incrementAndGet();
                        readRequest(s.getInputStream());
                        OutputStream out = s.getOutputStream();
                        out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + contentType
                                + "\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(payload.length)
                                + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(payload);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        Thread.sleep(100);
                        s.setSoLinger(true, 0);
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            });
        }

        public static ResettingServer start(String contentType, String body) {
            try {
                return new ResettingServer(contentType, body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        public String url() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        public java.util.concurrent.atomic.AtomicInteger connections() {
            return connections;
        }

        private static void readRequest(java.io.InputStream in) throws IOException {
            var head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                head.append((char) b);
            }
            var m = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
            if (m.find()) {
                in.readNBytes(Integer.parseInt(m.group(1)));
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
