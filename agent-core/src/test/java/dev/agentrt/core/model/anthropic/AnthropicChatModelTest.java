package dev.agentrt.core.model.anthropic;

import static dev.agentrt.core.testing.FakeHttpServer.Responder.json;
import static dev.agentrt.core.testing.FakeHttpServer.Responder.sse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.ModelException;
import dev.agentrt.core.contract.ChatModelContract;
import dev.agentrt.core.internal.ReplyAssembler;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ModelPrice;
import dev.agentrt.core.model.Reasoning;
import dev.agentrt.core.model.ResponseFormat;
import dev.agentrt.core.model.RetryPolicy;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.testing.FakeHttpServer;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

class AnthropicChatModelTest {
    static final String KEY = "sk-ant-test-0123456789abcdef";

    static final String TEXT_STREAM = event("message_start",
            """
                    {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],\
                    "model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,\
                    "usage":{"input_tokens":25,"cache_creation_input_tokens":5,"cache_read_input_tokens":10,"output_tokens":1}}}""")
            + event("content_block_start",
                    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
            + event("ping", "{\"type\": \"ping\"}")
            + event("content_block_delta",
                    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}")
            + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\", wörld € 😀\"}}")
            + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
            + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                    + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":15}}")
            + event("message_stop", "{\"type\":\"message_stop\"}");

    /** Text, then two tool calls: one whose arguments arrive split mid-key, mid-string and mid-escape, one without arguments. */
    static final String TOOL_STREAM = event("message_start", """
            {"type":"message_start","message":{"id":"msg_02","type":"message","role":"assistant","content":[],\
            "model":"claude-sonnet-4-5","usage":{"input_tokens":400,"output_tokens":1}}}""")
            + event("content_block_start",
                    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
            + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Let me check é.\"}}")
            + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
            + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
                    + "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{}}}")
            + delta(1, "")
            + delta(1, "{\"loc")
            + delta(1, "ation\": \"San Fr")
            + event("ping", "{\"type\": \"ping\"}")
            + delta(1, "ancisco \\")
            + delta(1, "\"SF\\\" \\u00")
            + delta(1, "e9 😀\", \"unit\": \"celsius\"}")
            + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}")
            + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":2,\"content_block\":"
                    + "{\"type\":\"tool_use\",\"id\":\"toolu_02\",\"name\":\"get_time\",\"input\":{}}}")
            + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":2}")
            + event("some_future_event", "{\"type\":\"some_future_event\",\"whatever\":[1,2]}")
            + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
                    + "\"usage\":{\"output_tokens\":89}}")
            + event("message_stop", "{\"type\":\"message_stop\"}");

    static final String WEATHER_ARGS = "{\"location\": \"San Francisco \\\"SF\\\" \\u00e9 😀\", \"unit\": \"celsius\"}";

    final FakeHttpServer server = FakeHttpServer.start();

    @AfterEach
    void stop() {
        server.close();
    }

    static String event(String type, String json) {
        return "event: " + type + "\ndata: " + json + "\n\n";
    }

    static String delta(int index, String partialJson) {
        return event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + index
                + ",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":" + JsonValue.of(partialJson).toJson()
                + "}}");
    }

    static String textStream(String text, String stopReason) {
        return event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_t\",\"usage\":"
                + "{\"input_tokens\":10,\"output_tokens\":1}}}")
                + event("content_block_start",
                        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
                + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                        + "{\"type\":\"text_delta\",\"text\":" + JsonValue.of(text).toJson() + "}}")
                + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stopReason
                        + "\"},\"usage\":{\"output_tokens\":5}}")
                + event("message_stop", "{\"type\":\"message_stop\"}");
    }

    static String toolStream(String id, String name, List<String> fragments, String stopReason) {
        var sb = new StringBuilder(event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_u\","
                + "\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}"));
        sb.append(event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                + "{\"type\":\"tool_use\",\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"input\":{}}}"));
        for (String f : fragments) {
            sb.append(delta(0, f));
        }
        sb.append(event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
        sb.append(event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stopReason
                + "\"},\"usage\":{\"output_tokens\":30}}"));
        sb.append(event("message_stop", "{\"type\":\"message_stop\"}"));
        return sb.toString();
    }

    /** Costs off (the wire tests compare usage exactly); {@link #repliesAreCostedAtTheListPrice} turns them on. */
    AnthropicChatModel.Builder builder() {
        return AnthropicChatModel.builder()
                .model("claude-sonnet-4-5")
                .apiKey(KEY)
                .baseUrl(server.url())
                .retryPolicy(RetryPolicy.DEFAULT.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5)))
                .inactivityTimeout(Duration.ofSeconds(10))
                .price(ModelPrice.FREE);
    }

    static ChatResponse assemble(Flux<ChatEvent> events) {
        var assembler = new ReplyAssembler();
        events.doOnNext(assembler::accept).blockLast(Duration.ofSeconds(30));
        return assembler.finish();
    }

    static ChatRequest ask(String text) {
        return ChatRequest.of(Message.user(text));
    }

    // ------------------------------------------------------------------------------------ streams

    @Test
    void streamsTextWithUsageAndStopReason() {
        server.enqueue(sse(TEXT_STREAM, "request-id", "req_011"));

        ChatResponse r = assemble(builder().build().stream(ask("Hi")));

        assertThat(r.message().text()).isEqualTo("Hello, wörld € 😀");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        // input_tokens excludes the cache; the SPI's input count includes it.
        assertThat(r.usage()).isEqualTo(new Usage(40, 15, 10, 5, 0));
        // message_start names the message and the model that wrote it.
        assertThat(r.responseId()).isEqualTo("msg_01");
        assertThat(r.responseModel()).isEqualTo("claude-sonnet-4-5");
    }

    @Test
    void repliesAreCostedAtTheListPrice() {
        // claude-sonnet-4-5: $3 input, $15 output, cache reads $0.30 and five-minute writes $3.75 per million.
        // The stream's usage: 25 uncached input, 10 cache reads, 5 cache writes, 15 output.
        double fiveMinutes = (25 * 3 + 10 * 0.3 + 5 * 3.75 + 15 * 15) / 1e6;
        server.enqueue(sse(TEXT_STREAM));
        ChatResponse listed = assemble(builder().price(null).build().stream(ask("Hi")));
        assertThat(listed.usage().cost()).isCloseTo(fiveMinutes, offset(1e-12));

        // Hour-long cache entries cost twice the input price to write.
        double oneHour = (25 * 3 + 10 * 0.3 + 5 * 6 + 15 * 15) / 1e6;
        server.enqueue(sse(TEXT_STREAM));
        ChatResponse hour = assemble(builder().price(null)
                .promptCaching(AnthropicChatModel.PromptCaching.ONE_HOUR)
                .build()
                .stream(ask("Hi")));
        assertThat(hour.usage().cost()).isCloseTo(oneHour, offset(1e-12));

        // A price of one's own wins; a model the table does not know costs nothing.
        server.enqueue(sse(TEXT_STREAM));
        ChatResponse own = assemble(builder().price(new ModelPrice(1, 2, 0.5, 1.5)).build().stream(ask("Hi")));
        assertThat(own.usage().cost())
                .isCloseTo((25 * 1 + 10 * 0.5 + 5 * 1.5 + 15 * 2) / 1e6, offset(1e-12));
        server.enqueue(sse(TEXT_STREAM));
        ChatResponse unknown = assemble(builder().price(null).model("claude-next-9").build().stream(ask("Hi")));
        assertThat(unknown.usage().cost()).isZero();
    }

    @Test
    void assemblesToolCallsWhoseArgumentsArriveInFragments() {
        server.enqueue(sse(TOOL_STREAM));

        ChatResponse r = assemble(builder().build().stream(ask("Weather and time?")));

        assertThat(r.message().text()).isEqualTo("Let me check é.");
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.message().toolCalls()).extracting(ToolCall::id, ToolCall::name)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("toolu_01", "get_weather"),
                        org.assertj.core.groups.Tuple.tuple("toolu_02", "get_time"));
        assertThat(r.message().toolCalls().get(0).arguments()).isEqualTo(WEATHER_ARGS);
        assertThat(JsonValue.parse(r.message().toolCalls().get(0).arguments()).asObject().getString("location"))
                .contains("San Francisco \"SF\" é 😀");
        assertThat(r.message().toolCalls().get(1).arguments()).isEqualTo("{}");
        assertThat(r.usage()).isEqualTo(Usage.of(400, 89));
    }

    @Test
    void theSameStreamSplitAtEveryByteGivesTheSameReply() {
        byte[] bytes = TOOL_STREAM.getBytes(StandardCharsets.UTF_8);
        AnthropicChatModel model = builder().build();
        server.enqueue(sse(TOOL_STREAM));
        ChatResponse whole = assemble(model.stream(ask("x")));
        for (int cut = 1; cut < bytes.length; cut++) {
            server.enqueue(FakeHttpServer.Responder.stream("text/event-stream",
                    List.of(java.util.Arrays.copyOfRange(bytes, 0, cut),
                            java.util.Arrays.copyOfRange(bytes, cut, bytes.length)),
                    Duration.ZERO));
        }
        for (int cut = 1; cut < bytes.length; cut++) {
            assertThat(assemble(model.stream(ask("x")))).as("split at byte %d", cut).isEqualTo(whole);
        }
    }

    @Test
    void aRecordedStreamReplaysToTheSameReplyAsTheLiveOne() {
        server.enqueue(sse(TOOL_STREAM));
        AnthropicChatModel model = builder().build();
        byte[] bytes = TOOL_STREAM.getBytes(StandardCharsets.UTF_8);

        ChatResponse replayed = assemble(model.replay(Flux.range(0, bytes.length / 7 + 1)
                .map(i -> java.nio.ByteBuffer.wrap(bytes, i * 7, Math.min(7, bytes.length - i * 7)))));

        assertThat(replayed).isEqualTo(assemble(model.stream(ask("x"))));
        assertThatThrownBy(() -> assemble(model.replay(Flux.just(java.nio.ByteBuffer.wrap(bytes, 0, 100)))))
                .isInstanceOf(ModelException.class);
    }

    @Test
    void thinkingBlocksAreKeptAsReasoningWhileCitationsAndServerToolBlocksAreNotPartOfTheReply() {
        server.enqueue(sse(event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_th\","
                + "\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}")
                + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                        + "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}")
                + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Let me think.\"}}")
                + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQBCg==\"}}")
                + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,"
                        + "\"content_block\":{\"type\":\"redacted_thinking\",\"data\":\"abc\"}}")
                + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}")
                + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":2,"
                        + "\"content_block\":{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\","
                        + "\"name\":\"web_search\",\"input\":{}}}")
                + delta(2, "{\"query\":\"x\"}")
                + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":2}")
                + event("content_block_start",
                        "{\"type\":\"content_block_start\",\"index\":3,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
                + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":3,"
                        + "\"delta\":{\"type\":\"citations_delta\",\"citation\":{\"type\":\"char_location\"}}}")
                + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":3,"
                        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Answer.\"}}")
                + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":3}")
                + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                        + "\"usage\":{\"output_tokens\":9}}")
                + event("message_stop", "{\"type\":\"message_stop\"}")));

        ChatResponse r = assemble(builder().build().stream(ask("Think")));

        assertThat(r.message().text()).isEqualTo("Answer.");
        assertThat(r.message().toolCalls()).isEmpty();
        assertThat(r.message().reasoning()).containsExactly(
                Reasoning.signed("anthropic", "Let me think.", "EqQBCg=="), Reasoning.sealed("anthropic", "abc"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void oneModelServesManyConcurrentStreams() {
        server.otherwise(r -> sse(List.of(TEXT_STREAM.substring(0, TEXT_STREAM.indexOf("event: ping")),
                TEXT_STREAM.substring(TEXT_STREAM.indexOf("event: ping"))), Duration.ofMillis(20)));
        AnthropicChatModel model = builder().build();

        List<ChatResponse> replies = Flux.range(0, 200)
                .flatMap(i -> Mono.fromCallable(ReplyAssembler::new)
                        .flatMap(a -> model.stream(ask("Hi " + i))
                                .doOnNext(a::accept)
                                .then(Mono.fromCallable(a::finish))),
                        200)
                .collectList()
                .block(Duration.ofSeconds(30));

        assertThat(replies).hasSize(200).allSatisfy(r -> assertThat(r.message().text()).isEqualTo("Hello, wörld € 😀"));
        assertThat(server.requests()).hasSize(200);
    }

    static String start(String index, String type, String id, String name) {
        return event("content_block_start", "{\"type\":\"content_block_start\"," + index + "\"content_block\":"
                + "{\"type\":\"" + type + "\",\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"input\":{}}}");
    }

    static String unindexedDelta(String partialJson) {
        return event("content_block_delta", "{\"type\":\"content_block_delta\","
                + "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":" + JsonValue.of(partialJson).toJson()
                + "}}");
    }

    static String toolUseEnd() {
        return event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
                + "\"usage\":{\"output_tokens\":9}}") + event("message_stop", "{\"type\":\"message_stop\"}");
    }

    static final String MESSAGE_START = event("message_start", "{\"type\":\"message_start\",\"message\":"
            + "{\"id\":\"msg_r\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}");

    @Test
    void aToolUseBlockThatReusesAContentBlockIndexIsASeparateCall() {
        // A compatible gateway that numbers every content block 0.
        server.enqueue(sse(MESSAGE_START
                + start("\"index\":0,", "tool_use", "toolu_a", "get_weather")
                + delta(0, "{\"location\": \"Oslo\"}")
                + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                + start("\"index\":0,", "tool_use", "toolu_b", "get_time")
                + delta(0, "{\"zone\": \"UTC\"}")
                + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
                + toolUseEnd()));

        ChatResponse r = assemble(builder().build().stream(ask("t")));

        assertThat(r.message().toolCalls()).containsExactly(
                new ToolCall("toolu_a", "get_weather", "{\"location\": \"Oslo\"}"),
                new ToolCall("toolu_b", "get_time", "{\"zone\": \"UTC\"}"));
    }

    @Test
    void aTextBlockThatReusesAToolBlocksIndexTakesNoArgumentsFromIt() {
        server.enqueue(sse(MESSAGE_START
                + start("\"index\":0,", "tool_use", "toolu_a", "get_weather")
                + delta(0, "{\"location\": \"Oslo\"}")
                + event("content_block_start",
                        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
                + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Done.\"}}")
                + start("\"index\":0,", "server_tool_use", "srvtoolu_1", "web_search")
                + delta(0, "{\"query\":\"x\"}")
                + toolUseEnd()));

        ChatResponse r = assemble(builder().build().stream(ask("t")));

        assertThat(r.message().text()).isEqualTo("Done.");
        assertThat(r.message().toolCalls()).containsExactly(
                new ToolCall("toolu_a", "get_weather", "{\"location\": \"Oslo\"}"));
    }

    @Test
    void deltasWithoutAnIndexBelongToTheBlockThatStartedLast() {
        server.enqueue(sse(MESSAGE_START
                + event("content_block_start",
                        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
                + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Checking.\"}}")
                + start("\"index\":1,", "tool_use", "toolu_a", "get_weather")
                + unindexedDelta("{\"location\": ")
                + unindexedDelta("\"Oslo\"}")
                + start("", "tool_use", "toolu_b", "get_time")
                + unindexedDelta("{\"zone\": \"UTC\"}")
                + toolUseEnd()));

        ChatResponse r = assemble(builder().build().stream(ask("t")));

        assertThat(r.message().text()).isEqualTo("Checking.");
        assertThat(r.message().toolCalls()).containsExactly(
                new ToolCall("toolu_a", "get_weather", "{\"location\": \"Oslo\"}"),
                new ToolCall("toolu_b", "get_time", "{\"zone\": \"UTC\"}"));
    }

    @Test
    void argumentsForABlockThatNeverStartedAreAnErrorNotLostInSilence() {
        server.enqueue(sse(MESSAGE_START
                + start("\"index\":0,", "tool_use", "toolu_a", "get_weather")
                + delta(0, "{}")
                + delta(1, "{\"zone\": \"UTC\"}")
                + toolUseEnd()));

        StepVerifier.create(builder().build().stream(ask("t")))
                .expectNextCount(3)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("content block 1")
                        .hasMessageContaining("never started"))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void twoToolUseBlocksWithTheSameIdGetDistinctIds() {
        String stream = MESSAGE_START
                + start("\"index\":0,", "tool_use", "toolu_1", "get_weather")
                + delta(0, "{\"location\":\"Oslo\"}")
                + start("\"index\":1,", "tool_use", "toolu_1", "get_weather")
                + delta(1, "{\"location\":\"Bergen\"}")
                + toolUseEnd();
        server.enqueue(sse(stream));
        server.enqueue(json(200, """
                {"content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"location":"Oslo"}},
                            {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"location":"Bergen"}}],
                 "stop_reason":"tool_use"}"""));
        AnthropicChatModel model = builder().build();

        ChatResponse streamed = assemble(model.stream(ask("t")));
        ChatResponse whole = model.call(ask("t")).block(Duration.ofSeconds(30));

        assertThat(whole).isNotNull();
        for (ChatResponse r : List.of(streamed, whole)) {
            assertThat(r.message().toolCalls()).extracting(ToolCall::arguments)
                    .containsExactly("{\"location\":\"Oslo\"}", "{\"location\":\"Bergen\"}");
            assertThat(r.message().toolCalls()).extracting(ToolCall::id).doesNotHaveDuplicates().startsWith("toolu_1");
        }
    }

    @Test
    void aToolCallWithoutAnyArgumentFragmentGetsAnEmptyObject() {
        server.enqueue(sse(toolStream("toolu_9", "get_time", List.of(), "tool_use")),
                sse(toolStream("toolu_9", "get_time", List.of(""), "tool_use")));
        AnthropicChatModel model = builder().build();

        assertThat(assemble(model.stream(ask("t"))).message().toolCalls().get(0).arguments()).isEqualTo("{}");
        assertThat(assemble(model.stream(ask("t"))).message().toolCalls().get(0).arguments()).isEqualTo("{}");
    }

    @Test
    void anErrorEventAfterStatus200FailsTheStream() {
        server.enqueue(sse(TEXT_STREAM.substring(0, TEXT_STREAM.indexOf("event: content_block_stop"))
                + event("error",
                        "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"),
                "request-id", "req_err"));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectNextCount(3)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("overloaded_error: Overloaded")
                        .satisfies(m -> {
                            assertThat(((ModelException) m).isRetryable()).isTrue();
                            assertThat(((ModelException) m).requestId()).isEqualTo("req_err");
                        }))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void aStreamThatEndsWithoutMessageStopIsAnErrorNotAShortAnswer() {
        server.enqueue(sse(TEXT_STREAM.substring(0, TEXT_STREAM.indexOf("event: message_delta"))));

        assertThatThrownBy(() -> assemble(builder().build().stream(ask("Hi"))))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("ended before message_stop");
    }

    @Test
    void anEventCutInTheMiddleAtTheEndIsAnError() {
        server.enqueue(sse(TEXT_STREAM.substring(0, TEXT_STREAM.length() - 10)));

        assertThatThrownBy(() -> assemble(builder().build().stream(ask("Hi"))))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("incomplete");
    }

    @Test
    void malformedJsonInAnEventIsAnError() {
        server.enqueue(sse(event("message_start", "{\"type\":\"message_start\",\"message\":{")));

        assertThatThrownBy(() -> assemble(builder().build().stream(ask("Hi"))))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void aDisconnectInTheMiddleOfTheStreamIsAnError() {
        try (var resetting = FakeHttpServer.ResettingServer.start("text/event-stream",
                TEXT_STREAM.substring(0, TEXT_STREAM.indexOf("event: content_block_stop")))) {
            StepVerifier.create(builder().baseUrl(resetting.url()).build().stream(ask("Hi")))
                    .expectNextCount(3)
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                            .hasMessageContaining("the connection broke during the reply"))
                    .verify(Duration.ofSeconds(30));
            assertThat(resetting.connections()).hasValue(1);
        }
    }

    @Test
    void aReplyLargerThanTheLimitIsClosedWithAnError() {
        var pieces = new ArrayList<String>();
        pieces.add(TEXT_STREAM.substring(0, TEXT_STREAM.indexOf("event: ping")));
        for (int i = 0; i < 500; i++) {
            pieces.add(event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + "x".repeat(100) + "\"}}"));
        }
        server.enqueue(sse(pieces, Duration.ZERO));
        server.enqueue(json(200, "{\"content\":[{\"type\":\"text\",\"text\":\"" + "y".repeat(5000)
                + "\"}],\"stop_reason\":\"end_turn\"}"));
        AnthropicChatModel model = builder().maxResponseBytes(4096).build();

        assertThatThrownBy(() -> assemble(model.stream(ask("Hi")))).isInstanceOf(ModelException.class)
                .hasMessageContaining("larger than 4096 bytes");
        assertThatThrownBy(() -> model.call(ask("Hi")).block(Duration.ofSeconds(30)))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("larger than 4096 bytes");
    }

    @Test
    void aServerThatNeverSendsItsHeadersHitsTheResponseTimeout() {
        // Silent for far longer than the test waits: only the response timeout can end the call.
        server.enqueue(ex -> Thread.sleep(300_000));

        StepVerifier.create(builder().retryPolicy(RetryPolicy.NONE)
                .timeout(Duration.ofMillis(300))
                .build()
                .stream(ask("Hi")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("no response from http://127.0.0.1:")
                        .satisfies(m -> assertThat(((ModelException) m).isRetryable()).isTrue()))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void aSilentServerHitsTheInactivityTimeout() {
        server.enqueue(FakeHttpServer.Responder.stall("text/event-stream",
                TEXT_STREAM.substring(0, TEXT_STREAM.indexOf("event: content_block_start")), Duration.ofMinutes(5)));

        StepVerifier.create(builder().inactivityTimeout(Duration.ofMillis(300)).build().stream(ask("Hi")))
                .expectNextCount(1)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("no data for 300 ms"))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void cancellingTheStreamClosesTheConnection() throws InterruptedException {
        var pieces = new ArrayList<String>();
        pieces.add(TEXT_STREAM.substring(0, TEXT_STREAM.indexOf("event: ping")));
        for (int i = 0; i < 5_000; i++) {
            pieces.add(event("content_block_delta",
                    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"tick\"}}"));
        }
        server.enqueue(sse(pieces, Duration.ofMillis(20)));

        StepVerifier.create(builder().build().stream(ask("Count")).ofType(ChatEvent.TextDelta.class).take(2))
                .expectNextCount(2)
                .verifyComplete();

        assertThat(server.awaitClientGone(Duration.ofSeconds(60))).as("the server saw the connection closed").isTrue();
    }

    // ------------------------------------------------------------------------------------ the request

    @Test
    void theRequestIsWhatTheMessagesApiExpects() {
        server.enqueue(sse(textStream("ok", "end_turn")));
        var weather = new ToolSpec("get_weather", "Weather for a city",
                JsonValue.parse("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}").asObject());
        var call1 = new ToolCall("toolu_1", "get_weather", "{\"city\":\"Oslo\"}");
        var call2 = new ToolCall("toolu_2", "get_weather", "{\"city\":");
        var request = new ChatRequest(List.of(
                Message.system("Be brief."),
                Message.user("Weather in Oslo and Bergen?"),
                Message.system("Memory: the user likes short answers."),
                Message.assistant("", List.of(call1, call2)),
                Message.toolResult(call1, "rain", false),
                Message.toolResult(call2, "arguments were not valid JSON", true),
                Message.user("And tomorrow?")),
                List.of(weather), new ChatOptions(null, 0.2, null, List.of("STOP")));

        assemble(builder().header("anthropic-beta", "test-beta").build().stream(request));

        FakeHttpServer.Recorded sent = server.lastRequest();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/v1/messages");
        assertThat(sent.protocol()).isEqualTo("HTTP/1.1");
        assertThat(sent.header("Upgrade")).isNull();
        assertThat(sent.header("x-api-key")).isEqualTo(KEY);
        assertThat(sent.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(sent.header("anthropic-beta")).isEqualTo("test-beta");
        assertThat(sent.header("Content-Type")).isEqualTo("application/json");
        assertThat(sent.header("Accept")).isEqualTo("text/event-stream");
        assertThat(JsonValue.parse(sent.body())).isEqualTo(JsonValue
                .parse("""
                        {"model":"claude-sonnet-4-5","max_tokens":8192,
                         "system":[{"type":"text","text":"Be brief.\\n\\nMemory: the user likes short answers.",
                                    "cache_control":{"type":"ephemeral"}}],
                         "messages":[
                           {"role":"user","content":[{"type":"text","text":"Weather in Oslo and Bergen?",
                                                      "cache_control":{"type":"ephemeral"}}]},
                           {"role":"assistant","content":[
                              {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Oslo"}},
                              {"type":"tool_use","id":"toolu_2","name":"get_weather","input":{}}]},
                           {"role":"user","content":[
                              {"type":"tool_result","tool_use_id":"toolu_1","content":"rain"},
                              {"type":"tool_result","tool_use_id":"toolu_2","content":"arguments were not valid JSON","is_error":true},
                              {"type":"text","text":"And tomorrow?","cache_control":{"type":"ephemeral"}}]}],
                         "tools":[{"name":"get_weather","description":"Weather for a city",
                                   "input_schema":{"type":"object","properties":{"city":{"type":"string"}}},
                                   "cache_control":{"type":"ephemeral"}}],
                         "temperature":0.2,
                         "stop_sequences":["STOP"],
                         "stream":true}"""));
    }

    static int cacheBreakpoints(JsonValue value) {
        return switch (value) {
            case JsonObject o -> (o.has("cache_control") ? 1 : 0)
                    + o.members().values().stream().mapToInt(AnthropicChatModelTest::cacheBreakpoints).sum();
            case JsonArray a -> a.items().stream().mapToInt(AnthropicChatModelTest::cacheBreakpoints).sum();
            default -> 0;
        };
    }

    /** The blocks of the request's messages that carry a cache breakpoint, without it, in order. */
    static List<JsonValue> markedBlocks(JsonObject body) {
        var out = new ArrayList<JsonValue>();
        for (JsonValue turn : body.getArray("messages").orElseThrow().items()) {
            for (JsonValue block : ((JsonObject) turn).getArray("content").orElseThrow().items()) {
                JsonObject b = (JsonObject) block;
                if (b.has("cache_control")) {
                    var copy = new java.util.LinkedHashMap<>(b.members());
                    copy.remove("cache_control");
                    out.add(new JsonObject(copy));
                }
            }
        }
        return out;
    }

    JsonObject sentBody(AnthropicChatModel model, ChatRequest request) {
        server.enqueue(sse(textStream("ok", "end_turn")));
        assemble(model.stream(request));
        return JsonValue.parse(server.lastRequest().body()).asObject();
    }

    @Test
    void cacheBreakpointsMoveForwardWithTheConversationSoEachTurnReadsWhatTheLastOneWrote() {
        AnthropicChatModel model = builder().build();
        assertThat(model.promptCaching()).isEqualTo(AnthropicChatModel.PromptCaching.FIVE_MINUTES);
        var weather = new ToolSpec("get_weather", "Weather for a city",
                JsonValue.parse("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}").asObject());
        var call = new ToolCall("toolu_1", "get_weather", "{\"city\":\"Oslo\"}");
        List<Message> first = List.of(Message.system("Be brief."), Message.user("Weather in Oslo?"));
        List<Message> second = new ArrayList<>(first);
        second.add(Message.assistant("", List.of(call)));
        second.add(Message.toolResult(call, "rain", false));
        List<Message> third = new ArrayList<>(second);
        third.add(Message.assistant("Rain in Oslo."));
        third.add(Message.user("And tomorrow?"));

        List<JsonValue> previous = List.of();
        for (List<Message> conversation : List.of(first, second, third)) {
            JsonObject body = sentBody(model,
                    new ChatRequest(conversation, List.of(weather), ChatOptions.DEFAULTS));
            // The last tool, the system prompt, and one or two conversation blocks: never over the API's four.
            assertThat(cacheBreakpoints(body)).as("breakpoints in %s", body).isBetween(3, 4);
            assertThat(((JsonObject) body.getArray("tools").orElseThrow().items().getLast()).get("cache_control"))
                    .isEqualTo(JsonValue.parse("{\"type\":\"ephemeral\"}"));
            assertThat(((JsonObject) body.getArray("system").orElseThrow().items().getFirst()).has("cache_control"))
                    .isTrue();
            List<JsonValue> marked = markedBlocks(body);
            JsonArray turns = body.getArray("messages").orElseThrow();
            JsonArray lastTurn = ((JsonObject) turns.items().getLast()).getArray("content").orElseThrow();
            assertThat(((JsonObject) lastTurn.items().getLast()).has("cache_control"))
                    .as("the whole prefix is written: the last block is marked")
                    .isTrue();
            if (!previous.isEmpty()) {
                assertThat(marked).as("the prefix the previous turn wrote is read").contains(previous.getLast());
            }
            previous = marked;
        }
    }

    @Test
    void promptCachingOffSendsNoBreakpointsAndTheSystemPromptAsText() {
        var weather = new ToolSpec("get_weather", "Weather for a city", JsonObject.EMPTY);
        JsonObject body = sentBody(builder().promptCaching(AnthropicChatModel.PromptCaching.OFF).build(),
                new ChatRequest(List.of(Message.system("Be brief."), Message.user("Hi")), List.of(weather),
                        ChatOptions.DEFAULTS));
        assertThat(cacheBreakpoints(body)).isZero();
        assertThat(body.get("system")).isEqualTo(JsonValue.of("Be brief."));
    }

    @Test
    void anHourLongCacheGivesEveryBreakpointItsTtlAndTheSettingSurvivesToBuilder() {
        AnthropicChatModel model = builder().promptCaching(AnthropicChatModel.PromptCaching.ONE_HOUR).build();
        assertThat(model.toBuilder().build().promptCaching()).isEqualTo(AnthropicChatModel.PromptCaching.ONE_HOUR);
        var call = new ToolCall("toolu_1", "get_weather", "{}");
        JsonObject body = sentBody(model, new ChatRequest(List.of(Message.system("Be brief."), Message.user("Hi"),
                Message.assistant("", List.of(call)), Message.toolResult(call, "rain", false)),
                List.of(new ToolSpec("get_weather", "Weather", JsonObject.EMPTY)), ChatOptions.DEFAULTS));
        assertThat(cacheBreakpoints(body)).isEqualTo(4);
        assertThat(body.toJson().split("\"cache_control\"", -1)).hasSize(5);
        assertThat(body.toJson()).doesNotContain("{\"type\":\"ephemeral\"}");
        assertThat(body.toJson().split("\\{\"type\":\"ephemeral\",\"ttl\":\"1h\"\\}", -1)).hasSize(5);
    }

    @Test
    void aRequestWithoutSystemPromptOrToolsMarksOnlyItsConversation() {
        JsonObject body = sentBody(builder().build(), ask("Hi"));
        assertThat(cacheBreakpoints(body)).isEqualTo(1);
        assertThat(body.has("system")).isFalse();
        assertThatThrownBy(() -> builder().promptCaching(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void structuredOutputUsesOutputConfigFormat() {
        server.enqueue(sse(textStream("{\"a\":1}", "end_turn")));
        JsonObject schema = JsonValue.parse("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},"
                + "\"required\":[\"a\"],\"additionalProperties\":false}").asObject();

        assemble(builder().maxTokens(100)
                .build()
                .stream(new ChatRequest(List.of(Message.user("a?")), List.of(),
                        ChatOptions.DEFAULTS.withResponseFormat(new ResponseFormat("A", schema)))));

        JsonObject body = JsonValue.parse(server.lastRequest().body()).asObject();
        assertThat(body.get("output_config")).isEqualTo(JsonValue.parse(
                "{\"format\":{\"type\":\"json_schema\",\"schema\":" + schema.toJson() + "}}"));
        assertThat(body.get("max_tokens")).isEqualTo(JsonValue.of(100));
    }

    @Test
    void theNonStreamedCallMapsContentUsageAndStopReason() {
        server.enqueue(json(200,
                """
                        {"id":"msg_x","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                         "content":[{"type":"text","text":"Checking."},
                                    {"type":"tool_use","id":"toolu_7","name":"get_time","input":{"zone":"UTC"}}],
                         "stop_reason":"tool_use","stop_sequence":null,
                         "usage":{"input_tokens":12,"output_tokens":7,"cache_read_input_tokens":3,"cache_creation_input_tokens":0}}"""));

        ChatResponse r = builder().build().call(ask("time?")).block(Duration.ofSeconds(30));

        assertThat(r).isNotNull();
        assertThat(r.message().text()).isEqualTo("Checking.");
        assertThat(r.message().toolCalls()).containsExactly(new ToolCall("toolu_7", "get_time", "{\"zone\":\"UTC\"}"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.usage()).isEqualTo(new Usage(15, 7, 3, 0, 0));
        assertThat(r.responseId()).isEqualTo("msg_x");
        assertThat(r.responseModel()).isEqualTo("claude-sonnet-4-5");
        assertThat(JsonValue.parse(server.lastRequest().body()).asObject().has("stream")).isFalse();
        assertThat(server.lastRequest().header("Accept")).isEqualTo("application/json");
    }

    @Test
    void stopReasonsMapToTheSpi() {
        assertThat(AnthropicCodec.stopReason("end_turn")).isEqualTo(FinishReason.STOP);
        assertThat(AnthropicCodec.stopReason("tool_use")).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(AnthropicCodec.stopReason("max_tokens")).isEqualTo(FinishReason.LENGTH);
        assertThat(AnthropicCodec.stopReason("stop_sequence")).isEqualTo(FinishReason.STOP_SEQUENCE);
        assertThat(AnthropicCodec.stopReason("refusal")).isEqualTo(FinishReason.CONTENT_FILTER);
        assertThat(AnthropicCodec.stopReason("pause_turn")).isEqualTo(FinishReason.OTHER);
    }

    // ------------------------------------------------------------------------------------ errors and retries

    @Test
    void a429WithRetryAfterIsRetriedAfterTheRequestedWait() {
        server.enqueue(
                json(429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}",
                        "retry-after", "1"),
                sse(TEXT_STREAM));
        long start = System.nanoTime();

        ChatResponse r = assemble(builder().build().stream(ask("Hi")));

        assertThat(r.message().text()).isEqualTo("Hello, wörld € 😀");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void retryAfterMsAndAnOverloaded529AreRetried() {
        server.enqueue(
                json(529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
                        "retry-after-ms", "20"),
                json(503, "unavailable"), sse(TEXT_STREAM));

        assertThat(assemble(builder().build().stream(ask("Hi"))).message().text()).startsWith("Hello");
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void a429ThatNeverClearsFailsAfterTheRetryBudget() {
        server.otherwise(r -> json(429,
                "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Number of requests exceeded\"}}",
                "request-id", "req_429"));

        StepVerifier.create(builder().retryPolicy(RetryPolicy.DEFAULT.withMaxRetries(2)
                .withBackoff(Duration.ofMillis(1), Duration.ofMillis(2))).build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isExactlyInstanceOf(ModelException.class)
                            .hasMessageContaining("HTTP 429")
                            .hasMessageContaining("rate_limit_error: Number of requests exceeded")
                            .hasMessageContaining("req_429")
                            .hasMessageContaining("gave up after 2 retries");
                    assertThat(((ModelException) e).status()).isEqualTo(429);
                    assertThat(((ModelException) e).isRetryable()).isTrue();
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void aCreditBalanceTooLowOrABillingErrorFailsAtOnceNamingTheCredit() {
        server.enqueue(json(400, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":"
                + "\"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade "
                + "or purchase credits.\"}}"),
                json(402, "{\"type\":\"error\",\"error\":{\"type\":\"billing_error\",\"message\":\"Billing issue\"}}"),
                // A gateway in front of the API that answers 429 for an account out of credit.
                json(429, "{\"type\":\"error\",\"error\":{\"type\":\"billing_error\",\"message\":\"Out of credit\"}}",
                        "retry-after", "1"));
        AnthropicChatModel model = builder().build();

        for (int status : new int[]{400, 402, 429}) {
            int before = server.requests().size();
            StepVerifier.create(model.stream(ask("Hi")))
                    .expectErrorSatisfies(e -> {
                        assertThat(e).isExactlyInstanceOf(ModelException.class)
                                .hasMessageContaining("HTTP " + status)
                                .hasMessageContaining("quota is exhausted");
                        assertThat(((ModelException) e).isRetryable()).isFalse();
                    })
                    .verify(Duration.ofSeconds(30));
            assertThat(server.requests()).as("HTTP %d", status).hasSize(before + 1);
        }
    }

    @Test
    void aRateLimitStaysRetryable() {
        server.enqueue(json(429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":"
                + "\"This request would exceed the rate limit for your organization\"}}", "retry-after-ms", "1"),
                sse(TEXT_STREAM));

        assertThat(assemble(builder().build().stream(ask("Hi"))).message().text()).startsWith("Hello");
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void aServerAskingForALongerWaitThanThePolicyAllowsFailsAtOnce() {
        server.enqueue(json(429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"later\"}}",
                "retry-after", "3600"));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("asked to wait 3600 s"))
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void a401FailsAtOnceWithTheProvidersMessageAndNeverShowsTheKey() {
        server.enqueue(json(401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
                + "\"message\":\"invalid x-api-key " + KEY + "\"},\"request_id\":\"req_401\"}"));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isExactlyInstanceOf(ModelException.class)
                            .hasMessageContaining("HTTP 401")
                            .hasMessageContaining("authentication_error: invalid x-api-key")
                            .hasMessageNotContaining(KEY)
                            .hasMessageNotContaining(KEY.substring(0, 20));
                    assertThat(((ModelException) e).status()).isEqualTo(401);
                    assertThat(((ModelException) e).requestId()).isEqualTo("req_401");
                    assertThat(((ModelException) e).isRetryable()).isFalse();
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void credentialsPassedAsExtraHeadersAreHiddenToo() {
        server.enqueue(json(403, "{\"type\":\"error\",\"error\":{\"type\":\"permission_error\","
                + "\"message\":\"gateway token gw-secret-777 may not use this model\"}}"));

        StepVerifier.create(builder().header("X-Gateway-Token", "gw-secret-777").build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("gateway token [redacted] may not")
                        .hasMessageNotContaining("gw-secret-777"))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void anHtmlPageWithStatus200IsAnErrorThatPointsAtTheBaseUrl() {
        server.enqueue(FakeHttpServer.Responder.stream("text/html; charset=utf-8",
                List.of("<html><body>Please log in to the proxy</body></html>".getBytes(StandardCharsets.UTF_8)),
                Duration.ZERO));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("HTML page")
                        .hasMessageContaining("check the base URL")
                        .hasMessageContaining("Please log in"))
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void badRequestForbiddenAndNotFoundAreNotRetried() {
        for (int status : new int[]{400, 403, 404}) {
            server.enqueue(json(status, "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                    + "\"message\":\"status " + status + "\"}}"));
            int before = server.requests().size();
            StepVerifier.create(builder().build().stream(ask("Hi")))
                    .expectErrorSatisfies(e -> assertThat(((ModelException) e).status()).isEqualTo(status))
                    .verify(Duration.ofSeconds(30));
            assertThat(server.requests()).hasSize(before + 1);
        }
    }

    @Test
    void anUnreachableServerIsARetryableModelError() {
        int port = server.url().lastIndexOf(':');
        String url = server.url().substring(0, port) + ":1";
        StepVerifier.create(builder().baseUrl(url).retryPolicy(RetryPolicy.NONE).build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("could not connect")
                        .satisfies(m -> assertThat(((ModelException) m).isRetryable()).isTrue()))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void theKeyComesFromTheEnvironmentAndNeverShowsInToString() {
        AnthropicChatModel model = AnthropicChatModel.builder()
                .model("claude-haiku-4-5")
                .environment(name -> name.equals("ANTHROPIC_API_KEY")
                        ? KEY
                        : name.equals("ANTHROPIC_BASE_URL") ? server.url() : null)
                .build();
        server.enqueue(sse(TEXT_STREAM));

        assemble(model.stream(ask("Hi")));

        assertThat(server.lastRequest().header("x-api-key")).isEqualTo(KEY);
        assertThat(model.toString()).doesNotContain(KEY).contains("claude-haiku-4-5");
        assertThatThrownBy(() -> AnthropicChatModel.builder().model("m").environment(n -> null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ANTHROPIC_API_KEY");
        assertThatThrownBy(() -> AnthropicChatModel.builder().apiKey(KEY).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model is required");
    }

    // ------------------------------------------------------------------------------------ in an agent

    static Tool weatherTool(AtomicInteger runs) {
        return Tool.builder("get_weather")
                .description("Weather for a location")
                .parameters(JsonValue.parse("{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"},"
                        + "\"unit\":{\"type\":\"string\"}},\"required\":[\"location\"]}").asObject())
                .handler((args, ctx) -> {
                    runs.incrementAndGet();
                    return Mono.just(ToolResult.text("12 degrees in " + args.getString("location").orElseThrow()));
                })
                .build();
    }

    @Test
    void eachModelResponseEventOfATaskCarriesTheMessageIdAndTheModelThatAnswered() {
        // The second reply's message_start names no model: its event says none.
        server.enqueue(sse(TOOL_STREAM), sse(textStream("It is 12 degrees.", "end_turn")));
        Agent agent = Agent.builder().model(builder().build()).tools(weatherTool(new AtomicInteger())).build();

        List<dev.agentrt.core.AgentEvent> events = agent.task("Weather in SF?")
                .stream()
                .collectList()
                .block(Duration.ofSeconds(30));

        assertThat(events).filteredOn(dev.agentrt.core.AgentEvent.ModelResponse.class::isInstance)
                .map(dev.agentrt.core.AgentEvent.ModelResponse.class::cast)
                .extracting(e -> e.step(), e -> e.responseId(), e -> e.responseModel())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "msg_02", "claude-sonnet-4-5"),
                        org.assertj.core.groups.Tuple.tuple(2, "msg_t", null));
    }

    @Test
    void aFullAgentTaskCallsAToolAndAnswers() {
        server.enqueue(sse(TOOL_STREAM), sse(textStream("It is 12 degrees.", "end_turn")));
        var runs = new AtomicInteger();
        Agent agent = Agent.builder()
                .model(builder().build())
                .instructions("Be brief.")
                .tools(weatherTool(runs))
                .build();

        AgentResult result = agent.task("Weather in SF?").executeBlocking();

        assertThat(result.text()).isEqualTo("It is 12 degrees.");
        assertThat(runs).hasValue(1);
        assertThat(result.usage().inputTokens()).isEqualTo(410);
        // The second request answers both calls (the unknown tool with an error listing the real ones).
        JsonArray messages = JsonValue.parse(server.requests().get(1).body())
                .asObject()
                .getArray("messages")
                .orElseThrow();
        JsonObject results = messages.get(messages.size() - 1).asObject();
        assertThat(results.getString("role")).contains("user");
        JsonArray blocks = results.getArray("content").orElseThrow();
        assertThat(blocks.items()).extracting(b -> b.asObject().getString("tool_use_id").orElseThrow())
                .containsExactly("toolu_01", "toolu_02");
        assertThat(blocks.get(0).asObject().getString("content")).contains("12 degrees in San Francisco \"SF\" é 😀");
        assertThat(blocks.get(1).asObject().get("is_error")).isEqualTo(JsonValue.of(true));
        assertThat(blocks.get(1).asObject().getString("content").orElseThrow()).contains("get_weather");
    }

    @Test
    void argumentsCutOffByTheTokenLimitNeverReachTheTool() {
        server.enqueue(sse(toolStream("toolu_cut", "get_weather", List.of("{\"location\": \"San Fr"), "max_tokens")),
                sse(textStream("Sorry, I ran out of room.", "end_turn")));
        var runs = new AtomicInteger();
        Agent agent = Agent.builder()
                .model(builder().build())
                .tools(weatherTool(runs))
                .options(ChatOptions.DEFAULTS.withMaxTokens(30))
                .build();

        AgentResult result = agent.task("Weather?").executeBlocking();

        assertThat(runs).hasValue(0);
        var answer = result.transcript()
                .stream()
                .filter(Message.ToolResult.class::isInstance)
                .map(Message.ToolResult.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(answer.error()).isTrue();
        assertThat(answer.content()).contains("output token limit").contains("30 tokens");
        // The raw, cut arguments stay in the transcript; the API got an object for the input.
        assertThat(result.transcript()).anySatisfy(m -> assertThat(m).isInstanceOfSatisfying(Message.Assistant.class,
                a -> assertThat(a.toolCalls()).extracting(ToolCall::arguments).contains("{\"location\": \"San Fr")));
        String second = server.requests().get(1).body();
        assertThat(second).contains("\"input\":{}").contains("\"is_error\":true");
    }

    @Test
    void malformedToolArgumentsGoBackToTheModelAsAnErrorWithTheRawTextKept() {
        server.enqueue(sse(toolStream("toolu_bad", "get_weather", List.of("{\"location\": San"), "tool_use")),
                sse(textStream("Fixed it.", "end_turn")));
        var runs = new AtomicInteger();
        Agent agent = Agent.builder().model(builder().build()).tools(weatherTool(runs)).build();

        AgentResult result = agent.task("Weather?").executeBlocking();

        assertThat(runs).hasValue(0);
        assertThat(result.transcript()).anySatisfy(m -> assertThat(m).isInstanceOfSatisfying(Message.Assistant.class,
                a -> assertThat(a.toolCalls()).extracting(ToolCall::arguments).containsExactly("{\"location\": San")));
        assertThat(result.transcript()).anySatisfy(m -> assertThat(m).isInstanceOfSatisfying(
                Message.ToolResult.class, r -> assertThat(r.error()).isTrue()));
        assertThat(result.text()).isEqualTo("Fixed it.");
    }

    @Test
    void aTimedOutToolIsAnsweredBeforeTheNextTurn() {
        server.enqueue(sse(toolStream("toolu_slow", "hang", List.of("{}"), "tool_use")),
                sse(textStream("Gave up on it.", "end_turn")));
        Tool hang = Tool.builder("hang").handler((args, ctx) -> Mono.never()).build();
        Agent agent = Agent.builder().model(builder().build()).tools(hang).toolTimeout(Duration.ofMillis(100)).build();

        AgentResult result = agent.task("Try it").executeBlocking();

        assertThat(result.text()).isEqualTo("Gave up on it.");
        JsonArray messages = JsonValue.parse(server.requests().get(1).body())
                .asObject()
                .getArray("messages")
                .orElseThrow();
        assertThat(messages.items()).extracting(m -> m.asObject().getString("role").orElseThrow())
                .containsExactly("user", "assistant", "user");
        JsonObject answer = messages.get(2).asObject().getArray("content").orElseThrow().get(0).asObject();
        assertThat(answer.getString("tool_use_id")).contains("toolu_slow");
        assertThat(answer.get("is_error")).isEqualTo(JsonValue.of(true));
    }

    @Test
    void aRunCancelledWhileAToolRunsResumesWithEveryCallAnswered() throws InterruptedException {
        server.enqueue(sse(toolStream("toolu_hang", "hang", List.of("{}"), "tool_use")),
                sse(textStream("Resumed.", "end_turn")));
        Tool hang = Tool.builder("hang").handler((args, ctx) -> Mono.never()).build();
        var partial = new java.util.concurrent.atomic.AtomicReference<AgentResult>();
        var toolStarted = new java.util.concurrent.CountDownLatch(1);
        Agent agent = Agent.builder().model(builder().build()).tools(hang).listener(e -> {
            if (e instanceof dev.agentrt.core.AgentEvent.ToolCallRequested) {
                toolStarted.countDown();
            } else if (e instanceof dev.agentrt.core.AgentEvent.Failed f) {
                partial.set(f.partial());
            }
        }).build();

        var running = agent.task("Run it").execute().subscribe();
        assertThat(toolStarted.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        running.dispose();
        assertThat(partial.get().outcome()).isEqualTo(dev.agentrt.core.Outcome.CANCELLED);
        AgentResult resumed = agent.task("Go on").withMessages(partial.get().transcript()).executeBlocking();

        assertThat(resumed.text()).isEqualTo("Resumed.");
        JsonArray messages = JsonValue.parse(server.requests().get(1).body())
                .asObject()
                .getArray("messages")
                .orElseThrow();
        assertThat(messages.items()).extracting(m -> m.asObject().getString("role").orElseThrow())
                .containsExactly("user", "assistant", "user");
        JsonArray blocks = messages.get(2).asObject().getArray("content").orElseThrow();
        assertThat(blocks.get(0).asObject().getString("tool_use_id")).contains("toolu_hang");
        assertThat(blocks.get(0).asObject().getString("content").orElseThrow()).startsWith("Not run");
        assertThat(blocks.get(1).asObject().getString("text")).contains("Go on");
    }

    @Test
    void theTruncatedCallIsReportedWithItsKind() {
        server.enqueue(sse(toolStream("toolu_cut", "get_weather", List.of("{\"loc"), "max_tokens")),
                sse(textStream("ok", "end_turn")));
        var kinds = new ArrayList<ToolErrorKind>();
        Agent agent = Agent.builder()
                .model(builder().build())
                .tools(weatherTool(new AtomicInteger()))
                .listener(e -> {
                    if (e instanceof dev.agentrt.core.AgentEvent.ToolCallFailed f) {
                        kinds.add(f.kind());
                    }
                })
                .build();

        agent.task("Weather?").executeBlocking();

        assertThat(kinds).containsExactly(ToolErrorKind.TRUNCATED);
    }

    // ------------------------------------------------------------------------------------ the contract

    @Nested
    class Contract extends ChatModelContract {
        @Override
        protected ChatModel model() {
            server.otherwise(r -> {
                JsonObject body = JsonValue.parse(r.body()).asObject();
                boolean tools = body.has("tools");
                boolean stream = body.getBoolean("stream").orElse(false);
                if (stream) {
                    return sse(tools
                            ? toolStream("toolu_c", "get_time", List.of("{}"), "tool_use")
                            : TEXT_STREAM);
                }
                return json(200, tools
                        ? "{\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_c\",\"name\":\"get_time\",\"input\":{}}],"
                                + "\"stop_reason\":\"tool_use\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}"
                        : "{\"content\":[{\"type\":\"text\",\"text\":\"Hello\"}],\"stop_reason\":\"end_turn\","
                                + "\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}");
            });
            return builder().build();
        }
    }
}
