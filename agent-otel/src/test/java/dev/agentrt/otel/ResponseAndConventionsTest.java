package dev.agentrt.otel;

import static dev.agentrt.core.testing.FakeHttpServer.Responder.sse;
import static dev.agentrt.otel.GenAiListener.OPERATION;
import static dev.agentrt.otel.GenAiListener.PROVIDER;
import static dev.agentrt.otel.GenAiListener.REQUEST_MODEL;
import static dev.agentrt.otel.GenAiListener.RESPONSE_ID;
import static dev.agentrt.otel.GenAiListener.RESPONSE_MODEL;
import static dev.agentrt.otel.GenAiListener.SERVER_ADDRESS;
import static dev.agentrt.otel.GenAiListener.SERVER_PORT;
import static dev.agentrt.otel.GenAiListener.TOKEN_TYPE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.Agent;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.ModelPrice;
import dev.agentrt.core.model.RetryPolicy;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.model.anthropic.AnthropicChatModel;
import dev.agentrt.core.model.openai.OpenAiChatModel;
import dev.agentrt.core.testing.FakeHttpServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The reply's id and model on chat spans, from the providers' wire formats through the events; and which version
 * of the conventions {@code OTEL_SEMCONV_STABILITY_OPT_IN} selects.
 */
class ResponseAndConventionsTest {
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
            .build();
    private final FakeHttpServer server = FakeHttpServer.start();

    @AfterEach
    void close() {
        server.close();
        sdk.close();
    }

    private static String data(String json) {
        return "data: " + json + "\n\n";
    }

    private static String event(String type, String json) {
        return "event: " + type + "\n" + data(json);
    }

    private SpanData chatSpan() {
        List<SpanData> chats = spans.getFinishedSpanItems()
                .stream()
                .filter(s -> "chat".equals(s.getAttributes().get(OPERATION)))
                .toList();
        assertThat(chats).hasSize(1);
        return chats.get(0);
    }

    private MetricData metric(String name) {
        return metrics.collectAllMetrics()
                .stream()
                .filter(m -> m.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name));
    }

    private void run(ChatModel model) {
        AgentTelemetry telemetry = AgentTelemetry.create(sdk);
        telemetry.instrument(Agent.builder().model(model).build(), "wire").task("Hi").executeBlocking();
        assertThat(telemetry.tasksInFlight()).isZero();
    }

    @Test
    void anOpenAiReplysCompletionIdAndDatedModelAreOnTheChatSpanAndTheModelOnItsMetrics() {
        String chunk = "{\"id\":\"chatcmpl-77\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                + "\"model\":\"gpt-4.1-mini-2025-04-14\",\"choices\":";
        server.enqueue(sse(data(chunk + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello\"},"
                + "\"finish_reason\":null}]}")
                + data(chunk + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}")
                + data(chunk + "[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}")
                + data("[DONE]")));
        URI base = URI.create(server.url() + "/v1");

        run(OpenAiChatModel.builder()
                .model("gpt-4.1-mini")
                .apiKey("sk-test-0123456789abcdefghij")
                .baseUrl(base.toString())
                .retryPolicy(RetryPolicy.NONE)
                .inactivityTimeout(Duration.ofSeconds(10))
                .price(ModelPrice.FREE)
                .build());

        SpanData chat = chatSpan();
        assertThat(chat.getName()).isEqualTo("chat gpt-4.1-mini");
        assertThat(chat.getAttributes().asMap()).containsAllEntriesOf(Map.<AttributeKey<?>, Object>of(
                PROVIDER, "openai",
                REQUEST_MODEL, "gpt-4.1-mini",
                RESPONSE_MODEL, "gpt-4.1-mini-2025-04-14",
                RESPONSE_ID, "chatcmpl-77",
                SERVER_ADDRESS, "127.0.0.1",
                SERVER_PORT, (long) base.getPort()));
        assertThat(metric("gen_ai.client.token.usage").getHistogramData().getPoints()).hasSize(2).allSatisfy(p -> {
            assertThat(p.getAttributes().get(RESPONSE_MODEL)).isEqualTo("gpt-4.1-mini-2025-04-14");
            assertThat(p.getAttributes().get(TOKEN_TYPE)).isIn("input", "output");
        });
        assertThat(metric("gen_ai.client.operation.duration").getHistogramData().getPoints())
                .filteredOn(p -> "chat".equals(p.getAttributes().get(OPERATION)))
                .singleElement()
                .satisfies(p -> assertThat(p.getAttributes().get(RESPONSE_MODEL)).isEqualTo("gpt-4.1-mini-2025-04-14"));
    }

    @Test
    void anAnthropicMessagesIdAndModelAreOnTheChatSpan() {
        server.enqueue(sse(event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01XYZ\","
                + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],"
                + "\"model\":\"claude-sonnet-4-5-20250929\",\"usage\":{\"input_tokens\":7,\"output_tokens\":1}}}")
                + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
                + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}")
                + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                        + "\"usage\":{\"output_tokens\":2}}")
                + event("message_stop", "{\"type\":\"message_stop\"}")));

        run(AnthropicChatModel.builder()
                .model("claude-sonnet-4-5")
                .apiKey("sk-ant-test-0123456789abcdef")
                .baseUrl(server.url())
                .retryPolicy(RetryPolicy.NONE)
                .inactivityTimeout(Duration.ofSeconds(10))
                .price(ModelPrice.FREE)
                .build());

        SpanData chat = chatSpan();
        assertThat(chat.getName()).isEqualTo("chat claude-sonnet-4-5");
        assertThat(chat.getAttributes().get(PROVIDER)).isEqualTo("anthropic");
        assertThat(chat.getAttributes().get(RESPONSE_ID)).isEqualTo("msg_01XYZ");
        assertThat(chat.getAttributes().get(RESPONSE_MODEL)).isEqualTo("claude-sonnet-4-5-20250929");
    }

    @Test
    void aReplyThatNamesNeitherItselfNorItsModelLeavesBothOut() {
        run(ScriptedChatModel.of(Reply.text("hi")));

        SpanData chat = chatSpan();
        assertThat(chat.getAttributes().get(RESPONSE_ID)).isNull();
        assertThat(chat.getAttributes().get(RESPONSE_MODEL)).isNull();
        assertThat(metric("gen_ai.client.token.usage").getHistogramData().getPoints())
                .allSatisfy(p -> assertThat(p.getAttributes().get(RESPONSE_MODEL)).isNull());
    }

    @Test
    void aModelOfOurOwnNamesItsReplyThroughTheFinishEvent() {
        run(ScriptedChatModel.of(Reply.events(ChatEvent.text("hi"), new ChatEvent.UsageReport(Usage.of(3, 1)),
                new ChatEvent.Finish(FinishReason.STOP, "reply-42", "house-model-7"))));

        SpanData chat = chatSpan();
        assertThat(chat.getAttributes().get(RESPONSE_ID)).isEqualTo("reply-42");
        assertThat(chat.getAttributes().get(RESPONSE_MODEL)).isEqualTo("house-model-7");
    }

    // ---------------------------------------------------------------- OTEL_SEMCONV_STABILITY_OPT_IN

    private List<SpanData> runWith(Map<String, String> environment) {
        AgentTelemetry telemetry = AgentTelemetry.builder(sdk).environment(environment::get).build();
        telemetry.instrument(Agent.builder().model(ScriptedChatModel.of(Reply.text("hi"))).build(), "conv")
                .task("Hi")
                .executeBlocking();
        return spans.getFinishedSpanItems();
    }

    @Test
    void byDefaultTheSpansAndMetricsDeclareTheSchemaOfTheConventionsVersionTheyFollow() {
        List<SpanData> all = runWith(Map.of("OTEL_SEMCONV_STABILITY_OPT_IN", "http,database"));

        assertThat(all).hasSize(2).allSatisfy(s -> {
            assertThat(s.getInstrumentationScopeInfo().getName()).isEqualTo(AgentTelemetry.INSTRUMENTATION_NAME);
            assertThat(s.getInstrumentationScopeInfo().getSchemaUrl()).isEqualTo(AgentTelemetry.DEFAULT_SCHEMA_URL);
            assertThat(s.getAttributes().get(PROVIDER)).isEqualTo("agentrt.scripted");
            assertThat(s.getAttributes().get(AttributeKey.stringKey("gen_ai.system"))).isNull();
        });
        assertThat(metric("gen_ai.client.operation.duration").getInstrumentationScopeInfo().getSchemaUrl())
                .isEqualTo(AgentTelemetry.DEFAULT_SCHEMA_URL);
    }

    @Test
    void theOptInEmitsTheLatestExperimentalConventionsWhichDeclareNoReleasedSchema() {
        List<SpanData> all = runWith(Map.of("OTEL_SEMCONV_STABILITY_OPT_IN", " http , gen_ai_latest_experimental"));

        assertThat(all).hasSize(2).allSatisfy(s -> {
            assertThat(s.getInstrumentationScopeInfo().getSchemaUrl()).isNull();
            assertThat(s.getAttributes().get(PROVIDER)).isEqualTo("agentrt.scripted");
            assertThat(s.getAttributes().get(AttributeKey.stringKey("gen_ai.system"))).isNull();
        });
        assertThat(metric("gen_ai.client.operation.duration").getInstrumentationScopeInfo().getSchemaUrl()).isNull();
    }

    @Test
    void theVariableIsACommaSeparatedListAndOnlyTheExactValueOptsIn() {
        assertThat(AgentTelemetry.optsIn(null)).isFalse();
        assertThat(AgentTelemetry.optsIn("")).isFalse();
        assertThat(AgentTelemetry.optsIn("http/dup,database")).isFalse();
        assertThat(AgentTelemetry.optsIn("gen_ai_latest_experimental_v2")).isFalse();
        assertThat(AgentTelemetry.optsIn("gen_ai")).isFalse();
        assertThat(AgentTelemetry.optsIn("gen_ai_latest_experimental")).isTrue();
        assertThat(AgentTelemetry.optsIn("database,, GEN_AI_LATEST_EXPERIMENTAL ")).isTrue();

        assertThat(AgentTelemetry.builder(sdk).environment(name -> null).build().latestExperimentalConventions())
                .isFalse();
        assertThat(AgentTelemetry.builder(sdk)
                .environment(Map.of("OTEL_SEMCONV_STABILITY_OPT_IN", "gen_ai_latest_experimental")::get)
                .build()
                .latestExperimentalConventions()).isTrue();
        // Without a source of its own, the builder reads the process's environment.
        assertThat(AgentTelemetry.create(sdk).latestExperimentalConventions())
                .isEqualTo(AgentTelemetry.optsIn(System.getenv("OTEL_SEMCONV_STABILITY_OPT_IN")));
        assertThatThrownBy(() -> AgentTelemetry.builder(sdk).environment(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("environment");
    }
}
