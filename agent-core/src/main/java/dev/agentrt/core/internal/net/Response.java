package dev.agentrt.core.internal.net;

import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What came back. Header names lower-case, values in order of arrival. {@code bodyRead}: the body
 * was read at all (the caller may decline it from the status and headers); {@code truncated}: it
 * went past the byte limit and the rest was never read.
 */
public record Response(int status, Map<String, List<String>> headers, byte[] body, boolean truncated,
        boolean bodyRead) {
    public Response {
        headers = Map.copyOf(headers);
    }

    /** The first value of the header {@code name}, or {@code null}. */
    public @Nullable String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
