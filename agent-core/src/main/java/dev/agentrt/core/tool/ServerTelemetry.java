package dev.agentrt.core.tool;

import dev.agentrt.core.AgentEvent;
import org.jspecify.annotations.Nullable;

import java.util.Map;

/**
 * Telemetry of the requests a server receives from other processes: agent-tools' MCP server records each
 * {@code tools/call} it answers through one. {@link #start} begins the record under the trace context the
 * request carried; the server passes the returned {@link Call} to the call's {@link ToolExecution} (
 * {@link ToolExecution.Builder#servedCall}), which makes it current while the tool starts, so the tool's own
 * spans, and the trace context it passes on through {@link ToolContext#trace()}, continue the client's trace.
 *
 * <p>agent-otel implements it ({@code AgentTelemetry.serverTelemetry()}) with a {@code SERVER} span and the
 * {@code mcp.server.operation.duration} metric, as the OpenTelemetry MCP conventions define them. Implementations
 * must be thread-safe, must not block and must not throw.
 */
public interface ServerTelemetry {
    /** Telemetry that records nothing. */
    ServerTelemetry NONE = (operation, target, carrier, attributes) -> Call.NONE;

    /**
     * Starts the record of one request.
     *
     * @param operation the request's method ({@code tools/call})
     * @param target what it acts on, low in cardinality (the tool's name), or null
     * @param carrier the trace context the request carried (the MCP request's {@code params._meta}: W3C
     *     {@code traceparent}, {@code tracestate}, {@code baggage}); empty for none
     * @param attributes what else is known at the start (keys of the OpenTelemetry conventions: {@code
     *     jsonrpc.request.id}, {@code mcp.session.id}, {@code network.transport}...): {@code String}, {@code Long},
     *     {@code Integer}, {@code Double} or {@code Boolean} values; others are written as text
     */
    Call start(String operation, @Nullable String target, Map<String, String> carrier, Map<String, Object> attributes);

    /** The record of one request, ended once by {@link #end}. */
    interface Call extends ToolTrace {
        /** A record that records nothing. */
        Call NONE = new Call() {
            @Override
            public AgentEvent.Listener.@Nullable Scope enter() {
                return null;
            }

            @Override
            public void end(@Nullable String errorType, @Nullable String description) {}
        };

        /**
         * Makes this record current on the calling thread (the tool's start runs in it); the returned scope, closed
         * on the same thread, restores what was current. Null for nothing to enter.
         */
        AgentEvent.Listener.@Nullable Scope enter();

        /**
         * Ends the record: {@code errorType} (a JSON-RPC error code, {@code tool_error} for a tool's error result,
         * {@code timeout}...) and {@code description} when the request failed, both null when it succeeded. Calls
         * after the first do nothing.
         */
        void end(@Nullable String errorType, @Nullable String description);
    }
}
