package dev.agentrt.tools.internal.git;

import dev.agentrt.core.AgentException;
import dev.agentrt.core.egress.EgressException;
import dev.agentrt.core.internal.net.EgressEngine;
import dev.agentrt.core.internal.net.Response;
import dev.agentrt.core.security.UrlGuard;
import dev.agentrt.core.tool.ToolContext;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.HttpConnectionFactory;
import org.jspecify.annotations.Nullable;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * JGit's HTTP connections for one push, made by agent-core's egress layer instead of {@code HttpURLConnection}:
 * each request resolves the remote's host once, checks every address against the task's grants, connects to a
 * checked address (TLS verified against the remote's host name with the JDK's trust store) and sends no proxy,
 * cookie or cached credential. Set on one {@code TransportHttp} only ({@code setHttpConnectionFactory}), never as
 * JGit's global factory.
 *
 * <p>Only the remote's origin (scheme, host, port) is ever contacted: a URL of another origin, as after a redirect
 * JGit follows, is refused before any lookup or connection, so credentials never reach another host. The one
 * {@code Authorization} sent is the application's ({@link HttpRemote#password()}), as HTTP Basic; JGit's own
 * (from a URL or its credentials provider), {@code Cookie} and any header but the few git's protocol uses (so most
 * {@code http.extraHeader}s) are dropped, and
 * responses reach JGit without {@code Set-Cookie} and with Basic as the only authentication scheme offered (no
 * Kerberos ticket of the machine is ever used). JGit's TLS settings ({@code http.sslVerify}) are ignored: the
 * egress layer always verifies.
 *
 * <p>Request bodies are buffered (JGit's chunked streaming too) up to {@link HttpRemote#maxRequestBytes()} and sent
 * with a {@code Content-Length}; responses are read whole, up to {@code limits().maxResponseBytes()}. Blocking: a
 * request runs on {@code AgentSchedulers.blocking()} while the calling thread waits; interrupting it cancels the
 * request and closes its connection. One instance per push; not thread-safe (JGit uses it from one thread).
 */
final class EgressHttp implements HttpConnectionFactory {
    /** The request headers JGit may set; any other (cookies, {@code http.extraHeader}s) is dropped. */
    private static final Set<String> PASSED = Set.of("accept", "content-type", "content-encoding", "user-agent",
            "pragma", "git-protocol");

    private final HttpRemote remote;
    private final EgressEngine engine;
    private final EgressEngine.Gate gate;
    private final @Nullable String authorization;
    private volatile @Nullable AgentException refusal;
    private volatile int lastStatus;

    /** Asks {@code remote}'s password supplier now; throws {@link GitException} when it gives nothing. */
    EgressHttp(HttpRemote remote, ToolContext context) {
        this.remote = remote;
        this.engine = new EgressEngine(remote.limits(), remote.network());
        this.gate = EgressEngine.Gate.of(context);
        this.authorization = basic(remote);
    }

    /** The credentials provider to give JGit: it answers nothing, so no credential but the application's is sent. */
    static CredentialsProvider noCredentials() {
        return new CredentialsProvider() {
            @Override
            public boolean isInteractive() {
                return false;
            }

            @Override
            public boolean supports(CredentialItem... items) {
                return false;
            }

            @Override
            public boolean get(URIish uri, CredentialItem... items) {
                return false;
            }
        };
    }

    /** Why the egress layer or this factory refused a request of this push, if one was refused. */
    @Nullable
    AgentException refusal() {
        return refusal;
    }

    /** The status of the last response, 0 before any. */
    int lastStatus() {
        return lastStatus;
    }

    boolean hasCredentials() {
        return authorization != null;
    }

    @Override
    public HttpConnection create(URL url) throws IOException {
        return create(url, Proxy.NO_PROXY);
    }

    /** A connection to {@code url}, which must be of the remote's origin. The proxy is ignored: egress has none. */
    @Override
    public HttpConnection create(URL url, Proxy proxy) throws IOException {
        UrlGuard.Target target;
        try {
            target = UrlGuard.parse(url.toString());
        } catch (UrlGuard.RefusedException e) {
            throw refused(e);
        }
        UrlGuard.Target origin = remote.target();
        if (!target.sameOrigin(origin)) {
            throw refused(GitException.denied("the remote "
                    + origin.uri() + " sent git on to " + scrub(target) + ", another host, port or scheme; git_push "
                    + "only talks to the remote the application configured (" + origin.capability() + ")"));
        }
        return new Connection(url, target);
    }

    private Refused refused(AgentException why) {
        refusal = why;
        return new Refused(why);
    }

    private static String scrub(UrlGuard.Target t) {
        return t.uri().getScheme() + "://" + t.authority() + "/…";
    }

    private static @Nullable String basic(HttpRemote remote) {
        String user = remote.username();
        if (user == null || remote.password() == null) {
            return null;
        }
        String secret;
        try {
            secret = remote.password().get();
        } catch (RuntimeException e) {
            // Only the exception's type: its message could quote what the supplier was reading.
            throw GitException.failed("the application's push credentials for " + remote.target().uri()
                    + " could not be read (" + e.getClass().getSimpleName() + ")");
        }
        if (secret == null || secret.isEmpty()) {
            throw GitException.failed("the push credentials for " + remote.target().uri() + " are empty (the "
                    + "application's password supplier returned nothing)");
        }
        for (int i = 0; i < secret.length(); i++) {
            char c = secret.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw GitException.failed("the push credentials for " + remote.target().uri()
                        + " hold a control character");
            }
        }
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    /** An {@code IOException} JGit passes on (as a cause) for a request refused before it was sent. */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(AgentException why) {
            super(why.getMessage(), why);
        }
    }

    /** One request and its response. */
    private final class Connection implements HttpConnection {
        private final URL url;
        private final UrlGuard.Target target;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private String method = "GET";
        private @Nullable Body body;
        private @Nullable Response response;
        private @Nullable Map<String, List<String>> shown;

        Connection(URL url, UrlGuard.Target target) {
            this.url = url;
            this.target = target;
        }

        @Override
        public int getResponseCode() throws IOException {
            return send().status();
        }

        @Override
        public URL getURL() {
            return url;
        }

        @Override
        public String getResponseMessage() throws IOException {
            return switch (send().status()) {
                case 200 -> "OK";
                case 301 -> "Moved Permanently";
                case 302 -> "Found";
                case 401 -> "Unauthorized";
                case 403 -> "Forbidden";
                case 404 -> "Not Found";
                case 500 -> "Internal Server Error";
                default -> "";
            };
        }

        @Override
        public Map<String, List<String>> getHeaderFields() {
            Map<String, List<String>> h = shown;
            if (h == null) {
                Response r = response;
                if (r == null) {
                    return Map.of();
                }
                var out = new TreeMap<String, List<String>>(String.CASE_INSENSITIVE_ORDER);
                r.headers().forEach((name, values) -> {
                    if (name.equals("set-cookie") || name.equals("set-cookie2")) {
                        return;
                    }
                    if (name.equals("www-authenticate")) {
                        values = values.stream().filter(v -> v.regionMatches(true, 0, "Basic", 0, 5)).toList();
                        if (values.isEmpty()) {
                            return;
                        }
                    }
                    out.put(name, List.copyOf(values));
                });
                h = Collections.unmodifiableMap(out);
                shown = h;
            }
            return h;
        }

        @Override
        public void setRequestProperty(String key, String value) {
            headers.put(key.toLowerCase(Locale.ROOT), value);
        }

        @Override
        public void setRequestMethod(String method) {
            this.method = method;
        }

        @Override
        public void setUseCaches(boolean usecaches) {
            // Nothing is cached.
        }

        @Override
        public void setConnectTimeout(int timeout) {
            // The egress limits' one deadline bounds the whole request.
        }

        @Override
        public void setReadTimeout(int timeout) {
            // The egress limits' one deadline bounds the whole request.
        }

        @Override
        public String getContentType() {
            return getHeaderField("content-type");
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return new ByteArrayInputStream(send().body());
        }

        @Override
        public String getHeaderField(String name) {
            List<String> v = getHeaderFields(name);
            return v.isEmpty() ? null : v.get(0);
        }

        @Override
        public List<String> getHeaderFields(String name) {
            List<String> v = getHeaderFields().get(name);
            return v == null ? List.of() : v;
        }

        @Override
        public int getContentLength() {
            Response r = response;
            return r == null ? -1 : r.body().length;
        }

        @Override
        public void setInstanceFollowRedirects(boolean followRedirects) {
            // Never: JGit follows redirects itself, and create() refuses any other origin.
        }

        @Override
        public void setDoOutput(boolean dooutput) {
            // A body is sent when getOutputStream() was asked for.
        }

        @Override
        public void setFixedLengthStreamingMode(int contentLength) {
            // The body is buffered and sent with its length.
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            if (response != null) {
                throw new IOException("the request to " + target.uri() + " was already sent");
            }
            Body b = body;
            if (b == null) {
                b = new Body(target);
                body = b;
            }
            return b;
        }

        @Override
        public void setChunkedStreamingMode(int chunklen) {
            // The body is buffered and sent with its length.
        }

        @Override
        public String getRequestMethod() {
            return method;
        }

        @Override
        public boolean usingProxy() {
            return false;
        }

        @Override
        public void connect() throws IOException {
            send();
        }

        @Override
        public void configure(KeyManager @Nullable [] km, TrustManager @Nullable [] tm, @Nullable SecureRandom random) {
            // Ignored on purpose: JGit calls this for http.sslVerify=false, and the egress layer always verifies.
        }

        @Override
        public void setHostnameVerifier(HostnameVerifier hostnameverifier) {
            // Ignored on purpose: the egress layer verifies the certificate against the remote's host name.
        }

        private Response send() throws IOException {
            Response r = response;
            if (r != null) {
                return r;
            }
            var sent = new ArrayList<Map.Entry<String, String>>();
            for (Map.Entry<String, String> h : headers.entrySet()) {
                if (PASSED.contains(h.getKey()) && printable(h.getValue())) {
                    sent.add(Map.entry(h.getKey(), h.getValue()));
                }
            }
            if (authorization != null) {
                sent.add(Map.entry("authorization", authorization));
            }
            Body b = body;
            var call = new EgressEngine.Call(method, target, sent, b == null ? null : b.toByteArray());
            // The registry checked the remote's Net capability (requiredCapabilities) and this URL is of its origin.
            CompletableFuture<EgressEngine.Fetched> pending = engine.fetch(call, gate, true, false, x -> true)
                    .toFuture();
            try {
                r = pending.get().response();
            } catch (InterruptedException e) {
                pending.cancel(true); // cancels the request, which closes its connection
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("the request to " + target.uri() + " was interrupted");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (cause instanceof AgentException a) {
                    throw refused(a);
                }
                throw new IOException("the request to " + target.uri() + " failed: " + cause, cause);
            }
            if (r.truncated()) {
                throw refused(new EgressException(EgressException.Kind.BAD_RESPONSE, "the answer of " + target.uri()
                        + " is larger than " + remote.limits().maxResponseBytes() + " bytes"));
            }
            lastStatus = r.status();
            response = r;
            return r;
        }

        private static boolean printable(String value) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                    return false;
                }
            }
            return value.length() <= 8192;
        }
    }

    /** A request body in memory, refusing to grow past its limit. */
    private final class Body extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final UrlGuard.Target target;

        Body(UrlGuard.Target target) {
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            check(1);
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            check(len);
            bytes.write(b, off, len);
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }

        private void check(int more) throws IOException {
            long max = remote.maxRequestBytes();
            if (bytes.size() + (long) more > max) {
                throw refused(GitException.failed("the push to " + target.uri() + " would send more than " + max
                        + " bytes, the limit the application set (GitTools.Builder.maxPushBytes)"));
            }
        }
    }
}
