package dev.agentrt.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tool's own instrumentation nests under its {@code execute_tool} span: {@code Span.current()} inside the tool is
 * the call's span, for a tool that blocks (run on {@code AgentSchedulers.blocking()}) as for one that does not, and
 * the caller's span around {@code execute()} is the parent of everything.
 */
class ToolContextTest {
    private static final String ANY_OBJECT = "{\"type\":\"object\"}";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .build();
    private final AgentTelemetry telemetry = AgentTelemetry.create(sdk);
    private final Tracer userTracer = sdk.getTracer("the-application");
    /** What each tool saw as the current span while it ran, by tool name. */
    private final Map<String, SpanContext> seen = new ConcurrentHashMap<>();

    @AfterEach
    void close() {
        assertThat(telemetry.tasksInFlight()).isZero();
        sdk.close();
    }

    /** A plain blocking tool that traces its own work, as a user's instrumented code would. */
    private Tool blockingLookup() {
        return Tool.builder("lookup")
                .description("Looks something up, blocking")
                .parameters(JsonValue.parse(ANY_OBJECT).asObject())
                .blockingHandler((args, ctx) -> {
                    seen.put("lookup", Span.current().getSpanContext());
                    Span own = userTracer.spanBuilder("database query").startSpan();
                    Scope scope = own.makeCurrent();
                    try {
                        return ToolResult.text(Thread.currentThread().isVirtual()
                                ? "found on a virtual thread"
                                : "found elsewhere");
                    } finally {
                        scope.close();
                        own.end();
                    }
                })
                .build();
    }

    /** A non-blocking tool that starts its span when it is invoked and ends it when its Mono completes. */
    private Tool asyncFetch() {
        return Tool.builder("fetch")
                .description("Fetches something, without blocking")
                .parameters(JsonValue.parse(ANY_OBJECT).asObject())
                .handler((args, ctx) -> {
                    seen.put("fetch", Span.current().getSpanContext());
                    Span own = userTracer.spanBuilder("http get").startSpan();
                    return Mono.fromSupplier(() -> ToolResult.text("fetched")).doFinally(s -> own.end());
                })
                .build();
    }

    @Test
    void aSpanATrackedToolMakesIsTheChildOfItsExecuteToolSpanAndTheCallersSpanIsTheRoot() {
        var model = ScriptedChatModel.of(
                Reply.of("", List.of(new ToolCall("c1", "lookup", "{}"), new ToolCall("c2", "fetch", "{}")),
                        Usage.of(10, 2)),
                Reply.text("done"));
        Agent agent = telemetry.instrument(
                Agent.builder().model(model).tools(blockingLookup(), asyncFetch()).build(), "worker");

        Span request = userTracer.spanBuilder("handle request").startSpan();
        AgentResult result;
        Scope scope = request.makeCurrent();
        try {
            result = agent.task("look up and fetch").executeBlocking();
        } finally {
            scope.close();
            request.end();
        }

        assertThat(result.text()).isEqualTo("done");
        assertThat(result.transcript()).anySatisfy(m -> assertThat(m.toString()).contains("found on a virtual thread"));
        List<SpanData> all = spans.getFinishedSpanItems();
        SpanData root = one(all, "handle request");
        SpanData task = one(all, "invoke_agent worker");
        SpanData lookup = one(all, "execute_tool lookup");
        SpanData fetch = one(all, "execute_tool fetch");
        assertThat(task.getParentSpanId()).isEqualTo(root.getSpanId());
        List<SpanData> children = new java.util.ArrayList<>(List.of(lookup, fetch));
        children.addAll(all.stream().filter(s -> s.getName().equals("chat")).toList());
        assertThat(children).hasSize(4).allSatisfy(s -> {
            assertThat(s.getParentSpanId()).isEqualTo(task.getSpanId());
            assertThat(s.getTraceId()).isEqualTo(root.getTraceId());
        });
        assertThat(one(all, "database query").getParentSpanId()).isEqualTo(lookup.getSpanId());
        assertThat(one(all, "http get").getParentSpanId()).isEqualTo(fetch.getSpanId());
        assertThat(seen.get("lookup").getSpanId()).isEqualTo(lookup.getSpanId());
        assertThat(seen.get("fetch").getSpanId()).isEqualTo(fetch.getSpanId());
        // Nothing the run made current stays current on the caller's thread.
        assertThat(Span.current().getSpanContext().isValid()).isFalse();
    }

    @Test
    void aToolOfAnAgentWithoutTelemetrySeesWhatWasCurrentAndNoSpanOfOurs() {
        var model = ScriptedChatModel.of(Reply.toolCall("lookup", "{}"), Reply.text("done"));
        Agent agent = Agent.builder().model(model).tools(blockingLookup()).build();

        agent.task("look up").executeBlocking();

        assertThat(seen.get("lookup").isValid()).isFalse();
        assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getName).containsExactly("database query");
    }

    @Test
    void onANoopOpenTelemetryAToolSeesTheCallersSpanWhenThereIsOneAndNothingOtherwise() {
        AgentTelemetry noop = AgentTelemetry.create(io.opentelemetry.api.OpenTelemetry.noop());
        Agent agent = noop.instrument(Agent.builder()
                .model(ScriptedChatModel.builder()
                        .replies(Reply.toolCall("lookup", "{}"), Reply.text("done"))
                        .repeat()
                        .build())
                .tools(blockingLookup())
                .build());

        agent.task("without a caller's span").executeBlocking();
        assertThat(seen.get("lookup").isValid()).isFalse();

        Span request = userTracer.spanBuilder("handle request").startSpan();
        Scope scope = request.makeCurrent();
        try {
            agent.task("under the caller's span").executeBlocking();
        } finally {
            scope.close();
            request.end();
        }
        assertThat(seen.get("lookup").getSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        assertThat(one(spans.getFinishedSpanItems()
                .stream()
                .filter(s -> s.getParentSpanContext().isValid())
                .toList(), "database query").getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        assertThat(noop.tasksInFlight()).isZero();
    }

    private static SpanData one(List<SpanData> all, String name) {
        List<SpanData> named = all.stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(named).as("spans named %s", name).hasSize(1);
        return named.get(0);
    }
}
