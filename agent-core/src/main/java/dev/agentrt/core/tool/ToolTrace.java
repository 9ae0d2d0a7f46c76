package dev.agentrt.core.tool;

import java.util.function.BiConsumer;

/**
 * What a tool that carries its call to another process (an MCP client tool, say) tells the telemetry that traces
 * the call, and what it passes on so that the other process's telemetry continues the same trace. Handed out by
 * {@link ToolContext#trace()}; with no telemetry installed every method does nothing.
 *
 * <p>agent-otel implements it on the call's {@code execute_tool} span: {@link #attribute} adds to that span (the
 * OpenTelemetry MCP conventions put an MCP client's attributes on the tool span an outer GenAI instrumentation
 * already draws, rather than on a span of their own), and {@link #inject} writes the span's context with the
 * application's propagators (W3C {@code traceparent}, {@code tracestate}, {@code baggage} by default).
 *
 * <p>Thread-safe; never blocks; never throws (a failing telemetry is contained and logged by its implementation).
 */
public interface ToolTrace {
    /** A trace that records and passes on nothing. */
    ToolTrace NONE = new ToolTrace() {};

    /**
     * Adds an attribute to the call's record. Keys follow the OpenTelemetry semantic conventions
     * ({@code mcp.method.name}, {@code mcp.session.id}, {@code network.transport}); an {@code error.type} given
     * here is the call's error type if it fails, in place of the registry's own.
     */
    default void attribute(String key, String value) {}

    /** {@link #attribute(String, String)} for a number ({@code server.port}). */
    default void attribute(String key, long value) {}

    /**
     * Writes the call's trace context, as text fields, for the process the call goes to: {@code carrier} gets each
     * field's name and value. Nothing when there is no trace to continue.
     */
    default void inject(BiConsumer<String, String> carrier) {}
}
