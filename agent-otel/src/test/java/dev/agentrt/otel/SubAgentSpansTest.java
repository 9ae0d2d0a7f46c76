package dev.agentrt.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * A sub-agent's work ({@code Agent.asTool}) is drawn by the sub-agent's own telemetry, under the caller's
 * {@code execute_tool} span, in the caller's trace, and once.
 */
class SubAgentSpansTest {
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .build();
    private final AgentTelemetry telemetry = AgentTelemetry.create(sdk);
    private final Tracer userTracer = sdk.getTracer("the-application");

    @AfterEach
    void close() {
        assertThat(telemetry.tasksInFlight()).isZero();
        sdk.close();
    }

    private static Tool lookup() {
        return Tool.builder("lookup")
                .description("Looks something up")
                .parameters(JsonValue.parse("{\"type\":\"object\"}").asObject())
                .blockingHandler((args, ctx) -> ToolResult.text("42"))
                .build();
    }

    private static Agent researcher() {
        return Agent.builder()
                .name("researcher")
                .model(ScriptedChatModel.of(Reply.toolCall("lookup", "{}"), Reply.text("the answer is 42")))
                .tools(lookup())
                .build();
    }

    private Agent lead(Agent researcher) {
        return telemetry.instrument(Agent.builder()
                .name("lead")
                .model(ScriptedChatModel.of(Reply.toolCall("research", "{\"task\":\"find the answer\"}"),
                        Reply.text("done: 42")))
                .tools(researcher.asTool("research", "Researches a question"))
                .build(), "lead");
    }

    private List<SpanData> run(Agent lead) {
        Span request = userTracer.spanBuilder("handle request").startSpan();
        AgentResult result;
        Scope scope = request.makeCurrent();
        try {
            result = lead.task("what is the answer?").executeBlocking();
        } finally {
            scope.close();
            request.end();
        }
        assertThat(result.text()).isEqualTo("done: 42");
        return spans.getFinishedSpanItems();
    }

    @Test
    void anInstrumentedSubAgentsRunIsTheChildOfTheCallersExecuteToolSpan() {
        List<SpanData> all = run(lead(telemetry.instrument(researcher(), "researcher")));

        SpanData call = one(all, "execute_tool research");
        SpanData sub = one(all, "invoke_agent researcher");
        assertThat(sub.getParentSpanId()).isEqualTo(call.getSpanId());
        assertThat(sub.getTraceId()).isEqualTo(call.getTraceId());
        assertThat(one(all, "execute_tool lookup").getParentSpanId()).isEqualTo(sub.getSpanId());
        assertThat(all.stream()
                .filter(s -> s.getParentSpanId().equals(sub.getSpanId()))
                .map(SpanData::getName)).containsExactlyInAnyOrder("chat", "execute_tool lookup", "chat");
        SpanData lead = one(all, "invoke_agent lead");
        assertThat(call.getParentSpanId()).isEqualTo(lead.getSpanId());
        assertThat(lead.getParentSpanId()).isEqualTo(one(all, "handle request").getSpanId());
        // The sub-agent's spans are drawn once, by its own telemetry; the caller's draws the call.
        assertThat(all).filteredOn(s -> s.getName().startsWith("invoke_agent")).hasSize(2);
        assertThat(all).filteredOn(s -> s.getName().equals("chat")).hasSize(4);
    }

    private static SpanData one(List<SpanData> all, String name) {
        List<SpanData> named = all.stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(named).as("spans named %s in %s", name, all.stream().map(SpanData::getName).toList()).hasSize(1);
        return named.get(0);
    }
}
