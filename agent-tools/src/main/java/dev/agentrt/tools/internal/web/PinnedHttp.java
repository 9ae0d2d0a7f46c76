package dev.agentrt.tools.internal.web;

import dev.agentrt.core.ToolException;
import dev.agentrt.core.security.UrlGuard;
import org.jspecify.annotations.Nullable;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One HTTP/1.1 exchange over a socket connected to an address {@link UrlGuard} checked: the
 * connection goes to that address and no other, so a DNS answer that changes between the check
 * and the connection (rebinding) cannot redirect it. TLS verifies the certificate against the
 * URL's host (SNI and endpoint identification), as a browser does. No proxies, no keep-alive
 * ({@code Connection: close}), no compression ({@code Accept-Encoding: identity}).
 *
 * <p>Blocking: run on {@code AgentSchedulers.blocking()}. Every read honours one deadline for the
 * whole exchange; the body is read up to a byte limit and the connection then dropped.
 * {@link #abort} closes the socket from another thread.
 */
public final class PinnedHttp {
    private static final int MAX_LINE = 16 * 1024;
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_HEADERS = 200;

    private volatile @Nullable Socket socket;
    private volatile boolean aborted;

    /** A request. Header names as given; values must not contain line breaks. */
    public record Request(String method, UrlGuard.Checked destination, List<Map.Entry<String, String>> headers,
            byte @Nullable [] body) {}

    /** What came back. Header names lower-case. {@code truncated}: the body went past the limit and was cut. */
    public record Response(int status, Map<String, List<String>> headers, byte[] body, boolean truncated,
            boolean bodyRead) {
        public @Nullable String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    /** The exchange took longer than its deadline. */
    public static final class DeadlineException extends ToolException {
        public DeadlineException(String message) {
            super(message);
        }
    }

    /**
     * Sends {@code request} and reads the response. {@code readBody} sees the status and headers and
     * decides whether the body is read at all. Throws {@link DeadlineException} past
     * {@code deadlineNanos} ({@link System#nanoTime()}), {@link ToolException} for network failures.
     */
    public Response exchange(Request request, long deadlineNanos, long maxBodyBytes,
            Predicate<Response> readBody) {
        UrlGuard.Target target = request.destination().target();
        IOException last = null;
        for (InetAddress address : request.destination().addresses()) {
            Socket s = new Socket();
            socket = s;
            try {
                if (aborted) {
                    throw new ToolException("The request was cancelled.");
                }
                s.connect(new InetSocketAddress(address, target.port()), remainingMillis(deadlineNanos, target));
            } catch (SocketTimeoutException e) {
                closeQuietly(s);
                throw deadline(target);
            } catch (IOException e) {
                closeQuietly(s);
                last = e;
                continue;
            }
            try {
                return exchangeOn(s, request, deadlineNanos, maxBodyBytes, readBody);
            } catch (SocketTimeoutException e) {
                throw deadline(target);
            } catch (IOException e) {
                if (System.nanoTime() - deadlineNanos >= 0) {
                    throw deadline(target);
                }
                throw new ToolException("The request to " + target.uri() + " failed: " + describe(e));
            } finally {
                closeQuietly(s);
            }
        }
        throw new ToolException("Could not connect to " + target.uri() + ": " + (last == null
                ? "no address"
                : describe(last)) + ".");
    }

    /** Records that the exchange was cancelled, before {@link #abort} closes it on another thread. */
    public void markAborted() {
        aborted = true;
    }

    /** Whether the exchange was cancelled. */
    public boolean aborted() {
        return aborted;
    }

    /** Closes the connection from another thread; the exchange then fails. */
    public void abort() {
        aborted = true;
        Socket s = socket;
        if (s != null) {
            closeQuietly(s);
        }
    }

    private Response exchangeOn(Socket plain, Request request, long deadlineNanos, long maxBodyBytes,
            Predicate<Response> readBody) throws IOException {
        UrlGuard.Target target = request.destination().target();
        Socket s = plain;
        if (target.https()) {
            SSLContext tls;
            try {
                tls = SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                throw new IOException("TLS is not available", e);
            }
            SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, target.host(), target.port(), true);
            SSLParameters params = ssl.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            if (target.literal() == null) {
                params.setServerNames(List.of(new SNIHostName(target.host())));
            }
            ssl.setSSLParameters(params);
            plain.setSoTimeout(remainingMillis(deadlineNanos, target));
            ssl.startHandshake();
            s = ssl;
        }
        OutputStream out = s.getOutputStream();
        out.write(head(request).getBytes(StandardCharsets.ISO_8859_1));
        if (request.body() != null) {
            out.write(request.body());
        }
        out.flush();
        InputStream in = new BufferedInputStream(s.getInputStream());
        Deadline d = new Deadline(plain, deadlineNanos, target);
        int status;
        Map<String, List<String>> headers;
        do {
            status = statusLine(readLine(in, d));
            headers = readHeaders(in, d);
        } while (status >= 100 && status < 200);
        Response head = new Response(status, headers, new byte[0], false, false);
        boolean noBody = request.method().equals("HEAD") || status == 204 || status == 304;
        if (noBody || !readBody.test(head)) {
            return head;
        }
        var body = new Limited(maxBodyBytes);
        String te = head.header("transfer-encoding");
        String cl = head.header("content-length");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            readChunked(in, d, body);
        } else if (cl != null) {
            long length;
            try {
                length = Long.parseLong(cl.strip());
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length");
            }
            readFixed(in, d, body, length);
        } else {
            readFixed(in, d, body, Long.MAX_VALUE);
        }
        return new Response(status, headers, body.bytes(), body.overflow, true);
    }

    private static String head(Request request) {
        UrlGuard.Target t = request.destination().target();
        var sb = new StringBuilder(256);
        sb.append(request.method()).append(' ').append(t.requestTarget()).append(" HTTP/1.1\r\n");
        sb.append("Host: ").append(t.authority()).append("\r\n");
        for (Map.Entry<String, String> h : request.headers()) {
            sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        sb.append("Accept-Encoding: identity\r\nConnection: close\r\n");
        if (request.body() != null) {
            sb.append("Content-Length: ").append(request.body().length).append("\r\n");
        } else if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            sb.append("Content-Length: 0\r\n");
        }
        return sb.append("\r\n").toString();
    }

    private static int statusLine(String line) throws IOException {
        // HTTP/1.1 200 OK
        if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' ') {
            throw new IOException("not an HTTP/1.x response");
        }
        try {
            int status = Integer.parseInt(line.substring(9, 12));
            if (status < 100 || status > 999) {
                throw new IOException("bad status " + status);
            }
            return status;
        } catch (NumberFormatException e) {
            throw new IOException("bad status line");
        }
    }

    private static Map<String, List<String>> readHeaders(InputStream in, Deadline d) throws IOException {
        var headers = new LinkedHashMap<String, List<String>>();
        int bytes = 0;
        int count = 0;
        while (true) {
            String line = readLine(in, d);
            if (line.isEmpty()) {
                return headers;
            }
            bytes += line.length();
            if (++count > MAX_HEADERS || bytes > MAX_HEADER_BYTES) {
                throw new IOException("the response headers are too large");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            headers.computeIfAbsent(name, k -> new ArrayList<>(1)).add(line.substring(colon + 1).strip());
        }
    }

    private static String readLine(InputStream in, Deadline d) throws IOException {
        var sb = new StringBuilder(64);
        while (true) {
            d.arm();
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed in the middle of the response");
            }
            if (b == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            if (sb.length() >= MAX_LINE) {
                throw new IOException("a response line is too long");
            }
            sb.append((char) b);
        }
    }

    private static void readChunked(InputStream in, Deadline d, Limited body) throws IOException {
        while (true) {
            String line = readLine(in, d);
            int semi = line.indexOf(';');
            String hex = (semi >= 0 ? line.substring(0, semi) : line).strip();
            long size;
            try {
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size");
            }
            if (size < 0) {
                throw new IOException("bad chunk size");
            }
            if (size == 0) {
                return; // trailers are not needed: the connection is closed next
            }
            if (!readFixed(in, d, body, size)) {
                return;
            }
            readLine(in, d);
        }
    }

    /** Reads {@code length} bytes (or to the end); false once the body is over its limit. */
    private static boolean readFixed(InputStream in, Deadline d, Limited body, long length) throws IOException {
        byte[] buf = new byte[8192];
        long left = length;
        while (left > 0) {
            d.arm();
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                if (length == Long.MAX_VALUE) {
                    return true;
                }
                throw new IOException("the connection closed before the whole body arrived");
            }
            left -= n;
            if (body.add(buf, n)) {
                return false;
            }
        }
        return true;
    }

    /** Sets the socket's read timeout to what is left of the deadline before every read. */
    private record Deadline(Socket socket, long deadlineNanos, UrlGuard.Target target) {
        void arm() throws IOException {
            socket.setSoTimeout(remainingMillis(deadlineNanos, target));
        }
    }

    private static int remainingMillis(long deadlineNanos, UrlGuard.Target target) {
        long ms = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (ms <= 0) {
            throw deadline(target);
        }
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    private static DeadlineException deadline(UrlGuard.Target target) {
        return new DeadlineException("The request to " + target.uri() + " took longer than its time limit and was "
                + "stopped.");
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Closing is best effort; the socket is unusable either way.
        }
    }

    /** A body buffer that keeps at most {@code limit} bytes and remembers whether more came. */
    private static final class Limited {
        private final long limit;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean overflow;

        Limited(long limit) {
            this.limit = limit;
        }

        /** Adds what fits; true once the body went past the limit. */
        boolean add(byte[] buf, int n) {
            long room = limit - bytes.size();
            if (n > room) {
                bytes.write(buf, 0, (int) Math.max(0, room));
                overflow = true;
                return true;
            }
            bytes.write(buf, 0, n);
            return false;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}
