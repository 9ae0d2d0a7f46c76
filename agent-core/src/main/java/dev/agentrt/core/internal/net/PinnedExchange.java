package dev.agentrt.core.internal.net;

import dev.agentrt.core.egress.EgressException;
import dev.agentrt.core.egress.EgressException.Kind;
import dev.agentrt.core.security.UrlGuard;
import org.jspecify.annotations.Nullable;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One HTTP/1.1 exchange over a socket connected to an address {@link UrlGuard} checked: the
 * connection goes to that address and no other, so a DNS answer that changes between the check and
 * the connection (rebinding) cannot redirect it. TLS sends the URL's host as SNI and verifies the
 * certificate against it (endpoint identification {@code HTTPS}), while the TCP connection goes to
 * the pinned address. No proxies, no keep-alive ({@code Connection: close}), no compression
 * ({@code Accept-Encoding: identity}); responses are read by {@link ResponseReader}.
 *
 * <p>Blocking: runs on the caller's thread. One instance per exchange; {@link #abort} closes the
 * socket from another thread, and the exchange then fails.
 */
public final class PinnedExchange {
    private final Network network;
    private volatile @Nullable Socket socket;
    private volatile boolean aborted;

    public PinnedExchange(Network network) {
        this.network = network;
    }

    /** A request. Header names and values are sent as given: the caller validated them. */
    public record Request(String method, UrlGuard.Checked destination, List<Map.Entry<String, String>> headers,
            byte @Nullable [] body) {}

    /**
     * Sends {@code request} to the first checked address that accepts a connection and reads the
     * response. Throws {@link EgressException}: {@code TIMEOUT} at the deadline, {@code CONNECT} when
     * no address answers, {@code TLS}, {@code BAD_RESPONSE}, {@code BROKEN}.
     */
    public Response exchange(Request request, Deadline deadline, long maxBodyBytes, Predicate<Response> readBody) {
        UrlGuard.Target target = request.destination().target();
        IOException last = null;
        for (InetAddress address : request.destination().addresses()) {
            Socket s = new Socket();
            socket = s;
            try {
                if (aborted) {
                    throw new EgressException(Kind.BROKEN, "The request to " + target.uri() + " was cancelled.");
                }
                s.setTcpNoDelay(true);
                network.connector()
                        .connect(s, new InetSocketAddress(address, target.port()),
                                deadline.remainingMillis());
            } catch (SocketTimeoutException e) {
                closeQuietly(s);
                throw deadline.expired();
            } catch (IOException e) {
                closeQuietly(s);
                last = e;
                continue;
            } catch (RuntimeException | Error e) {
                closeQuietly(s);
                throw e;
            }
            try {
                return exchangeOn(s, request, deadline, maxBodyBytes, readBody);
            } catch (EgressException e) {
                if (e.kind() == Kind.BROKEN && deadline.passed()) {
                    throw deadline.expired();
                }
                throw e;
            } catch (SocketTimeoutException e) {
                throw deadline.expired();
            } catch (SSLException e) {
                throw new EgressException(Kind.TLS, "The TLS connection to " + target.uri() + " failed: "
                        + describe(e), e);
            } catch (IOException e) {
                if (deadline.passed()) {
                    throw deadline.expired();
                }
                throw new EgressException(Kind.BROKEN, "The request to " + target.uri() + " failed: " + describe(e),
                        e);
            } finally {
                closeQuietly(s);
            }
        }
        throw new EgressException(Kind.CONNECT, "Could not connect to " + target.uri() + ": "
                + (last == null ? "no address" : describe(last)) + ".", last);
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

    private Response exchangeOn(Socket plain, Request request, Deadline deadline, long maxBodyBytes,
            Predicate<Response> readBody) throws IOException {
        UrlGuard.Target target = request.destination().target();
        Socket s = plain;
        if (target.https()) {
            s = tls(plain, target, deadline);
        }
        OutputStream out = s.getOutputStream();
        plain.setSoTimeout(deadline.remainingMillis());
        out.write(head(request));
        out.flush();
        var in = new WireIn(s.getInputStream(), plain, deadline);
        try {
            return ResponseReader.read(in, request.method(), maxBodyBytes, readBody);
        } catch (EgressException e) {
            throw new EgressException(e.kind(), e.kind() == Kind.TIMEOUT
                    ? e.getMessage()
                    : "The response from " + target.uri() + " was not usable: " + e.getMessage() + ".", e);
        }
    }

    private SSLSocket tls(Socket plain, UrlGuard.Target target, Deadline deadline) throws IOException {
        SSLSocketFactory factory;
        try {
            factory = network.tls().get();
        } catch (IllegalStateException e) {
            throw new SSLException(e.getMessage(), e);
        }
        // Layered over the pinned connection; the host given here is what the certificate must name.
        SSLSocket ssl = (SSLSocket) factory.createSocket(plain, target.host(), target.port(), true);
        SSLParameters params = ssl.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        params.setApplicationProtocols(new String[]{"http/1.1"});
        if (target.literal() == null) {
            try {
                params.setServerNames(List.of(new SNIHostName(target.host())));
            } catch (IllegalArgumentException notAnSniName) {
                // A name SNI cannot carry (an underscore in a label): no SNI; the certificate is still checked.
                params.setServerNames(List.of());
            }
        } else {
            params.setServerNames(List.of()); // SNI never carries an IP address (RFC 6066)
        }
        ssl.setSSLParameters(params);
        plain.setSoTimeout(deadline.remainingMillis());
        ssl.startHandshake();
        return ssl;
    }

    private static byte[] head(Request request) {
        UrlGuard.Target t = request.destination().target();
        var sb = new StringBuilder(256);
        sb.append(request.method()).append(' ').append(t.requestTarget()).append(" HTTP/1.1\r\n");
        sb.append("Host: ").append(t.authority()).append("\r\n");
        for (Map.Entry<String, String> h : request.headers()) {
            sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        sb.append("Accept-Encoding: identity\r\nConnection: close\r\n");
        byte[] body = request.body();
        if (body != null) {
            sb.append("Content-Length: ").append(body.length).append("\r\n");
        } else if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            sb.append("Content-Length: 0\r\n");
        }
        sb.append("\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null || body.length == 0) {
            return head;
        }
        var all = new ByteArrayOutputStream(head.length + body.length);
        all.writeBytes(head);
        all.writeBytes(body);
        return all.toByteArray();
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
}
