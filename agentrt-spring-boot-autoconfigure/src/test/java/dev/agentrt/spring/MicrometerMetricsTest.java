package dev.agentrt.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.otel.AgentTelemetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An application with a Micrometer registry (Actuator's) and no OpenTelemetry gets the agent's metrics in it, under
 * the GenAI conventions' names; with OpenTelemetry, agent-otel reports instead, and nothing is counted twice.
 */
class MicrometerMetricsTest {
    private static final Duration WAIT = Duration.ofMinutes(1);

    private final ApplicationContextRunner runner = Contexts.runner();

    private static Tool lookup() {
        return Tool.builder("lookup")
                .description("Looks an order up")
                .parameters(JsonValue.parse("{\"type\":\"object\"}").asObject())
                .blockingHandler((args, ctx) -> ToolResult.text("shipped"))
                .build();
    }

    private static ScriptedChatModel model() {
        return ScriptedChatModel.of(Reply.of("", List.of(new ToolCall("c1", "lookup", "{}")), Usage.of(30, 5)),
                Reply.of("It shipped.", List.of(), Usage.of(40, 7)));
    }

    @Test
    void withAMeterRegistryAndNoOpenTelemetryEveryBuilderRecordsModelCallsToolCallsTokensAndTasks() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        runner.withBean(MeterRegistry.class, () -> registry)
                .withBean(ChatModel.class, MicrometerMetricsTest::model)
                .withPropertyValues("agentrt.name=desk")
                .run(context -> {
                    assertThat(context).hasNotFailed()
                            .doesNotHaveBean(AgentTelemetry.class)
                            .hasBean("agentrtMicrometerMetrics");
                    Agent agent = context.getBean(Agent.Builder.class).tools(lookup()).build();
                    AgentResult result = agent.task("Where is my order?").execute().block(WAIT);
                    assertThat(result.text()).isEqualTo("It shipped.");
                });

        assertThat(registry.get("gen_ai.client.operation.duration")
                .tags("gen_ai.operation.name", "chat", "gen_ai.agent.name", "desk")
                .timer()
                .count()).isEqualTo(2);
        assertThat(registry.get("gen_ai.client.operation.duration")
                .tags("gen_ai.operation.name", "execute_tool", "gen_ai.tool.name", "lookup")
                .timer()
                .count()).isEqualTo(1);
        assertThat(registry.get("gen_ai.client.token.usage").tag("gen_ai.token.type", "input").summary().totalAmount())
                .isEqualTo(70);
        assertThat(registry.get("gen_ai.client.token.usage")
                .tag("gen_ai.token.type", "output")
                .summary()
                .totalAmount()).isEqualTo(12);
        assertThat(registry.get("agentrt.tasks").tag("agentrt.outcome", "completed").counter().count()).isEqualTo(1);
    }

    @Test
    void aModelCallsDurationIsFromItsRequestToItsResponseAndNothingIsKeptOnceTheTaskEnds() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicLong now = new AtomicLong();
        var metrics = new MicrometerAgentMetrics(registry, "desk", "gpt-4.1-mini", now::get);

        metrics.onEvent(new AgentEvent.ModelRequest("t1", 1, 2, 1));
        assertThat(metrics.inFlight()).isEqualTo(1);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1500));
        metrics.onEvent(new AgentEvent.ModelResponse("t1", 1, FinishReason.STOP, Usage.of(3, 4), null, null));
        metrics.onEvent(new AgentEvent.ModelRequest("t2", 1, 2, 1));
        metrics.onEvent(new AgentEvent.Failed("t2", "ModelException", "down",
                new AgentResult("t2", "", List.of(), 1, Usage.of(0, 0), dev.agentrt.core.Outcome.FAILED)));

        var chat = registry.get("gen_ai.client.operation.duration")
                .tags("gen_ai.operation.name", "chat", "gen_ai.request.model", "gpt-4.1-mini")
                .timer();
        assertThat(chat.count()).isEqualTo(1);
        assertThat(chat.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(1500);
        assertThat(metrics.inFlight()).isZero();
    }

    @Test
    void withOpenTelemetryTooOnlyAgentOtelReportsAndThePropertyOrAMissingMicrometerTurnsItOff() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean(OpenTelemetry.class, OpenTelemetry::noop)
                .withBean(ChatModel.class, MicrometerMetricsTest::model)
                .run(context -> assertThat(context).hasNotFailed()
                        .hasSingleBean(AgentTelemetry.class)
                        .doesNotHaveBean("agentrtMicrometerMetrics"));
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues("agentrt.telemetry.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("agentrtMicrometerMetrics"));
        runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("agentrtMicrometerMetrics"));
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("agentrtMicrometerMetrics"));
    }
}
