package dev.agentrt.core.egress;

import dev.agentrt.core.internal.net.HttpSyntax;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One HTTP request for the {@link Egress}: a method, an absolute http(s) URL, headers, an optional
 * body, and whether redirects are followed. Immutable and thread-safe; the body is copied in and out.
 *
 * <pre>{@code
 * EgressRequest get = EgressRequest.get("https://api.example.com/items?q=1");
 * EgressRequest post = EgressRequest.builder("POST", "https://api.example.com/items")
 *         .header("Content-Type", "application/json")
 *         .body("{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8))
 *         .build();
 * }</pre>
 *
 * <p>The layer sets {@code Host}, {@code Content-Length}, {@code Connection} and
 * {@code Accept-Encoding} itself; {@link Builder#build()} refuses those and the other framing and
 * hop-by-hop headers. The URL is checked when the request is sent (a bad one fails the send with
 * {@code UrlGuard.RefusedException}), since it usually comes from the model.
 */
public final class EgressRequest {
    private static final Set<String> RESERVED = Set.of("host", "content-length", "transfer-encoding", "connection",
            "keep-alive", "te", "trailer", "upgrade", "expect", "accept-encoding", "proxy-connection");

    private final String method;
    private final String url;
    private final List<Map.Entry<String, String>> headers;
    private final byte @Nullable [] body;
    private final boolean followRedirects;

    private EgressRequest(Builder b) {
        this.method = b.method;
        this.url = b.url;
        this.headers = List.copyOf(b.headers);
        this.body = b.body == null ? null : b.body.clone();
        this.followRedirects = b.followRedirects;
    }

    /** A GET of {@code url} that follows redirects. */
    public static EgressRequest get(String url) {
        return builder("GET", url).build();
    }

    /** A request with {@code method} (an HTTP token, such as GET, POST, PUT, PATCH, DELETE, HEAD). */
    public static Builder builder(String method, String url) {
        return new Builder(method, url);
    }

    public String method() {
        return method;
    }

    public String url() {
        return url;
    }

    /** The headers in the order given; names as given. */
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    /** A copy of the body, or {@code null} for none. */
    public byte @Nullable [] body() {
        return body == null ? null : body.clone();
    }

    /** The body without a copy, for the layer itself. */
    byte @Nullable [] bodyUnsafe() {
        return body;
    }

    public boolean followRedirects() {
        return followRedirects;
    }

    /** A builder holding this request's values. */
    public Builder toBuilder() {
        Builder b = new Builder(method, url);
        b.headers.addAll(headers);
        b.body = body;
        b.followRedirects = followRedirects;
        return b;
    }

    @Override
    public String toString() {
        return "EgressRequest[" + method + " " + url + "]";
    }

    /** Configures an {@link EgressRequest}. Not thread-safe. */
    public static final class Builder {
        private String method;
        private String url;
        private final List<Map.Entry<String, String>> headers = new ArrayList<>();
        private byte @Nullable [] body;
        private boolean followRedirects = true;

        private Builder(String method, String url) {
            this.method = Objects.requireNonNull(method, "method");
            this.url = Objects.requireNonNull(url, "url");
        }

        public Builder method(String method) {
            this.method = Objects.requireNonNull(method, "method");
            return this;
        }

        public Builder url(String url) {
            this.url = Objects.requireNonNull(url, "url");
            return this;
        }

        /** Adds a header; a name may repeat. Validated at {@link #build()}. */
        public Builder header(String name, String value) {
            headers.add(Map.entry(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value")));
            return this;
        }

        /** The body, sent with its {@code Content-Length}; copied at {@link #build()}. */
        public Builder body(byte @Nullable [] body) {
            this.body = body;
            return this;
        }

        /** Whether 301, 302, 303, 307 and 308 answers are followed (default true), each hop checked like the first. */
        public Builder followRedirects(boolean follow) {
            this.followRedirects = follow;
            return this;
        }

        /**
         * Throws {@link IllegalArgumentException} for a method that is not an HTTP token, a header
         * name that is not a token, a value with a line break or other control character, or a header
         * the layer sets itself.
         */
        public EgressRequest build() {
            if (!isToken(method)) {
                throw new IllegalArgumentException("method must be an HTTP token such as GET or POST, was \""
                        + method + "\"");
            }
            for (Map.Entry<String, String> h : headers) {
                String name = h.getKey();
                if (!isToken(name)) {
                    throw new IllegalArgumentException("header name \"" + name + "\" is not an HTTP token");
                }
                String lower = name.toLowerCase(Locale.ROOT);
                if (RESERVED.contains(lower) || lower.startsWith("proxy-")) {
                    throw new IllegalArgumentException("header " + name + " is set by the egress layer");
                }
                String value = h.getValue();
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                        throw new IllegalArgumentException("header " + name
                                + " has a control or non-Latin-1 character in its value");
                    }
                }
            }
            return new EgressRequest(this);
        }

        private static boolean isToken(String s) {
            return s.length() <= 256 && HttpSyntax.isToken(s);
        }
    }
}
