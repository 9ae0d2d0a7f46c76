package dev.agentrt.tools.internal.mcp;

import org.jspecify.annotations.Nullable;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a server transport knows of one request it hands to the SDK and the SDK does not pass on (the JSON-RPC id,
 * how it came, the session), put in the Reactor context of the request's handling under this class as key, for
 * the server's telemetry ({@link McpServerBridge}).
 *
 * @param requestId the request's JSON-RPC id as the client wrote it (a string's value, a number's digits)
 * @param transport {@code pipe} (stdio) or {@code tcp} (HTTP)
 * @param sessionId the HTTP session, or null
 * @param protocolVersion the protocol version of the session or request, or null when not known
 */
record ServedRequest(String requestId, String transport, @Nullable String sessionId,
        @Nullable String protocolVersion) {
    /** Longer values are not trace context: a hostile client does not get them parsed. */
    private static final int MAX_FIELD_CHARS = 8192;
    /** More fields than any propagator reads: the rest are ignored. */
    private static final int MAX_FIELDS = 32;

    /** The OpenTelemetry MCP conventions' attributes for the server's span. */
    Map<String, Object> attributes() {
        var a = new LinkedHashMap<String, Object>();
        a.put("jsonrpc.request.id", requestId);
        a.put("network.transport", transport);
        if (transport.equals("tcp")) {
            a.put("network.protocol.name", "http");
        }
        if (sessionId != null) {
            a.put("mcp.session.id", sessionId);
        }
        if (protocolVersion != null) {
            a.put("mcp.protocol.version", protocolVersion);
        }
        return a;
    }

    /**
     * What the application's propagators may read in a request's {@code params._meta} (W3C {@code traceparent},
     * {@code tracestate} and {@code baggage}, unprefixed as the conventions say, or another propagator's fields):
     * its string values, bounded in size and number.
     */
    static Map<String, String> carrier(@Nullable Map<String, Object> meta) {
        if (meta == null || meta.isEmpty()) {
            return Map.of();
        }
        var carrier = new LinkedHashMap<String, String>(4);
        for (Map.Entry<String, Object> e : meta.entrySet()) {
            if (carrier.size() == MAX_FIELDS) {
                break;
            }
            if (e.getValue() instanceof String value && value.length() <= MAX_FIELD_CHARS) {
                carrier.put(e.getKey(), value);
            }
        }
        return carrier;
    }
}
