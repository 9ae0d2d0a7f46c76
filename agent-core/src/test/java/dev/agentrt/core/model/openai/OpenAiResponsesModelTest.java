package dev.agentrt.core.model.openai;

import static dev.agentrt.core.model.openai.OpenAiChatModelTest.KEY;
import static dev.agentrt.core.model.openai.OpenAiChatModelTest.ask;
import static dev.agentrt.core.model.openai.OpenAiChatModelTest.assemble;
import static dev.agentrt.core.model.openai.OpenAiChatModelTest.weatherTool;
import static dev.agentrt.core.testing.FakeHttpServer.Responder.json;
import static dev.agentrt.core.testing.FakeHttpServer.Responder.sse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.ModelException;
import dev.agentrt.core.contract.ChatModelContract;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Responses API client against a server on 127.0.0.1 that streams the semantic events as the
 * API reference documents them (named events, each data object with its {@code type} and
 * {@code sequence_number}).
 */
class OpenAiResponsesModelTest {
    static final String ENCRYPTED_1 = "gAAAAABo3T1XyQ2x-sealed+reasoning/one==";
    static final String ENCRYPTED_2 = "gAAAAABo3T1ZzZ9-sealed+reasoning/two==";

    final FakeHttpServer server = FakeHttpServer.start();

    @AfterEach
    void stop() {
        server.close();
    }

    /** Writes a stream event by event, numbering them as the API does. */
    static final class Events {
        private final StringBuilder out = new StringBuilder();
        private int sequence;

        Events event(String type, String fields) {
            out.append("event: ")
                    .append(type)
                    .append("\ndata: {\"type\":\"")
                    .append(type)
                    .append("\",\"sequence_number\":")
                    .append(sequence++)
                    .append(fields.isEmpty() ? "" : "," + fields)
                    .append("}\n\n");
            return this;
        }

        Events created(String id) {
            String response = response(id, "in_progress", "[]", "null");
            return event("response.created", "\"response\":" + response)
                    .event("response.in_progress", "\"response\":" + response);
        }

        Events message(int index, String id, String... deltas) {
            event("response.output_item.added", "\"output_index\":" + index + ",\"item\":{\"id\":\"" + id
                    + "\",\"type\":\"message\",\"status\":\"in_progress\",\"content\":[],\"role\":\"assistant\"}");
            event("response.content_part.added", "\"item_id\":\"" + id + "\",\"output_index\":" + index
                    + ",\"content_index\":0,\"part\":{\"type\":\"output_text\",\"annotations\":[],\"text\":\"\"}");
            for (String d : deltas) {
                event("response.output_text.delta", "\"item_id\":\"" + id + "\",\"output_index\":" + index
                        + ",\"content_index\":0,\"delta\":" + quote(d) + ",\"logprobs\":[]");
            }
            String text = quote(String.join("", deltas));
            event("response.output_text.done", "\"item_id\":\"" + id + "\",\"output_index\":" + index
                    + ",\"content_index\":0,\"text\":" + text + ",\"logprobs\":[]");
            event("response.content_part.done", "\"item_id\":\"" + id + "\",\"output_index\":" + index
                    + ",\"content_index\":0,\"part\":{\"type\":\"output_text\",\"annotations\":[],\"text\":" + text
                    + "}");
            return event("response.output_item.done", "\"output_index\":" + index + ",\"item\":{\"id\":\"" + id
                    + "\",\"type\":\"message\",\"status\":\"completed\",\"content\":[{\"type\":\"output_text\","
                    + "\"annotations\":[],\"text\":" + text + "}],\"role\":\"assistant\"}");
        }

        Events callAdded(int index, String id, String callId, String name) {
            return event("response.output_item.added", "\"output_index\":" + index + ",\"item\":{\"id\":\"" + id
                    + "\",\"type\":\"function_call\",\"status\":\"in_progress\",\"arguments\":\"\",\"call_id\":\""
                    + callId + "\",\"name\":\"" + name + "\"}");
        }

        Events arguments(int index, String id, String delta) {
            return event("response.function_call_arguments.delta", "\"item_id\":\"" + id + "\",\"output_index\":"
                    + index + ",\"delta\":" + quote(delta));
        }

        Events callDone(int index, String id, String callId, String name, String arguments) {
            event("response.function_call_arguments.done", "\"item_id\":\"" + id + "\",\"output_index\":" + index
                    + ",\"arguments\":" + quote(arguments));
            return event("response.output_item.done", "\"output_index\":" + index + ",\"item\":{\"id\":\"" + id
                    + "\",\"type\":\"function_call\",\"status\":\"completed\",\"arguments\":" + quote(arguments)
                    + ",\"call_id\":\"" + callId + "\",\"name\":\"" + name + "\"}");
        }

        /** A reasoning item whose summary parts stream one delta list each, then the sealed item. */
        Events reasoning(int index, String id, String encrypted, List<List<String>> parts) {
            event("response.output_item.added", "\"output_index\":" + index + ",\"item\":{\"id\":\"" + id
                    + "\",\"type\":\"reasoning\",\"summary\":[]}");
            var summary = new ArrayList<String>();
            for (int p = 0; p < parts.size(); p++) {
                String fields = "\"item_id\":\"" + id + "\",\"output_index\":" + index + ",\"summary_index\":" + p;
                event("response.reasoning_summary_part.added",
                        fields + ",\"part\":{\"type\":\"summary_text\",\"text\":\"\"}");
                for (String d : parts.get(p)) {
                    event("response.reasoning_summary_text.delta", fields + ",\"delta\":" + quote(d));
                }
                String text = quote(String.join("", parts.get(p)));
                event("response.reasoning_summary_text.done", fields + ",\"text\":" + text);
                event("response.reasoning_summary_part.done",
                        fields + ",\"part\":{\"type\":\"summary_text\",\"text\":" + text + "}");
                summary.add("{\"type\":\"summary_text\",\"text\":" + text + "}");
            }
            return event("response.output_item.done", "\"output_index\":" + index + ",\"item\":{\"id\":\"" + id
                    + "\",\"type\":\"reasoning\",\"summary\":[" + String.join(",", summary) + "],"
                    + "\"encrypted_content\":" + quote(encrypted) + "}");
        }

        Events completed(String id, long input, long cached, long output, long reasoning) {
            return event("response.completed", "\"response\":"
                    + response(id, "completed", "[]", usage(input, cached, output, reasoning)));
        }

        String build() {
            return out.toString();
        }
    }

    static String quote(String text) {
        return JsonValue.of(text).toJson();
    }

    static String usage(long input, long cached, long output, long reasoning) {
        return "{\"input_tokens\":" + input + ",\"input_tokens_details\":{\"cached_tokens\":" + cached + "},"
                + "\"output_tokens\":" + output + ",\"output_tokens_details\":{\"reasoning_tokens\":" + reasoning
                + "},\"total_tokens\":" + (input + output) + "}";
    }

    static String response(String id, String status, String output, String usage) {
        return "{\"id\":\"" + id + "\",\"object\":\"response\",\"created_at\":1741476777,\"status\":\"" + status
                + "\",\"error\":null,\"incomplete_details\":null,\"model\":\"gpt-5-mini-2025-08-07\",\"output\":"
                + output + ",\"parallel_tool_calls\":true,\"store\":false,\"usage\":" + usage + "}";
    }

    static final String TEXT_STREAM = new Events().created("resp_text")
            .message(0, "msg_1", "Hello", ", wörld € ", "😀")
            .completed("resp_text", 40, 10, 15, 0)
            .build();

    /** Two calls whose argument deltas interleave, split mid-key and mid-string. */
    static final String PARALLEL_STREAM = new Events().created("resp_par")
            .callAdded(0, "fc_1", "call_a", "get_weather")
            .arguments(0, "fc_1", "{\"loc")
            .callAdded(1, "fc_2", "call_b", "get_weather")
            .arguments(1, "fc_2", "{\"location\"")
            .arguments(0, "fc_1", "ation\": \"Os")
            .arguments(1, "fc_2", ": \"Ber")
            .arguments(0, "fc_1", "lo\"}")
            .callDone(0, "fc_1", "call_a", "get_weather", "{\"location\": \"Oslo\"}")
            .arguments(1, "fc_2", "gen\"}")
            .callDone(1, "fc_2", "call_b", "get_weather", "{\"location\": \"Bergen\"}")
            .completed("resp_par", 50, 0, 20, 0)
            .build();

    /** Reasoning with a two-part summary, sealed, then a function call: a reasoning model's tool turn. */
    static final String REASONING_TOOL_STREAM = new Events().created("resp_1")
            .reasoning(0, "rs_1", ENCRYPTED_1, List.of(List.of("**Weather** for ", "SF — \"é\" 😀."),
                    List.of("Call get_weather.")))
            .callAdded(1, "fc_1", "call_w", "get_weather")
            .arguments(1, "fc_1", "{\"location\":")
            .arguments(1, "fc_1", "\"SF\"}")
            .callDone(1, "fc_1", "call_w", "get_weather", "{\"location\":\"SF\"}")
            .completed("resp_1", 120, 0, 80, 64)
            .build();

    /** After the tool result: more reasoning, then the answer. */
    static final String REASONING_ANSWER_STREAM = new Events().created("resp_2")
            .reasoning(0, "rs_2", ENCRYPTED_2, List.of(List.of("12 degrees; answer briefly.")))
            .message(1, "msg_2", "It is ", "12 degrees.")
            .completed("resp_2", 200, 100, 20, 8)
            .build();

    static final Reasoning FIRST_THOUGHT = new Reasoning("openai",
            "**Weather** for SF — \"é\" 😀.\n\nCall get_weather.", null, ENCRYPTED_1, "rs_1");
    static final Reasoning SECOND_THOUGHT = new Reasoning("openai", "12 degrees; answer briefly.", null,
            ENCRYPTED_2, "rs_2");

    /** Costs off (usage is compared exactly); the cost test turns them on. */
    OpenAiResponsesModel.Builder builder() {
        return OpenAiResponsesModel.builder()
                .model("gpt-5-mini")
                .apiKey(KEY)
                .baseUrl(server.url() + "/v1")
                .retryPolicy(RetryPolicy.DEFAULT.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5)))
                .inactivityTimeout(Duration.ofSeconds(10))
                .price(ModelPrice.FREE);
    }

    JsonObject body(int request) {
        return JsonValue.parse(server.requests().get(request).body()).asObject();
    }

    static String textStream(String text) {
        return new Events().created("resp_t").message(0, "msg_t", text).completed("resp_t", 10, 0, 5, 0).build();
    }

    static String callStream(String responseId, String callId) {
        return new Events().created(responseId)
                .callAdded(0, "fc_" + callId, callId, "get_time")
                .arguments(0, "fc_" + callId, "{}")
                .callDone(0, "fc_" + callId, callId, "get_time", "{}")
                .completed(responseId, 10, 0, 5, 0)
                .build();
    }

    // ------------------------------------------------------------------------------------ streams

    @Test
    void streamsTextThenUsageWithCachedTokensThenExactlyOneFinish() {
        server.enqueue(sse(TEXT_STREAM));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectNext(ChatEvent.text("Hello"), ChatEvent.text(", wörld € "), ChatEvent.text("😀"))
                .expectNext(new ChatEvent.UsageReport(new Usage(40, 15, 10, 0, 0, 0)))
                .expectNext(new ChatEvent.Finish(FinishReason.STOP, "resp_text", "gpt-5-mini-2025-08-07"))
                .verifyComplete();

        FakeHttpServer.Recorded sent = server.lastRequest();
        assertThat(sent.path()).isEqualTo("/v1/responses");
        assertThat(sent.header("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(sent.header("Accept")).isEqualTo("text/event-stream");
    }

    @Test
    void parallelFunctionCallsWhoseArgumentDeltasInterleaveAreAssembledPerOutputItem() {
        server.enqueue(sse(PARALLEL_STREAM));

        ChatResponse r = assemble(builder().build().stream(ask("Oslo and Bergen?")));

        assertThat(r.message().toolCalls()).containsExactly(
                new ToolCall("call_a", "get_weather", "{\"location\": \"Oslo\"}"),
                new ToolCall("call_b", "get_weather", "{\"location\": \"Bergen\"}"));
        assertThat(r.message().text()).isEmpty();
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.usage()).isEqualTo(Usage.of(50, 20));
    }

    @Test
    void argumentsSentOnlyWhenTheCallIsDoneAreTakenFromThere() {
        // A server that streams no argument deltas: the .done event carries them, the finished item repeats them.
        server.enqueue(sse(new Events().created("resp_d")
                .callAdded(0, "fc_1", "call_d", "get_weather")
                .callDone(0, "fc_1", "call_d", "get_weather", "{\"location\":\"Oslo\"}")
                .completed("resp_d", 1, 0, 1, 0)
                .build()));

        assertThat(assemble(builder().build().stream(ask("x"))).message().toolCalls())
                .containsExactly(new ToolCall("call_d", "get_weather", "{\"location\":\"Oslo\"}"));
    }

    @Test
    void reasoningSummariesStreamApartFromTheTextAndEachSealedItemIsKeptWhole() {
        server.enqueue(sse(REASONING_TOOL_STREAM));

        List<ChatEvent> events = builder().reasoningEffort("low")
                .build()
                .stream(ask("Weather?"))
                .collectList()
                .block(Duration.ofSeconds(30));

        assertThat(events).filteredOn(ChatEvent.ReasoningDelta.class::isInstance)
                .extracting(e -> ((ChatEvent.ReasoningDelta) e).text())
                .containsExactly("**Weather** for ", "SF — \"é\" 😀.", "\n\n", "Call get_weather.");
        assertThat(events).filteredOn(ChatEvent.TextDelta.class::isInstance).isEmpty();
        assertThat(events).filteredOn(ChatEvent.ReasoningBlock.class::isInstance)
                .extracting(e -> ((ChatEvent.ReasoningBlock) e).reasoning())
                .containsExactly(FIRST_THOUGHT);
        assertThat(events.indexOf(new ChatEvent.ReasoningBlock(FIRST_THOUGHT)))
                .isLessThan(indexOfFirst(events, ChatEvent.ToolCallDelta.class));

        ChatResponse r = assemble(Flux.fromIterable(events));
        assertThat(r.message().reasoning()).containsExactly(FIRST_THOUGHT);
        assertThat(r.message().toolCalls()).containsExactly(new ToolCall("call_w", "get_weather",
                "{\"location\":\"SF\"}"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.usage()).isEqualTo(new Usage(120, 80, 0, 0, 64, 0));
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
    void theStreamSplitAtEveryByteGivesTheSameReply() {
        String stream = REASONING_TOOL_STREAM + "";
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        OpenAiResponsesModel model = builder().build();
        server.enqueue(sse(stream));
        ChatResponse whole = assemble(model.stream(ask("x")));
        assertThat(whole.message().reasoning()).containsExactly(FIRST_THOUGHT);
        for (int cut = 1; cut < bytes.length; cut++) {
            server.enqueue(FakeHttpServer.Responder.stream("text/event-stream",
                    List.of(Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut, bytes.length)),
                    Duration.ZERO));
        }
        for (int cut = 1; cut < bytes.length; cut++) {
            assertThat(assemble(model.stream(ask("x")))).as("split at byte %d", cut).isEqualTo(whole);
        }
    }

    @Test
    void aReplayedStreamGivesTheLiveReplyOneByteAtATimeToo() {
        OpenAiResponsesModel model = builder().build();
        byte[] bytes = REASONING_ANSWER_STREAM.getBytes(StandardCharsets.UTF_8);
        server.enqueue(sse(REASONING_ANSWER_STREAM));
        ChatResponse live = assemble(model.stream(ask("x")));

        ChatResponse replayed = assemble(model.replay(Flux.range(0, bytes.length)
                .map(i -> ByteBuffer.wrap(bytes, i, 1))));

        assertThat(replayed).isEqualTo(live);
        assertThat(live.message().text()).isEqualTo("It is 12 degrees.");
        assertThat(live.message().reasoning()).containsExactly(SECOND_THOUGHT);
        assertThat(live.usage()).isEqualTo(new Usage(200, 20, 100, 0, 8, 0));
    }

    @Test
    void repliesAreCostedAtTheListPriceWithReasoningTokensBilledAsOutput() {
        // gpt-5-mini: $0.25 input, $0.025 cached input, $2 output per million; 100 uncached, 100 cached, 20 out.
        server.enqueue(sse(REASONING_ANSWER_STREAM));

        ChatResponse r = assemble(builder().price(null).build().stream(ask("x")));

        assertThat(r.usage().cost()).isCloseTo((100 * 0.25 + 100 * 0.025 + 20 * 2.0) / 1e6, offset(1e-12));
        assertThat(r.usage().reasoningTokens()).isEqualTo(8);
    }

    @Test
    void anIncompleteResponseEndsWithItsReason() {
        OpenAiResponsesModel model = builder().build();
        for (var reason : List.of("max_output_tokens", "content_filter", "something_new")) {
            server.enqueue(sse(new Events().created("resp_i")
                    .message(0, "msg_i", "Partial")
                    .event("response.incomplete", "\"response\":" + response("resp_i", "incomplete", "[]",
                            usage(10, 0, 16, 0)).replace("\"incomplete_details\":null",
                                    "\"incomplete_details\":{\"reason\":\"" + reason + "\"}"))
                    .build()));
        }

        assertThat(List.of(assemble(model.stream(ask("x"))), assemble(model.stream(ask("x"))),
                assemble(model.stream(ask("x"))))).extracting(ChatResponse::finishReason)
                .containsExactly(FinishReason.LENGTH, FinishReason.CONTENT_FILTER, FinishReason.OTHER);
        assertThat(assembleOne(model, "Partial")).isEqualTo(Usage.of(10, 16));
    }

    private Usage assembleOne(OpenAiResponsesModel model, String text) {
        server.enqueue(sse(new Events().created("resp_i")
                .message(0, "msg_i", text)
                .event("response.incomplete", "\"response\":" + response("resp_i", "incomplete", "[]",
                        usage(10, 0, 16, 0)).replace("\"incomplete_details\":null",
                                "\"incomplete_details\":{\"reason\":\"max_output_tokens\"}"))
                .build()));
        ChatResponse r = assemble(model.stream(ask("x")));
        assertThat(r.message().text()).isEqualTo(text);
        return r.usage();
    }

    // ------------------------------------------------------------------------------------ errors

    @Test
    void aFailedResponseIsTheProvidersErrorRetryableWhenItsCodeMayPass() {
        OpenAiResponsesModel model = builder().retryPolicy(RetryPolicy.DEFAULT.withMaxRetries(0)).build();
        server.enqueue(sse(new Events().created("resp_f")
                .message(0, "msg_f", "Hel")
                .event("response.failed", "\"response\":" + response("resp_f", "failed", "[]", "null")
                        .replace("\"error\":null", "\"error\":{\"code\":\"server_error\",\"message\":"
                                + "\"The model failed to generate a response.\"}"))
                .build(), "x-request-id", "req_failed"));

        StepVerifier.create(model.stream(ask("Hi")))
                .expectNext(ChatEvent.text("Hel"))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ModelException.class)
                            .hasMessageContaining("server_error: The model failed to generate a response.");
                    assertThat(((ModelException) e).isRetryable()).isTrue();
                    assertThat(((ModelException) e).requestId()).isEqualTo("req_failed");
                })
                .verify(Duration.ofSeconds(30));

        server.enqueue(sse(new Events().created("resp_f")
                .event("response.failed", "\"response\":" + response("resp_f", "failed", "[]", "null")
                        .replace("\"error\":null", "\"error\":{\"code\":\"invalid_prompt\",\"message\":"
                                + "\"Invalid prompt: flagged.\"}"))
                .build()));
        StepVerifier.create(model.stream(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).hasMessageContaining("invalid_prompt: Invalid prompt: flagged.");
                    assertThat(((ModelException) e).isRetryable()).isFalse();
                })
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void anErrorEventFailsTheStreamWithTheProvidersMessage() {
        OpenAiResponsesModel model = builder().build();
        server.enqueue(sse(new Events().created("resp_e")
                .event("error", "\"code\":\"rate_limit_exceeded\",\"message\":\"Rate limit reached for gpt-5-mini.\","
                        + "\"param\":null")
                .build()));
        server.enqueue(sse(new Events().created("resp_e")
                .event("error", "\"code\":\"ERR_SOMETHING\",\"message\":\"Something went wrong\",\"param\":null")
                .build()));
        server.enqueue(sse(new Events().event("error", "\"error\":{\"type\":\"service_unavailable_error\","
                + "\"code\":\"server_is_overloaded\",\"message\":\"Service is overloaded.\",\"param\":null}")
                .build()));

        for (var expected : List.of("rate_limit_exceeded: Rate limit reached for gpt-5-mini.",
                "ERR_SOMETHING: Something went wrong", "service_unavailable_error: Service is overloaded.")) {
            StepVerifier.create(model.stream(ask("Hi")))
                    .expectErrorSatisfies(e -> {
                        assertThat(e).isInstanceOf(ModelException.class).hasMessageContaining(expected);
                        assertThat(((ModelException) e).isRetryable()).as(expected)
                                .isEqualTo(!expected.startsWith("ERR_"));
                    })
                    .verify(Duration.ofSeconds(30));
        }
    }

    @Test
    void aStreamThatEndsWithoutResponseCompletedIsAnErrorNotAShortAnswer() {
        server.enqueue(sse(TEXT_STREAM.substring(0, TEXT_STREAM.indexOf("event: response.completed"))));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectNext(ChatEvent.text("Hello"), ChatEvent.text(", wörld € "), ChatEvent.text("😀"))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ModelException.class)
                            .hasMessageContaining("ended before response.completed");
                    assertThat(((ModelException) e).isRetryable()).isTrue();
                })
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void argumentsForAnOutputItemThatIsNoFunctionCallAreAnError() {
        server.enqueue(sse(new Events().created("resp_x")
                .arguments(3, "fc_3", "{}")
                .completed("resp_x", 1, 0, 1, 0)
                .build()));

        assertThatThrownBy(() -> assemble(builder().build().stream(ask("x"))))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("output item 3, which is no function call");
    }

    @Test
    void a429AndAnOverloaded503AreRetriedThenTheReplyStreams() {
        server.enqueue(json(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\","
                + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}", "retry-after-ms", "5"),
                json(503,
                        "{\"error\":{\"message\":\"The server is overloaded.\",\"type\":\"service_unavailable_error\","
                                + "\"param\":null,\"code\":\"server_is_overloaded\"}}"),
                sse(TEXT_STREAM));

        ChatResponse r = assemble(builder().build().stream(ask("Hi")));

        assertThat(r.message().text()).isEqualTo("Hello, wörld € 😀");
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void aRequestThatIsWrongFailsAtOnceWithTheProvidersMessage() {
        server.enqueue(json(400, "{\"error\":{\"message\":\"Unsupported parameter: 'temperature'.\","
                + "\"type\":\"invalid_request_error\",\"param\":\"temperature\",\"code\":\"unsupported_parameter\"}}"));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ModelException.class)
                            .hasMessageContaining("HTTP 400")
                            .hasMessageContaining("Unsupported parameter")
                            .hasMessageNotContaining(KEY);
                    assertThat(((ModelException) e).isRetryable()).isFalse();
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(1);
    }

    // ------------------------------------------------------------------------------------ the request

    @Test
    void theRequestIsWhatTheResponsesApiExpects() {
        server.enqueue(sse(textStream("ok")));
        var weather = new ToolSpec("get_weather", "Weather for a city",
                JsonValue.parse("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}").asObject());
        var call1 = new ToolCall("call_1", "get_weather", "{\"city\":\"Oslo\"}");
        var call2 = new ToolCall("call_2", "get_weather", "{\"city\":");
        var request = new ChatRequest(List.of(
                Message.system("Be brief."),
                Message.user("Weather in Oslo and Bergen?"),
                Message.assistant("Checking.", List.of(call1, call2)),
                Message.toolResult(call1, "rain", false),
                Message.toolResult(call2, "arguments were not valid JSON", true),
                Message.assistant("Oslo has rain."),
                Message.user("And tomorrow?")),
                List.of(weather), new ChatOptions(200, 0.2, 0.9, List.of()));

        assemble(builder().header("OpenAI-Organization", "org-test").build().stream(request));

        assertThat(server.lastRequest().header("OpenAI-Organization")).isEqualTo("org-test");
        assertThat(body(0)).isEqualTo(JsonValue
                .parse("""
                        {"model":"gpt-5-mini",
                         "input":[
                           {"role":"system","content":"Be brief."},
                           {"role":"user","content":"Weather in Oslo and Bergen?"},
                           {"role":"assistant","content":"Checking."},
                           {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"},
                           {"type":"function_call","call_id":"call_2","name":"get_weather","arguments":"{}"},
                           {"type":"function_call_output","call_id":"call_1","output":"rain"},
                           {"type":"function_call_output","call_id":"call_2","output":"arguments were not valid JSON"},
                           {"role":"assistant","content":"Oslo has rain."},
                           {"role":"user","content":"And tomorrow?"}],
                         "tools":[{"type":"function","name":"get_weather","description":"Weather for a city",
                                   "parameters":{"type":"object","properties":{"city":{"type":"string"}}},"strict":false}],
                         "max_output_tokens":200,
                         "temperature":0.2,
                         "top_p":0.9,
                         "store":false,
                         "include":["reasoning.encrypted_content"],
                         "stream":true}"""));
    }

    @Test
    void reasoningEffortAsksForSummariesAndOnlyReasoningModelsAskForSealedReasoning() {
        server.otherwise(r -> sse(textStream("ok")));

        assemble(builder().reasoningEffort("high").build().stream(ask("Hi")));
        assemble(builder().model("gpt-4.1-mini").build().stream(ask("Hi")));
        assemble(builder().model("o4-mini").store(true).build().stream(ask("Hi")));

        assertThat(body(0).get("reasoning")).isEqualTo(JsonValue.parse("{\"effort\":\"high\",\"summary\":\"auto\"}"));
        assertThat(body(0).get("include")).isEqualTo(JsonValue.parse("[\"reasoning.encrypted_content\"]"));
        // A model that does not reason gets neither; stored responses need no sealed reasoning.
        assertThat(body(1).has("reasoning")).isFalse();
        assertThat(body(1).has("include")).isFalse();
        assertThat(body(1).getBoolean("store")).contains(false);
        assertThat(body(2).has("include")).isFalse();
        assertThat(body(2).getBoolean("store")).contains(true);
        assertThatThrownBy(() -> builder().reasoningEffort("very hard"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reasoningEffort");
    }

    @Test
    void structuredOutputUsesAStrictJsonSchemaTextFormat() {
        server.enqueue(sse(textStream("{\"a\":1}")));
        JsonObject schema = JsonValue.parse("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},"
                + "\"required\":[\"a\"],\"additionalProperties\":false}").asObject();
        OpenAiResponsesModel model = builder().build();

        assemble(model.stream(new ChatRequest(List.of(Message.user("a?")), List.of(),
                ChatOptions.DEFAULTS.withResponseFormat(new ResponseFormat("answer", schema)))));

        assertThat(model.supportsResponseFormat()).isTrue();
        assertThat(body(0).get("text")).isEqualTo(JsonObject.builder()
                .put("format", JsonObject.builder()
                        .put("type", "json_schema")
                        .put("name", "answer")
                        .put("schema", schema)
                        .put("strict", true)
                        .build())
                .build());
    }

    @Test
    void stopSequencesAreRefusedBeforeAnyRequestSinceTheApiHasNone() {
        StepVerifier.create(builder().build()
                .stream(new ChatRequest(List.of(Message.user("Hi")), List.of(),
                        ChatOptions.DEFAULTS.withStopSequences(List.of("STOP")))))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("no stop sequences"))
                .verify(Duration.ofSeconds(10));
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void reasoningGoesBackOnlyWhenTheServerCanUseItAndNeverAnotherProvidersReasoning() {
        server.otherwise(r -> sse(textStream("ok")));
        var unsealed = new Reasoning("openai", "summary only", null, null, "rs_9");
        var anthropic = Reasoning.signed("anthropic", "claude's thought", "c2ln");
        ChatRequest request = ChatRequest.of(List.of(Message.user("First"),
                Message.assistant("One.", List.of(), List.of(anthropic, unsealed, FIRST_THOUGHT)),
                Message.user("Second")));

        assemble(builder().build().stream(request));
        assemble(builder().store(true).build().stream(request));

        // Unstored: only the sealed item; the summary-only one names an item the server does not keep.
        assertThat(body(0).getArray("input").orElseThrow().get(1)).isEqualTo(JsonValue.parse("""
                {"type":"reasoning","id":"rs_1",
                 "summary":[{"type":"summary_text","text":"**Weather** for SF — \\"é\\" 😀.\\n\\nCall get_weather."}],
                 "encrypted_content":"%s"}""".formatted(ENCRYPTED_1)));
        assertThat(body(0).getArray("input").orElseThrow().get(2).asObject().getString("role")).contains("assistant");
        assertThat(body(0).toJson()).doesNotContain("claude's thought", "summary only");
        // Stored: the server finds the other item by its id.
        assertThat(body(1).getArray("input").orElseThrow().get(1)).isEqualTo(JsonValue.parse("""
                {"type":"reasoning","id":"rs_9","summary":[{"type":"summary_text","text":"summary only"}]}"""));
    }

    @Test
    void theKeyAndBaseUrlComeFromTheEnvironmentAndTheKeyNeverShowsInToString() {
        OpenAiResponsesModel model = OpenAiResponsesModel.builder()
                .model("gpt-5-nano")
                .environment(name -> name.equals("OPENAI_API_KEY")
                        ? KEY
                        : name.equals("OPENAI_BASE_URL") ? server.url() + "/v1/" : null)
                .build();
        server.enqueue(sse(TEXT_STREAM));

        assemble(model.stream(ask("Hi")));

        assertThat(server.lastRequest().path()).isEqualTo("/v1/responses");
        assertThat(server.lastRequest().header("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(model.toString()).doesNotContain(KEY).contains("gpt-5-nano");
        assertThat(model.baseUrl().toString()).isEqualTo(server.url() + "/v1");
        assertThatThrownBy(() -> OpenAiResponsesModel.builder().model("gpt-5").environment(name -> null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OPENAI_API_KEY");
    }

    @Test
    void aVariantKeepsTheResponsesSettings() {
        OpenAiResponsesModel model = builder().reasoningEffort("minimal").chainResponses(true).build();

        OpenAiResponsesModel variant = model.toBuilder().model("o3").build();

        assertThat(variant.reasoningEffort()).isEqualTo("minimal");
        assertThat(variant.stores()).isTrue();
        assertThat(variant.modelName()).isEqualTo("o3");
        assertThat(builder().build().stores()).isFalse();
    }

    // ------------------------------------------------------------------------------------ whole replies

    @Test
    void theNonStreamedCallMapsReasoningTextFunctionCallsAndUsage() {
        server.enqueue(json(200, response("resp_w", "completed", """
                [{"id":"rs_w","type":"reasoning","summary":[{"type":"summary_text","text":"Hmm."}],
                  "encrypted_content":"gAAAA-w"},
                 {"id":"msg_w","type":"message","status":"completed","role":"assistant",
                  "content":[{"type":"output_text","annotations":[],"text":"Checking."}]},
                 {"id":"fc_w","type":"function_call","status":"completed","call_id":"call_w","name":"get_time",
                  "arguments":"{\\"zone\\":\\"UTC\\"}"}]""", usage(30, 10, 12, 5))));

        ChatResponse r = builder().build().call(ask("Time?")).block(Duration.ofSeconds(30));

        assertThat(r.message().text()).isEqualTo("Checking.");
        assertThat(r.message().reasoning()).containsExactly(new Reasoning("openai", "Hmm.", null, "gAAAA-w", "rs_w"));
        assertThat(r.message().toolCalls()).containsExactly(new ToolCall("call_w", "get_time", "{\"zone\":\"UTC\"}"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.usage()).isEqualTo(new Usage(30, 12, 10, 0, 5, 0));
        assertThat(body(0).has("stream")).isFalse();
    }

    // ------------------------------------------------------------------------------------ through an agent

    @Test
    void reasoningAndToolsRoundTripThroughAnAgentWithTheSealedItemSentBackInPlace() {
        server.enqueue(sse(REASONING_TOOL_STREAM), sse(REASONING_ANSWER_STREAM));
        var runs = new AtomicInteger();
        Agent agent = Agent.builder()
                .model(builder().reasoningEffort("low").build())
                .instructions("Be brief.")
                .tools(weatherTool(runs))
                .build();
        var reasoningShown = new CopyOnWriteArrayList<String>();

        AgentResult result = agent.task("Weather in SF?")
                .stream()
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
        assertThat(String.join("", reasoningShown)).contains("1:**Weather** for ", "2:12 degrees; answer briefly.");
        assertThat(result.transcript()).filteredOn(Message.Assistant.class::isInstance)
                .extracting(m -> ((Message.Assistant) m).reasoning())
                .containsExactly(List.of(FIRST_THOUGHT), List.of(SECOND_THOUGHT));
        assertThat(result.usage()).isEqualTo(new Usage(320, 100, 100, 0, 72, 0));

        // The second request: the first turn's sealed reasoning, then its call, then the call's output.
        JsonObject second = body(1);
        assertThat(second.getBoolean("store")).contains(false);
        assertThat(second.get("include")).isEqualTo(JsonValue.parse("[\"reasoning.encrypted_content\"]"));
        assertThat(second.has("previous_response_id")).isFalse();
        assertThat(second.getArray("input").orElseThrow()).isEqualTo(JsonValue
                .parse("""
                        [{"role":"system","content":"Be brief."},
                         {"role":"user","content":"Weather in SF?"},
                         {"type":"reasoning","id":"rs_1",
                          "summary":[{"type":"summary_text","text":"**Weather** for SF — \\"é\\" 😀.\\n\\nCall get_weather."}],
                          "encrypted_content":"%s"},
                         {"type":"function_call","call_id":"call_w","name":"get_weather","arguments":"{\\"location\\":\\"SF\\"}"},
                         {"type":"function_call_output","call_id":"call_w","output":"12 degrees in SF"}]"""
                        .formatted(ENCRYPTED_1)));
        assertThat(second.getArray("tools").orElseThrow().get(0).asObject().getString("name")).contains("get_weather");
    }

    @Test
    void aChainingModelSendsOnlyWhatFollowsItsLastReplyWithThatReplysResponseId() {
        server.enqueue(sse(REASONING_TOOL_STREAM), sse(REASONING_ANSWER_STREAM), sse(textStream("Hello.")));
        OpenAiResponsesModel model = builder().chainResponses(true).build();
        Agent agent = Agent.builder().model(model).tools(weatherTool(new AtomicInteger())).build();

        AgentResult result = agent.task("Weather in SF?").executeBlocking();
        // Another conversation continues no reply of this model: it is sent whole.
        assemble(model.stream(ChatRequest.of(Message.user("Hi"), Message.assistant("Earlier."),
                Message.user("Again?"))));

        assertThat(result.text()).isEqualTo("It is 12 degrees.");
        assertThat(body(0).getBoolean("store")).contains(true);
        assertThat(body(0).has("previous_response_id")).isFalse();
        assertThat(body(1).getString("previous_response_id")).contains("resp_1");
        assertThat(body(1).getArray("input").orElseThrow()).isEqualTo(JsonValue.parse("""
                [{"type":"function_call_output","call_id":"call_w","output":"12 degrees in SF"}]"""));
        assertThat(body(2).has("previous_response_id")).isFalse();
        assertThat(body(2).getArray("input").orElseThrow().size()).isEqualTo(3);
    }

    // ------------------------------------------------------------------------------------ the contract

    @Nested
    class Contract extends ChatModelContract {
        @Override
        protected ChatModel model() {
            server.otherwise(r -> {
                JsonObject body = JsonValue.parse(r.body()).asObject();
                boolean tools = body.has("tools");
                if (body.getBoolean("stream").orElse(false)) {
                    return sse(tools ? callStream("resp_c", "call_c") : TEXT_STREAM);
                }
                return json(200, tools
                        ? response("resp_c", "completed", "[{\"id\":\"fc_c\",\"type\":\"function_call\","
                                + "\"status\":\"completed\",\"call_id\":\"call_c\",\"name\":\"get_time\","
                                + "\"arguments\":\"{}\"}]", usage(1, 0, 1, 0))
                        : response("resp_c", "completed", "[{\"id\":\"msg_c\",\"type\":\"message\","
                                + "\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Hello\"}]}]",
                                usage(1, 0, 1, 0)));
            });
            return builder().build();
        }
    }
}
