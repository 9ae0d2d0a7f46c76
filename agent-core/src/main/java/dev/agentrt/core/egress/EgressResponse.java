package dev.agentrt.core.egress;

import org.jspecify.annotations.Nullable;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The last response of a request through the {@link Egress} (after redirects, if followed).
 * Immutable and thread-safe; {@link #body()} returns a copy.
 */
public final class EgressResponse {
    private final String url;
    private final int status;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final boolean truncated;
    private final int redirects;

    EgressResponse(String url, int status, Map<String, List<String>> headers, byte[] body, boolean truncated,
            int redirects) {
        this.url = url;
        this.status = status;
        this.headers = Map.copyOf(headers);
        this.body = body;
        this.truncated = truncated;
        this.redirects = redirects;
    }

    /** The URL this response came from: the request's, or the last redirect's (normalised). */
    public String url() {
        return url;
    }

    public int status() {
        return status;
    }

    /** Headers by lower-case name, values in order of arrival. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The first value of the header {@code name} (any case), or {@code null}. */
    public @Nullable String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** A copy of the body as read: at most {@link EgressLimits#maxResponseBytes()} bytes. */
    public byte[] body() {
        return body.clone();
    }

    /** The body as text in the charset its {@code Content-Type} declares, UTF-8 when none (or an unknown one). */
    public String bodyText() {
        return new String(body, charset(header("content-type")));
    }

    /** Whether the body was longer than the limit and only its beginning was read. */
    public boolean truncated() {
        return truncated;
    }

    /** How many redirects led here. */
    public int redirects() {
        return redirects;
    }

    @Override
    public String toString() {
        return "EgressResponse[" + status + " " + url + ", " + body.length + " bytes" + (truncated ? ", truncated" : "")
                + "]";
    }

    private static Charset charset(@Nullable String contentType) {
        if (contentType != null) {
            for (String part : contentType.split(";")) {
                String p = part.strip();
                if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                    try {
                        return Charset.forName(p.substring(8).replace("\"", "").strip());
                    } catch (IllegalArgumentException unknown) {
                        return StandardCharsets.UTF_8;
                    }
                }
            }
        }
        return StandardCharsets.UTF_8;
    }
}
