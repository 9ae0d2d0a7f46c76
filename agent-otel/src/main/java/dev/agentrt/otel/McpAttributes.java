package dev.agentrt.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;

import java.util.Set;
import java.util.function.BiConsumer;

/** The MCP conventions' attributes, and which of them the MCP duration metrics carry. */
final class McpAttributes {
    static final String METHOD = "mcp.method.name";
    static final AttributeKey<String> METHOD_KEY = AttributeKey.stringKey(METHOD);
    static final AttributeKey<String> RPC_STATUS = AttributeKey.stringKey("rpc.response.status_code");

    /**
     * The attributes the metrics {@code mcp.client.operation.duration} and {@code mcp.server.operation.duration}
     * carry (all low in cardinality); a span's session and request ids are not among them.
     */
    private static final Set<String> METRIC_KEYS = Set.of(METHOD, "error.type", "gen_ai.tool.name",
            "gen_ai.prompt.name", "rpc.response.status_code", "gen_ai.operation.name", "jsonrpc.protocol.version",
            "mcp.protocol.version", "network.protocol.name", "network.protocol.version", "network.transport",
            "server.address", "server.port");

    private McpAttributes() {}

    /**
     * Sets {@code key} to {@code value} on {@code span} and, when the MCP metrics carry it, in {@code metric}
     * (guarded by {@code lock}). Returns whether it went into the metric.
     */
    static boolean record(Span span, Object lock, AttributesBuilder metric, String key, Object value) {
        var one = Attributes.builder();
        put(one, key, value);
        span.setAllAttributes(one.build());
        if (!onMetric(key)) {
            return false;
        }
        synchronized (lock) {
            put(metric, key, value);
        }
        return true;
    }

    /** Writes {@code context} with {@code propagator} into {@code carrier}; a failure is contained and logged once. */
    static void inject(TextMapPropagator propagator, Context context, BiConsumer<String, String> carrier) {
        try {
            propagator.inject(context, carrier, (c, k, v) -> {
                if (c != null) {
                    c.accept(k, v);
                }
            });
        } catch (RuntimeException | LinkageError e) {
            McpServerTelemetry.contained(e);
        }
    }

    static boolean onMetric(String key) {
        return METRIC_KEYS.contains(key);
    }

    /** Puts {@code value} (a String, a whole number, a Double or a Boolean; anything else as its text) under {@code key}. */
    static void put(AttributesBuilder b, String key, Object value) {
        switch (value) {
            case String s -> b.put(AttributeKey.stringKey(key), s);
            case Long l -> b.put(AttributeKey.longKey(key), l);
            case Integer i -> b.put(AttributeKey.longKey(key), (long) i);
            case Short s -> b.put(AttributeKey.longKey(key), (long) s);
            case Double d -> b.put(AttributeKey.doubleKey(key), d);
            case Float f -> b.put(AttributeKey.doubleKey(key), (double) f);
            case Boolean z -> b.put(AttributeKey.booleanKey(key), z);
            default -> b.put(AttributeKey.stringKey(key), String.valueOf(value));
        }
    }
}
