package dev.agentrt.otel;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.tool.ServerTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * {@link AgentTelemetry#serverTelemetry()}: a {@code SERVER} span per request an MCP server answers, under the
 * context the request carried, and {@code mcp.server.operation.duration}. Every failure of the SDK is contained.
 */
final class McpServerTelemetry implements ServerTelemetry {
    private static final Logger log = LoggerFactory.getLogger(McpServerTelemetry.class);
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    /** Reads the carrier the request's {@code params._meta} became. */
    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public @Nullable String get(@Nullable Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final AgentTelemetry telemetry;

    McpServerTelemetry(AgentTelemetry telemetry) {
        this.telemetry = telemetry;
    }

    @Override
    public Call start(String operation, @Nullable String target, Map<String, String> carrier,
            Map<String, Object> attributes) {
        try {
            Context ambient = Context.current();
            Context extracted = telemetry.propagator.extract(Context.root(), carrier, GETTER);
            SpanContext remote = Span.fromContext(extracted).getSpanContext();
            SpanContext local = Span.fromContext(ambient).getSpanContext();
            // The client's context is the parent (with its baggage); the transport's, if any, a link.
            Context parent = remote.isValid() ? extracted : ambient;
            SpanBuilder b = telemetry.tracer.spanBuilder(target == null ? operation : operation + " " + target)
                    .setParent(parent)
                    .setSpanKind(SpanKind.SERVER);
            if (remote.isValid() && local.isValid()) {
                b.addLink(local);
            }
            AttributesBuilder all = Attributes.builder().put(McpAttributes.METHOD_KEY, operation);
            AttributesBuilder metric = Attributes.builder().put(McpAttributes.METHOD_KEY, operation);
            if ("tools/call".equals(operation) && target != null) {
                all.put(GenAiListener.TOOL_NAME, target).put(GenAiListener.OPERATION, "execute_tool");
                metric.put(GenAiListener.TOOL_NAME, target).put(GenAiListener.OPERATION, "execute_tool");
            } else if ("prompts/get".equals(operation) && target != null) {
                all.put(AttributeKey.stringKey("gen_ai.prompt.name"), target);
                metric.put(AttributeKey.stringKey("gen_ai.prompt.name"), target);
            }
            attributes.forEach((key, value) -> {
                McpAttributes.put(all, key, value);
                if (McpAttributes.onMetric(key)) {
                    McpAttributes.put(metric, key, value);
                }
            });
            b.setAllAttributes(all.build());
            Span span = b.startSpan();
            return new Served(telemetry, span, parent.with(span), metric, System.nanoTime());
        } catch (RuntimeException | LinkageError e) {
            contained(e);
            return Call.NONE;
        }
    }

    static void contained(Throwable e) {
        if (LOGGED.compareAndSet(false, true)) {
            log.warn("agent-otel: recording an MCP server span failed; the request goes on (logged once)", e);
        }
    }

    /** One request's span. The metric's attributes are guarded by the instance. */
    private static final class Served implements Call {
        private final AgentTelemetry telemetry;
        private final Span span;
        private final Context context;
        private final AttributesBuilder metric;
        private final long startNanos;
        private final AtomicBoolean ended = new AtomicBoolean();

        Served(AgentTelemetry telemetry, Span span, Context context, AttributesBuilder metric, long startNanos) {
            this.telemetry = telemetry;
            this.span = span;
            this.context = context;
            this.metric = metric;
            this.startNanos = startNanos;
        }

        @Override
        public AgentEvent.Listener.@Nullable Scope enter() {
            try {
                io.opentelemetry.context.Scope scope = context.makeCurrent();
                return () -> {
                    try {
                        scope.close();
                    } catch (RuntimeException | LinkageError e) {
                        contained(e);
                    }
                };
            } catch (RuntimeException | LinkageError e) {
                contained(e);
                return null;
            }
        }

        @Override
        public void attribute(String key, String value) {
            record(key, value);
        }

        @Override
        public void attribute(String key, long value) {
            record(key, value);
        }

        private void record(String key, Object value) {
            try {
                McpAttributes.record(span, this, metric, key, value);
            } catch (RuntimeException | LinkageError e) {
                contained(e);
            }
        }

        @Override
        public void inject(BiConsumer<String, String> carrier) {
            McpAttributes.inject(telemetry.propagator, context, carrier);
        }

        @Override
        public void end(@Nullable String errorType, @Nullable String description) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            try {
                Attributes metricAttributes;
                synchronized (this) {
                    if (errorType != null) {
                        metric.put(GenAiListener.ERROR_TYPE, errorType);
                    }
                    metricAttributes = metric.build();
                }
                if (errorType != null) {
                    span.setAttribute(GenAiListener.ERROR_TYPE, errorType);
                    span.setStatus(StatusCode.ERROR, description == null ? errorType : Scrubber.scrub(description));
                }
                span.end();
                telemetry.mcpServerDuration.record((System.nanoTime() - startNanos)
                        / (double) TimeUnit.SECONDS.toNanos(1), metricAttributes);
            } catch (RuntimeException | LinkageError e) {
                contained(e);
            }
        }
    }
}
