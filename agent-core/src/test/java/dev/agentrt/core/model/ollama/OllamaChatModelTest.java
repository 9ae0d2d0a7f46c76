package dev.agentrt.core.model.ollama;

import static dev.agentrt.core.testing.FakeHttpServer.Responder.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

class OllamaChatModelTest {
    static final String KEY = "ollama-proxy-key-0123456789abcdef";

    static final String TEXT_STREAM = chunk("Hel") + chunk("lo, wörld € 😀") + done("stop", 26, 12);

    /**
     * Text, then one line with two whole calls, a later line with a call whose arguments are a string, and one
     * with a call without arguments; Ollama ends even this reply with done_reason "stop".
     */
    static final String TOOL_STREAM = chunk("Let me check é.")
            + toolCalls("""
                    [{"function":{"name":"get_weather","arguments":{"city":"Oslo \\"O\\" é 😀","days":2}}},\
                    {"function":{"name":"get_weather","arguments":{"city":"Bergen"}}}]""")
            + toolCalls("[{\"function\":{\"name\":\"get_time\",\"arguments\":\"{\\\"zone\\\":\\\"UTC\\\"}\"}}]")
            + toolCalls("[{\"function\":{\"name\":\"get_time\"}}]")
            + done("stop", 400, 89);

    final FakeHttpServer server = FakeHttpServer.start();

    @AfterEach
    void stop() {
        server.close();
    }

    static String chunk(String text) {
        return "{\"model\":\"qwen3:4b\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\","
                + "\"content\":" + JsonValue.of(text).toJson() + "},\"done\":false}\n";
    }

    static String toolCalls(String callsJson) {
        return "{\"model\":\"qwen3:4b\",\"created_at\":\"2025-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\","
                + "\"content\":\"\",\"tool_calls\":" + callsJson + "},\"done\":false}\n";
    }

    static String done(String reason, long promptTokens, long outputTokens) {
        return "{\"model\":\"qwen3:4b\",\"created_at\":\"2025-01-01T00:00:01Z\",\"message\":{\"role\":\"assistant\","
                + "\"content\":\"\"},\"done\":true,\"done_reason\":\"" + reason + "\",\"total_duration\":123,"
                + "\"load_duration\":1,\"prompt_eval_count\":" + promptTokens + ",\"prompt_eval_duration\":1,"
                + "\"eval_count\":" + outputTokens + ",\"eval_duration\":1}\n";
    }

    static FakeHttpServer.Responder ndjson(String body) {
        return ndjson(List.of(body), Duration.ZERO);
    }

    static FakeHttpServer.Responder ndjson(List<String> pieces, Duration gap) {
        var bytes = new ArrayList<byte[]>();
        for (String p : pieces) {
            bytes.add(p.getBytes(StandardCharsets.UTF_8));
        }
        return FakeHttpServer.Responder.stream("application/x-ndjson", bytes, gap);
    }

    OllamaChatModel.Builder builder() {
        return OllamaChatModel.builder()
                .model("qwen3:4b")
                .baseUrl(server.url())
                .environment(name -> null)
                .retryPolicy(RetryPolicy.DEFAULT.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5)))
                .inactivityTimeout(Duration.ofSeconds(10));
    }

    static ChatResponse assemble(Flux<ChatEvent> events) {
        var assembler = new ReplyAssembler();
        events.doOnNext(assembler::accept).blockLast(Duration.ofSeconds(30));
        return assembler.finish();
    }

    static ChatRequest ask(String text) {
        return ChatRequest.of(Message.user(text));
    }

    static JsonObject body(FakeHttpServer.Recorded request) {
        return JsonValue.parse(request.body()).asObject();
    }

    // ------------------------------------------------------------------------------------ streams

    @Test
    void streamsTextWithUsageFromTheEvalCounts() {
        server.enqueue(ndjson(TEXT_STREAM));

        ChatResponse r = assemble(builder().build().stream(ask("Hi")));

        assertThat(r.message().text()).isEqualTo("Hello, wörld € 😀");
        assertThat(r.message().toolCalls()).isEmpty();
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.usage()).isEqualTo(Usage.of(26, 12));
    }

    @Test
    void theStreamEmitsTextDeltasThenUsageThenOneFinish() {
        server.enqueue(ndjson(TEXT_STREAM));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectNext(ChatEvent.text("Hel"), ChatEvent.text("lo, wörld € 😀"))
                // Ollama names the model that answered, and gives the reply no id.
                .expectNext(new ChatEvent.UsageReport(Usage.of(26, 12)),
                        new ChatEvent.Finish(FinishReason.STOP, null, "qwen3:4b"))
                .verifyComplete();
    }

    @Test
    void doneReasonLengthIsTheTokenLimit() {
        server.enqueue(ndjson(chunk("A long") + done("length", 5, 2)));

        ChatResponse r = assemble(builder().build().stream(ask("Hi")));

        assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(r.message().text()).isEqualTo("A long");
    }

    @Test
    void doneReasonsMapToTheSpi() {
        assertThat(OllamaCodec.doneReason("stop")).isEqualTo(FinishReason.STOP);
        assertThat(OllamaCodec.doneReason("length")).isEqualTo(FinishReason.LENGTH);
        assertThat(OllamaCodec.doneReason("load")).isEqualTo(FinishReason.OTHER);
        assertThat(OllamaCodec.doneReason("unload")).isEqualTo(FinishReason.OTHER);
    }

    @Test
    void assemblesWholeToolCallsWithIdsInReplyOrder() {
        server.enqueue(ndjson(TOOL_STREAM));

        ChatResponse r = assemble(builder().build().stream(ask("Weather and time?")));

        assertThat(r.message().text()).isEqualTo("Let me check é.");
        assertThat(r.message().toolCalls()).containsExactly(
                new ToolCall("call_0", "get_weather", "{\"city\":\"Oslo \\\"O\\\" é 😀\",\"days\":2}"),
                new ToolCall("call_1", "get_weather", "{\"city\":\"Bergen\"}"),
                new ToolCall("call_2", "get_time", "{\"zone\":\"UTC\"}"),
                new ToolCall("call_3", "get_time", "{}"));
        assertThat(JsonValue.parse(r.message().toolCalls().get(0).arguments()).asObject().getString("city"))
                .contains("Oslo \"O\" é 😀");
        // Ollama says "stop" after tool calls; the reply still asks for tool results.
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.usage()).isEqualTo(Usage.of(400, 89));
    }

    @Test
    void eachWholeToolCallIsOneDeltaWithItsIndex() {
        server.enqueue(ndjson(TOOL_STREAM));

        List<ChatEvent.ToolCallDelta> deltas = builder().build()
                .stream(ask("x"))
                .ofType(ChatEvent.ToolCallDelta.class)
                .collectList()
                .block(Duration.ofSeconds(30));

        assertThat(deltas).extracting(ChatEvent.ToolCallDelta::index, ChatEvent.ToolCallDelta::id)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, "call_0"),
                        org.assertj.core.groups.Tuple.tuple(1, "call_1"),
                        org.assertj.core.groups.Tuple.tuple(2, "call_2"),
                        org.assertj.core.groups.Tuple.tuple(3, "call_3"));
    }

    @Test
    void anIdSentByTheServerIsKeptAndNullOrEmptyArgumentsBecomeAnEmptyObject() {
        server.enqueue(ndjson(toolCalls("""
                [{"id":"call_srv7","function":{"name":"get_time","arguments":null}},\
                {"function":{"name":"get_time","arguments":""}},\
                {"function":{"name":"get_time","arguments":{}}}]""") + done("stop", 1, 1)));

        ChatResponse r = assemble(builder().build().stream(ask("t")));

        assertThat(r.message().toolCalls()).containsExactly(new ToolCall("call_srv7", "get_time", "{}"),
                new ToolCall("call_1", "get_time", "{}"), new ToolCall("call_2", "get_time", "{}"));
    }

    @Test
    void idsThatRepeatOrCollideWithGeneratedOnesAreMadeDistinct() {
        // The server's own "call_1" on the first call, none on the second (which would be call_1 too), and a
        // server id sent twice.
        String stream = toolCalls("""
                [{"id":"call_1","function":{"name":"get_time","arguments":{"zone":"UTC"}}},\
                {"function":{"name":"get_time","arguments":{"zone":"CET"}}}]""")
                + toolCalls("""
                        [{"id":"call_x","function":{"name":"get_time","arguments":{"zone":"EST"}}},\
                        {"id":"call_x","function":{"name":"get_time","arguments":{"zone":"PST"}}}]""")
                + done("stop", 1, 1);
        server.enqueue(ndjson(stream), json(200, """
                {"model":"qwen3:4b","message":{"role":"assistant","content":"","tool_calls":[
                    {"id":"c","function":{"name":"get_time"}},{"id":"c","function":{"name":"get_time"}}]},
                 "done":true,"done_reason":"stop","prompt_eval_count":1,"eval_count":1}"""));
        OllamaChatModel model = builder().build();

        ChatResponse r = assemble(model.stream(ask("t")));
        ChatResponse whole = model.call(ask("t")).block(Duration.ofSeconds(30));

        assertThat(r.message().toolCalls()).extracting(ToolCall::arguments)
                .containsExactly("{\"zone\":\"UTC\"}",
                        "{\"zone\":\"CET\"}", "{\"zone\":\"EST\"}", "{\"zone\":\"PST\"}");
        assertThat(r.message().toolCalls()).extracting(ToolCall::id)
                .doesNotHaveDuplicates()
                .startsWith("call_1")
                .contains("call_x");
        assertThat(whole).isNotNull();
        assertThat(whole.message().toolCalls()).extracting(ToolCall::id).hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    void theSameStreamSplitAtEveryByteGivesTheSameReply() {
        byte[] bytes = TOOL_STREAM.getBytes(StandardCharsets.UTF_8);
        OllamaChatModel model = builder().build();
        server.enqueue(ndjson(TOOL_STREAM));
        ChatResponse whole = assemble(model.stream(ask("x")));
        for (int cut = 1; cut < bytes.length; cut++) {
            server.enqueue(FakeHttpServer.Responder.stream("application/x-ndjson",
                    List.of(Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut, bytes.length)),
                    Duration.ZERO));
        }
        for (int cut = 1; cut < bytes.length; cut++) {
            assertThat(assemble(model.stream(ask("x")))).as("split at byte %d", cut).isEqualTo(whole);
        }
    }

    @Test
    void aStreamSentOneByteAtATimeGivesTheSameReply() {
        byte[] bytes = TEXT_STREAM.getBytes(StandardCharsets.UTF_8);
        var pieces = new ArrayList<byte[]>();
        for (byte b : bytes) {
            pieces.add(new byte[]{b});
        }
        server.enqueue(FakeHttpServer.Responder.stream("application/x-ndjson", pieces, Duration.ZERO));

        ChatResponse r = assemble(builder().build().stream(ask("Hi")));

        assertThat(r.message().text()).isEqualTo("Hello, wörld € 😀");
        assertThat(r.usage()).isEqualTo(Usage.of(26, 12));
    }

    @Test
    void aStreamWithoutTheDoneLineIsAnErrorNotAShortAnswer() {
        server.enqueue(ndjson(chunk("Hel") + chunk("lo")));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectNextCount(2)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("ended before its final (\"done\": true) line"))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void anEmptyBodyIsAnError() {
        server.enqueue(ndjson(""));

        assertThatThrownBy(() -> assemble(builder().build().stream(ask("Hi"))))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("ended without any line");
    }

    @Test
    void aLastDoneLineWithoutTrailingNewlineIsRead() {
        server.enqueue(ndjson(TEXT_STREAM.substring(0, TEXT_STREAM.length() - 1)));

        ChatResponse r = assemble(builder().build().stream(ask("Hi")));

        assertThat(r.message().text()).isEqualTo("Hello, wörld € 😀");
        assertThat(r.usage()).isEqualTo(Usage.of(26, 12));
    }

    @Test
    void aLastLineCutInTheMiddleIsAnError() {
        server.enqueue(ndjson(TEXT_STREAM.substring(0, TEXT_STREAM.length() - 20)));

        assertThatThrownBy(() -> assemble(builder().build().stream(ask("Hi"))))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void blankLinesAndCrlfLineEndsAreAccepted() {
        String crlf = "\r\n" + TEXT_STREAM.replace("\n", "\r\n\r\n  \r\n");
        server.enqueue(ndjson(crlf), ndjson(TEXT_STREAM));
        OllamaChatModel model = builder().build();

        assertThat(assemble(model.stream(ask("Hi")))).isEqualTo(assemble(model.stream(ask("Hi"))));
    }

    @Test
    void anErrorLineInTheMiddleOfTheStreamFailsIt() {
        server.enqueue(ndjson(chunk("Hel")
                + "{\"error\":\"an error was encountered while running the model: unexpected EOF\"}\n"));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectNext(ChatEvent.text("Hel"))
                .expectErrorSatisfies(e -> assertThat(e).isExactlyInstanceOf(ModelException.class)
                        .hasMessageContaining("an error was encountered while running the model: unexpected EOF"))
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aMalformedLineIsAnError() {
        server.enqueue(ndjson(chunk("Hel") + "{\"model\":\"qwen3:4b\",\"message\":{\n" + done("stop", 1, 1)),
                ndjson(chunk("Hel") + "[1,2]\n" + done("stop", 1, 1)));
        OllamaChatModel model = builder().build();

        assertThatThrownBy(() -> assemble(model.stream(ask("Hi"))))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> assemble(model.stream(ask("Hi"))))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("not a JSON object");
    }

    @Test
    void aLineLongerThanTheLimitIsAnError() {
        server.enqueue(ndjson(chunk("Hel") + chunk("x".repeat(4 * 1024 * 1024)) + done("stop", 1, 1)));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectNext(ChatEvent.text("Hel"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("line longer than 4194304 bytes"))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void aDisconnectInTheMiddleOfTheStreamIsAnError() {
        try (var resetting = FakeHttpServer.ResettingServer.start("application/x-ndjson", chunk("Hel") + chunk("lo"))) {
            StepVerifier.create(builder().baseUrl(resetting.url()).build().stream(ask("Hi")))
                    .expectNextCount(2)
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                            .hasMessageContaining("the connection broke during the reply"))
                    .verify(Duration.ofSeconds(30));
            assertThat(resetting.connections()).hasValue(1);
        }
    }

    @Test
    void aSilentServerHitsTheInactivityTimeout() {
        server.enqueue(FakeHttpServer.Responder.stall("application/x-ndjson", chunk("Hel"), Duration.ofMinutes(5)));

        StepVerifier.create(builder().inactivityTimeout(Duration.ofSeconds(3)).build().stream(ask("Hi")))
                .expectNextCount(1)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("no data for 3000 ms"))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void cancellingTheStreamClosesTheConnection() throws InterruptedException {
        var pieces = new ArrayList<String>();
        for (int i = 0; i < 5_000; i++) {
            pieces.add(chunk("tick"));
        }
        server.enqueue(ndjson(pieces, Duration.ofMillis(20)));

        StepVerifier.create(builder().build().stream(ask("Count")).take(2))
                .expectNextCount(2)
                .verifyComplete();

        assertThat(server.awaitClientGone(Duration.ofSeconds(60))).as("the server saw the connection closed").isTrue();
    }

    // ------------------------------------------------------------------------------------ errors and retries

    @Test
    void aMissingModelFailsAtOnceWithOllamasMessage() {
        server.enqueue(json(404, "{\"error\":\"model \\\"nope\\\" not found, try pulling it first\"}"));

        StepVerifier.create(builder().model("nope").build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isExactlyInstanceOf(ModelException.class)
                            .hasMessageContaining("HTTP 404")
                            .hasMessageContaining("model \"nope\" not found, try pulling it first");
                    assertThat(((ModelException) e).status()).isEqualTo(404);
                    assertThat(((ModelException) e).isRetryable()).isFalse();
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void serverErrorsAreRetriedUntilTheStreamSucceeds() {
        server.enqueue(json(500, "{\"error\":\"llama runner process has terminated: exit status 2\"}"),
                json(503, "{\"error\":\"server busy, please try again.  maximum pending requests exceeded\"}"),
                ndjson(TEXT_STREAM));

        ChatResponse r = assemble(builder().build().stream(ask("Hi")));

        assertThat(r.message().text()).isEqualTo("Hello, wörld € 😀");
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void aServerErrorThatNeverClearsFailsAfterTheRetryBudget() {
        server.otherwise(r -> json(503, "{\"error\":\"server busy\"}"));

        StepVerifier.create(builder().retryPolicy(RetryPolicy.DEFAULT.withMaxRetries(2)
                .withBackoff(Duration.ofMillis(1), Duration.ofMillis(2)))
                .build()
                .stream(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isExactlyInstanceOf(ModelException.class)
                            .hasMessageContaining("HTTP 503: server busy")
                            .hasMessageContaining("gave up after 2 retries");
                    assertThat(((ModelException) e).isRetryable()).isTrue();
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void aCloudUsageLimitFailsAtOnceNamingTheQuota() {
        server.otherwise(r -> json(429, "{\"error\":\"you (someone) have reached your weekly usage limit, upgrade for "
                + "higher limits: https://ollama.com/upgrade\"}"));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isExactlyInstanceOf(ModelException.class)
                            .hasMessageContaining("HTTP 429: you (someone) have reached your weekly usage limit")
                            .hasMessageContaining("quota is exhausted")
                            .hasMessageNotContaining("gave up");
                    assertThat(((ModelException) e).isRetryable()).isFalse();
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void anErrorStatusNeverShowsTheKey() {
        server.enqueue(json(401, "{\"error\":\"invalid token " + KEY + "\"}"));

        StepVerifier.create(builder().apiKey(KEY).build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> assertThat(e).isExactlyInstanceOf(ModelException.class)
                        .hasMessageContaining("HTTP 401: invalid token")
                        .hasMessageNotContaining(KEY))
                .verify(Duration.ofSeconds(30));
    }

    // ------------------------------------------------------------------------------------ the request

    @Test
    void theRequestIsWhatTheChatApiExpects() {
        server.enqueue(ndjson(chunk("ok") + done("stop", 1, 1)));
        var weather = new ToolSpec("get_weather", "Weather for a city",
                JsonValue.parse("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}").asObject());
        var call1 = new ToolCall("call_0", "get_weather", "{\"city\":\"Oslo\",\"days\":[1,2]}");
        var call2 = new ToolCall("call_1", "get_weather", "{\"city\":");
        var call3 = new ToolCall("call_2", "get_weather", "[\"Bergen\"]");
        var request = new ChatRequest(List.of(
                Message.system("Be brief."),
                Message.user("Weather in Oslo and Bergen?"),
                Message.assistant("Checking.", List.of(call1, call2, call3)),
                Message.toolResult(call1, "rain", false),
                Message.toolResult(call2, "arguments were not valid JSON", true),
                Message.toolResult(call3, "arguments must be an object", true),
                Message.user("And tomorrow? ü")),
                List.of(weather), new ChatOptions(100, 0.2, 0.9, List.of("STOP", "END")));

        assemble(builder().build().stream(request));

        FakeHttpServer.Recorded sent = server.lastRequest();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/api/chat");
        assertThat(sent.protocol()).isEqualTo("HTTP/1.1");
        assertThat(sent.header("Upgrade")).isNull();
        assertThat(sent.header("Authorization")).isNull();
        assertThat(sent.header("Content-Type")).isEqualTo("application/json");
        assertThat(sent.header("Accept")).isEqualTo("application/x-ndjson");
        assertThat(JsonValue.parse(sent.body())).isEqualTo(JsonValue.parse("""
                {"model":"qwen3:4b",
                 "messages":[
                   {"role":"system","content":"Be brief."},
                   {"role":"user","content":"Weather in Oslo and Bergen?"},
                   {"role":"assistant","content":"Checking.","tool_calls":[
                      {"function":{"name":"get_weather","arguments":{"city":"Oslo","days":[1,2]}}},
                      {"function":{"name":"get_weather","arguments":{}}},
                      {"function":{"name":"get_weather","arguments":{}}}]},
                   {"role":"tool","tool_name":"get_weather","content":"rain"},
                   {"role":"tool","tool_name":"get_weather","content":"arguments were not valid JSON"},
                   {"role":"tool","tool_name":"get_weather","content":"arguments must be an object"},
                   {"role":"user","content":"And tomorrow? ü"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather for a city",
                           "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
                 "options":{"num_predict":100,"temperature":0.2,"top_p":0.9,"stop":["STOP","END"]},
                 "stream":true}"""));
    }

    @Test
    void optionsAreSentOnlyWhenSet() {
        server.enqueue(ndjson(TEXT_STREAM), ndjson(TEXT_STREAM), ndjson(TEXT_STREAM));

        assemble(builder().build().stream(ask("Hi")));
        assertThat(JsonValue.parse(server.lastRequest().body())).isEqualTo(JsonValue.parse(
                "{\"model\":\"qwen3:4b\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}"));

        assemble(builder().build()
                .stream(new ChatRequest(List.of(Message.user("Hi")), List.of(),
                        ChatOptions.DEFAULTS.withMaxTokens(64))));
        assertThat(body(server.lastRequest()).get("options")).isEqualTo(JsonValue.parse("{\"num_predict\":64}"));

        // The builder's defaults fill what the request leaves open.
        assemble(builder().maxTokens(50)
                .temperature(0.5)
                .topP(0.5)
                .build()
                .stream(new ChatRequest(List.of(Message.user("Hi")), List.of(),
                        ChatOptions.DEFAULTS.withTopP(0.3).withStopSequences(List.of("##")))));
        assertThat(body(server.lastRequest()).get("options")).isEqualTo(JsonValue.parse(
                "{\"num_predict\":50,\"temperature\":0.5,\"top_p\":0.3,\"stop\":[\"##\"]}"));
    }

    @Test
    void structuredOutputSendsTheSchemaAsFormat() {
        server.enqueue(ndjson(chunk("{\"a\":1}") + done("stop", 3, 4)));
        JsonObject schema = JsonValue.parse("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},"
                + "\"required\":[\"a\"],\"additionalProperties\":false}").asObject();
        OllamaChatModel model = builder().build();

        ChatResponse r = assemble(model.stream(new ChatRequest(List.of(Message.user("a?")), List.of(),
                ChatOptions.DEFAULTS.withResponseFormat(new ResponseFormat("A", schema)))));

        assertThat(model.supportsResponseFormat()).isTrue();
        assertThat(r.message().text()).isEqualTo("{\"a\":1}");
        JsonObject body = body(server.lastRequest());
        assertThat(body.get("format")).isEqualTo(schema);
        assertThat(body.has("options")).isFalse();
    }

    @Test
    void aKeyIsSentAsABearerTokenAndNeverShown() {
        server.enqueue(ndjson(TEXT_STREAM));
        OllamaChatModel model = builder().apiKey(KEY).build();

        assemble(model.stream(ask("Hi")));

        assertThat(server.lastRequest().header("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(model.toString()).doesNotContain(KEY).contains("qwen3:4b");
    }

    @Test
    void theKeyAndTheBaseUrlComeFromTheEnvironment() {
        server.enqueue(ndjson(TEXT_STREAM));
        OllamaChatModel model = OllamaChatModel.builder()
                .model("qwen3:4b")
                .environment(name -> switch (name) {
                    case "OLLAMA_API_KEY" -> KEY;
                    case "OLLAMA_BASE_URL" -> server.url();
                    default -> null;
                })
                .build();

        assemble(model.stream(ask("Hi")));

        assertThat(server.lastRequest().header("Authorization")).isEqualTo("Bearer " + KEY);
    }

    @Test
    void ollamaHostInHostPortFormIsTheBaseUrl() {
        server.enqueue(ndjson(TEXT_STREAM));
        String hostPort = server.url().substring("http://".length());
        OllamaChatModel model = OllamaChatModel.builder()
                .model("qwen3:4b")
                .environment(name -> name.equals("OLLAMA_HOST") ? hostPort : null)
                .build();

        assertThat(assemble(model.stream(ask("Hi"))).message().text()).isEqualTo("Hello, wörld € 😀");
        assertThat(server.lastRequest().path()).isEqualTo("/api/chat");
        assertThat(model.toString()).contains("baseUrl=" + server.url());
    }

    @Test
    void ollamaHostAsAUrlOrAsABareHostIsUnderstoodTheWayOllamaDoes() {
        assertThat(withHost("https://ollama.example.com").toString()).contains("baseUrl=https://ollama.example.com]");
        // A bare host means Ollama's port, as for the ollama command itself (OLLAMA_HOST=0.0.0.0 is common).
        assertThat(withHost("0.0.0.0").toString()).contains("baseUrl=http://0.0.0.0:11434]");
        assertThat(withHost("ollama.internal").toString()).contains("baseUrl=http://ollama.internal:11434]");
        assertThat(withHost("[::1]").toString()).contains("baseUrl=http://[::1]:11434]");
        assertThat(withHost(":11500").toString()).contains("baseUrl=http://localhost:11500]");
        assertThat(OllamaChatModel.builder().model("m").environment(n -> null).build().toString())
                .contains("baseUrl=" + OllamaChatModel.DEFAULT_BASE_URL + "]");
    }

    static OllamaChatModel withHost(String host) {
        return OllamaChatModel.builder()
                .model("m")
                .environment(name -> name.equals("OLLAMA_HOST") ? host : null)
                .build();
    }

    @Test
    void buildingReadsTheEnvironmentAgainAndLeavesTheBuilderAsItWas() {
        OllamaChatModel.Builder builder = OllamaChatModel.builder()
                .model("m")
                .environment(n -> n.equals("OLLAMA_HOST") ? "one:1" : null);

        OllamaChatModel first = builder.build();
        OllamaChatModel second = builder.environment(n -> n.equals("OLLAMA_HOST") ? "two:2" : null).build();

        assertThat(first.toString()).contains("baseUrl=http://one:1]");
        assertThat(second.toString()).contains("baseUrl=http://two:2]");
        assertThat(first.toBuilder().model("m2").build().toString()).contains("baseUrl=http://one:1]");
        assertThat(builder.baseUrl(server.url()).build().toString()).contains("baseUrl=" + server.url() + "]");
    }

    @Test
    void aBaseUrlWithAPathKeepsIt() {
        server.enqueue(ndjson(TEXT_STREAM));

        assemble(builder().baseUrl(server.url() + "/ollama/").build().stream(ask("Hi")));

        assertThat(server.lastRequest().path()).isEqualTo("/ollama/api/chat");
    }

    @Test
    void theBuilderRequiresAModel() {
        assertThatThrownBy(() -> OllamaChatModel.builder().environment(n -> null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model is required");
    }

    // ------------------------------------------------------------------------------------ not streamed

    @Test
    void theNonStreamedCallMapsTextToolCallsUsageAndFinishReason() {
        server.enqueue(json(200, """
                {"model":"qwen3:4b","created_at":"2025-01-01T00:00:00Z",
                 "message":{"role":"assistant","content":"Checking.","tool_calls":[
                    {"function":{"name":"get_time","arguments":{"zone":"UTC"}}},
                    {"id":"call_srv","function":{"name":"get_time","arguments":"{\\"zone\\":\\"CET\\"}"}},
                    {"function":{"name":"get_time"}}]},
                 "done":true,"done_reason":"stop","total_duration":123,"load_duration":1,
                 "prompt_eval_count":12,"prompt_eval_duration":1,"eval_count":7,"eval_duration":1}"""));

        ChatResponse r = builder().build().call(ask("time?")).block(Duration.ofSeconds(30));

        assertThat(r).isNotNull();
        assertThat(r.message().text()).isEqualTo("Checking.");
        assertThat(r.message().toolCalls()).containsExactly(new ToolCall("call_0", "get_time", "{\"zone\":\"UTC\"}"),
                new ToolCall("call_srv", "get_time", "{\"zone\":\"CET\"}"), new ToolCall("call_2", "get_time", "{}"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.usage()).isEqualTo(Usage.of(12, 7));
        assertThat(body(server.lastRequest()).get("stream")).isEqualTo(JsonValue.of(false));
        assertThat(server.lastRequest().header("Accept")).isEqualTo("application/json");
    }

    @Test
    void theNonStreamedCallMapsTextAndTheTokenLimit() {
        server.enqueue(json(200, done("length", 9, 30).replace("\"content\":\"\"", "\"content\":\"Once upon\"")));

        ChatResponse r = builder().build().call(ask("A story")).block(Duration.ofSeconds(30));

        assertThat(r).isNotNull();
        assertThat(r.message().text()).isEqualTo("Once upon");
        assertThat(r.message().toolCalls()).isEmpty();
        assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(r.usage()).isEqualTo(Usage.of(9, 30));
    }

    @Test
    void theNonStreamedCallFailsOnAnErrorObjectOrAnUnfinishedReply() {
        server.enqueue(json(200, "{\"error\":\"unexpected server status: llm server loading model\"}"),
                json(200, chunk("partial")), json(404, "{\"error\":\"model \\\"nope\\\" not found\"}"));
        OllamaChatModel model = builder().build();

        StepVerifier.create(model.call(ask("Hi")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("llm server loading model"))
                .verify(Duration.ofSeconds(30));
        StepVerifier.create(model.call(ask("Hi")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("\"done\": true"))
                .verify(Duration.ofSeconds(30));
        StepVerifier.create(model.call(ask("Hi")))
                .expectErrorSatisfies(e -> assertThat(((ModelException) e).status()).isEqualTo(404))
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(3);
    }

    // ------------------------------------------------------------------------------------ in an agent

    static Tool weatherTool(AtomicInteger runs) {
        return Tool.builder("get_weather")
                .description("Weather for a city")
                .parameters(JsonValue.parse("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
                        + "\"days\":{\"type\":\"integer\"}},\"required\":[\"city\"]}").asObject())
                .handler((args, ctx) -> {
                    runs.incrementAndGet();
                    return Mono.just(ToolResult.text("12 degrees in " + args.getString("city").orElseThrow()));
                })
                .build();
    }

    @Test
    void aFullAgentTaskCallsAToolAndAnswers() {
        server.enqueue(ndjson(chunk("Let me check.")
                + toolCalls("""
                        [{"function":{"name":"get_weather","arguments":{"city":"Oslo \\"O\\" é 😀"}}},\
                        {"function":{"name":"get_time","arguments":{}}}]""")
                + done("stop", 400, 20)), ndjson(chunk("It is 12 degrees.") + done("stop", 450, 8)));
        var runs = new AtomicInteger();
        Agent agent = Agent.builder()
                .model(builder().build())
                .instructions("Be brief.")
                .tools(weatherTool(runs))
                .build();

        AgentResult result = agent.task("Weather in Oslo?").executeBlocking();

        assertThat(result.text()).isEqualTo("It is 12 degrees.");
        assertThat(runs).hasValue(1);
        assertThat(result.usage()).isEqualTo(Usage.of(850, 28));
        assertThat(body(server.requests().get(0)).getArray("tools").orElseThrow().items())
                .extracting(t -> t.asObject().getObject("function").orElseThrow().getString("name").orElseThrow())
                .containsExactly("get_weather");
        // The second request carries the calls (arguments as objects) and one "tool" message per call, in order;
        // the unknown tool is answered with an error naming the real one.
        JsonArray messages = body(server.requests().get(1)).getArray("messages").orElseThrow();
        assertThat(messages.items()).extracting(m -> m.asObject().getString("role").orElseThrow())
                .containsExactly("system", "user", "assistant", "tool", "tool");
        JsonObject assistant = messages.get(2).asObject();
        assertThat(assistant.getString("content")).contains("Let me check.");
        assertThat(assistant.get("tool_calls")).isEqualTo(JsonValue.parse("""
                [{"function":{"name":"get_weather","arguments":{"city":"Oslo \\"O\\" é 😀"}}},
                 {"function":{"name":"get_time","arguments":{}}}]"""));
        JsonObject weather = messages.get(3).asObject();
        assertThat(weather.getString("tool_name")).contains("get_weather");
        assertThat(weather.getString("content")).contains("12 degrees in Oslo \"O\" é 😀");
        JsonObject time = messages.get(4).asObject();
        assertThat(time.getString("tool_name")).contains("get_time");
        assertThat(time.getString("content").orElseThrow()).contains("get_weather");
    }

    // ------------------------------------------------------------------------------------ the contract

    @Nested
    class Contract extends ChatModelContract {
        @Override
        protected ChatModel model() {
            server.otherwise(r -> {
                JsonObject body = JsonValue.parse(r.body()).asObject();
                boolean tools = body.has("tools");
                boolean stream = body.getBoolean("stream").orElse(true);
                if (stream) {
                    return ndjson(tools
                            ? toolCalls("[{\"function\":{\"name\":\"get_time\",\"arguments\":{}}}]")
                                    + done("stop", 1, 1)
                            : TEXT_STREAM);
                }
                return json(200, tools
                        ? toolCalls("[{\"function\":{\"name\":\"get_time\",\"arguments\":{}}}]")
                                .replace("\"done\":false", "\"done\":true,\"done_reason\":\"stop\"")
                        : done("stop", 1, 1).replace("\"content\":\"\"", "\"content\":\"Hello\""));
            });
            return builder().build();
        }
    }
}
