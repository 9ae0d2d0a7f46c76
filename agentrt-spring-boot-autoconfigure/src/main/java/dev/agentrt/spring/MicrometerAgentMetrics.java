package dev.agentrt.spring;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.Usage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Agent metrics in Micrometer, for an application that has a {@link MeterRegistry} and no OpenTelemetry (where
 * agent-otel's telemetry reports instead). The names and tags are the OpenTelemetry GenAI conventions', as
 * agent-otel's metrics have them, so dashboards read both:
 * <ul>
 *   <li>{@code gen_ai.client.operation.duration} (a timer): each model call ({@code gen_ai.operation.name=chat}) and
 *       each tool call ({@code execute_tool}, with {@code gen_ai.tool.name}), {@code error.type} when it failed;</li>
 *   <li>{@code gen_ai.client.token.usage} (a distribution of tokens): input and output tokens of each model call
 *       ({@code gen_ai.token.type});</li>
 *   <li>{@code agentrt.permission.denials} (a counter, by {@code gen_ai.tool.name});</li>
 *   <li>{@code agentrt.tasks} (a counter, by {@code agentrt.outcome}: completed, awaiting_approval, failed...).</li>
 * </ul>
 * Every meter carries {@code gen_ai.agent.name}, and {@code gen_ai.request.model} when the model is known. Keeps one
 * start time per task with a model call in flight, dropped when the call or the task ends. Thread-safe.
 */
final class MicrometerAgentMetrics implements AgentEvent.Listener {
    private final MeterRegistry registry;
    private final Tags common;
    private final LongSupplier nanoTime;
    /** When each task's model call in flight started. */
    private final Map<String, Long> chatStarts = new ConcurrentHashMap<>();

    MicrometerAgentMetrics(MeterRegistry registry, String agentName, @Nullable String requestModel,
            LongSupplier nanoTime) {
        this.registry = registry;
        Tags tags = Tags.of("gen_ai.agent.name", agentName);
        this.common = requestModel == null ? tags : tags.and("gen_ai.request.model", requestModel);
        this.nanoTime = nanoTime;
    }

    /** How many tasks have a model call in flight now (for tests: nothing is kept once tasks end). */
    int inFlight() {
        return chatStarts.size();
    }

    @Override
    public void onEvent(AgentEvent event) {
        switch (event) {
            case AgentEvent.ModelRequest e -> chatStarts.put(e.taskId(), nanoTime.getAsLong());
            case AgentEvent.ModelResponse e -> {
                Long start = chatStarts.remove(e.taskId());
                if (start != null) {
                    duration(Tags.of("gen_ai.operation.name", "chat"), nanoTime.getAsLong() - start);
                }
                Usage usage = e.usage();
                tokens("input", usage.inputTokens());
                tokens("output", usage.outputTokens());
            }
            case AgentEvent.ModelRetry e -> {
                Long start = chatStarts.remove(e.taskId());
                if (start != null) {
                    duration(Tags.of("gen_ai.operation.name", "chat", "error.type",
                            e.status() > 0 ? Integer.toString(e.status()) : "ModelException"),
                            nanoTime.getAsLong() - start);
                }
            }
            case AgentEvent.ToolCallCompleted e -> duration(Tags.of("gen_ai.operation.name", "execute_tool",
                    "gen_ai.tool.name", e.call().name()), e.durationNanos());
            case AgentEvent.ToolCallFailed e -> duration(Tags.of("gen_ai.operation.name", "execute_tool",
                    "gen_ai.tool.name", e.call().name(), "error.type", e.kind().name().toLowerCase(Locale.ROOT)),
                    e.durationNanos());
            case AgentEvent.PermissionDenied e -> Counter.builder("agentrt.permission.denials")
                    .description("Tool calls refused for a missing capability")
                    .tags(common)
                    .tag("gen_ai.tool.name", e.call().name())
                    .register(registry)
                    .increment();
            case AgentEvent.Completed e -> ended(e.taskId(), e.result().outcome());
            case AgentEvent.Failed e -> ended(e.taskId(), e.partial().outcome());
            default -> {
                // Other events carry nothing these metrics count.
            }
        }
    }

    private void duration(Tags tags, long nanos) {
        Timer.builder("gen_ai.client.operation.duration")
                .description("GenAI operation duration")
                .tags(common)
                .tags(tags)
                .register(registry)
                .record(Duration.ofNanos(Math.max(0, nanos)));
    }

    private void tokens(String type, long count) {
        DistributionSummary.builder("gen_ai.client.token.usage")
                .description("Number of input and output tokens used")
                .baseUnit("{token}")
                .tags(common)
                .tag("gen_ai.operation.name", "chat")
                .tag("gen_ai.token.type", type)
                .register(registry)
                .record(count);
    }

    private void ended(String taskId, Outcome outcome) {
        chatStarts.remove(taskId);
        Counter.builder("agentrt.tasks")
                .description("Tasks ended, by outcome")
                .tags(common)
                .tag("agentrt.outcome", outcome.name().toLowerCase(Locale.ROOT))
                .register(registry)
                .increment();
    }
}
