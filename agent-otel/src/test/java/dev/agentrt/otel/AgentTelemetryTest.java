package dev.agentrt.otel;

import static dev.agentrt.otel.GenAiListener.AGENT_NAME;
import static dev.agentrt.otel.GenAiListener.CONVERSATION;
import static dev.agentrt.otel.GenAiListener.ERROR_TYPE;
import static dev.agentrt.otel.GenAiListener.FINISH_REASONS;
import static dev.agentrt.otel.GenAiListener.INPUT_MESSAGES;
import static dev.agentrt.otel.GenAiListener.INPUT_TOKENS;
import static dev.agentrt.otel.GenAiListener.OPERATION;
import static dev.agentrt.otel.GenAiListener.OUTCOME;
import static dev.agentrt.otel.GenAiListener.OUTPUT_MESSAGES;
import static dev.agentrt.otel.GenAiListener.OUTPUT_TOKENS;
import static dev.agentrt.otel.GenAiListener.PROVIDER;
import static dev.agentrt.otel.GenAiListener.REASON;
import static dev.agentrt.otel.GenAiListener.TIME_TO_FIRST_CHUNK;
import static dev.agentrt.otel.GenAiListener.TOOL_ARGUMENTS;
import static dev.agentrt.otel.GenAiListener.TOOL_CALL_ID;
import static dev.agentrt.otel.GenAiListener.TOOL_NAME;
import static dev.agentrt.otel.GenAiListener.TOOL_RESULT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.ModelException;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.RetryPolicy;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Golden traces: each run's spans, their nesting, names, kinds, attributes and events, and the metrics, read from
 * the SDK's in-memory exporter and reader.
 */
class AgentTelemetryTest {
    private static final String ECHO_SCHEMA = """
            {"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}""";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
            .build();
    private final AgentTelemetry telemetry = AgentTelemetry.create(sdk);

    @AfterEach
    void noTaskStateOutlivesItsTask() {
        assertThat(telemetry.tasksInFlight()).isZero();
        sdk.close();
    }

    static Tool echo() {
        return Tool.builder("echo")
                .description("Echoes its text")
                .parameters(JsonValue.parse(ECHO_SCHEMA).asObject())
                .handler((args, ctx) -> Mono.just(ToolResult.text("echo: " + args.getString("text").orElseThrow())))
                .build();
    }

    private Agent agent(ScriptedChatModel model, Tool... tools) {
        return telemetry.instrument(Agent.builder().model(model).tools(List.of(tools)).build(), "helper");
    }

    private static SpanData one(List<SpanData> all, String name) {
        List<SpanData> named = all.stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(named).as("spans named %s", name).hasSize(1);
        return named.get(0);
    }

    private static List<SpanData> named(List<SpanData> all, String name) {
        return all.stream().filter(s -> s.getName().equals(name)).toList();
    }

    private static EventData event(SpanData span, String name) {
        List<EventData> events = span.getEvents().stream().filter(e -> e.getName().equals(name)).toList();
        assertThat(events).as("events %s of %s", name, span.getName()).hasSize(1);
        return events.get(0);
    }

    @Test
    void aMultiStepRunWithTwoParallelToolsIsATaskSpanOverItsModelAndToolSpans() {
        var model = ScriptedChatModel.of(
                Reply.of("", List.of(new ToolCall("a", "echo", "{\"text\":\"one\"}"),
                        new ToolCall("b", "echo", "{\"text\":\"two\"}")), new Usage(100, 20, 60, 5, 0)),
                Reply.text("both echoed"));

        AgentResult result = agent(model, echo()).task("echo twice").executeBlocking();

        List<SpanData> all = spans.getFinishedSpanItems();
        assertThat(all).hasSize(5);
        SpanData task = one(all, "invoke_agent helper");
        assertThat(task.getKind()).isEqualTo(SpanKind.INTERNAL);
        assertThat(task.getParentSpanContext().isValid()).isFalse();
        assertThat(task.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(task.getAttributes().get(OPERATION)).isEqualTo("invoke_agent");
        assertThat(task.getAttributes().get(AGENT_NAME)).isEqualTo("helper");
        assertThat(task.getAttributes().get(PROVIDER)).isEqualTo("agentrt.scripted");
        assertThat(task.getAttributes().get(CONVERSATION)).isEqualTo(result.taskId());
        assertThat(task.getAttributes().get(OUTCOME)).isEqualTo("completed");
        assertThat(task.getAttributes().get(INPUT_TOKENS)).isEqualTo(result.usage().inputTokens());
        assertThat(task.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(result.usage().outputTokens());
        assertThat(task.getAttributes().asMap().keySet()).extracting(k -> k.getKey())
                .doesNotContain("gen_ai.system", "gen_ai.input.messages", "gen_ai.output.messages");

        List<SpanData> chats = named(all, "chat");
        assertThat(chats).hasSize(2).allSatisfy(chat -> {
            assertThat(chat.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(chat.getParentSpanId()).isEqualTo(task.getSpanId());
            assertThat(chat.getTraceId()).isEqualTo(task.getTraceId());
            assertThat(chat.getAttributes().get(OPERATION)).isEqualTo("chat");
            assertThat(chat.getAttributes().get(PROVIDER)).isEqualTo("agentrt.scripted");
        });
        SpanData first = chats.stream()
                .filter(c -> c.getAttributes().get(GenAiListener.STEP) == 1)
                .findFirst()
                .orElseThrow();
        assertThat(first.getAttributes().get(FINISH_REASONS)).containsExactly("tool_calls");
        assertThat(first.getAttributes().get(INPUT_TOKENS)).isEqualTo(100);
        assertThat(first.getAttributes().get(OUTPUT_TOKENS)).isEqualTo(20);
        assertThat(first.getAttributes().get(GenAiListener.CACHE_READ_TOKENS)).isEqualTo(60);
        assertThat(first.getAttributes().get(GenAiListener.CACHE_WRITE_TOKENS)).isEqualTo(5);
        SpanData second = chats.stream()
                .filter(c -> c.getAttributes().get(GenAiListener.STEP) == 2)
                .findFirst()
                .orElseThrow();
        assertThat(second.getAttributes().get(FINISH_REASONS)).containsExactly("stop");

        List<SpanData> tools = named(all, "execute_tool echo");
        assertThat(tools).hasSize(2).allSatisfy(tool -> {
            assertThat(tool.getKind()).isEqualTo(SpanKind.INTERNAL);
            assertThat(tool.getParentSpanId()).isEqualTo(task.getSpanId());
            assertThat(tool.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
            assertThat(tool.getAttributes().get(OPERATION)).isEqualTo("execute_tool");
            assertThat(tool.getAttributes().get(TOOL_NAME)).isEqualTo("echo");
            assertThat(tool.getAttributes().get(GenAiListener.TOOL_TYPE)).isEqualTo("function");
            assertThat(tool.getAttributes().get(TOOL_ARGUMENTS)).isNull();
            assertThat(tool.getAttributes().get(TOOL_RESULT)).isNull();
            // Both tools start after the first reply and end before the second request.
            assertThat(tool.getStartEpochNanos()).isGreaterThanOrEqualTo(first.getEndEpochNanos());
            assertThat(tool.getEndEpochNanos()).isLessThanOrEqualTo(second.getStartEpochNanos());
        });
        assertThat(tools).extracting(t -> t.getAttributes().get(TOOL_CALL_ID)).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void theCallersSpanIsTheParentOfTheRunWhereverTheRunIsSubscribed() {
        Tracer tracer = sdk.getTracer("test");
        Agent agent = agent(ScriptedChatModel.builder().replies(Reply.text("one"), Reply.text("two")).build());
        Span request = tracer.spanBuilder("handle request").startSpan();
        Mono<AgentResult> later;
        Scope scope = request.makeCurrent();
        try {
            agent.task("blocking").executeBlocking();
            later = agent.task("reactive").execute();
        } finally {
            scope.close();
        }
        // Subscribed on another thread, outside the caller's scope: the captured context still applies.
        later.subscribeOn(Schedulers.boundedElastic()).block(Duration.ofSeconds(10));
        request.end();

        List<SpanData> runs = named(spans.getFinishedSpanItems(), "invoke_agent helper");
        assertThat(runs).hasSize(2).allSatisfy(run -> {
            assertThat(run.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
            assertThat(run.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
        });
        assertThat(named(spans.getFinishedSpanItems(), "chat")).allSatisfy(
                chat -> assertThat(chat.getTraceId()).isEqualTo(request.getSpanContext().getTraceId()));
    }

    @Test
    void withoutACallersSpanEachRunIsARootSpan() {
        Agent agent = agent(ScriptedChatModel.of(Reply.text("hi")));
        agent.task("alone").execute().subscribeOn(Schedulers.boundedElastic()).block(Duration.ofSeconds(10));

        assertThat(one(spans.getFinishedSpanItems(), "invoke_agent helper").getParentSpanContext().isValid())
                .isFalse();
        assertThat(Context.current()).isSameAs(Context.root());
    }

    @Test
    void aCallAToolMakesIsAChildSpanOfTheCallingToolsSpan() {
        Tool script = Tool.builder("script")
                .handler((args, ctx) -> ctx.callTool("echo", JsonValue.parse("{\"text\":\"in\"}").asObject()))
                .build();
        var model = ScriptedChatModel.of(Reply.toolCalls(new ToolCall("s1", "script", "{}")), Reply.text("done"));

        agent(model, script, echo()).task("run the script").executeBlocking();

        List<SpanData> all = spans.getFinishedSpanItems();
        SpanData task = one(all, "invoke_agent helper");
        SpanData outer = one(all, "execute_tool script");
        SpanData nested = one(all, "execute_tool echo");
        assertThat(outer.getParentSpanId()).isEqualTo(task.getSpanId());
        assertThat(nested.getParentSpanId()).isEqualTo(outer.getSpanId());
        assertThat(nested.getAttributes().get(TOOL_CALL_ID)).isEqualTo("s1/1");
        assertThat(nested.getEndEpochNanos()).isLessThanOrEqualTo(outer.getEndEpochNanos());
    }

    @Test
    void aDeniedCallIsAToolSpanWithTheDenialAsAnEventAndCountsInTheDenialMetric() {
        Tool deploy = Tool.builder("deploy")
                .requires(Capability.custom("deploy", "production"))
                .handler((args, ctx) -> Mono.just(ToolResult.text("deployed")))
                .build();
        var model = ScriptedChatModel.of(Reply.toolCall("deploy", "{}"), Reply.text("could not deploy"));

        agent(model, deploy).task("deploy it").executeBlocking();

        SpanData tool = one(spans.getFinishedSpanItems(), "execute_tool deploy");
        EventData denied = event(tool, "agentrt.permission.denied");
        assertThat(denied.getAttributes().get(REASON)).contains("Permission denied").contains("not granted");
        assertThat(denied.getAttributes().get(GenAiListener.MISSING)).hasSize(1);
        assertThat(tool.getAttributes().get(ERROR_TYPE)).isEqualTo("permission_denied");
        assertThat(tool.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);

        LongPointData denials = longPoint("agentrt.tool.permission.denials");
        assertThat(denials.getValue()).isEqualTo(1);
        assertThat(denials.getAttributes().get(TOOL_NAME)).isEqualTo("deploy");
    }

    @Test
    void aToolsProgressIsRecordedOnItsSpanWithTheMessageOnlyWhenContentIsCaptured() {
        Tool slow = Tool.builder("slow")
                .blockingHandler((args, ctx) -> {
                    ctx.progress(1, 2.0, "half way, token=sk-ant-secret0123456789");
                    ctx.progress(2, 2.0, "done");
                    return ToolResult.text("ok");
                })
                .build();
        var model = ScriptedChatModel.of(Reply.toolCall("slow", "{}"), Reply.text("ok"));

        agent(model, slow).task("go").executeBlocking();

        SpanData tool = one(spans.getFinishedSpanItems(), "execute_tool slow");
        List<EventData> progress = tool.getEvents()
                .stream()
                .filter(e -> e.getName().equals("agentrt.tool.progress"))
                .toList();
        assertThat(progress).extracting(e -> e.getAttributes().get(GenAiListener.PROGRESS)).containsExactly(1.0, 2.0);
        assertThat(progress).extracting(e -> e.getAttributes().get(GenAiListener.PROGRESS_TOTAL))
                .containsExactly(2.0, 2.0);
        assertThat(progress)
                .allSatisfy(e -> assertThat(e.getAttributes().get(GenAiListener.PROGRESS_MESSAGE)).isNull());

        spans.reset();
        AgentTelemetry capturing = AgentTelemetry.builder(sdk).captureContent(true).build();
        capturing.instrument(Agent.builder()
                .model(ScriptedChatModel.of(Reply.toolCall("slow", "{}"), Reply.text("ok")))
                .tools(slow)
                .build(), "helper").task("go").executeBlocking();
        SpanData captured = one(spans.getFinishedSpanItems(), "execute_tool slow");
        assertThat(captured.getEvents()).filteredOn(e -> e.getName().equals("agentrt.tool.progress"))
                .extracting(e -> e.getAttributes().get(GenAiListener.PROGRESS_MESSAGE))
                .hasSize(2)
                .allSatisfy(m -> assertThat(m).doesNotContain("sk-ant-secret0123456789"))
                .contains("done");
        assertThat(capturing.tasksInFlight()).isZero();
    }

    @Test
    void anApprovalIsRecordedOnTheToolSpan() {
        Tool deploy = Tool.builder("deploy")
                .requires(Capability.custom("deploy", "staging"))
                .handler((args, ctx) -> Mono.just(ToolResult.text("deployed")))
                .build();
        var model = ScriptedChatModel.of(Reply.toolCall("deploy", "{}"), Reply.text("deployed"));
        Agent agent = telemetry.instrument(Agent.builder()
                .model(model)
                .tools(deploy)
                .approvals(request -> Mono.just(dev.agentrt.core.security.Decision.approveOnce()))
                .build(), "helper");

        agent.task("deploy it").executeBlocking();

        SpanData tool = one(spans.getFinishedSpanItems(), "execute_tool deploy");
        assertThat(event(tool, "agentrt.approval.requested").getAttributes().get(GenAiListener.MISSING)).hasSize(1);
        assertThat(event(tool, "agentrt.approval.decided").getAttributes().get(GenAiListener.DECISION))
                .isEqualTo("approve_once");
        assertThat(tool.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void aFailingToolEndsItsSpanWithAnErrorTypeAndTheRunGoesOn() {
        Tool failing = Tool.builder("explode").handler((args, ctx) -> {
            throw new IllegalStateException("kaboom");
        }).build();
        var model = ScriptedChatModel.of(Reply.toolCall("explode", "{}"), Reply.text("recovered"));

        agent(model, failing).task("try it").executeBlocking();

        List<SpanData> all = spans.getFinishedSpanItems();
        SpanData tool = one(all, "execute_tool explode");
        assertThat(tool.getAttributes().get(ERROR_TYPE)).isEqualTo("execution_failed");
        assertThat(tool.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(one(all, "invoke_agent helper").getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        HistogramPointData failed = histogram("gen_ai.client.operation.duration").stream()
                .filter(p -> "execute_tool".equals(p.getAttributes().get(OPERATION)))
                .findFirst()
                .orElseThrow();
        assertThat(failed.getAttributes().get(ERROR_TYPE)).isEqualTo("execution_failed");
        assertThat(failed.getAttributes().get(TOOL_NAME)).isEqualTo("explode");
        assertThat(failed.getCount()).isEqualTo(1);
    }

    @Test
    void aRetriedModelCallIsAFailedChatSpanThenAGoodOneAndARetryEventOnTheTask() {
        var overloaded = new ModelException("Anthropic: overloaded", 529, "req_1", true, null);
        var model = ScriptedChatModel.of(Reply.error(overloaded), Reply.text("second time lucky"));
        Agent agent = telemetry.instrument(Agent.builder()
                .model(model)
                .modelRetry(new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1), 0, Duration.ZERO))
                .build(), "helper");

        agent.task("ask").executeBlocking();

        List<SpanData> all = spans.getFinishedSpanItems();
        List<SpanData> chats = named(all, "chat");
        assertThat(chats).hasSize(2);
        assertThat(chats.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(chats.get(0).getAttributes().get(ERROR_TYPE)).isEqualTo("529");
        assertThat(chats.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(chats.get(1).getAttributes().get(FINISH_REASONS)).containsExactly("stop");
        SpanData task = one(all, "invoke_agent helper");
        EventData retry = event(task, "agentrt.model.retry");
        assertThat(retry.getAttributes().get(GenAiListener.RETRY)).isEqualTo(1);
        assertThat(retry.getAttributes().get(GenAiListener.HTTP_STATUS)).isEqualTo(529);
        assertThat(retry.getAttributes().get(REASON)).contains("overloaded");
        assertThat(task.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void aModelFailureThatEndsTheTaskEndsEverySpanWithItsErrorType() {
        var unauthorized = new ModelException("OpenAI returned HTTP 401", 401, "req_1", false, null);
        Agent agent = agent(ScriptedChatModel.of(Reply.error(unauthorized)));

        StepVerifier.create(agent.task("ask").execute()).expectError(ModelException.class).verify();

        List<SpanData> all = spans.getFinishedSpanItems();
        SpanData task = one(all, "invoke_agent helper");
        assertThat(task.getAttributes().get(ERROR_TYPE)).isEqualTo("ModelException");
        assertThat(task.getAttributes().get(OUTCOME)).isEqualTo("failed");
        assertThat(task.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(one(all, "chat").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(histogram("gen_ai.client.operation.duration")).anySatisfy(p -> {
            assertThat(p.getAttributes().get(OPERATION)).isEqualTo("invoke_agent");
            assertThat(p.getAttributes().get(ERROR_TYPE)).isEqualTo("ModelException");
        });
    }

    @Test
    void aStreamedRunRecordsTheTimeToTheFirstChunk() {
        var model = ScriptedChatModel.of(Reply.toolCall("echo", "{\"text\":\"hi\"}"), Reply.text("streamed answer"));

        StepVerifier.create(agent(model, echo()).task("stream it").stream())
                .thenConsumeWhile(e -> !(e instanceof AgentEvent.Completed))
                .expectNextMatches(AgentEvent.Completed.class::isInstance)
                .verifyComplete();

        List<SpanData> all = spans.getFinishedSpanItems();
        assertThat(all).extracting(SpanData::getName)
                .containsExactlyInAnyOrder("chat", "execute_tool echo", "chat", "invoke_agent helper");
        SpanData answer = named(all, "chat").stream()
                .filter(c -> c.getAttributes().get(FINISH_REASONS).contains("stop"))
                .findFirst()
                .orElseThrow();
        assertThat(answer.getAttributes().get(TIME_TO_FIRST_CHUNK)).isNotNull().isGreaterThanOrEqualTo(0.0);
        HistogramPointData ttfc = histogram("gen_ai.client.operation.time_to_first_chunk").get(0);
        assertThat(ttfc.getCount()).isEqualTo(1); // the tool-call reply streams no text
        assertThat(ttfc.getAttributes().get(OPERATION)).isEqualTo("chat");
    }

    @Test
    void aCancelledRunEndsItsOpenSpansAsCancelledAndKeepsNoState() throws InterruptedException {
        var started = new CountDownLatch(1);
        Tool hang = Tool.builder("hang").handler((args, ctx) -> Mono.defer(() -> {
            started.countDown();
            return Mono.never();
        })).build();
        var model = ScriptedChatModel.of(Reply.toolCall("hang", "{}"), Reply.text("never reached"));

        Disposable run = agent(model, hang).task("wait forever").execute().subscribe();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(telemetry.tasksInFlight()).isEqualTo(1);
        run.dispose();

        List<SpanData> all = spans.getFinishedSpanItems();
        SpanData task = one(all, "invoke_agent helper");
        assertThat(task.getAttributes().get(OUTCOME)).isEqualTo("cancelled");
        assertThat(task.getAttributes().get(ERROR_TYPE)).isEqualTo("cancelled");
        SpanData tool = one(all, "execute_tool hang");
        assertThat(tool.getAttributes().get(ERROR_TYPE)).isEqualTo("cancelled");
        assertThat(tool.hasEnded()).isTrue();
        assertThat(telemetry.tasksInFlight()).isZero();
    }

    record Answer(String city, int population) {}

    @Test
    void aStructuredOutputRunIsTracedLikeAnyOther() {
        var model = ScriptedChatModel.of(Reply.text("{\"city\":\"Lyon\",\"population\":520000}"));

        Answer answer = agent(model).task("biggest city?").returning(Answer.class).executeBlocking();

        assertThat(answer.city()).isEqualTo("Lyon");
        List<SpanData> all = spans.getFinishedSpanItems();
        SpanData task = one(all, "invoke_agent helper");
        assertThat(task.getAttributes().get(OUTCOME)).isEqualTo("completed");
        assertThat(named(all, "chat")).hasSize(1)
                .allSatisfy(chat -> assertThat(chat.getParentSpanId()).isEqualTo(task.getSpanId()));
    }

    @Test
    void aBudgetStopIsAnEventOnTheTaskSpan() {
        var model = ScriptedChatModel.of(Reply.of("", List.of(new ToolCall("a", "echo", "{\"text\":\"x\"}")),
                Usage.of(900, 200)), Reply.text("never"));
        Agent agent = telemetry.instrument(Agent.builder()
                .model(model)
                .tools(echo())
                .budget(dev.agentrt.core.Budget.UNLIMITED.withMaxTokens(1000))
                .build(), "helper");

        StepVerifier.create(agent.task("spend").execute())
                .expectError(dev.agentrt.core.BudgetExceededException.class)
                .verify();

        SpanData task = one(spans.getFinishedSpanItems(), "invoke_agent helper");
        EventData stop = event(task, "agentrt.budget.exceeded");
        assertThat(stop.getAttributes().get(OUTCOME)).isEqualTo("token_limit");
        assertThat(stop.getAttributes().get(REASON)).contains("token budget");
        assertThat(task.getAttributes().get(ERROR_TYPE)).isEqualTo("token_limit");
        assertThat(task.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    }

    @Test
    void contentIsLeftOutByDefaultAndRecordedScrubbedWhenAskedFor() {
        AgentTelemetry withContent = AgentTelemetry.builder(sdk).captureContent(true).agentName("scribe").build();
        var model = ScriptedChatModel.of(Reply.toolCall("echo", "{\"text\":\"key sk-abcdefghijklmnop0123456789\"}"),
                Reply.text("Done. Use \"Bearer abc.def.ghi\" next time."));
        Agent agent = withContent.instrument(Agent.builder().model(model).tools(echo()).build());

        agent.task("echo my password=hunter22 please").executeBlocking();

        List<SpanData> all = spans.getFinishedSpanItems();
        SpanData task = one(all, "invoke_agent scribe");
        assertThat(task.getAttributes().get(INPUT_MESSAGES))
                .isEqualTo("[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":"
                        + "\"echo my password=[REDACTED] please\"}]}]");
        assertThat(task.getAttributes().get(OUTPUT_MESSAGES)).contains("Bearer [REDACTED]").doesNotContain("abc.def");
        SpanData tool = one(all, "execute_tool echo");
        assertThat(tool.getAttributes().get(TOOL_ARGUMENTS)).isEqualTo("{\"text\":\"key [REDACTED]\"}");
        assertThat(tool.getAttributes().get(TOOL_RESULT)).isEqualTo("echo: key [REDACTED]");
        assertThat(named(all, "chat")).anySatisfy(chat -> assertThat(chat.getAttributes().get(OUTPUT_MESSAGES))
                .contains("\"finish_reason\":\"stop\"")
                .contains("Bearer [REDACTED]"));
        assertThat(withContent.tasksInFlight()).isZero();
    }

    @Test
    void tokenUsageAndDurationsAreRecordedWithTheConventionsInstrumentsAndAttributes() {
        var model = ScriptedChatModel.of(Reply.of("", List.of(new ToolCall("a", "echo", "{\"text\":\"x\"}")),
                Usage.of(100, 20)), Reply.of("done", List.of(), Usage.of(150, 7)));

        agent(model, echo()).task("count").executeBlocking();

        MetricData tokens = metric("gen_ai.client.token.usage");
        assertThat(tokens.getUnit()).isEqualTo("{token}");
        assertThat(tokens.getHistogramData().getPoints()).hasSize(2).allSatisfy(p -> {
            assertThat(p.getAttributes().get(OPERATION)).isEqualTo("chat");
            assertThat(p.getAttributes().get(PROVIDER)).isEqualTo("agentrt.scripted");
            assertThat(p.getCount()).isEqualTo(2);
            assertThat(p.getBoundaries()).containsExactlyElementsOf(
                    AgentTelemetry.TOKEN_BUCKETS.stream().map(Long::doubleValue).toList());
        }).anySatisfy(p -> {
            assertThat(p.getAttributes().get(GenAiListener.TOKEN_TYPE)).isEqualTo("input");
            assertThat(p.getSum()).isEqualTo(250);
        }).anySatisfy(p -> {
            assertThat(p.getAttributes().get(GenAiListener.TOKEN_TYPE)).isEqualTo("output");
            assertThat(p.getSum()).isEqualTo(27);
        });
        MetricData durations = metric("gen_ai.client.operation.duration");
        assertThat(durations.getUnit()).isEqualTo("s");
        assertThat(durations.getHistogramData().getPoints())
                .extracting(p -> p.getAttributes().get(OPERATION), HistogramPointData::getCount)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("chat", 2L),
                        org.assertj.core.groups.Tuple.tuple("execute_tool", 1L),
                        org.assertj.core.groups.Tuple.tuple("invoke_agent", 1L));
        assertThat(durations.getHistogramData().getPoints()).allSatisfy(p -> assertThat(p.getBoundaries())
                .containsExactlyElementsOf(AgentTelemetry.DURATION_BUCKETS));
    }

    @Test
    void aHostedModelsSpansNameItAndItsServer() {
        var hosted = dev.agentrt.core.model.openai.OpenAiChatModel.builder()
                .model("gpt-4.1-mini")
                .apiKey("test")
                .baseUrl("https://llm.example.com:8443/v1")
                .build();

        ModelInfo info = ModelInfo.of(hosted);

        assertThat(info).isEqualTo(new ModelInfo("openai", "gpt-4.1-mini", "llm.example.com", 8443));
        assertThat(new GenAiListener(telemetry, info, "a")).isNotNull();
    }

    @Test
    void aThrowingSpanProcessorNeverBreaksTheRun() {
        SpanProcessor broken = new SpanProcessor() {
            @Override
            public void onStart(Context parentContext, ReadWriteSpan span) {
                throw new IllegalStateException("processor broke on start");
            }

            @Override
            public boolean isStartRequired() {
                return true;
            }

            @Override
            public void onEnd(ReadableSpan span) {
                throw new IllegalStateException("processor broke on end");
            }

            @Override
            public boolean isEndRequired() {
                return true;
            }
        };
        SpanExporter throwing = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> batch) {
                throw new IllegalStateException("exporter broke");
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        try (var brokenSdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(broken)
                        .addSpanProcessor(SimpleSpanProcessor.create(throwing))
                        .build())
                .build()) {
            AgentTelemetry t = AgentTelemetry.create(brokenSdk);
            var model = ScriptedChatModel.of(Reply.toolCall("echo", "{\"text\":\"x\"}"), Reply.text("fine"));
            Agent agent = t.instrument(Agent.builder().model(model).tools(echo()).build());

            AgentResult r = agent.task("go").executeBlocking();

            assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(r.text()).isEqualTo("fine");
            assertThat(t.tasksInFlight()).isZero();
        }
    }

    @Test
    void anExporterThatBlocksBehindABatchProcessorNeverHoldsUpTheRun() {
        var release = new CountDownLatch(1);
        var exporting = new AtomicReference<Thread>();
        SpanExporter blocking = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> batch) {
                exporting.set(Thread.currentThread());
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                release.countDown();
                return CompletableResultCode.ofSuccess();
            }
        };
        var batchSdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(BatchSpanProcessor.builder(blocking).setMaxExportBatchSize(1).build())
                        .build())
                .build();
        try {
            AgentTelemetry t = AgentTelemetry.create(batchSdk);
            for (int i = 0; i < 20; i++) {
                var model = ScriptedChatModel.of(Reply.toolCall("echo", "{\"text\":\"x\"}"), Reply.text("fine"));
                Agent agent = t.instrument(Agent.builder().model(model).tools(echo()).build());
                assertThat(agent.task("go").executeBlocking().outcome()).isEqualTo(Outcome.COMPLETED);
            }
            assertThat(t.tasksInFlight()).isZero();
        } finally {
            release.countDown();
            batchSdk.close();
        }
    }

    @Test
    void onANoopOpenTelemetryARunIsUnchanged() {
        AgentTelemetry noop = AgentTelemetry.create(OpenTelemetry.noop());
        var model = ScriptedChatModel.of(Reply.toolCall("echo", "{\"text\":\"x\"}"), Reply.text("fine"));

        AgentResult r = noop.instrument(Agent.builder().model(model).tools(echo()).build())
                .task("go")
                .executeBlocking();

        assertThat(r.text()).isEqualTo("fine");
        assertThat(noop.tasksInFlight()).isZero();
    }

    private MetricData metric(String name) {
        List<MetricData> found = metrics.collectAllMetrics().stream().filter(m -> m.getName().equals(name)).toList();
        assertThat(found).as("metric %s", name).hasSize(1);
        return found.get(0);
    }

    private List<HistogramPointData> histogram(String name) {
        return List.copyOf(metric(name).getHistogramData().getPoints());
    }

    private LongPointData longPoint(String name) {
        return metric(name).getLongSumData().getPoints().iterator().next();
    }
}
