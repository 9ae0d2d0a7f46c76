package dev.agentrt.core.model.bedrock;

import static dev.agentrt.core.model.bedrock.ConverseWire.concat;
import static dev.agentrt.core.model.bedrock.ConverseWire.event;
import static dev.agentrt.core.model.bedrock.ConverseWire.eventStream;
import static dev.agentrt.core.model.bedrock.ConverseWire.exception;
import static dev.agentrt.core.testing.FakeHttpServer.Responder.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

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
import dev.agentrt.core.model.RetryPolicy;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.testing.FakeHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * BedrockChatModel against a Converse server on 127.0.0.1 that checks the SigV4 signature of every
 * request it receives (recomputed from the request as received) and answers in the Converse wire
 * format: JSON for {@code /converse}, AWS event streams for {@code /converse-stream}.
 */
class BedrockChatModelTest {
    static final String KEY_ID = "AKIDEXAMPLE";
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    static final String MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    static final String MODEL_PATH = "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0";

    /** Text in three pieces, then two tool calls in parallel, their inputs split mid-key and mid-escape. */
    static final byte[] TOOL_STREAM = concat(event("messageStart", "{\"role\":\"assistant\",\"p\":\"abc\"}"),
            event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Let me \"}}"),
            event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"check é \uD83D\uDE00\"}}"),
            event("contentBlockStop", "{\"contentBlockIndex\":0}"),
            event("contentBlockStart", "{\"contentBlockIndex\":1,\"start\":{\"toolUse\":"
                    + "{\"toolUseId\":\"tooluse_a\",\"name\":\"get_weather\"}}}"),
            event("contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":\"{\\\"loc\"}}}"),
            event("contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":"
                    + "\"ation\\\": \\\"Paris \\\\\\\"FR\"}}}"),
            event("contentBlockStart", "{\"contentBlockIndex\":2,\"start\":{\"toolUse\":"
                    + "{\"toolUseId\":\"tooluse_b\",\"name\":\"get_time\"}}}"),
            event("contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":"
                    + "\"\\\\\\\"\\\"}\"}}}"),
            event("contentBlockDelta", "{\"contentBlockIndex\":2,\"delta\":{\"toolUse\":{\"input\":\"{}\"}}}"),
            event("contentBlockStop", "{\"contentBlockIndex\":1}"),
            event("contentBlockStop", "{\"contentBlockIndex\":2}"),
            event("someFutureEvent", "{\"whatever\":[1,2]}"),
            event("messageStop", "{\"stopReason\":\"tool_use\"}"),
            event("metadata", "{\"usage\":{\"inputTokens\":400,\"outputTokens\":89,\"totalTokens\":1689,"
                    + "\"cacheReadInputTokens\":1000,\"cacheWriteInputTokens\":200},\"metrics\":{\"latencyMs\":9}}"));

    final FakeHttpServer server = FakeHttpServer.start();
    final List<String> badSignatures = new ArrayList<>();

    @AfterEach
    void stop() {
        server.close();
        assertThat(badSignatures).as("requests whose signature did not verify").isEmpty();
    }

    /** Answers from the queue only after checking the request's signature; records every failure. */
    FakeHttpServer.Responder checked(FakeHttpServer.Responder then) {
        return ex -> {
            // The recorded request this exchange is (requests may run concurrently).
            String authorization = ex.getRequestHeaders().getFirst("Authorization");
            FakeHttpServer.Recorded r = server.requests()
                    .reversed()
                    .stream()
                    .filter(q -> java.util.Objects.equals(q.header("Authorization"), authorization))
                    .findFirst()
                    .orElseThrow();
            String problem = ConverseWire.signatureProblem(r, KEY_ID, SECRET, "us-east-1");
            if (problem != null) {
                synchronized (badSignatures) {
                    badSignatures.add(problem);
                }
                json(403, "{\"message\":\"The request signature we calculated does not match\"}").respond(ex);
                return;
            }
            then.respond(ex);
        };
    }

    /** Costs off (the wire tests compare usage exactly); {@link #repliesAreCostedAtBedrocksPriceForTheModel} turns them on. */
    BedrockChatModel.Builder builder() {
        return BedrockChatModel.builder()
                .model(MODEL)
                .region("us-east-1")
                .credentials(KEY_ID, SECRET)
                .baseUrl(server.url())
                .environment(name -> null)
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

    static ToolSpec tool(String name) {
        return new ToolSpec(name, "Looks up " + name, JsonValue.parse("{\"type\":\"object\",\"properties\":{"
                + "\"location\":{\"type\":\"string\"}}}").asObject());
    }

    // ------------------------------------------------------------------------------------ streams

    @Test
    void streamsTextToTheConverseStreamEndpointWithASignedRequest() {
        server.enqueue(checked(eventStream(ConverseWire.textStream("Hello, wörld € 😀", "end_turn"),
                "x-amzn-RequestId", "req-1")));

        ChatResponse r = assemble(builder().build().stream(ask("Hi")));

        assertThat(r.message().text()).isEqualTo("Hello, wörld € 😀");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.usage()).isEqualTo(new Usage(10, 5, 0, 0, 0));
        FakeHttpServer.Recorded request = server.lastRequest();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo(MODEL_PATH + "/converse-stream");
        assertThat(request.header("Accept")).isEqualTo("application/vnd.amazon.eventstream");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("X-Amz-Security-Token")).isNull();
        assertThat(JsonValue.parse(request.body()))
                .isEqualTo(JsonValue.parse("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}]}"));
    }

    @Test
    void parallelToolCallsAssembleWithTheirIdsNamesAndSplitInputs() {
        server.enqueue(checked(eventStream(TOOL_STREAM)));

        ChatResponse r = assemble(builder().build()
                .stream(new ChatRequest(List.of(Message.user("Weather?")),
                        List.of(tool("get_weather"), tool("get_time")), ChatOptions.DEFAULTS)));

        assertThat(r.message().text()).isEqualTo("Let me check é \uD83D\uDE00");
        assertThat(r.message().toolCalls())
                .extracting(ToolCall::id, ToolCall::name, c -> JsonValue.parse(c.arguments()))
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("tooluse_a", "get_weather",
                                JsonValue.parse("{\"location\": \"Paris \\\"FR\\\"\"}")),
                        org.assertj.core.groups.Tuple.tuple("tooluse_b", "get_time", JsonObject.EMPTY));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        // Converse counts cache reads and writes apart from inputTokens; the SPI's input includes them.
        assertThat(r.usage()).isEqualTo(new Usage(1600, 89, 1000, 200, 0));
        JsonObject body = JsonValue.parse(server.lastRequest().body()).asObject();
        assertThat(body.get("toolConfig")).isEqualTo(JsonValue.parse("{\"tools\":["
                + "{\"toolSpec\":{\"name\":\"get_weather\",\"description\":\"Looks up get_weather\",\"inputSchema\":"
                + "{\"json\":{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"}}}}}},"
                + "{\"toolSpec\":{\"name\":\"get_time\",\"description\":\"Looks up get_time\",\"inputSchema\":"
                + "{\"json\":{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"}}}}}}]}"));
    }

    @Test
    void theSameEventsArriveWhereverTheStreamIsCut() {
        BedrockChatModel model = builder().build();
        List<ChatEvent> whole = model.replay(Flux.just(ByteBuffer.wrap(TOOL_STREAM))).collectList().block();
        assertThat(whole).isNotEmpty();
        for (int cut = 1; cut < TOOL_STREAM.length; cut++) {
            var pieces = Flux.just(ByteBuffer.wrap(Arrays.copyOfRange(TOOL_STREAM, 0, cut)),
                    ByteBuffer.wrap(Arrays.copyOfRange(TOOL_STREAM, cut, TOOL_STREAM.length)));
            assertThat(merged(model.replay(pieces).collectList().block())).as("cut at %d", cut)
                    .isEqualTo(merged(whole));
        }
        var bytes = new ArrayList<ByteBuffer>();
        for (byte b : TOOL_STREAM) {
            bytes.add(ByteBuffer.wrap(new byte[]{b}));
        }
        assertThat(model.replay(Flux.fromIterable(bytes)).collectList().block()).isEqualTo(whole);

        // And live, one byte per flushed chunk.
        server.enqueue(checked(ConverseWire.eventStreamByteByByte(TOOL_STREAM)));
        assertThat(model.stream(ask("Weather?")).collectList().block(Duration.ofSeconds(30))).isEqualTo(whole);
    }

    /** Text deltas are cut where the chunks are: compare the text joined, the other events as they are. */
    private static List<Object> merged(List<ChatEvent> events) {
        var out = new ArrayList<Object>();
        var text = new StringBuilder();
        for (ChatEvent e : events) {
            if (e instanceof ChatEvent.TextDelta d) {
                text.append(d.text());
            } else {
                out.add(e);
            }
        }
        out.add(text.toString());
        return out;
    }

    @ParameterizedTest
    @CsvSource({"end_turn,STOP", "tool_use,TOOL_CALLS", "max_tokens,LENGTH", "stop_sequence,STOP_SEQUENCE",
            "guardrail_intervened,CONTENT_FILTER", "content_filtered,CONTENT_FILTER",
            "model_context_window_exceeded,LENGTH", "something_new,OTHER"})
    void stopReasonsMapToFinishReasons(String stopReason, FinishReason expected) {
        server.enqueue(checked(eventStream(ConverseWire.textStream("x", stopReason))));
        assertThat(assemble(builder().build().stream(ask("Hi"))).finishReason()).isEqualTo(expected);
    }

    @Test
    void aStreamThatEndsAfterMessageStopWithoutMetadataStillFinishes() {
        server.enqueue(checked(eventStream(concat(event("messageStart", "{\"role\":\"assistant\"}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"ok\"}}"),
                event("messageStop", "{\"stopReason\":\"end_turn\"}")))));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectNext(ChatEvent.text("ok"), ChatEvent.finish(FinishReason.STOP))
                .verifyComplete();
    }

    // ------------------------------------------------------------------------------------ the request

    @Test
    void aConversationWithToolResultsGoesBackAsAlternatingConverseTurns() {
        server.enqueue(checked(eventStream(ConverseWire.textStream("Sunny.", "end_turn"))));
        var weather = new ToolCall("tooluse_a", "get_weather", "{\"location\":\"Paris\"}");
        var time = new ToolCall("tooluse_b", "get_time", "not json");
        var request = new ChatRequest(List.of(Message.system("Be brief."), Message.system("Use tools."),
                Message.user("Weather and time?"), Message.assistant("Checking.", List.of(weather, time)),
                Message.toolResult(weather, "18 °C", false), Message.toolResult(time, "", true)),
                List.of(tool("get_weather"), tool("get_time")),
                new ChatOptions(256, 0.5, 0.9, List.of("STOP")));

        assertThat(assemble(builder().build().stream(request)).message().text()).isEqualTo("Sunny.");

        JsonObject body = JsonValue.parse(server.lastRequest().body()).asObject();
        assertThat(body.get("system"))
                .isEqualTo(JsonValue.parse("[{\"text\":\"Be brief.\"},{\"text\":\"Use tools.\"}]"));
        assertThat(body.get("messages")).isEqualTo(JsonValue.parse("""
                [{"role":"user","content":[{"text":"Weather and time?"}]},
                 {"role":"assistant","content":[{"text":"Checking."},
                   {"toolUse":{"toolUseId":"tooluse_a","name":"get_weather","input":{"location":"Paris"}}},
                   {"toolUse":{"toolUseId":"tooluse_b","name":"get_time","input":{}}}]},
                 {"role":"user","content":[
                   {"toolResult":{"toolUseId":"tooluse_a","content":[{"text":"18 °C"}]}},
                   {"toolResult":{"toolUseId":"tooluse_b","content":[{"text":"(no output)"}],"status":"error"}}]}]
                """));
        assertThat(body.get("inferenceConfig")).isEqualTo(
                JsonValue.parse("{\"maxTokens\":256,\"temperature\":0.5,\"topP\":0.9,\"stopSequences\":[\"STOP\"]}"));
    }

    @Test
    void callUsesTheConverseEndpointAndReadsTheWholeReply() {
        server.enqueue(checked(json(200, """
                {"output":{"message":{"role":"assistant","content":[{"text":"Let me look."},
                  {"toolUse":{"toolUseId":"tooluse_1","name":"get_weather","input":{"location":"Oslo"}}},
                  {"toolUse":{"toolUseId":"tooluse_1","name":"get_time","input":{}}}]}},
                 "stopReason":"tool_use",
                 "usage":{"inputTokens":12,"outputTokens":7,"totalTokens":29,"cacheReadInputTokens":10},
                 "metrics":{"latencyMs":300}}""")));

        ChatResponse r = builder().build().call(ask("Weather in Oslo?")).block(Duration.ofSeconds(30));

        assertThat(r).isNotNull();
        assertThat(server.lastRequest().path()).isEqualTo(MODEL_PATH + "/converse");
        assertThat(r.message().text()).isEqualTo("Let me look.");
        assertThat(r.message().toolCalls()).extracting(ToolCall::name).containsExactly("get_weather", "get_time");
        // Ids that repeat are made unique.
        assertThat(r.message().toolCalls()).extracting(ToolCall::id).doesNotHaveDuplicates();
        assertThat(JsonValue.parse(r.message().toolCalls().get(0).arguments()))
                .isEqualTo(JsonValue.parse("{\"location\":\"Oslo\"}"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.usage()).isEqualTo(new Usage(22, 7, 10, 0, 0));
    }

    @Test
    void temporaryCredentialsSendAndSignTheSessionToken() {
        server.enqueue(checked(eventStream(ConverseWire.textStream("ok", "end_turn"))));

        assemble(builder().credentials(KEY_ID, SECRET, "session-token-123").build().stream(ask("Hi")));

        FakeHttpServer.Recorded r = server.lastRequest();
        assertThat(r.header("X-Amz-Security-Token")).isEqualTo("session-token-123");
        assertThat(r.header("Authorization")).contains("SignedHeaders=host;x-amz-date;x-amz-security-token,");
    }

    @Test
    void aBedrockApiKeyIsSentAsABearerTokenWithoutASignature() {
        server.enqueue(eventStream(ConverseWire.textStream("ok", "end_turn")));

        BedrockChatModel model = BedrockChatModel.builder()
                .model(MODEL)
                .region("us-east-1")
                .apiKey("bedrock-api-key-0123456789")
                .baseUrl(server.url())
                .environment(name -> null)
                .build();
        assemble(model.stream(ask("Hi")));

        assertThat(server.lastRequest().header("Authorization")).isEqualTo("Bearer bedrock-api-key-0123456789");
        assertThat(server.lastRequest().header("X-Amz-Date")).isNull();
        assertThat(model.toString()).doesNotContain("bedrock-api-key").contains(MODEL);
    }

    // ------------------------------------------------------------------------------------ failures

    @Test
    void anExceptionInTheStreamIsAModelExceptionRetryableWhenItsKindMayPass() {
        byte[] start = concat(event("messageStart", "{\"role\":\"assistant\"}"),
                event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hel\"}}"));
        server.enqueue(checked(eventStream(concat(start, exception("throttlingException", "Too many tokens")))));
        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectNext(ChatEvent.text("Hel"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessage("Bedrock sent throttlingException during the reply: Too many tokens")
                        .satisfies(m -> assertThat(((ModelException) m).isRetryable()).isTrue()))
                .verify(Duration.ofSeconds(30));

        server.enqueue(checked(eventStream(concat(start, exception("validationException", "Bad input")))));
        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectNext(ChatEvent.text("Hel"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("validationException")
                        .hasMessageContaining("Bad input")
                        .satisfies(m -> assertThat(((ModelException) m).isRetryable()).isFalse()))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void aMessageWithABadChecksumIsAnInvalidReply() {
        byte[] good = ConverseWire.textStream("Hello", "end_turn");
        byte[] bad = good.clone();
        bad[30] ^= 0x01; // inside the first message's headers: its message CRC no longer matches
        server.enqueue(checked(eventStream(bad)));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("checksum does not match")
                        .satisfies(m -> assertThat(((ModelException) m).isRetryable()).isFalse()))
                .verify(Duration.ofSeconds(30));

        byte[] badPrelude = good.clone();
        badPrelude[9] ^= 0x01; // the prelude's own CRC
        server.enqueue(checked(eventStream(badPrelude)));
        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectErrorMessage("Bedrock: an event-stream message's prelude checksum does not match"
                        + " (declared length " + ConverseWire.event("messageStart",
                                "{\"role\":\"assistant\",\"p\":\"abcdefgh\"}").length
                        + "); the stream is corrupt")
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void aStreamCutInsideAMessageIsABrokenReply() {
        byte[] whole = ConverseWire.textStream("Hello", "end_turn");
        server.enqueue(checked(eventStream(Arrays.copyOf(whole, whole.length - 7))));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .thenConsumeWhile(e -> !(e instanceof ChatEvent.Finish))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("the stream ended inside a message")
                        .satisfies(m -> assertThat(((ModelException) m).isRetryable()).isTrue()))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void aMessageDeclaringMoreThanTheLimitFailsAtItsPreludeWithoutWaitingForIt() {
        // A prelude (with a valid CRC) that announces 64 MiB, and nothing after it: the decoder must
        // refuse it at once, neither allocating it nor waiting for bytes that never come.
        var prelude = java.nio.ByteBuffer.allocate(12).putInt(64 * 1024 * 1024).putInt(0);
        var crc = new java.util.zip.CRC32();
        crc.update(prelude.array(), 0, 8);
        prelude.putInt((int) crc.getValue());
        var release = new java.util.concurrent.CountDownLatch(1);
        server.enqueue(checked(ex -> {
            ex.getResponseHeaders().set("Content-Type", "application/vnd.amazon.eventstream");
            ex.sendResponseHeaders(200, 0);
            ex.getResponseBody().write(prelude.array());
            ex.getResponseBody().flush();
            release.await(30, java.util.concurrent.TimeUnit.SECONDS);
        }));

        try {
            StepVerifier.create(builder().inactivityTimeout(Duration.ofSeconds(60)).build().stream(ask("Hi")))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                            .hasMessageContaining("declares 67108864 bytes, more than the limit of 16777216"))
                    .verify(Duration.ofSeconds(30));
        } finally {
            release.countDown();
        }
    }

    @Test
    void throttlingAndServerErrorsAreRetriedAndEachAttemptIsSignedAnew() {
        server.enqueue(checked(json(429, "{\"message\":\"Too many requests, please wait before trying again.\"}",
                "x-amzn-ErrorType", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/")),
                checked(json(503, "{\"message\":\"Service unavailable\"}")),
                checked(eventStream(ConverseWire.textStream("ok", "end_turn"))));

        assertThat(assemble(builder().build().stream(ask("Hi"))).message().text()).isEqualTo("ok");
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void aValidationErrorIsNotRetriedAndCarriesTheServicesMessageAndRequestId() {
        server.enqueue(checked(json(400, "{\"message\":\"The provided model identifier is invalid.\"}",
                "x-amzn-RequestId", "0f8e-req")));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ModelException.class)
                            .hasMessageContaining(
                                    "Bedrock returned HTTP 400: The provided model identifier is invalid.");
                    ModelException m = (ModelException) e;
                    assertThat(m.isRetryable()).isFalse();
                    assertThat(m.status()).isEqualTo(400);
                    assertThat(m.requestId()).isEqualTo("0f8e-req");
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void theSecretKeyAndSessionTokenNeverAppearInAMessage() {
        server.enqueue(checked(json(403, "{\"message\":\"bad key " + SECRET + " / token tok-secret-999\"}")));

        StepVerifier.create(builder().credentials(KEY_ID, SECRET, "tok-secret-999").build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET)
                        .doesNotContain("tok-secret-999")
                        .contains("[redacted]"))
                .verify(Duration.ofSeconds(30));
    }

    // ------------------------------------------------------------------------------------ costs

    @Test
    void repliesAreCostedAtBedrocksPriceForTheModel() {
        // us.anthropic.claude-sonnet-4-5: a regional profile, at 1.1 times Anthropic's $3 / $15.
        server.enqueue(checked(eventStream(TOOL_STREAM)));
        ChatResponse r = assemble(builder().price(null).build().stream(ask("Hi")));
        double expected = (400 * 3.3 + 1000 * 0.33 + 200 * 4.125 + 89 * 16.5) / 1e6;
        assertThat(r.usage().cost()).isCloseTo(expected, offset(1e-12));
    }

    // ------------------------------------------------------------------------------------ the contract

    @Nested
    class Contract extends ChatModelContract {
        @Override
        protected ChatModel model() {
            server.otherwise(r -> {
                JsonObject body = JsonValue.parse(r.body()).asObject();
                boolean tools = body.has("toolConfig");
                if (r.path().endsWith("/converse-stream")) {
                    return checked(eventStream(tools
                            ? ConverseWire.toolStream("tooluse_c", "get_time", List.of("{}"))
                            : ConverseWire.textStream("Hello", "end_turn")));
                }
                return checked(json(200, tools
                        ? "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"toolUse\":"
                                + "{\"toolUseId\":\"tooluse_c\",\"name\":\"get_time\",\"input\":{}}}]}},"
                                + "\"stopReason\":\"tool_use\",\"usage\":{\"inputTokens\":1,\"outputTokens\":1}}"
                        : "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\"Hello\"}]}},"
                                + "\"stopReason\":\"end_turn\",\"usage\":{\"inputTokens\":1,\"outputTokens\":1}}"));
            });
            return builder().build();
        }
    }
}
