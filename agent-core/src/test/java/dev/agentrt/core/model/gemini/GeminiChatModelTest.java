package dev.agentrt.core.model.gemini;

import static dev.agentrt.core.testing.FakeHttpServer.Responder.json;
import static dev.agentrt.core.testing.FakeHttpServer.Responder.sse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.tuple;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.ModelException;
import dev.agentrt.core.contract.ChatModelContract;
import dev.agentrt.core.internal.ReplyAssembler;
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
import dev.agentrt.core.model.ResponseFormat;
import dev.agentrt.core.model.RetryPolicy;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.testing.FakeHttpServer;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The Gemini client against a server on 127.0.0.1 that speaks {@code streamGenerateContent} as documented. */
class GeminiChatModelTest {
    static final String KEY = "AIzaSyTest0123456789abcdefghijklmnop";
    static final String STREAM_PATH = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse";
    static final String CALL_PATH = "/v1beta/models/gemini-2.5-flash:generateContent";

    /** Text over three chunks, usage in each (growing), the finish reason and final counts in the last. */
    static final String TEXT_STREAM = chunk("""
            {"candidates":[{"content":{"parts":[{"text":"Hello"}],"role":"model"},"index":0}],\
            "usageMetadata":{"promptTokenCount":8,"totalTokenCount":8},"modelVersion":"gemini-2.5-flash"}""")
            + chunk("""
                    {"candidates":[{"content":{"parts":[{"text":", wörld € "}],"role":"model"},"index":0}],\
                    "usageMetadata":{"promptTokenCount":8,"totalTokenCount":8},"modelVersion":"gemini-2.5-flash"}""")
            + chunk("""
                    {"candidates":[{"content":{"parts":[{"text":"😀"}],"role":"model"},"finishReason":"STOP",\
                    "index":0}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":6,\
                    "totalTokenCount":14,"promptTokensDetails":[{"modality":"TEXT","tokenCount":8}]},\
                    "modelVersion":"gemini-2.5-flash","responseId":"resp_1"}""");

    /** Two parallel calls in one chunk, without ids (as the Gemini API sends them), text before them. */
    static final String PARALLEL_CALLS_STREAM = chunk("""
            {"candidates":[{"content":{"parts":[{"text":"Checking both."}],"role":"model"},"index":0}],\
            "usageMetadata":{"promptTokenCount":50,"totalTokenCount":50}}""")
            + chunk("""
                    {"candidates":[{"content":{"parts":[\
                    {"functionCall":{"name":"get_weather","args":{"location":"Paris, France"}}},\
                    {"functionCall":{"name":"get_weather","args":{"location":"Bogotá, Colombia"}}}],\
                    "role":"model"},"finishReason":"STOP","index":0}],\
                    "usageMetadata":{"promptTokenCount":50,"candidatesTokenCount":20,"totalTokenCount":70}}""");

    final FakeHttpServer server = FakeHttpServer.start();

    @AfterEach
    void stop() {
        server.close();
    }

    static String chunk(String json) {
        return "data: " + json + "\n\n";
    }

    static String textStream(String text) {
        return chunk("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":" + JsonValue.of(text).toJson()
                + "}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],"
                + "\"usageMetadata\":{\"promptTokenCount\":10,\"candidatesTokenCount\":5,\"totalTokenCount\":15}}");
    }

    static String callStream(String name, String args) {
        return chunk("{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"" + name
                + "\",\"args\":" + args + "}}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],"
                + "\"usageMetadata\":{\"promptTokenCount\":20,\"candidatesTokenCount\":5,\"totalTokenCount\":25}}");
    }

    /** Costs off (the wire tests compare usage exactly); {@link #repliesAreCostedAtTheListPrice} turns them on. */
    GeminiChatModel.Builder builder() {
        return GeminiChatModel.builder()
                .model("gemini-2.5-flash")
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

    JsonObject body(int request) {
        return JsonValue.parse(server.requests().get(request).body()).asObject();
    }

    // ------------------------------------------------------------------------------------ streams

    @Test
    void streamsTextOverSeveralChunksWithUsageAndFinish() {
        server.enqueue(sse(TEXT_STREAM));

        List<ChatEvent> events = builder().build().stream(ask("Hi")).collectList().block(Duration.ofSeconds(30));

        assertThat(events).filteredOn(ChatEvent.TextDelta.class::isInstance)
                .extracting(e -> ((ChatEvent.TextDelta) e).text())
                .containsExactly("Hello", ", wörld € ", "😀");
        // A usage report only when the counts change.
        assertThat(events).filteredOn(ChatEvent.UsageReport.class::isInstance)
                .extracting(e -> ((ChatEvent.UsageReport) e).usage())
                .containsExactly(Usage.of(8, 0), Usage.of(8, 6));
        // The model version comes with every chunk, the response id only with the last.
        assertThat(events.getLast()).isEqualTo(new ChatEvent.Finish(FinishReason.STOP, "resp_1", "gemini-2.5-flash"));
        ChatResponse r = assemble(Flux.fromIterable(events));
        assertThat(r.message().text()).isEqualTo("Hello, wörld € 😀");
        assertThat(r.usage()).isEqualTo(Usage.of(8, 6));
        assertThat(r.responseId()).isEqualTo("resp_1");
        assertThat(r.responseModel()).isEqualTo("gemini-2.5-flash");
    }

    @Test
    void parallelFunctionCallsWithoutIdsGetStableIdsOfTheirOwn() {
        server.enqueue(sse(PARALLEL_CALLS_STREAM));

        List<ChatEvent> events = builder().build().stream(ask("Weather?")).collectList().block(Duration.ofSeconds(30));
        ChatResponse r = assemble(Flux.fromIterable(events));

        assertThat(r.message().text()).isEqualTo("Checking both.");
        assertThat(r.message().toolCalls())
                .extracting(ToolCall::id, ToolCall::name, c -> JsonValue.parse(c.arguments()))
                .containsExactly(
                        tuple("gemini_call_0", "get_weather", JsonValue.parse("{\"location\":\"Paris, France\"}")),
                        tuple("gemini_call_1", "get_weather", JsonValue.parse("{\"location\":\"Bogotá, Colombia\"}")));
        // The API says STOP; a reply that calls functions finishes with TOOL_CALLS.
        assertThat(events.getLast()).isInstanceOfSatisfying(ChatEvent.Finish.class,
                f -> assertThat(f.reason()).isEqualTo(FinishReason.TOOL_CALLS));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @Test
    void callIdsTheApiGivesAreKeptAndARepeatedOneIsMadeUnique() {
        server.enqueue(sse(chunk("""
                {"candidates":[{"content":{"parts":[\
                {"functionCall":{"id":"fc_a","name":"get_time","args":{}}},\
                {"functionCall":{"id":"fc_a","name":"get_time"}}],"role":"model"},"finishReason":"STOP"}]}""")));

        ChatResponse r = assemble(builder().build().stream(ask("Time?")));

        assertThat(r.message().toolCalls()).containsExactly(new ToolCall("fc_a", "get_time", "{}"),
                new ToolCall("gemini_call_1", "get_time", "{}"));
    }

    @Test
    void usageCountsThoughtsAsOutputAndCachedPromptAsCacheReads() {
        server.enqueue(sse(chunk("""
                {"candidates":[{"content":{"parts":[{"text":"ok"}],"role":"model"},"finishReason":"STOP"}],\
                "usageMetadata":{"promptTokenCount":1200,"cachedContentTokenCount":1024,"candidatesTokenCount":30,\
                "thoughtsTokenCount":170,"toolUsePromptTokenCount":5,"totalTokenCount":1405}}""")));

        ChatResponse r = assemble(builder().build().stream(ask("Hi")));

        assertThat(r.usage()).isEqualTo(new Usage(1205, 200, 1024, 0, 0));
    }

    @Test
    void repliesAreCostedAtTheListPrice() {
        // gemini-2.5-flash: $0.30 input, $0.03 cached input, $2.50 output (thoughts included) per million.
        String stream = chunk("""
                {"candidates":[{"content":{"parts":[{"text":"ok"}],"role":"model"},"finishReason":"STOP"}],\
                "usageMetadata":{"promptTokenCount":3000,"cachedContentTokenCount":2000,"candidatesTokenCount":100,\
                "thoughtsTokenCount":400,"totalTokenCount":3500}}""");
        server.enqueue(sse(stream), sse(stream));

        ChatResponse listed = assemble(builder().price(null).build().stream(ask("Hi")));
        ChatResponse unknown = assemble(builder().price(null).model("gemini-9-ultra").build().stream(ask("Hi")));

        assertThat(listed.usage().cost()).isCloseTo((1000 * 0.30 + 2000 * 0.03 + 500 * 2.50) / 1e6, offset(1e-12));
        assertThat(unknown.usage().cost()).isZero();
    }

    @Test
    void theSameStreamSplitAtEveryByteGivesTheSameReply() {
        String stream = PARALLEL_CALLS_STREAM.replace("\n", "\r\n");
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        GeminiChatModel model = builder().build();
        server.enqueue(sse(stream));
        ChatResponse whole = assemble(model.stream(ask("x")));
        for (int cut = 1; cut < bytes.length; cut++) {
            server.enqueue(FakeHttpServer.Responder.stream("text/event-stream",
                    List.of(Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut, bytes.length)),
                    Duration.ZERO));
        }
        for (int cut = 1; cut < bytes.length; cut++) {
            assertThat(assemble(model.stream(ask("x")))).as("split at byte %d", cut).isEqualTo(whole);
        }
        assertThat(whole.message().toolCalls()).hasSize(2);
    }

    @Test
    void aRecordedStreamReplaysToTheSameReplyAsTheLiveOne() {
        server.enqueue(sse(PARALLEL_CALLS_STREAM));
        GeminiChatModel model = builder().build();
        byte[] bytes = PARALLEL_CALLS_STREAM.getBytes(StandardCharsets.UTF_8);

        ChatResponse replayed = assemble(model.replay(Flux.range(0, bytes.length / 7 + 1)
                .map(i -> ByteBuffer.wrap(bytes, i * 7, Math.min(7, bytes.length - i * 7)))));

        assertThat(replayed).isEqualTo(assemble(model.stream(ask("x"))));
    }

    @Test
    void aBodyThatEndsWithoutAFinishReasonIsACutOffReplyNotAShortAnswer() {
        server.enqueue(sse(TEXT_STREAM.substring(0, TEXT_STREAM.lastIndexOf("data: "))));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .thenConsumeWhile(e -> !(e instanceof ChatEvent.Finish))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ModelException.class)
                            .hasMessageContaining("the stream ended before a chunk with a finishReason")
                            .hasMessageContaining("incomplete");
                    assertThat(((ModelException) e).isRetryable()).isTrue();
                })
                .verify(Duration.ofSeconds(30));
        server.enqueue(sse(""));
        assertThatThrownBy(() -> assemble(builder().build().stream(ask("Hi")))).isInstanceOf(ModelException.class)
                .hasMessageContaining("without any event");
    }

    @Test
    void aMalformedChunkIsAnError() {
        server.enqueue(sse(chunk("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel")));

        assertThatThrownBy(() -> assemble(builder().build().stream(ask("Hi")))).isInstanceOf(ModelException.class)
                .hasMessageContaining("a stream chunk is not valid JSON");
    }

    @Test
    void anErrorSentInsideTheStreamFailsItWithTheProvidersMessage() {
        server.enqueue(sse(TEXT_STREAM.substring(0, TEXT_STREAM.indexOf("data: ", 10)) + chunk("""
                {"error":{"code":503,"message":"The model is overloaded. Please try again later.",\
                "status":"UNAVAILABLE"}}""")));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectNextCount(2)
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ModelException.class)
                            .hasMessageContaining("UNAVAILABLE: The model is overloaded");
                    assertThat(((ModelException) e).isRetryable()).isTrue();
                })
                .verify(Duration.ofSeconds(30));
    }

    // ------------------------------------------------------------------------------------ outcomes

    @Test
    void aSafetyStopFinishesAsContentFilterKeepingWhatWasWritten() {
        server.enqueue(sse(chunk("""
                {"candidates":[{"content":{"parts":[{"text":"Here is how"}],"role":"model"},"index":0}]}""")
                + chunk("""
                        {"candidates":[{"finishReason":"SAFETY","index":0,"safetyRatings":[\
                        {"category":"HARM_CATEGORY_DANGEROUS_CONTENT","probability":"HIGH","blocked":true}]}],\
                        "usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":3,"totalTokenCount":15}}""")));

        ChatResponse r = assemble(builder().build().stream(ask("How do I...")));

        assertThat(r.finishReason()).isEqualTo(FinishReason.CONTENT_FILTER);
        assertThat(r.message().text()).isEqualTo("Here is how");
        for (String reason : List.of("RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII")) {
            server.enqueue(sse(chunk("{\"candidates\":[{\"finishReason\":\"" + reason + "\"}]}")));
            assertThat(assemble(builder().build().stream(ask("x"))).finishReason()).as(reason)
                    .isEqualTo(FinishReason.CONTENT_FILTER);
        }
        server.enqueue(sse(chunk("""
                {"candidates":[{"content":{"parts":[{"text":"Once upon"}]},"finishReason":"MAX_TOKENS"}]}""")));
        assertThat(assemble(builder().build().stream(ask("x"))).finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void aBlockedPromptFailsWithTheBlockReasonAndIsNotRetried() {
        String blocked = """
                {"promptFeedback":{"blockReason":"PROHIBITED_CONTENT","safetyRatings":[]},\
                "usageMetadata":{"promptTokenCount":9,"totalTokenCount":9},"modelVersion":"gemini-2.5-flash"}""";
        server.enqueue(sse(chunk(blocked)), json(200, blocked));
        GeminiChatModel model = builder().build();

        StepVerifier.create(model.stream(ask("Something prohibited")))
                .expectNext(new ChatEvent.UsageReport(Usage.of(9, 0)))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isExactlyInstanceOf(ModelException.class)
                            .hasMessageContaining("blocked the prompt (blockReason PROHIBITED_CONTENT)")
                            .hasMessageContaining("change the conversation");
                    assertThat(((ModelException) e).isRetryable()).isFalse();
                })
                .verify(Duration.ofSeconds(30));
        StepVerifier.create(model.call(ask("Something prohibited")))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("blockReason PROHIBITED_CONTENT"))
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void aMalformedFunctionCallIsARetryableErrorThatAnAgentAsksAgainFor() {
        server.enqueue(sse(chunk("""
                {"candidates":[{"finishReason":"MALFORMED_FUNCTION_CALL",\
                "finishMessage":"Malformed function call: print(get_weather(location=Paris)","index":0}]}""")),
                sse(textStream("It rains in Paris.")));
        var runs = new AtomicInteger();
        Agent agent = Agent.builder()
                .model(builder().build())
                .tools(weatherTool(runs))
                .modelRetry(RetryPolicy.DEFAULT.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5)))
                .build();

        AgentResult result = agent.task("Weather in Paris?").executeBlocking();

        assertThat(result.text()).isEqualTo("It rains in Paris.");
        assertThat(server.requests()).hasSize(2);

        server.enqueue(sse(chunk("{\"candidates\":[{\"finishReason\":\"MALFORMED_FUNCTION_CALL\"}]}")));
        StepVerifier.create(builder().build().stream(ask("x")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).hasMessageContaining("finishReason MALFORMED_FUNCTION_CALL");
                    assertThat(((ModelException) e).isRetryable()).isTrue();
                })
                .verify(Duration.ofSeconds(30));
    }

    // ------------------------------------------------------------------------------------ errors and retries

    @Test
    void a429ResourceExhaustedIsRetriedThenSucceeds() {
        server.enqueue(
                json(429,
                        """
                                {"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details.",\
                                "status":"RESOURCE_EXHAUSTED"}}"""),
                sse(TEXT_STREAM));

        ChatResponse r = assemble(builder().build().stream(ask("Hi")));

        assertThat(r.message().text()).isEqualTo("Hello, wörld € 😀");
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void overloaded503And500AreRetriedAndA429ThatNeverClearsNamesItsStatus() {
        server.enqueue(json(503, "{\"error\":{\"code\":503,\"message\":\"The model is overloaded.\","
                + "\"status\":\"UNAVAILABLE\"}}"),
                json(500, "{\"error\":{\"code\":500,\"message\":\"An internal error has occurred.\","
                        + "\"status\":\"INTERNAL\"}}"),
                sse(TEXT_STREAM));
        assertThat(assemble(builder().build().stream(ask("Hi"))).message().text()).startsWith("Hello");
        assertThat(server.requests()).hasSize(3);

        server.otherwise(r -> json(429, "{\"error\":{\"code\":429,\"message\":\"Resource has been exhausted\","
                + "\"status\":\"RESOURCE_EXHAUSTED\"}}"));
        StepVerifier.create(builder().retryPolicy(RetryPolicy.DEFAULT.withMaxRetries(2)
                .withBackoff(Duration.ofMillis(1), Duration.ofMillis(2))).build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isExactlyInstanceOf(ModelException.class)
                            .hasMessageContaining("Gemini returned HTTP 429")
                            .hasMessageContaining("RESOURCE_EXHAUSTED: Resource has been exhausted")
                            .hasMessageContaining("gave up after 2 retries");
                    assertThat(((ModelException) e).status()).isEqualTo(429);
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(6);
    }

    @Test
    void aBadRequestFailsAtOnceWithTheProvidersMessageAndNeverShowsTheKey() {
        server.enqueue(json(400, "{\"error\":{\"code\":400,\"message\":\"API key not valid: " + KEY
                + ". Please pass a valid API key.\",\"status\":\"INVALID_ARGUMENT\"}}"));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isExactlyInstanceOf(ModelException.class)
                            .hasMessageContaining("HTTP 400")
                            .hasMessageContaining("INVALID_ARGUMENT: API key not valid")
                            .hasMessageNotContaining(KEY);
                    assertThat(((ModelException) e).isRetryable()).isFalse();
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(1);
    }

    // ------------------------------------------------------------------------------------ the request

    @Test
    void theKeyGoesOnlyInTheHeaderAndTheModelInThePath() {
        server.enqueue(sse(TEXT_STREAM), json(200, """
                {"candidates":[{"content":{"parts":[{"text":"Hello"}],"role":"model"},"finishReason":"STOP"}],\
                "usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1,"totalTokenCount":4}}"""));
        GeminiChatModel model = builder().build();

        assemble(model.stream(ask("Hi")));
        ChatResponse whole = model.call(ask("Hi")).block(Duration.ofSeconds(30));

        assertThat(whole.message().text()).isEqualTo("Hello");
        assertThat(whole.usage()).isEqualTo(Usage.of(3, 1));
        assertThat(server.requests()).extracting(FakeHttpServer.Recorded::path).containsExactly(STREAM_PATH, CALL_PATH);
        for (FakeHttpServer.Recorded sent : server.requests()) {
            assertThat(sent.method()).isEqualTo("POST");
            assertThat(sent.header("x-goog-api-key")).isEqualTo(KEY);
            assertThat(sent.header("Authorization")).isNull();
            assertThat(sent.path()).doesNotContain(KEY).doesNotContain("key=");
            assertThat(sent.body()).doesNotContain(KEY);
        }
        assertThat(server.requests().get(0).header("Accept")).isEqualTo("text/event-stream");
        assertThat(model.toString()).doesNotContain(KEY).contains("gemini-2.5-flash");
    }

    @Test
    void theRequestCarriesSystemInstructionToolsAndGenerationConfig() {
        server.enqueue(sse(textStream("ok")));
        var weather = new ToolSpec("get_weather", "Weather for a city", JsonValue.parse("""
                {"type":"object","properties":{"city":{"type":"string","minLength":1}},\
                "required":["city"],"additionalProperties":false}""").asObject());
        var call1 = new ToolCall("gemini_call_0", "get_weather", "{\"city\":\"Oslo\"}");
        var call2 = new ToolCall("gemini_call_1", "get_weather", "{\"city\":");
        var request = new ChatRequest(List.of(
                Message.system("Be brief."),
                Message.user("Weather in Oslo and Bergen?"),
                Message.system("Memory: the user likes short answers."),
                Message.assistant("", List.of(call1, call2)),
                Message.toolResult(call1, "rain", false),
                Message.toolResult(call2, "arguments were not valid JSON", true),
                Message.user("And tomorrow?")),
                List.of(weather), new ChatOptions(256, 0.2, 0.9, List.of("STOP")));

        assemble(builder().build().stream(request));

        assertThat(body(0)).isEqualTo(JsonValue.parse("""
                {"contents":[
                   {"role":"user","parts":[{"text":"Weather in Oslo and Bergen?"}]},
                   {"role":"model","parts":[
                      {"functionCall":{"name":"get_weather","args":{"city":"Oslo"}}},
                      {"functionCall":{"name":"get_weather","args":{}}}]},
                   {"role":"user","parts":[
                      {"functionResponse":{"name":"get_weather","response":{"result":"rain"}}},
                      {"functionResponse":{"name":"get_weather","response":{"error":"arguments were not valid JSON"}}},
                      {"text":"And tomorrow?"}]}],
                 "systemInstruction":{"parts":[{"text":"Be brief.\\n\\nMemory: the user likes short answers."}]},
                 "tools":[{"functionDeclarations":[{"name":"get_weather","description":"Weather for a city",
                    "parametersJsonSchema":{"type":"object","properties":{"city":{"type":"string","minLength":1}},
                                            "required":["city"],"additionalProperties":false}}]}],
                 "generationConfig":{"maxOutputTokens":256,"temperature":0.2,"topP":0.9,"stopSequences":["STOP"]}}"""));
    }

    @Test
    void callIdsFromTheApiOrAnotherProviderGoBackOnTheCallAndItsResponse() {
        server.enqueue(sse(textStream("ok")));
        var call = new ToolCall("toolu_01", "get_time", "{}");

        assemble(builder().build()
                .stream(ChatRequest.of(Message.user("Time?"), Message.assistant("", List.of(call)),
                        Message.toolResult(call, "noon", false))));

        assertThat(body(0).getArray("contents").orElseThrow().items()).extracting(JsonValue::toJson)
                .containsExactly("{\"role\":\"user\",\"parts\":[{\"text\":\"Time?\"}]}",
                        "{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"name\":\"get_time\",\"args\":{},"
                                + "\"id\":\"toolu_01\"}}]}",
                        "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"get_time\","
                                + "\"response\":{\"result\":\"noon\"},\"id\":\"toolu_01\"}}]}");
    }

    @Test
    void structuredOutputAsksForJsonMatchingTheWholeSchema() {
        server.enqueue(sse(textStream("{\"city\":\"Oslo\",\"temperature\":12}")));
        JsonObject schema = JsonValue.parse("""
                {"type":"object","properties":{"city":{"type":"string"},
                 "temperature":{"anyOf":[{"type":"integer"},{"type":"null"}]}},
                 "required":["city","temperature"],"additionalProperties":false}""").asObject();

        ChatResponse r = assemble(builder().build()
                .stream(new ChatRequest(List.of(Message.user("Oslo?")), List.of(),
                        ChatOptions.DEFAULTS.withResponseFormat(new ResponseFormat("Weather", schema)))));

        assertThat(JsonValue.parse(r.message().text()).asObject().getString("city")).contains("Oslo");
        assertThat(body(0).getObject("generationConfig").orElseThrow()).isEqualTo(JsonObject.builder()
                .put("responseMimeType", "application/json")
                .put("responseJsonSchema", schema)
                .build());
        assertThat(builder().build().supportsResponseFormat()).isTrue();
        assertThat(builder().nativeStructuredOutput(false).build().supportsResponseFormat()).isFalse();
    }

    @Test
    void anEmptyAssistantTurnIsLeftOutSoTheTurnsStillAlternate() {
        server.enqueue(sse(textStream("ok")));

        assemble(builder().build()
                .stream(ChatRequest.of(Message.user("First"), Message.assistant(""),
                        Message.user("Second"))));

        assertThat(body(0).get("contents")).isEqualTo(
                JsonValue.parse("[{\"role\":\"user\",\"parts\":[{\"text\":\"First\"},{\"text\":\"Second\"}]}]"));
    }

    @Test
    void aPlainRequestSendsNoGenerationConfig() {
        server.enqueue(sse(textStream("ok")));

        assemble(builder().build().stream(ask("Hi")));

        assertThat(body(0))
                .isEqualTo(JsonValue.parse("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]}]}"));
    }

    // ------------------------------------------------------------------------------------ the builder

    @Test
    void theKeyComesFromGeminiApiKeyThenGoogleApiKeyAndOnlyGoesToGoogleOrTheUrlTheEnvironmentNames() {
        server.otherwise(r -> sse(textStream("ok")));
        GeminiChatModel fromGemini = GeminiChatModel.builder()
                .model("gemini-2.5-pro")
                .environment(name -> switch (name) {
                    case "GEMINI_API_KEY" -> "gemini-key-1234";
                    case "GOOGLE_API_KEY" -> "google-key-1234";
                    case "GEMINI_BASE_URL" -> server.url();
                    default -> null;
                })
                .build();
        GeminiChatModel fromGoogle = GeminiChatModel.builder()
                .model("gemini-2.5-pro")
                .environment(name -> switch (name) {
                    case "GOOGLE_API_KEY" -> "google-key-1234";
                    case "GEMINI_BASE_URL" -> server.url();
                    default -> null;
                })
                .build();
        // A base URL set in code gets no key from the environment.
        GeminiChatModel elsewhere = GeminiChatModel.builder()
                .model("gemini-2.5-pro")
                .baseUrl(server.url())
                .environment(name -> name.equals("GEMINI_API_KEY") ? "gemini-key-1234" : null)
                .build();

        for (GeminiChatModel model : List.of(fromGemini, fromGoogle, elsewhere)) {
            assemble(model.stream(ask("Hi")));
        }

        assertThat(server.requests()).extracting(r -> r.header("x-goog-api-key"))
                .containsExactly("gemini-key-1234", "google-key-1234", null);
        assertThat(fromGemini.baseUrl().toString()).isEqualTo(server.url());
        assertThat(server.requests().get(0).path())
                .isEqualTo("/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
        assertThatThrownBy(() -> GeminiChatModel.builder().model("gemini-2.5-flash").environment(n -> null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GEMINI_API_KEY")
                .hasMessageContaining("GOOGLE_API_KEY");
        assertThatThrownBy(() -> GeminiChatModel.builder().apiKey(KEY).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model is required");
    }

    @Test
    void aModelNameThatWouldLeaveThePathIsRefusedAndAResourceNameIsKept() {
        for (String bad : List.of("../files", "gemini-2.5-flash:generateContent?x=", "gemini 2.5", "models/a/b")) {
            assertThatThrownBy(() -> builder().model(bad).build()).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Gemini model name");
        }
        server.enqueue(sse(textStream("ok")), sse(textStream("ok")));

        assemble(builder().model("tunedModels/my-tune-01").build().stream(ask("Hi")));
        assemble(builder().model("models/gemini-2.5-flash").build().stream(ask("Hi")));

        assertThat(server.requests()).extracting(FakeHttpServer.Recorded::path)
                .containsExactly(
                        "/v1beta/tunedModels/my-tune-01:streamGenerateContent?alt=sse", STREAM_PATH);
    }

    @Test
    void aVariantKeepsEverySetting() {
        server.otherwise(r -> sse(textStream("ok")));
        GeminiChatModel model = builder().thinkingBudget(2048).includeThoughts(true).maxTokens(500).build();

        GeminiChatModel variant = model.toBuilder().model("gemini-2.5-pro").build();
        assemble(variant.stream(ask("Hi")));

        assertThat(variant.modelName()).isEqualTo("gemini-2.5-pro");
        assertThat(body(0).getObject("generationConfig").orElseThrow()).isEqualTo(JsonValue.parse(
                "{\"maxOutputTokens\":500,\"thinkingConfig\":{\"thinkingBudget\":2048,\"includeThoughts\":true}}"));
        assertThatThrownBy(() -> builder().thinkingBudget(-2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("thinking budget");
    }

    // ------------------------------------------------------------------------------------ in an agent

    static Tool weatherTool(AtomicInteger runs) {
        return Tool.builder("get_weather")
                .description("Weather for a location")
                .parameters(JsonValue.parse("{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"}},"
                        + "\"required\":[\"location\"]}").asObject())
                .handler((args, ctx) -> {
                    runs.incrementAndGet();
                    return Mono.just(ToolResult.text("12 degrees in " + args.getString("location").orElseThrow()));
                })
                .build();
    }

    @Test
    void aFullAgentTaskCallsToolsInParallelAndAnswers() {
        server.enqueue(sse(PARALLEL_CALLS_STREAM), sse(textStream("12 degrees in both.")));
        var runs = new AtomicInteger();
        Agent agent = Agent.builder()
                .model(builder().build())
                .instructions("Be brief.")
                .tools(weatherTool(runs))
                .build();

        AgentResult result = agent.task("Weather in Paris and Bogotá?").executeBlocking();

        assertThat(result.text()).isEqualTo("12 degrees in both.");
        assertThat(runs).hasValue(2);
        assertThat(result.usage().inputTokens()).isEqualTo(60);
        var contents = body(1).getArray("contents").orElseThrow();
        assertThat(contents.items()).extracting(c -> c.asObject().getString("role").orElseThrow())
                .containsExactly("user", "model", "user");
        assertThat(contents.get(2)).isEqualTo(JsonValue
                .parse("""
                        {"role":"user","parts":[
                          {"functionResponse":{"name":"get_weather","response":{"result":"12 degrees in Paris, France"}}},
                          {"functionResponse":{"name":"get_weather","response":{"result":"12 degrees in Bogotá, Colombia"}}}]}"""));
        assertThat(body(1).getObject("systemInstruction").orElseThrow().toJson()).contains("Be brief.");
    }

    // ------------------------------------------------------------------------------------ the contract

    @Nested
    class Contract extends ChatModelContract {
        @Override
        protected ChatModel model() {
            server.otherwise(r -> {
                boolean tools = JsonValue.parse(r.body()).asObject().has("tools");
                if (r.path().equals(STREAM_PATH)) {
                    return sse(tools ? callStream("get_time", "{}") : TEXT_STREAM);
                }
                String reply = tools ? callStream("get_time", "{}") : textStream("Hello");
                return json(200, reply.substring("data: ".length()).strip());
            });
            return builder().build();
        }
    }
}
