package dev.agentrt.core.testing;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on 127.0.0.1 that answers each connection with whatever bytes a test scripts: valid
 * HTTP/1.1, chunked bodies with extensions and trailers, and every way of getting it wrong (a bad
 * status line, a header without a colon, conflicting lengths, an early close, garbage, one byte at
 * a time). With an {@link SSLContext} it speaks TLS first and records the SNI name each client
 * sent. Each request's head (and body, when it has a {@code Content-Length}) is read and recorded
 * before the script runs; the connection is closed after it.
 */
public final class RawHttpServer implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final ConcurrentLinkedQueue<Script> queue = new ConcurrentLinkedQueue<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<String> serverNames = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final SSLContext tls;
    private volatile Script otherwise = Script.text(404, "text/plain", "nothing queued");

    /** What to send on one connection, after its request was read. */
    @FunctionalInterface
    public interface Script {
        void serve(Request request, InputStream in, OutputStream out) throws Exception;

        /** Exactly these bytes (ISO-8859-1 for a string), then the connection closes. */
        static Script raw(String bytes) {
            return raw(bytes.getBytes(StandardCharsets.ISO_8859_1));
        }

        static Script raw(byte[] bytes) {
            return (request, in, out) -> {
                out.write(bytes);
                out.flush();
            };
        }

        /** A complete response with a {@code Content-Length}. */
        static Script text(int status, String contentType, String body, String... headers) {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            var sb = new StringBuilder("HTTP/1.1 ").append(status)
                    .append(" X\r\nContent-Type: ")
                    .append(contentType)
                    .append("\r\nContent-Length: ")
                    .append(b.length)
                    .append("\r\n");
            for (int i = 0; i + 1 < headers.length; i += 2) {
                sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            byte[] head = sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
            var all = new ByteArrayOutputStream();
            all.writeBytes(head);
            all.writeBytes(b);
            return raw(all.toByteArray());
        }

        /** A redirect with {@code status} to {@code location}. */
        static Script redirect(int status, String location) {
            return raw("HTTP/1.1 " + status + " Moved\r\nLocation: " + location + "\r\nContent-Length: 0\r\n\r\n");
        }
    }

    /** A request as the server read it. Header names lower-case. */
    public record Request(String method, String target, Map<String, List<String>> headers, byte[] body) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : String.join(", ", v);
        }
    }

    private RawHttpServer(SSLContext tls) throws IOException {
        this.tls = tls;
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[]{127, 0, 0, 1}), 0));
        threads.execute(this::acceptLoop);
    }

    public static RawHttpServer start() {
        return start(null);
    }

    /** A server that speaks TLS with {@code tls}'s key (plain HTTP when null). */
    public static RawHttpServer start(SSLContext tls) {
        try {
            return new RawHttpServer(tls);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:port} (or https). */
    public String url() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + port();
    }

    /** {@code http://host:port}: the server under another name (which the test resolves to 127.0.0.1). */
    public String url(String host) {
        return (tls == null ? "http" : "https") + "://" + host + ":" + port();
    }

    public RawHttpServer enqueue(Script... scripts) {
        queue.addAll(List.of(scripts));
        return this;
    }

    /** Answers connections that find the queue empty. */
    public RawHttpServer otherwise(Script script) {
        this.otherwise = script;
        return this;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Connections accepted (a TLS handshake that failed counts; it has no request). */
    public int connections() {
        return connections.get();
    }

    /** The SNI host name each TLS client sent ("" when none), in order. */
    public List<String> serverNames() {
        return List.copyOf(serverNames);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // Closing is best effort.
        }
        threads.shutdownNow();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException closed) {
                return;
            }
            connections.incrementAndGet();
            threads.execute(() -> serve(s));
        }
    }

    private void serve(Socket plain) {
        try (Socket s = tls == null ? plain : handshake(plain)) {
            if (s == null) {
                return;
            }
            InputStream in = s.getInputStream();
            Request request = readRequest(in);
            if (request == null) {
                return;
            }
            requests.add(request);
            Script script = queue.poll();
            (script == null ? otherwise : script).serve(request, in, s.getOutputStream());
        } catch (SocketException clientGone) {
            // The client closed first (it stopped reading at a limit or a deadline): expected.
        } catch (Exception | AssertionError e) {
            failures.add(e);
        }
    }

    private Socket handshake(Socket plain) throws IOException {
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
        ssl.setUseClientMode(false);
        try {
            ssl.startHandshake();
        } catch (IOException refused) {
            serverNames.add("(handshake failed)");
            ssl.close();
            return null;
        }
        String name = "";
        if (ssl.getSession() instanceof ExtendedSSLSession session) {
            for (SNIServerName n : session.getRequestedServerNames()) {
                if (n instanceof SNIHostName h) {
                    name = h.getAsciiName();
                }
            }
        }
        serverNames.add(name);
        return ssl;
    }

    private static Request readRequest(InputStream in) throws IOException {
        String requestLine = line(in);
        if (requestLine == null || requestLine.isEmpty()) {
            return null;
        }
        var headers = new LinkedHashMap<String, List<String>>();
        for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            headers.computeIfAbsent(l.substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(l.substring(colon + 1).strip());
        }
        byte[] body = new byte[0];
        List<String> cl = headers.get("content-length");
        if (cl != null) {
            body = in.readNBytes(Integer.parseInt(cl.get(0)));
        }
        String[] parts = requestLine.split(" ");
        return new Request(parts[0], parts[1], headers, body);
    }

    private static String line(InputStream in) throws IOException {
        var sb = new StringBuilder();
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (b == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            sb.append((char) b);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    /** Failures of the scripts themselves (not the client's disconnects), for tests to assert none. */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    /** Writes {@code bytes}, flushing, ignoring the client leaving. */
    public static void write(OutputStream out, String bytes) throws IOException {
        out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }
}
