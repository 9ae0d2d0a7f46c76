package dev.agentrt.core.model.gemini;

import static dev.agentrt.core.model.gemini.GeminiChatModelTest.KEY;
import static dev.agentrt.core.model.gemini.GeminiChatModelTest.ask;
import static dev.agentrt.core.model.gemini.GeminiChatModelTest.assemble;
import static dev.agentrt.core.model.gemini.GeminiChatModelTest.chunk;
import static dev.agentrt.core.model.gemini.GeminiChatModelTest.textStream;
import static dev.agentrt.core.model.gemini.GeminiChatModelTest.weatherTool;
import static dev.agentrt.core.testing.FakeHttpServer.Responder.json;
import static dev.agentrt.core.testing.FakeHttpServer.Responder.sse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ModelPrice;
import dev.agentrt.core.model.Reasoning;
import dev.agentrt.core.model.RetryPolicy;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.testing.FakeHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Thinking: the request's thinking config, thought summaries and signatures kept, and sent back on their parts. */
class GeminiThinkingTest {
    static final String CALL_SIGNATURE = "CiwBjz1rX0v8HqQm+2/Ys4CqTZ1tW3hJQ0aBcDeFgHiJkLmNoPqRsTuVwXyZ==";
    static final String TEXT_SIGNATURE = "EuQBCuEBAdHtim9p0vBqK7w1LmN2==";

    /**
     * A thinking turn that calls two functions in parallel, as the API streams it with
     * {@code includeThoughts}: thought summary parts over two chunks, then both calls in one chunk,
     * the signature on the first call only (as the thought-signatures guide describes parallel calls).
     */
    static final String THINKING_CALLS_STREAM = chunk("""
            {"candidates":[{"content":{"parts":[{"text":"**Checking the weather**\\n\\nThe user wants two cities. ",\
            "thought":true}],"role":"model"},"index":0}],\
            "usageMetadata":{"promptTokenCount":60,"totalTokenCount":60,"thoughtsTokenCount":20}}""")
            + chunk("""
                    {"candidates":[{"content":{"parts":[{"text":"I will call get_weather for both — \\"é\\" 😀.",\
                    "thought":true}],"role":"model"},"index":0}],\
                    "usageMetadata":{"promptTokenCount":60,"totalTokenCount":60,"thoughtsTokenCount":41}}""")
            + chunk("""
                    {"candidates":[{"content":{"parts":[\
                    {"functionCall":{"name":"get_weather","args":{"location":"Paris"}},\
                    "thoughtSignature":"%s"},\
                    {"functionCall":{"name":"get_weather","args":{"location":"London"}}}],\
                    "role":"model"},"finishReason":"STOP","index":0}],\
                    "usageMetadata":{"promptTokenCount":60,"candidatesTokenCount":24,"totalTokenCount":125,\
                    "thoughtsTokenCount":41}}""".formatted(CALL_SIGNATURE));

    /** The answer after the results: a summary, the text, and its signature on a last, empty text part. */
    static final String THINKING_ANSWER_STREAM = chunk("""
            {"candidates":[{"content":{"parts":[{"text":"Both are 12 degrees.","thought":true}],"role":"model"},\
            "index":0}]}""")
            + chunk("""
                    {"candidates":[{"content":{"parts":[{"text":"It is 12 degrees "}],"role":"model"},"index":0}]}""")
            + chunk("""
                    {"candidates":[{"content":{"parts":[{"text":"in both."}],"role":"model"},"index":0}]}""")
            + chunk("""
                    {"candidates":[{"content":{"parts":[{"text":"","thoughtSignature":"%s"}],"role":"model"},\
                    "finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":140,\
                    "candidatesTokenCount":8,"thoughtsTokenCount":12,"totalTokenCount":160}}"""
                    .formatted(TEXT_SIGNATURE));

    static final String FIRST_SUMMARY = "**Checking the weather**\n\nThe user wants two cities. "
            + "I will call get_weather for both — \"é\" 😀.";
    static final Reasoning CALL_THOUGHT = new Reasoning("gemini", FIRST_SUMMARY, CALL_SIGNATURE, null,
            "gemini_call_0");
    static final Reasoning TEXT_THOUGHT = new Reasoning("gemini", "Both are 12 degrees.", TEXT_SIGNATURE, null,
            "text");

    final FakeHttpServer server = FakeHttpServer.start();

    @AfterEach
    void stop() {
        server.close();
    }

    GeminiChatModel.Builder builder() {
        return GeminiChatModel.builder()
                .model("gemini-2.5-flash")
                .apiKey(KEY)
                .baseUrl(server.url())
                .retryPolicy(RetryPolicy.DEFAULT.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5)))
                .inactivityTimeout(Duration.ofSeconds(10))
                .price(ModelPrice.FREE);
    }

    JsonObject body(int request) {
        return JsonValue.parse(server.requests().get(request).body()).asObject();
    }

    static List<JsonObject> parts(JsonValue content) {
        return content.asObject().getArray("parts").orElseThrow().items().stream().map(JsonValue::asObject).toList();
    }

    // ------------------------------------------------------------------------------ the request

    @Test
    void theThinkingConfigGoesIntoTheGenerationConfigOnlyWhenSet() {
        server.otherwise(r -> sse(textStream("ok")));

        assemble(builder().thinkingBudget(1024).includeThoughts(true).build().stream(ask("Hi")));
        assemble(builder().thinkingBudget(0).build().stream(ask("Hi")));
        assemble(builder().thinkingBudget(GeminiChatModel.DYNAMIC_THINKING).build().stream(ask("Hi")));
        assemble(builder().includeThoughts(true).build().stream(ask("Hi")));
        assemble(builder().build().stream(ask("Hi")));

        assertThat(server.requests()).extracting(r -> JsonValue.parse(r.body()).asObject().get("generationConfig"))
                .containsExactly(
                        JsonValue.parse("{\"thinkingConfig\":{\"thinkingBudget\":1024,\"includeThoughts\":true}}"),
                        JsonValue.parse("{\"thinkingConfig\":{\"thinkingBudget\":0}}"),
                        JsonValue.parse("{\"thinkingConfig\":{\"thinkingBudget\":-1}}"),
                        JsonValue.parse("{\"thinkingConfig\":{\"includeThoughts\":true}}"),
                        null);
    }

    // ------------------------------------------------------------------------------ the reply

    @Test
    void thoughtSummariesStreamApartFromTheTextAndTheSignatureIsKeptForItsCall() {
        server.enqueue(sse(THINKING_CALLS_STREAM));

        List<ChatEvent> events = builder().includeThoughts(true)
                .build()
                .stream(ask("Weather?"))
                .collectList()
                .block(Duration.ofSeconds(30));

        assertThat(events).filteredOn(ChatEvent.ReasoningDelta.class::isInstance)
                .extracting(e -> ((ChatEvent.ReasoningDelta) e).text())
                .containsExactly("**Checking the weather**\n\nThe user wants two cities. ",
                        "I will call get_weather for both — \"é\" 😀.");
        assertThat(events).filteredOn(ChatEvent.TextDelta.class::isInstance).isEmpty();
        assertThat(events).filteredOn(ChatEvent.ReasoningBlock.class::isInstance)
                .extracting(e -> ((ChatEvent.ReasoningBlock) e).reasoning())
                .containsExactly(CALL_THOUGHT);
        ChatResponse r = assemble(reactor.core.publisher.Flux.fromIterable(events));
        assertThat(r.message().text()).isEmpty();
        assertThat(r.message().reasoning()).containsExactly(CALL_THOUGHT);
        assertThat(r.message().toolCalls()).containsExactly(
                new ToolCall("gemini_call_0", "get_weather", "{\"location\":\"Paris\"}"),
                new ToolCall("gemini_call_1", "get_weather", "{\"location\":\"London\"}"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        // Thoughts are billed as output.
        assertThat(r.usage()).isEqualTo(Usage.of(60, 65));
    }

    @Test
    void aSignatureOnAnEmptyLastTextPartBelongsToTheTextAndAnUnsignedSummaryIsKeptForPeople() {
        server.enqueue(sse(THINKING_ANSWER_STREAM), sse(chunk("""
                {"candidates":[{"content":{"parts":[{"text":"Just thinking.","thought":true},{"text":"Done."}]},\
                "finishReason":"STOP"}]}""")));
        GeminiChatModel model = builder().includeThoughts(true).build();

        ChatResponse signed = assemble(model.stream(ask("x")));
        ChatResponse unsigned = assemble(model.stream(ask("x")));

        assertThat(signed.message().text()).isEqualTo("It is 12 degrees in both.");
        assertThat(signed.message().reasoning()).containsExactly(TEXT_THOUGHT);
        assertThat(unsigned.message().text()).isEqualTo("Done.");
        assertThat(unsigned.message().reasoning())
                .containsExactly(new Reasoning("gemini", "Just thinking.", null, null, null));
    }

    @Test
    void aSignedThoughtPartIsABlockOfItsOwn() {
        server.enqueue(sse(chunk("""
                {"candidates":[{"content":{"parts":[\
                {"text":"Plan: check Paris.","thought":true,"thoughtSignature":"VEhPVUdIVA=="},\
                {"functionCall":{"name":"get_weather","args":{"location":"Paris"}},"thoughtSignature":"Q0FMTA=="}]},\
                "finishReason":"STOP"}]}""")));

        ChatResponse r = assemble(builder().build().stream(ask("x")));

        assertThat(r.message().reasoning()).containsExactly(
                new Reasoning("gemini", "Plan: check Paris.", "VEhPVUdIVA==", null, "thought"),
                new Reasoning("gemini", "", "Q0FMTA==", null, "gemini_call_0"));
    }

    @Test
    void theThinkingStreamSplitAtEveryByteGivesTheSameReply() {
        byte[] bytes = THINKING_CALLS_STREAM.getBytes(StandardCharsets.UTF_8);
        GeminiChatModel model = builder().includeThoughts(true).build();
        for (int cut = 1; cut < bytes.length; cut++) {
            server.enqueue(FakeHttpServer.Responder.stream("text/event-stream",
                    List.of(Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut, bytes.length)),
                    Duration.ZERO));
        }
        for (int cut = 1; cut < bytes.length; cut++) {
            ChatResponse r = assemble(model.stream(ask("x")));
            assertThat(r.message().reasoning()).as("split at byte %d", cut).containsExactly(CALL_THOUGHT);
            assertThat(r.message().toolCalls()).as("split at byte %d", cut).hasSize(2);
        }
    }

    @Test
    void aWholeReplyKeepsItsSignaturesAsTheStreamDoes() {
        String whole = THINKING_CALLS_STREAM.substring(THINKING_CALLS_STREAM.lastIndexOf("data: ") + 6).strip();
        server.enqueue(json(200, whole));

        ChatResponse r = builder().includeThoughts(true).build().call(ask("x")).block(Duration.ofSeconds(30));

        assertThat(r.message().reasoning()).containsExactly(new Reasoning("gemini", "", CALL_SIGNATURE, null,
                "gemini_call_0"));
        assertThat(r.message().toolCalls()).hasSize(2);
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    // ------------------------------------------------------------------------------ sent back

    @Test
    void thinkingAndToolsRoundTripThroughAnAgentWithEverySignatureOnItsPart() {
        server.enqueue(sse(THINKING_CALLS_STREAM), sse(THINKING_ANSWER_STREAM), sse(textStream("You are welcome.")));
        var runs = new AtomicInteger();
        Agent agent = Agent.builder()
                .model(builder().thinkingBudget(2048).includeThoughts(true).build())
                .instructions("Be brief.")
                .tools(weatherTool(runs))
                .build();
        var reasoningShown = new CopyOnWriteArrayList<String>();

        AgentResult result = agent.task("Weather in Paris and London?")
                .stream()
                .doOnNext(e -> {
                    if (e instanceof AgentEvent.ReasoningDelta d) {
                        reasoningShown.add(d.step() + ":" + d.text());
                    }
                })
                .ofType(AgentEvent.Completed.class)
                .blockLast(Duration.ofSeconds(30))
                .result();

        assertThat(result.text()).isEqualTo("It is 12 degrees in both.");
        assertThat(runs).hasValue(2);
        assertThat(reasoningShown).containsExactly("1:**Checking the weather**\n\nThe user wants two cities. ",
                "1:I will call get_weather for both — \"é\" 😀.", "2:Both are 12 degrees.");
        assertThat(result.transcript()).filteredOn(Message.Assistant.class::isInstance)
                .extracting(m -> ((Message.Assistant) m).reasoning())
                .containsExactly(List.of(CALL_THOUGHT), List.of(TEXT_THOUGHT));

        // The second request: the model turn with the signature on the first functionCall part, exactly
        // as it came, then one user turn with the function responses in the order of the calls.
        JsonArray contents = body(1).getArray("contents").orElseThrow();
        assertThat(contents.items()).extracting(c -> c.asObject().getString("role").orElseThrow())
                .containsExactly("user", "model", "user");
        assertThat(parts(contents.get(1))).containsExactly(
                JsonValue.parse("{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"location\":\"Paris\"}},"
                        + "\"thoughtSignature\":\"" + CALL_SIGNATURE + "\"}").asObject(),
                JsonValue.parse("{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"location\":\"London\"}}}")
                        .asObject());
        assertThat(parts(contents.get(2))).containsExactly(
                JsonValue.parse("{\"functionResponse\":{\"name\":\"get_weather\","
                        + "\"response\":{\"result\":\"12 degrees in Paris\"}}}").asObject(),
                JsonValue.parse("{\"functionResponse\":{\"name\":\"get_weather\","
                        + "\"response\":{\"result\":\"12 degrees in London\"}}}").asObject());
        // The unsigned summary text is never sent back.
        assertThat(body(1).toJson()).doesNotContain("Checking the weather");

        // A next task continuing the conversation sends the answer's text with its signature.
        agent.task("Thanks!").withMessages(result.transcript()).executeBlocking();
        JsonArray third = body(2).getArray("contents").orElseThrow();
        assertThat(third.items()).extracting(c -> c.asObject().getString("role").orElseThrow())
                .containsExactly("user", "model", "user", "model", "user");
        assertThat(parts(third.get(3))).containsExactly(JsonObject.builder()
                .put("text", "It is 12 degrees in both.")
                .put("thoughtSignature", TEXT_SIGNATURE)
                .build());
        assertThat(parts(third.get(1)).getFirst().getString("thoughtSignature")).contains(CALL_SIGNATURE);
    }

    @Test
    void reasoningFromAnotherProviderIsLeftOutAndSignedThoughtsGoBackAsThoughtParts() {
        server.enqueue(sse(textStream("ok")));
        var foreign = new Reasoning("anthropic", "other model's thinking", "c2ln", null, null);
        var call = new ToolCall("gemini_call_0", "get_weather", "{\"location\":\"Paris\"}");
        ChatRequest request = ChatRequest.of(List.of(
                Message.user("First"),
                Message.assistant("Answer one.", List.of(), List.of(foreign,
                        new Reasoning("gemini", "Plan.", "VEhPVUdIVA==", null, "thought"),
                        new Reasoning("gemini", "", "VEVYVDE=", null, "text"),
                        new Reasoning("gemini", "", "VEVYVDI=", null, "text"))),
                Message.user("Second"),
                // A turn with only a signed call, and nothing but a signature for its text.
                Message.assistant("", List.of(call), List.of(
                        new Reasoning("gemini", "", "Q0FMTA==", null, "gemini_call_0"))),
                Message.toolResult(call, "sunny", false)));

        assemble(builder().build().stream(request));

        JsonArray contents = body(0).getArray("contents").orElseThrow();
        assertThat(body(0).toJson()).doesNotContain("other model's thinking", "c2ln");
        assertThat(parts(contents.get(1))).containsExactly(
                JsonValue.parse("{\"text\":\"Plan.\",\"thought\":true,\"thoughtSignature\":\"VEhPVUdIVA==\"}")
                        .asObject(),
                JsonValue.parse("{\"text\":\"Answer one.\",\"thoughtSignature\":\"VEVYVDE=\"}").asObject(),
                JsonValue.parse("{\"text\":\"\",\"thoughtSignature\":\"VEVYVDI=\"}").asObject());
        assertThat(parts(contents.get(3))).containsExactly(JsonValue.parse(
                "{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"location\":\"Paris\"}},"
                        + "\"thoughtSignature\":\"Q0FMTA==\"}")
                .asObject());
    }
}
