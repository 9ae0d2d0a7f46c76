package dev.agentrt.core.model.anthropic;

import static dev.agentrt.core.model.anthropic.AnthropicChatModelTest.KEY;
import static dev.agentrt.core.model.anthropic.AnthropicChatModelTest.ask;
import static dev.agentrt.core.model.anthropic.AnthropicChatModelTest.assemble;
import static dev.agentrt.core.model.anthropic.AnthropicChatModelTest.event;
import static dev.agentrt.core.model.anthropic.AnthropicChatModelTest.textStream;
import static dev.agentrt.core.model.anthropic.AnthropicChatModelTest.weatherTool;
import static dev.agentrt.core.testing.FakeHttpServer.Responder.json;
import static dev.agentrt.core.testing.FakeHttpServer.Responder.sse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.ModelException;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ModelPrice;
import dev.agentrt.core.model.Reasoning;
import dev.agentrt.core.model.RetryPolicy;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.testing.FakeHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Extended thinking: the request's budget, thinking blocks streamed and kept, and sent back unchanged. */
class AnthropicThinkingTest {
    static final String SIGNATURE_1 = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds";
    static final String SIGNATURE_2 = "Wb2/+0K8yXq==";
    static final String REDACTED = "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ";

    /**
     * As the API streams a thinking turn that calls a tool: a thinking block whose signature comes in
     * two deltas, a redacted block, then the tool call.
     */
    static final String THINKING_TOOL_STREAM = event("message_start", """
            {"type":"message_start","message":{"id":"msg_th1","type":"message","role":"assistant","content":[],\
            "model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,\
            "usage":{"input_tokens":120,"output_tokens":1}}}""")
            + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                    + "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}")
            + thinkingDelta(0, "The user wants the weather in SF. ")
            + event("ping", "{\"type\": \"ping\"}")
            + thinkingDelta(0, "I will call get_weather — \"é\" 😀.")
            + signatureDelta(0, SIGNATURE_1.substring(0, 20))
            + signatureDelta(0, SIGNATURE_1.substring(20))
            + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
            + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,"
                    + "\"content_block\":{\"type\":\"redacted_thinking\",\"data\":\"" + REDACTED + "\"}}")
            + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}")
            + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":2,\"content_block\":"
                    + "{\"type\":\"tool_use\",\"id\":\"toolu_th\",\"name\":\"get_weather\",\"input\":{}}}")
            + AnthropicChatModelTest.delta(2, "{\"location\": \"SF\"}")
            + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":2}")
            + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
                    + "\"usage\":{\"output_tokens\":80}}")
            + event("message_stop", "{\"type\":\"message_stop\"}");

    /** Thinking after the tool result (interleaved), then the answer. */
    static final String THINKING_ANSWER_STREAM = event("message_start",
            "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_th2\",\"usage\":{\"input_tokens\":200,"
                    + "\"output_tokens\":1}}}")
            + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                    + "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}")
            + thinkingDelta(0, "12 degrees; answer briefly.")
            + signatureDelta(0, SIGNATURE_2)
            + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
            + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,"
                    + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
            + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"It is 12 degrees.\"}}")
            + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}")
            + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                    + "\"usage\":{\"output_tokens\":20}}")
            + event("message_stop", "{\"type\":\"message_stop\"}");

    static final Reasoning FIRST_THOUGHT = Reasoning.signed("anthropic",
            "The user wants the weather in SF. I will call get_weather — \"é\" 😀.", SIGNATURE_1);
    static final Reasoning REDACTED_THOUGHT = Reasoning.sealed("anthropic", REDACTED);

    final FakeHttpServer server = FakeHttpServer.start();

    @AfterEach
    void stop() {
        server.close();
    }

    static String thinkingDelta(int index, String text) {
        return event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + index
                + ",\"delta\":{\"type\":\"thinking_delta\",\"thinking\":" + JsonValue.of(text).toJson() + "}}");
    }

    static String signatureDelta(int index, String signature) {
        return event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + index
                + ",\"delta\":{\"type\":\"signature_delta\",\"signature\":" + JsonValue.of(signature).toJson() + "}}");
    }

    AnthropicChatModel.Builder builder() {
        return AnthropicChatModel.builder()
                .model("claude-sonnet-4-5")
                .apiKey(KEY)
                .baseUrl(server.url())
                .retryPolicy(RetryPolicy.DEFAULT.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5)))
                .inactivityTimeout(Duration.ofSeconds(10))
                .price(ModelPrice.FREE);
    }

    JsonObject body(int request) {
        return JsonValue.parse(server.requests().get(request).body()).asObject();
    }

    static List<JsonObject> blocks(JsonObject message) {
        return message.getArray("content").orElseThrow().items().stream().map(JsonValue::asObject).toList();
    }

    // ------------------------------------------------------------------------------ the request

    @Test
    void aThinkingBudgetGoesIntoTheRequestWithRoomForTheAnswer() {
        server.otherwise(r -> sse(textStream("ok", "end_turn")));

        assemble(builder().thinking(2048).build().stream(ask("Hi")));
        assertThat(body(0).getObject("thinking").orElseThrow())
                .isEqualTo(JsonValue.parse("{\"type\":\"enabled\",\"budget_tokens\":2048}"));
        assertThat(body(0).getLong("max_tokens")).contains(2048L + AnthropicChatModel.DEFAULT_MAX_TOKENS);

        assemble(builder().thinking(2048).maxTokens(4000).build().stream(ask("Hi")));
        assertThat(body(1).getLong("max_tokens")).contains(4000L);

        assemble(builder().build().stream(ask("Hi")));
        assertThat(body(2).get("thinking")).isNull();
        assertThat(body(2).getLong("max_tokens")).contains((long) AnthropicChatModel.DEFAULT_MAX_TOKENS);
    }

    @Test
    void aBudgetTheApiWouldRefuseIsRefusedBeforeAnyRequest() {
        assertThatThrownBy(() -> builder().thinking(500))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1024");
        assertThatThrownBy(() -> builder().thinking(4096).maxTokens(4096).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxTokens (4096) must exceed the thinking budget (4096)");

        // A request's own limit is checked as it is sent: an error, and nothing reaches the server.
        AnthropicChatModel model = builder().thinking(4096).build();
        StepVerifier.create(model.stream(new ChatRequest(List.of(Message.user("Hi")), List.of(),
                ChatOptions.DEFAULTS.withMaxTokens(1000))))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("must exceed the thinking budget"))
                .verify(Duration.ofSeconds(10));
        assertThat(server.requests()).isEmpty();

        // Interleaved thinking spans the whole turn, so the budget may exceed the limit.
        server.enqueue(sse(textStream("ok", "end_turn")));
        assemble(builder().thinking(4096).interleavedThinking(true).maxTokens(2000).build().stream(ask("Hi")));
        assertThat(body(0).getLong("max_tokens")).contains(2000L);
    }

    @Test
    void interleavedThinkingAddsItsBetaToTheOnesTheBuilderSet() {
        server.otherwise(r -> sse(textStream("ok", "end_turn")));

        assemble(builder().thinking(2048).interleavedThinking(true).build().stream(ask("Hi")));
        assemble(builder().thinking(2048)
                .interleavedThinking(true)
                .header("Anthropic-Beta", "extended-cache-ttl-2025-04-11")
                .build()
                .stream(ask("Hi")));
        assemble(builder().thinking(2048).build().stream(ask("Hi")));
        assemble(builder().interleavedThinking(true).build().stream(ask("Hi")));

        assertThat(server.requests()).extracting(r -> r.headers().get("anthropic-beta"))
                .containsExactly(
                        List.of(AnthropicChatModel.INTERLEAVED_THINKING_BETA),
                        List.of("extended-cache-ttl-2025-04-11," + AnthropicChatModel.INTERLEAVED_THINKING_BETA),
                        null,
                        null);
    }

    @Test
    void aVariantKeepsTheThinkingSettings() {
        AnthropicChatModel model = builder().thinking(3000).interleavedThinking(true).build();
        server.otherwise(r -> sse(textStream("ok", "end_turn")));

        AnthropicChatModel variant = model.toBuilder().model("claude-opus-4-1").build();
        assemble(variant.stream(ask("Hi")));

        assertThat(variant.thinkingBudget()).isEqualTo(3000);
        assertThat(body(0).getObject("thinking").flatMap(t -> t.getLong("budget_tokens"))).contains(3000L);
        assertThat(server.lastRequest().headers().get("anthropic-beta"))
                .containsExactly(AnthropicChatModel.INTERLEAVED_THINKING_BETA);
    }

    // ------------------------------------------------------------------------------ the reply

    @Test
    void thinkingStreamsApartFromTheTextAndIsKeptWithItsSignature() {
        server.enqueue(sse(THINKING_TOOL_STREAM));

        List<ChatEvent> events = builder().thinking(2048)
                .build()
                .stream(ask("Weather?"))
                .collectList()
                .block(Duration.ofSeconds(30));

        assertThat(events).filteredOn(ChatEvent.ReasoningDelta.class::isInstance)
                .extracting(e -> ((ChatEvent.ReasoningDelta) e).text())
                .containsExactly("The user wants the weather in SF. ", "I will call get_weather — \"é\" 😀.");
        assertThat(events).filteredOn(ChatEvent.TextDelta.class::isInstance).isEmpty();
        assertThat(events).filteredOn(ChatEvent.ReasoningBlock.class::isInstance)
                .extracting(e -> ((ChatEvent.ReasoningBlock) e).reasoning())
                .containsExactly(FIRST_THOUGHT, REDACTED_THOUGHT);
        // Each block is whole when its content block stops, before the tool call begins.
        assertThat(events.indexOf(new ChatEvent.ReasoningBlock(REDACTED_THOUGHT)))
                .isLessThan(indexOfFirst(events, ChatEvent.ToolCallDelta.class));

        var assembler = new dev.agentrt.core.internal.ReplyAssembler();
        events.forEach(assembler::accept);
        ChatResponse r = assembler.finish();
        assertThat(r.message().text()).isEmpty();
        assertThat(r.message().reasoning()).containsExactly(FIRST_THOUGHT, REDACTED_THOUGHT);
        assertThat(r.message().toolCalls()).containsExactly(new ToolCall("toolu_th", "get_weather",
                "{\"location\": \"SF\"}"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    static int indexOfFirst(List<ChatEvent> events, Class<?> type) {
        for (int i = 0; i < events.size(); i++) {
            if (type.isInstance(events.get(i))) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void theThinkingStreamSplitAtEveryByteGivesTheSameReply() {
        byte[] bytes = THINKING_TOOL_STREAM.getBytes(StandardCharsets.UTF_8);
        AnthropicChatModel model = builder().thinking(2048).build();
        for (int cut = 1; cut < bytes.length; cut++) {
            server.enqueue(FakeHttpServer.Responder.stream("text/event-stream",
                    List.of(Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut, bytes.length)),
                    Duration.ZERO));
        }
        for (int cut = 1; cut < bytes.length; cut++) {
            ChatResponse r = assemble(model.stream(ask("x")));
            assertThat(r.message().reasoning()).as("split at byte %d", cut)
                    .containsExactly(FIRST_THOUGHT, REDACTED_THOUGHT);
            assertThat(r.message().toolCalls()).as("split at byte %d", cut).hasSize(1);
        }
    }

    @Test
    void aWholeReplyKeepsItsThinkingBlocksInOrder() {
        server.enqueue(json(200, """
                {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",
                 "content":[{"type":"thinking","thinking":"Hmm.","signature":"c2ln"},
                            {"type":"redacted_thinking","data":"ZW5j"},
                            {"type":"text","text":"Done."}],
                 "stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":30}}"""));

        ChatResponse r = builder().thinking(2048).build().call(ask("Hi")).block(Duration.ofSeconds(30));

        assertThat(r.message().text()).isEqualTo("Done.");
        assertThat(r.message().reasoning()).containsExactly(Reasoning.signed("anthropic", "Hmm.", "c2ln"),
                Reasoning.sealed("anthropic", "ZW5j"));
    }

    @Test
    void aThinkingBlockLeftOpenStillBelongsToTheReplyAndOneNeverOpenedIsAnError() {
        String start = event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"m\","
                + "\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}");
        String end = event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}")
                + event("message_stop", "{\"type\":\"message_stop\"}");
        server.enqueue(sse(start + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                + "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"a\"}}") + thinkingDelta(0, "b")
                + signatureDelta(0, "s") + end));
        AnthropicChatModel model = builder().thinking(2048).build();

        assertThat(assemble(model.stream(ask("x"))).message().reasoning())
                .containsExactly(Reasoning.signed("anthropic", "ab", "s"));

        // Thinking for a text block, or for a block that never started: the reply is broken, not quietly cut.
        for (String broken : List.of(
                event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}") + thinkingDelta(0, "x"),
                signatureDelta(3, "s"),
                thinkingDelta(0, "x"))) {
            server.enqueue(sse(start + broken + end));
            StepVerifier.create(model.stream(ask("x")))
                    .thenConsumeWhile(e -> true)
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                            .hasMessageContaining("thinking"))
                    .verify(Duration.ofSeconds(10));
        }
    }

    @Test
    void tooManyOpenThinkingBlocksAreRefused() {
        var stream = new StringBuilder(event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"m\","
                + "\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}"));
        for (int i = 0; i < 100; i++) {
            stream.append(event("content_block_start", "{\"type\":\"content_block_start\",\"index\":" + i
                    + ",\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}"));
        }
        server.enqueue(sse(stream + event("message_stop", "{\"type\":\"message_stop\"}")));

        StepVerifier.create(builder().thinking(2048).build().stream(ask("x")))
                .thenConsumeWhile(e -> true)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("thinking blocks are open"))
                .verify(Duration.ofSeconds(10));
    }

    // ------------------------------------------------------------------------------ sent back

    @Test
    void thinkingAndToolsRoundTripThroughAnAgentWithEveryBlockSentBackUnchanged() {
        server.enqueue(sse(THINKING_TOOL_STREAM), sse(THINKING_ANSWER_STREAM));
        var runs = new AtomicInteger();
        Agent agent = Agent.builder()
                .model(builder().thinking(2048).interleavedThinking(true).build())
                .instructions("Be brief.")
                .tools(weatherTool(runs))
                .build();
        var reasoningShown = new CopyOnWriteArrayList<String>();
        var task = agent.task("Weather in SF?");

        AgentResult result = task.stream()
                .doOnNext(e -> {
                    if (e instanceof AgentEvent.ReasoningDelta d) {
                        reasoningShown.add(d.step() + ":" + d.text());
                    }
                })
                .ofType(AgentEvent.Completed.class)
                .blockLast(Duration.ofSeconds(30))
                .result();

        assertThat(result.text()).isEqualTo("It is 12 degrees.");
        assertThat(runs).hasValue(1);
        assertThat(reasoningShown).containsExactly("1:The user wants the weather in SF. ",
                "1:I will call get_weather — \"é\" 😀.", "2:12 degrees; answer briefly.");
        assertThat(result.transcript()).filteredOn(Message.Assistant.class::isInstance)
                .extracting(m -> ((Message.Assistant) m).reasoning())
                .containsExactly(List.of(FIRST_THOUGHT, REDACTED_THOUGHT),
                        List.of(Reasoning.signed("anthropic", "12 degrees; answer briefly.", SIGNATURE_2)));

        // The second request carries the first turn's blocks exactly as they came, before the tool call.
        JsonArray messages = body(1).getArray("messages").orElseThrow();
        JsonObject assistant = messages.get(1).asObject();
        assertThat(assistant.getString("role")).contains("assistant");
        List<JsonObject> blocks = blocks(assistant);
        assertThat(blocks).extracting(b -> b.getString("type").orElseThrow())
                .containsExactly("thinking", "redacted_thinking", "tool_use");
        assertThat(blocks.get(0)).isEqualTo(JsonObject.builder()
                .put("type", "thinking")
                .put("thinking", FIRST_THOUGHT.text())
                .put("signature", SIGNATURE_1)
                .build());
        assertThat(blocks.get(1)).isEqualTo(JsonObject.builder()
                .put("type", "redacted_thinking")
                .put("data", REDACTED)
                .build());
        assertThat(messages.get(2).asObject().getString("role")).contains("user");
    }

    @Test
    void reasoningFromAnotherProviderIsLeftOutAndCacheBreakpointsNeverLandOnThinking() {
        server.otherwise(r -> sse(textStream("ok", "end_turn")));
        var foreign = new Reasoning("openai", "other model's summary", null, "gAAAAB", "rs_1");
        ChatRequest request = ChatRequest.of(List.of(
                Message.user("First"),
                Message.assistant("Answer one.", List.of(), List.of(foreign, FIRST_THOUGHT)),
                Message.user("Second"),
                // A turn cut off while thinking: nothing but a thinking block.
                Message.assistant("", List.of(), List.of(REDACTED_THOUGHT))));

        assemble(builder().thinking(2048).build().stream(request));

        JsonArray messages = body(0).getArray("messages").orElseThrow();
        List<JsonObject> first = blocks(messages.get(1).asObject());
        assertThat(first).extracting(b -> b.getString("type").orElseThrow()).containsExactly("thinking", "text");
        assertThat(body(0).toJson()).doesNotContain("gAAAAB", "other model's summary");
        List<JsonObject> last = blocks(messages.get(3).asObject());
        assertThat(last).extracting(b -> b.getString("type").orElseThrow()).containsExactly("redacted_thinking");
        assertThat(last.get(0).get("cache_control")).isNull();
        // The breakpoint of the user turn before it still marks the prefix.
        assertThat(blocks(messages.get(2).asObject()).getLast().get("cache_control")).isNotNull();
    }

    @Test
    void aReplayedThinkingStreamGivesTheLiveReply() {
        server.enqueue(sse(THINKING_TOOL_STREAM));
        AnthropicChatModel model = builder().thinking(2048).build();
        byte[] bytes = THINKING_TOOL_STREAM.getBytes(StandardCharsets.UTF_8);
        var pieces = new ArrayList<java.nio.ByteBuffer>();
        for (int i = 0; i < bytes.length; i += 5) {
            pieces.add(java.nio.ByteBuffer.wrap(bytes, i, Math.min(5, bytes.length - i)));
        }

        assertThat(assemble(model.replay(Flux.fromIterable(pieces))))
                .isEqualTo(assemble(model.stream(ask("x"))));
    }
}
