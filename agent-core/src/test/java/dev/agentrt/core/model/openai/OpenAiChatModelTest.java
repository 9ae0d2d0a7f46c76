package dev.agentrt.core.model.openai;

import static dev.agentrt.core.testing.FakeHttpServer.Responder.json;
import static dev.agentrt.core.testing.FakeHttpServer.Responder.sse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.groups.Tuple.tuple;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.ModelException;
import dev.agentrt.core.StructuredOutputException;
import dev.agentrt.core.contract.ChatModelContract;
import dev.agentrt.core.internal.ReplyAssembler;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.TypeSchema;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

class OpenAiChatModelTest {
    static final String KEY = "sk-test-0123456789abcdefghij";

    static final String DONE = "data: [DONE]\n\n";

    /** The first chunk of every reply: the role, an empty content. */
    static final String ROLE = delta("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}");

    static final String TEXT_STREAM = ROLE + content("Hello") + content(", wörld € 😀") + finish("stop")
            + usage(40, 15, 10) + DONE;

    /** Text, then two tool calls: one whose arguments arrive split mid-key, mid-string and mid-escape, one without arguments. */
    static final String TOOL_STREAM = ROLE + content("Let me check é.")
            + callStart(0, "call_abc", "get_weather")
            + args(0, "{\"loc")
            + args(0, "ation\": \"San Fr")
            + ": keep-alive\n\n"
            + args(0, "ancisco \\")
            + args(0, "\"SF\\\" \\u00")
            + args(0, "e9 😀\", \"unit\": \"celsius\"}")
            + callStart(1, "call_def", "get_time")
            + finish("tool_calls")
            + usage(400, 89, 0)
            + DONE;

    static final String WEATHER_ARGS = "{\"location\": \"San Francisco \\\"SF\\\" \\u00e9 😀\", \"unit\": \"celsius\"}";

    /** Two calls whose headers and argument fragments interleave, one chunk carrying fragments of both. */
    static final String PARALLEL_STREAM = ROLE
            + callStart(0, "call_a", "get_weather")
            + args(0, "{\"loc")
            + callStart(1, "call_b", "get_weather")
            + args(1, "{\"location\"")
            + args(0, "ation\": \"Os")
            + delta("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\": \\\"Ber\"}},"
                    + "{\"index\":0,\"function\":{\"arguments\":\"lo\\\"}\"}}]}")
            + args(1, "gen\"}")
            + finish("tool_calls")
            + usage(50, 20, 0)
            + DONE;

    final FakeHttpServer server = FakeHttpServer.start();

    @AfterEach
    void stop() {
        server.close();
    }

    static String chunk(String choices) {
        return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                + "\"model\":\"gpt-4.1-mini\",\"system_fingerprint\":\"fp_1\",\"choices\":" + choices
                + ",\"usage\":null}\n\n";
    }

    static String delta(String delta) {
        return chunk("[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":null}]");
    }

    static String content(String text) {
        return delta("{\"content\":" + JsonValue.of(text).toJson() + "}");
    }

    static String finish(String reason) {
        return chunk("[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"" + reason + "\"}]");
    }

    static String usage(long prompt, long completion, long cached) {
        return usage(prompt, completion, cached, 0);
    }

    static String usage(long prompt, long completion, long cached, long reasoning) {
        return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                + "\"model\":\"gpt-4.1-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt
                + ",\"completion_tokens\":" + completion + ",\"total_tokens\":" + (prompt + completion)
                + ",\"prompt_tokens_details\":{\"cached_tokens\":" + cached + ",\"audio_tokens\":0},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":" + reasoning + "}}}\n\n";
    }

    static String callStart(int index, String id, String name) {
        return delta("{\"tool_calls\":[{\"index\":" + index + ",\"id\":\"" + id + "\",\"type\":\"function\","
                + "\"function\":{\"name\":\"" + name + "\",\"arguments\":\"\"}}]}");
    }

    static String args(int index, String fragment) {
        return delta("{\"tool_calls\":[{\"index\":" + index + ",\"function\":{\"arguments\":"
                + JsonValue.of(fragment).toJson() + "}}]}");
    }

    static String textStream(String text, String finishReason) {
        return ROLE + content(text) + finish(finishReason) + usage(10, 5, 0) + DONE;
    }

    static String toolStream(String id, String name, List<String> fragments, String finishReason) {
        var sb = new StringBuilder(ROLE).append(callStart(0, id, name));
        for (String f : fragments) {
            sb.append(args(0, f));
        }
        return sb.append(finish(finishReason)).append(usage(20, 30, 0)).append(DONE).toString();
    }

    static String error(String message, String type, String code) {
        return "{\"error\":{\"message\":" + JsonValue.of(message).toJson() + ",\"type\":\"" + type
                + "\",\"param\":null,\"code\":" + (code == null ? "null" : "\"" + code + "\"") + "}}";
    }

    /** Costs off (the wire tests compare usage exactly); {@link #repliesAreCostedAtTheListPrice} turns them on. */
    OpenAiChatModel.Builder builder() {
        return OpenAiChatModel.builder()
                .model("gpt-4.1-mini")
                .apiKey(KEY)
                .baseUrl(server.url() + "/v1")
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

    static JsonArray sentMessages(FakeHttpServer.Recorded request) {
        return JsonValue.parse(request.body()).asObject().getArray("messages").orElseThrow();
    }

    // ------------------------------------------------------------------------------------ streams

    @Test
    void streamsTextWithUsageCachedTokensAndFinishReason() {
        server.enqueue(sse(TEXT_STREAM, "x-request-id", "req_011"));

        ChatResponse r = assemble(builder().build().stream(ask("Hi")));

        assertThat(r.message().text()).isEqualTo("Hello, wörld € 😀");
        assertThat(r.message().toolCalls()).isEmpty();
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.usage()).isEqualTo(new Usage(40, 15, 10, 0, 0));
        assertThat(r.responseId()).isEqualTo("chatcmpl-1");
        assertThat(r.responseModel()).isEqualTo("gpt-4.1-mini");
    }

    @Test
    void aReasoningModelsReasoningTokensAreCountedWithinItsOutput() {
        server.enqueue(sse(ROLE + content("4") + finish("stop") + usage(12, 300, 0, 256) + DONE),
                sse(ROLE + content("4") + finish("stop") + usage(12, 30, 0, 999) + DONE));

        assertThat(assemble(builder().build().stream(ask("2+2?"))).usage())
                .isEqualTo(new Usage(12, 300, 0, 0, 256, 0));
        // A server that reports more reasoning than output: never more than the output.
        assertThat(assemble(builder().build().stream(ask("2+2?"))).usage().reasoningTokens()).isEqualTo(30);
    }

    @Test
    void repliesAreCostedAtTheListPriceAndABudgetStopsATaskThatCostsTooMuch() {
        // gpt-4.1-mini: $0.40 input, $0.10 cached input, $1.60 output per million; 30 uncached, 10 cached, 15 out.
        server.enqueue(sse(TEXT_STREAM));
        ChatResponse r = assemble(builder().price(null).build().stream(ask("Hi")));
        assertThat(r.usage().cost())
                .isCloseTo((30 * 0.4 + 10 * 0.1 + 15 * 1.6) / 1e6, offset(1e-12));

        // A dated name has the same price; a local model's name has none.
        server.enqueue(sse(TEXT_STREAM), sse(TEXT_STREAM));
        assertThat(assemble(builder().price(null).model("gpt-4.1-mini-2025-04-14").build().stream(ask("Hi")))
                .usage()
                .cost()).isEqualTo(r.usage().cost());
        assertThat(assemble(builder().price(null).model("qwen3:4b").build().stream(ask("Hi"))).usage().cost())
                .isZero();

        // Budget.maxCost now works without prices of one's own: the first reply already costs more.
        server.enqueue(sse(TEXT_STREAM));
        Agent agent = Agent.builder()
                .model(builder().price(null).build())
                .budget(dev.agentrt.core.Budget.UNLIMITED.withMaxCost(r.usage().cost() / 2))
                .build();
        assertThatThrownBy(() -> agent.task("Hi").executeBlocking())
                .isInstanceOf(dev.agentrt.core.BudgetExceededException.class)
                .hasMessageContaining("cost more than its budget");
    }

    @Test
    void theStreamIsTextDeltasThenUsageThenExactlyOneFinish() {
        server.enqueue(sse(TEXT_STREAM));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectNext(ChatEvent.text("Hello"))
                .expectNext(ChatEvent.text(", wörld € 😀"))
                .expectNext(new ChatEvent.UsageReport(new Usage(40, 15, 10, 0, 0)))
                .expectNext(new ChatEvent.Finish(FinishReason.STOP, "chatcmpl-1", "gpt-4.1-mini"))
                .verifyComplete();
    }

    @Test
    void finishReasonsMapToTheSpi() {
        var expected = new LinkedHashMap<String, FinishReason>();
        expected.put("length", FinishReason.LENGTH);
        expected.put("content_filter", FinishReason.CONTENT_FILTER);
        expected.put("something_new", FinishReason.OTHER);
        OpenAiChatModel model = builder().build();
        expected.forEach((reason, mapped) -> {
            server.enqueue(sse(textStream("x", reason)));
            assertThat(assemble(model.stream(ask("Hi"))).finishReason()).as(reason).isEqualTo(mapped);
        });
        assertThat(OpenAiCodec.finishReason("stop")).isEqualTo(FinishReason.STOP);
        assertThat(OpenAiCodec.finishReason("tool_calls")).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(OpenAiCodec.finishReason("function_call")).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @Test
    void assemblesToolCallsWhoseArgumentsArriveInFragments() {
        server.enqueue(sse(TOOL_STREAM));

        ChatResponse r = assemble(builder().build().stream(ask("Weather and time?")));

        assertThat(r.message().text()).isEqualTo("Let me check é.");
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.message().toolCalls()).extracting(ToolCall::id, ToolCall::name)
                .containsExactly(tuple("call_abc", "get_weather"), tuple("call_def", "get_time"));
        assertThat(r.message().toolCalls().get(0).arguments()).isEqualTo(WEATHER_ARGS);
        assertThat(JsonValue.parse(r.message().toolCalls().get(0).arguments()).asObject().getString("location"))
                .contains("San Francisco \"SF\" é 😀");
        assertThat(r.message().toolCalls().get(1).arguments()).isEqualTo("{}");
        assertThat(r.usage()).isEqualTo(Usage.of(400, 89));
    }

    @Test
    void parallelToolCallsWhoseFragmentsInterleaveAreAssembledPerIndex() {
        server.enqueue(sse(PARALLEL_STREAM));

        ChatResponse r = assemble(builder().build().stream(ask("Oslo and Bergen?")));

        assertThat(r.message().toolCalls()).containsExactly(
                new ToolCall("call_a", "get_weather", "{\"location\": \"Oslo\"}"),
                new ToolCall("call_b", "get_weather", "{\"location\": \"Bergen\"}"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @Test
    void aToolCallWithEmptyArgumentsGetsAnEmptyObject() {
        server.enqueue(sse(toolStream("call_t", "get_time", List.of(), "tool_calls")),
                sse(toolStream("call_t", "get_time", List.of("", " "), "tool_calls")));
        OpenAiChatModel model = builder().build();

        assertThat(assemble(model.stream(ask("t"))).message().toolCalls()).containsExactly(
                new ToolCall("call_t", "get_time", "{}"));
        assertThat(assemble(model.stream(ask("t"))).message().toolCalls().get(0).arguments()).isEqualTo("{}");
    }

    @Test
    void oneChunkMayCarryContentToolCallsAndTheFinishReason() {
        server.enqueue(sse(chunk("[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Sure.\","
                + "\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":"
                + "{\"name\":\"get_time\",\"arguments\":\"{\\\"zone\\\":\\\"UTC\\\"}\"}}]},"
                + "\"finish_reason\":\"tool_calls\"}]") + DONE));

        ChatResponse r = assemble(builder().build().stream(ask("t")));

        assertThat(r.message().text()).isEqualTo("Sure.");
        assertThat(r.message().toolCalls()).containsExactly(new ToolCall("call_1", "get_time", "{\"zone\":\"UTC\"}"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.usage()).isEqualTo(Usage.ZERO);
    }

    @Test
    void wholeToolCallsWithoutAnIndexInOneChunkAreKeptApart() {
        // Ollama's /v1 (older versions) sends whole calls without index, arguments as a string or an object.
        server.enqueue(sse(delta("{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":["
                + "{\"id\":\"call_x\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"location\\\":\\\"Oslo\\\"}\"}},"
                + "{\"id\":\"call_y\",\"type\":\"function\",\"function\":{\"name\":\"get_time\","
                + "\"arguments\":{\"zone\":\"UTC\"}}}]}") + finish("stop") + DONE));

        ChatResponse r = assemble(builder().build().stream(ask("t")));

        assertThat(r.message().toolCalls()).containsExactly(
                new ToolCall("call_x", "get_weather", "{\"location\":\"Oslo\"}"),
                new ToolCall("call_y", "get_time", "{\"zone\":\"UTC\"}"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @Test
    void wholeToolCallsWithoutAnIndexInSeparateChunksAreKeptApart() {
        server.enqueue(sse(ROLE
                + delta("{\"tool_calls\":[{\"id\":\"call_x\",\"type\":\"function\",\"function\":"
                        + "{\"name\":\"get_weather\",\"arguments\":\"{\\\"location\\\":\\\"Oslo\\\"}\"}}]}")
                + delta("{\"tool_calls\":[{\"id\":\"call_y\",\"type\":\"function\",\"function\":"
                        + "{\"name\":\"get_time\",\"arguments\":\"{}\"}}]}")
                // A call streamed without index: fragments after the first carry neither id nor name.
                + delta("{\"tool_calls\":[{\"id\":\"call_z\",\"type\":\"function\",\"function\":"
                        + "{\"name\":\"get_date\",\"arguments\":\"\"}}]}")
                + delta("{\"tool_calls\":[{\"function\":{\"arguments\":\"{\\\"zone\\\":\"}}]}")
                + delta("{\"tool_calls\":[{\"id\":\"call_z\",\"function\":{\"arguments\":\"\\\"UTC\\\"}\"}}]}")
                + finish("tool_calls") + DONE));

        ChatResponse r = assemble(builder().build().stream(ask("t")));

        assertThat(r.message().toolCalls()).containsExactly(
                new ToolCall("call_x", "get_weather", "{\"location\":\"Oslo\"}"),
                new ToolCall("call_y", "get_time", "{}"),
                new ToolCall("call_z", "get_date", "{\"zone\":\"UTC\"}"));
    }

    static String call(String indexAndId, String name, String arguments) {
        return delta("{\"tool_calls\":[{" + indexAndId + (indexAndId.isEmpty() ? "" : ",")
                + "\"function\":{" + (name == null ? "" : "\"name\":\"" + name + "\",") + "\"arguments\":"
                + JsonValue.of(arguments).toJson() + "}}]}");
    }

    /** Two calls that a compatible server numbered 0 both, told apart only by their ids. */
    static final String REUSED_INDEX_STREAM = ROLE
            + callStart(0, "call_a", "get_weather")
            + args(0, "{\"location\": ")
            + args(0, "\"Oslo\"}")
            + callStart(0, "call_b", "get_time")
            + args(0, "{\"zone\": \"UTC\"}")
            + finish("tool_calls")
            + DONE;

    @Test
    void aSecondCallThatReusesIndexZeroWithANewIdIsASeparateCall() {
        server.enqueue(sse(REUSED_INDEX_STREAM), sse(REUSED_INDEX_STREAM));
        OpenAiChatModel model = builder().build();

        ChatResponse r = assemble(model.stream(ask("t")));

        assertThat(r.message().toolCalls()).containsExactly(
                new ToolCall("call_a", "get_weather", "{\"location\": \"Oslo\"}"),
                new ToolCall("call_b", "get_time", "{\"zone\": \"UTC\"}"));
        // The events themselves keep the calls apart: one index per call, as the ChatEvent contract says.
        assertThat(model.stream(ask("t"))
                .ofType(ChatEvent.ToolCallDelta.class)
                .map(d -> d.index() + ":" + (d.id() == null ? "" : d.id()))
                .collectList()
                .block(Duration.ofSeconds(30))).containsExactly("0:call_a", "0:", "0:", "1:call_b", "1:");
    }

    @Test
    void fragmentsOfCallsSharingAnIndexGoToTheCallTheirIdNames() {
        // Every fragment repeats its call's id; the two calls interleave on index 0.
        server.enqueue(sse(ROLE
                + call("\"index\":0,\"id\":\"call_a\"", "get_weather", "")
                + call("\"index\":0,\"id\":\"call_b\"", "get_time", "")
                + call("\"index\":0,\"id\":\"call_a\"", null, "{\"location\":\"Oslo\"}")
                + call("\"index\":0,\"id\":\"call_b\"", null, "{\"zone\":")
                + call("\"index\":0", null, "\"UTC\"}")
                + finish("tool_calls") + DONE));

        ChatResponse r = assemble(builder().build().stream(ask("t")));

        assertThat(r.message().toolCalls()).containsExactly(
                new ToolCall("call_a", "get_weather", "{\"location\":\"Oslo\"}"),
                new ToolCall("call_b", "get_time", "{\"zone\":\"UTC\"}"));
    }

    @Test
    void aNameArrivingAfterArgumentsAtTheSameIndexStartsANewCall() {
        // A server that reuses index 0 and sends no id for the second call: a name cannot follow arguments.
        server.enqueue(sse(ROLE
                + call("\"index\":0,\"id\":\"call_a\"", "get_weather", "{\"location\":\"Oslo\"}")
                + call("\"index\":0", "get_time", "{}")
                + finish("tool_calls") + DONE));

        ChatResponse r = assemble(builder().build().stream(ask("t")));

        assertThat(r.message().toolCalls()).extracting(ToolCall::name, ToolCall::arguments)
                .containsExactly(tuple("get_weather", "{\"location\":\"Oslo\"}"), tuple("get_time", "{}"));
        assertThat(r.message().toolCalls()).extracting(ToolCall::id).doesNotHaveDuplicates().startsWith("call_a");
    }

    @Test
    void indicesThatSkipOrGoBackwardsGiveOneCallPerIndexInIndexOrder() {
        server.enqueue(sse(ROLE
                + callStart(2, "call_c", "get_time")
                + callStart(0, "call_a", "get_weather")
                + args(2, "{}")
                + args(0, "{\"location\":\"Oslo\"}")
                + finish("tool_calls") + DONE));

        ChatResponse r = assemble(builder().build().stream(ask("t")));

        assertThat(r.message().toolCalls()).containsExactly(
                new ToolCall("call_a", "get_weather", "{\"location\":\"Oslo\"}"),
                new ToolCall("call_c", "get_time", "{}"));
    }

    @Test
    void twoCallsWithTheSameIdGetDistinctIds() {
        // A server that gives every call the same id: the results could not be told apart otherwise.
        server.enqueue(sse(ROLE
                + callStart(0, "call_1", "get_weather") + args(0, "{\"location\":\"Oslo\"}")
                + callStart(1, "call_1", "get_weather") + args(1, "{\"location\":\"Bergen\"}")
                + finish("tool_calls") + DONE));

        ChatResponse r = assemble(builder().build().stream(ask("t")));

        assertThat(r.message().toolCalls()).extracting(ToolCall::arguments)
                .containsExactly("{\"location\":\"Oslo\"}", "{\"location\":\"Bergen\"}");
        assertThat(r.message().toolCalls()).extracting(ToolCall::id).doesNotHaveDuplicates().startsWith("call_1");
    }

    @Test
    void theNonStreamedCallGivesTwoCallsWithTheSameIdDistinctIds() {
        server.enqueue(json(200, "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
                + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{}\"}},{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_time\","
                + "\"arguments\":\"{}\"}}]},\"finish_reason\":\"tool_calls\"}]}"));

        ChatResponse r = builder().build().call(ask("t")).block(Duration.ofSeconds(30));

        assertThat(r).isNotNull();
        assertThat(r.message().toolCalls()).extracting(ToolCall::name).containsExactly("get_weather", "get_time");
        assertThat(r.message().toolCalls()).extracting(ToolCall::id).doesNotHaveDuplicates().startsWith("call_1");
    }

    @Test
    void theSameStreamSplitAtEveryByteGivesTheSameReply() {
        byte[] bytes = TOOL_STREAM.getBytes(StandardCharsets.UTF_8);
        OpenAiChatModel model = builder().build();
        server.enqueue(sse(TOOL_STREAM));
        ChatResponse whole = assemble(model.stream(ask("x")));
        assertThat(whole.message().toolCalls()).hasSize(2);
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
    void commentLinesAnywhereAreIgnored() {
        String[] events = TEXT_STREAM.split("(?<=\n\n)");
        var sb = new StringBuilder(": OPENROUTER PROCESSING\n\n");
        for (String e : events) {
            // A comment between events, and one between the lines of an event.
            sb.append(": keep-alive\n\n").append(e.replaceFirst("\n\n$", "\n: inside\n\n"));
        }
        server.enqueue(sse(sb.append(": bye\n").toString()));

        ChatResponse r = assemble(builder().build().stream(ask("Hi")));

        assertThat(r.message().text()).isEqualTo("Hello, wörld € 😀");
        assertThat(r.usage()).isEqualTo(new Usage(40, 15, 10, 0, 0));
    }

    @Test
    void crlfLineEndingsWorkEvenWhenSplitBetweenCrAndLf() {
        String crlf = TOOL_STREAM.replace("\n", "\r\n");
        var pieces = new ArrayList<String>();
        int from = 0;
        for (int i = crlf.indexOf('\r'); i >= 0; i = crlf.indexOf('\r', i + 1)) {
            pieces.add(crlf.substring(from, i + 1));
            from = i + 1;
        }
        pieces.add(crlf.substring(from));
        server.enqueue(sse(pieces, Duration.ZERO));

        ChatResponse r = assemble(builder().build().stream(ask("x")));

        assertThat(r.message().toolCalls().get(0).arguments()).isEqualTo(WEATHER_ARGS);
        assertThat(r.usage()).isEqualTo(Usage.of(400, 89));
    }

    // ------------------------------------------------------------------------------------ broken streams

    @Test
    void aStreamThatEndsWithoutDoneIsAnErrorNotAShortAnswer() {
        server.enqueue(sse(TEXT_STREAM.substring(0, TEXT_STREAM.indexOf(DONE)), "x-request-id", "req_nodone"));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectNext(ChatEvent.text("Hello"), ChatEvent.text(", wörld € 😀"))
                .expectNextMatches(ChatEvent.UsageReport.class::isInstance)
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ModelException.class)
                            .hasMessageContaining("ended before its final event ([DONE])");
                    assertThat(((ModelException) e).requestId()).isEqualTo("req_nodone");
                })
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void aStreamCutInTheMiddleOfAnEventIsAnError() {
        server.enqueue(sse(TEXT_STREAM.substring(0, TEXT_STREAM.indexOf("wörld"))));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectNext(ChatEvent.text("Hello"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("incomplete"))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void anEmptyStreamIsAnError() {
        server.enqueue(sse(""));

        assertThatThrownBy(() -> assemble(builder().build().stream(ask("Hi"))))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("without any event");
    }

    @Test
    void doneWithoutAnyFinishReasonIsAnError() {
        server.enqueue(sse(ROLE + content("Hello") + usage(1, 1, 0) + DONE));

        assertThatThrownBy(() -> assemble(builder().build().stream(ask("Hi"))))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("without a finish reason");
    }

    @Test
    void anErrorChunkAfterStatus200FailsTheStream() {
        server.enqueue(sse(ROLE + content("Hello")
                + "data: " + error("The server had an error while processing your request. Sorry about that!",
                        "server_error", null)
                + "\n\n"
                + DONE, "x-request-id", "req_err"));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectNext(ChatEvent.text("Hello"))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isExactlyInstanceOf(ModelException.class)
                            .hasMessageContaining("sent an error during the reply")
                            .hasMessageContaining("server_error: The server had an error while processing");
                    assertThat(((ModelException) e).requestId()).isEqualTo("req_err");
                    assertThat(((ModelException) e).isRetryable()).isTrue();
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void malformedJsonInAChunkIsAnError() {
        server.enqueue(sse(ROLE + "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\n\n"
                + finish("stop") + DONE));

        assertThatThrownBy(() -> assemble(builder().build().stream(ask("Hi"))))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void aDisconnectInTheMiddleOfTheStreamIsAnError() {
        try (var resetting = FakeHttpServer.ResettingServer.start("text/event-stream",
                TEXT_STREAM.substring(0, TEXT_STREAM.indexOf("data: {", TEXT_STREAM.indexOf("wörld"))))) {
            StepVerifier.create(builder().baseUrl(resetting.url() + "/v1").build().stream(ask("Hi")))
                    .expectNext(ChatEvent.text("Hello"), ChatEvent.text(", wörld € 😀"))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                            .hasMessageContaining("the connection broke during the reply"))
                    .verify(Duration.ofSeconds(30));
            assertThat(resetting.connections()).hasValue(1);
        }
    }

    @Test
    void aSilentServerHitsTheInactivityTimeout() {
        server.enqueue(FakeHttpServer.Responder.stall("text/event-stream", ROLE + content("Hello"),
                Duration.ofMinutes(5)));

        StepVerifier.create(builder().inactivityTimeout(Duration.ofSeconds(3)).build().stream(ask("Hi")))
                .expectNext(ChatEvent.text("Hello"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("no data for 3000 ms"))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void cancellingTheStreamClosesTheConnection() throws InterruptedException {
        var pieces = new ArrayList<String>();
        pieces.add(ROLE);
        for (int i = 0; i < 5_000; i++) {
            pieces.add(content("tick"));
        }
        server.enqueue(sse(pieces, Duration.ofMillis(20)));

        StepVerifier.create(builder().build().stream(ask("Count")).take(2))
                .expectNext(ChatEvent.text("tick"), ChatEvent.text("tick"))
                .verifyComplete();

        assertThat(server.awaitClientGone(Duration.ofSeconds(60))).as("the server saw the connection closed").isTrue();
    }

    // ------------------------------------------------------------------------------------ the request

    @Test
    void theRequestIsWhatTheChatCompletionsApiExpects() {
        server.enqueue(sse(textStream("ok", "stop")));
        var weather = new ToolSpec("get_weather", "Weather for a city",
                JsonValue.parse("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}").asObject());
        var call1 = new ToolCall("call_1", "get_weather", "{\"city\":\"Oslo\"}");
        var call2 = new ToolCall("call_2", "get_weather", "{\"city\":");
        var request = new ChatRequest(List.of(
                Message.system("Be brief."),
                Message.user("Weather in Oslo and Bergen?"),
                Message.assistant("", List.of(call1, call2)),
                Message.toolResult(call1, "rain", false),
                Message.toolResult(call2, "arguments were not valid JSON", true),
                Message.assistant("Oslo has rain.", List.of()),
                Message.assistant("And Bergen?", List.of(call1)),
                Message.toolResult(call1, "sun", false),
                Message.system("Memory: the user likes short answers."),
                Message.user("And tomorrow?")),
                List.of(weather), new ChatOptions(200, 0.2, 0.9, List.of("STOP")));

        assemble(builder().header("OpenAI-Organization", "org-test").build().stream(request));

        FakeHttpServer.Recorded sent = server.lastRequest();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/v1/chat/completions");
        assertThat(sent.protocol()).isEqualTo("HTTP/1.1");
        assertThat(sent.header("Upgrade")).isNull();
        assertThat(sent.header("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(sent.header("OpenAI-Organization")).isEqualTo("org-test");
        assertThat(sent.header("Content-Type")).isEqualTo("application/json");
        assertThat(sent.header("Accept")).isEqualTo("text/event-stream");
        // Arguments that are not JSON (the tool result told the model) go out as {}: compatible servers
        // such as vLLM parse the arguments of earlier calls and refuse the whole request otherwise.
        assertThat(JsonValue.parse(sent.body())).isEqualTo(JsonValue
                .parse("""
                        {"model":"gpt-4.1-mini",
                         "messages":[
                           {"role":"system","content":"Be brief."},
                           {"role":"user","content":"Weather in Oslo and Bergen?"},
                           {"role":"assistant","content":null,"tool_calls":[
                              {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"}},
                              {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
                           {"role":"tool","tool_call_id":"call_1","content":"rain"},
                           {"role":"tool","tool_call_id":"call_2","content":"arguments were not valid JSON"},
                           {"role":"assistant","content":"Oslo has rain."},
                           {"role":"assistant","content":"And Bergen?","tool_calls":[
                              {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]},
                           {"role":"tool","tool_call_id":"call_1","content":"sun"},
                           {"role":"system","content":"Memory: the user likes short answers."},
                           {"role":"user","content":"And tomorrow?"}],
                         "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather for a city",
                                   "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
                         "max_tokens":200,
                         "temperature":0.2,
                         "top_p":0.9,
                         "stop":["STOP"],
                         "stream":true,
                         "stream_options":{"include_usage":true}}"""));
    }

    @Test
    void theBuildersDefaultsApplyWhenTheRequestSetsNone() {
        server.enqueue(sse(textStream("ok", "stop")));

        assemble(builder().maxTokens(64).temperature(0.0).topP(0.5).build().stream(ask("Hi")));

        assertThat(JsonValue.parse(server.lastRequest().body())).isEqualTo(JsonValue.parse("""
                {"model":"gpt-4.1-mini","messages":[{"role":"user","content":"Hi"}],
                 "max_tokens":64,"temperature":0.0,"top_p":0.5,
                 "stream":true,"stream_options":{"include_usage":true}}"""));
    }

    @Test
    void theOfficialApiGetsMaxCompletionTokensInsteadOfMaxTokens() {
        // No request is sent: only the body is built, for the default base URL.
        OpenAiChatModel official = OpenAiChatModel.builder().model("o4-mini").apiKey(KEY).build();

        JsonObject body = JsonValue.parse(official.body(
                new ChatRequest(List.of(Message.user("Hi")), List.of(), ChatOptions.DEFAULTS.withMaxTokens(100)), true))
                .asObject();

        assertThat(body.get("max_completion_tokens")).isEqualTo(JsonValue.of(100));
        assertThat(body.has("max_tokens")).isFalse();
    }

    @Test
    void noAuthorizationHeaderGoesToALocalServerWithoutAKey() {
        server.enqueue(sse(textStream("ok", "stop")));
        OpenAiChatModel local = OpenAiChatModel.builder()
                .model("qwen3:4b")
                .baseUrl(server.url() + "/v1")
                .environment(name -> null)
                .build();

        assertThat(assemble(local.stream(ask("Hi"))).message().text()).isEqualTo("ok");

        assertThat(server.lastRequest().header("Authorization")).isNull();
        assertThat(server.lastRequest().path()).isEqualTo("/v1/chat/completions");
    }

    @Test
    void theOfficialApiWithoutAKeyFailsAtBuildNamingTheVariable() {
        assertThatThrownBy(() -> OpenAiChatModel.builder().model("gpt-4.1-mini").environment(name -> null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OPENAI_API_KEY");
        assertThatThrownBy(() -> OpenAiChatModel.builder().apiKey(KEY).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model is required");
    }

    @Test
    void theKeyAndBaseUrlComeFromTheEnvironmentAndTheKeyNeverShowsInToString() {
        OpenAiChatModel model = OpenAiChatModel.builder()
                .model("gpt-4.1-nano")
                .environment(name -> name.equals("OPENAI_API_KEY")
                        ? KEY
                        : name.equals("OPENAI_BASE_URL") ? server.url() + "/v1/" : null)
                .build();
        server.enqueue(sse(TEXT_STREAM));

        assemble(model.stream(ask("Hi")));

        assertThat(server.lastRequest().header("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(server.lastRequest().path()).isEqualTo("/v1/chat/completions");
        assertThat(model.toString()).doesNotContain(KEY).contains("gpt-4.1-nano");
        assertThat(model.toBuilder().build().toString()).doesNotContain(KEY);
        assertThat(builder().build().toString()).doesNotContain(KEY).contains("127.0.0.1");
        assertThat(model.modelName()).isEqualTo("gpt-4.1-nano");
    }

    @Test
    void structuredOutputUsesAStrictJsonSchemaResponseFormat() {
        server.enqueue(sse(textStream("{\"a\":1}", "stop")));
        JsonObject schema = JsonValue.parse("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},"
                + "\"required\":[\"a\"],\"additionalProperties\":false}").asObject();

        ChatResponse r = assemble(builder().build()
                .stream(new ChatRequest(List.of(Message.user("a?")), List.of(),
                        ChatOptions.DEFAULTS.withResponseFormat(new ResponseFormat("Answer", schema)))));

        assertThat(r.message().text()).isEqualTo("{\"a\":1}");
        JsonObject body = JsonValue.parse(server.lastRequest().body()).asObject();
        assertThat(body.get("response_format")).isEqualTo(JsonValue.parse(
                "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"Answer\",\"schema\":" + schema.toJson()
                        + ",\"strict\":true}}"));
        assertThat(builder().build().supportsResponseFormat()).isTrue();
    }

    @Test
    void theNonStreamedCallMapsContentToolCallsFinishReasonAndUsage() {
        server.enqueue(json(200,
                """
                        {"id":"chatcmpl-9","object":"chat.completion","created":1,"model":"gpt-4.1-mini",
                         "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,
                           "tool_calls":[{"id":"call_7","type":"function","function":{"name":"get_time","arguments":"{\\"zone\\":\\"UTC\\"}"}},
                                         {"id":"call_8","type":"function","function":{"name":"get_date","arguments":""}}]},
                           "logprobs":null,"finish_reason":"tool_calls"}],
                         "usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19,
                                  "prompt_tokens_details":{"cached_tokens":3}}}""",
                "x-request-id", "req_call"));

        ChatResponse r = builder().build().call(ask("time?")).block(Duration.ofSeconds(30));

        assertThat(r).isNotNull();
        assertThat(r.message().text()).isEmpty();
        assertThat(r.message().toolCalls()).containsExactly(new ToolCall("call_7", "get_time", "{\"zone\":\"UTC\"}"),
                new ToolCall("call_8", "get_date", "{}"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(r.usage()).isEqualTo(new Usage(12, 7, 3, 0, 0));
        assertThat(r.responseId()).isEqualTo("chatcmpl-9");
        assertThat(r.responseModel()).isEqualTo("gpt-4.1-mini");
        JsonObject body = JsonValue.parse(server.lastRequest().body()).asObject();
        assertThat(body.has("stream")).isFalse();
        assertThat(body.has("stream_options")).isFalse();
        assertThat(server.lastRequest().header("Accept")).isEqualTo("application/json");
    }

    @Test
    void theNonStreamedCallMapsTextAndALengthFinish() {
        server.enqueue(json(200, """
                {"id":"chatcmpl-10","object":"chat.completion","choices":[{"index":0,
                  "message":{"role":"assistant","content":"Hello, wörld € 😀"},"finish_reason":"length"}],
                 "usage":{"prompt_tokens":5,"completion_tokens":4,"total_tokens":9}}"""));

        ChatResponse r = builder().build().call(ask("Hi")).block(Duration.ofSeconds(30));

        assertThat(r).isNotNull();
        assertThat(r.message()).isEqualTo(Message.assistant("Hello, wörld € 😀"));
        assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(r.usage()).isEqualTo(Usage.of(5, 4));
    }

    @Test
    void aNonStreamedReplyThatIsNotJsonOrHasNoChoicesIsAnError() {
        server.enqueue(json(200, "<html>gateway</html>"), json(200, "{\"id\":\"x\",\"choices\":[]}"));
        OpenAiChatModel model = builder().build();

        StepVerifier.create(model.call(ask("Hi")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("not valid JSON"))
                .verify(Duration.ofSeconds(30));
        StepVerifier.create(model.call(ask("Hi")))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("no choices"))
                .verify(Duration.ofSeconds(30));
    }

    // ------------------------------------------------------------------------------------ errors and retries

    @Test
    void a429WithRetryAfterIsRetriedAfterTheRequestedWait() {
        server.enqueue(json(429, error("Rate limit reached for gpt-4.1-mini", "requests", "rate_limit_exceeded"),
                "retry-after", "1"), sse(TEXT_STREAM));
        long start = System.nanoTime();

        ChatResponse r = assemble(builder().build().stream(ask("Hi")));

        assertThat(r.message().text()).isEqualTo("Hello, wörld € 😀");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void retryAfterMsAndEveryRetryableServerErrorAreRetried() {
        server.enqueue(json(429, error("Rate limit reached", "tokens", "rate_limit_exceeded"), "retry-after-ms", "20",
                "retry-after", "3600"),
                json(500, error("The server had an error", "server_error", null)),
                json(502, "<html>Bad gateway</html>"),
                json(503, error("The engine is currently overloaded", "server_error", null)),
                json(504, ""),
                sse(TEXT_STREAM));

        ChatResponse r = assemble(builder().retryPolicy(RetryPolicy.DEFAULT.withMaxRetries(5)
                .withBackoff(Duration.ofMillis(1), Duration.ofMillis(5))).build().stream(ask("Hi")));

        assertThat(r.message().text()).startsWith("Hello");
        // Had the one-hour Retry-After been taken over the 20 ms retry-after-ms, the guard in assemble would fail.
        assertThat(server.requests()).hasSize(6);
    }

    @Test
    void a429ThatNeverClearsFailsAfterTheRetryBudget() {
        server.otherwise(r -> json(429, error("Rate limit reached for requests", "requests", "rate_limit_exceeded"),
                "x-request-id", "req_429"));

        StepVerifier.create(builder().retryPolicy(RetryPolicy.DEFAULT.withMaxRetries(2)
                .withBackoff(Duration.ofMillis(1), Duration.ofMillis(2))).build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isExactlyInstanceOf(ModelException.class)
                            .hasMessageContaining("HTTP 429")
                            .hasMessageContaining("requests: Rate limit reached for requests")
                            .hasMessageContaining("req_429")
                            .hasMessageContaining("gave up after 2 retries");
                    assertThat(((ModelException) e).status()).isEqualTo(429);
                    assertThat(((ModelException) e).requestId()).isEqualTo("req_429");
                    assertThat(((ModelException) e).isRetryable()).isTrue();
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void a429ForAnExhaustedQuotaFailsAtOnceNamingTheQuota() {
        server.otherwise(r -> json(429, error("You exceeded your current quota, please check your plan and billing "
                + "details.", "insufficient_quota", "insufficient_quota"), "x-request-id", "req_quota", "retry-after",
                "1"));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isExactlyInstanceOf(ModelException.class)
                            .hasMessageContaining("HTTP 429")
                            .hasMessageContaining("insufficient_quota: You exceeded your current quota")
                            .hasMessageContaining("quota is exhausted")
                            .hasMessageContaining("req_quota")
                            .hasMessageNotContaining("gave up");
                    assertThat(((ModelException) e).status()).isEqualTo(429);
                    assertThat(((ModelException) e).isRetryable()).isFalse();
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void anInactiveBillingAccountAndTheNonStreamedCallFailAtOnceToo() {
        // OpenAI sends billing_not_active with status 429 as well; some servers put the kind in type only.
        server.otherwise(r -> json(429, error("Your account is not active, please check your billing details on our "
                + "website.", "billing_not_active", null)));
        OpenAiChatModel model = builder().build();

        StepVerifier.create(model.stream(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).hasMessageContaining("billing_not_active").hasMessageContaining("quota is exhausted");
                    assertThat(((ModelException) e).isRetryable()).isFalse();
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(1);

        server.otherwise(r -> json(429, error("You exceeded your current quota.", "insufficient_quota", null)));
        StepVerifier.create(model.call(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).hasMessageContaining("quota is exhausted");
                    assertThat(((ModelException) e).isRetryable()).isFalse();
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void anErrorObjectInANonStreamedReplyIsRetryableOnlyWhenItsKindMayPass() {
        server.enqueue(json(200, error("You exceeded your current quota.", "insufficient_quota", "insufficient_quota")),
                json(200, error("The server had an error while processing your request.", "server_error", null)));
        OpenAiChatModel model = builder().build();

        StepVerifier.create(model.call(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isExactlyInstanceOf(ModelException.class)
                            .hasMessageContaining("returned an error: insufficient_quota")
                            .hasMessageContaining("quota is exhausted");
                    assertThat(((ModelException) e).isRetryable()).isFalse();
                })
                .verify(Duration.ofSeconds(30));
        StepVerifier.create(model.call(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).hasMessageContaining("server_error: The server had an error");
                    assertThat(((ModelException) e).isRetryable()).isTrue();
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void aQuotaErrorSentInsideTheStreamIsNotRetryable() {
        server.enqueue(sse(ROLE + "data: {\"error\":{\"message\":\"You exceeded your current quota.\","
                + "\"type\":\"insufficient_quota\",\"code\":429}}\n\n" + DONE));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isExactlyInstanceOf(ModelException.class)
                            .hasMessageContaining("insufficient_quota")
                            .hasMessageContaining("quota is exhausted");
                    assertThat(((ModelException) e).isRetryable()).isFalse();
                })
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void a401FailsAtOnceWithTheProvidersMessageAndNeverShowsTheKey() {
        server.enqueue(json(401, error("Incorrect API key provided: " + KEY
                + ". You can find your API key at https://platform.openai.com/account/api-keys.",
                "invalid_request_error", "invalid_api_key"), "x-request-id", "req_401"));

        StepVerifier.create(builder().build().stream(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isExactlyInstanceOf(ModelException.class)
                            .hasMessageContaining("HTTP 401")
                            .hasMessageContaining("Incorrect API key provided")
                            .hasMessageNotContaining(KEY)
                            .hasMessageNotContaining(KEY.substring(0, 20));
                    assertThat(((ModelException) e).status()).isEqualTo(401);
                    assertThat(((ModelException) e).requestId()).isEqualTo("req_401");
                    assertThat(((ModelException) e).isRetryable()).isFalse();
                    assertThat(e.toString()).doesNotContain(KEY);
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void badRequestForbiddenAndNotFoundAreNotRetried() {
        for (int status : new int[]{400, 403, 404}) {
            server.enqueue(json(status, error("status " + status, "invalid_request_error", null)));
            int before = server.requests().size();
            StepVerifier.create(builder().build().stream(ask("Hi")))
                    .expectErrorSatisfies(e -> {
                        assertThat(((ModelException) e).status()).isEqualTo(status);
                        assertThat(e).hasMessageContaining("invalid_request_error: status " + status);
                        assertThat(((ModelException) e).isRetryable()).isFalse();
                    })
                    .verify(Duration.ofSeconds(30));
            assertThat(server.requests()).hasSize(before + 1);
        }
    }

    @Test
    void theNonStreamedCallIsRetriedAndMapsErrorsToo() {
        server.enqueue(json(503, error("overloaded", "server_error", null)),
                json(200, "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
                        + "\"finish_reason\":\"stop\"}]}"),
                json(400, error("Invalid 'messages'", "invalid_request_error", null), "x-request-id", "req_400"));
        OpenAiChatModel model = builder().build();

        ChatResponse ok = model.call(ask("Hi")).block(Duration.ofSeconds(30));
        assertThat(ok).isNotNull();
        assertThat(ok.message().text()).isEqualTo("ok");
        assertThat(ok.usage()).isEqualTo(Usage.ZERO);
        StepVerifier.create(model.call(ask("Hi")))
                .expectErrorSatisfies(e -> {
                    assertThat(((ModelException) e).status()).isEqualTo(400);
                    assertThat(((ModelException) e).requestId()).isEqualTo("req_400");
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(3);
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
    void eachModelResponseEventOfATaskCarriesTheCompletionIdAndTheModelThatAnswered() {
        server.enqueue(sse(toolStream("call_1", "get_weather", List.of("{\"location\":\"Oslo\"}"), "tool_calls")),
                sse(textStream("It is 12 degrees.", "stop")));
        Agent agent = Agent.builder().model(builder().build()).tools(weatherTool(new AtomicInteger())).build();

        List<AgentEvent> events = agent.task("Weather in Oslo?").stream().collectList().block(Duration.ofSeconds(30));

        assertThat(events).filteredOn(AgentEvent.ModelResponse.class::isInstance)
                .map(AgentEvent.ModelResponse.class::cast)
                .extracting(AgentEvent.ModelResponse::step, AgentEvent.ModelResponse::responseId,
                        AgentEvent.ModelResponse::responseModel)
                .containsExactly(tuple(1, "chatcmpl-1", "gpt-4.1-mini"), tuple(2, "chatcmpl-1", "gpt-4.1-mini"));
    }

    @Test
    void aFullAgentTaskCallsAToolAndAnswers() {
        server.enqueue(sse(toolStream("call_1", "get_weather", List.of("{\"location\":", "\"Oslo\"}"), "tool_calls")),
                sse(textStream("It is 12 degrees.", "stop")));
        var runs = new AtomicInteger();
        Agent agent = Agent.builder()
                .model(builder().build())
                .instructions("Be brief.")
                .tools(weatherTool(runs))
                .build();

        AgentResult result = agent.task("Weather in Oslo?").executeBlocking();

        assertThat(result.text()).isEqualTo("It is 12 degrees.");
        assertThat(runs).hasValue(1);
        assertThat(result.usage()).isEqualTo(Usage.of(30, 35));
        assertThat(server.requests()).hasSize(2);
        assertThat(sentMessages(server.requests().get(1))).isEqualTo(JsonValue
                .parse("""
                        [{"role":"system","content":"Be brief."},
                         {"role":"user","content":"Weather in Oslo?"},
                         {"role":"assistant","content":null,"tool_calls":[
                            {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"location\\":\\"Oslo\\"}"}}]},
                         {"role":"tool","tool_call_id":"call_1","content":"12 degrees in Oslo"}]"""));
        assertThat(JsonValue.parse(server.requests().get(1).body()).asObject().getArray("tools").orElseThrow().items())
                .extracting(t -> t.asObject().getObject("function").orElseThrow().getString("name").orElseThrow())
                .containsExactly("get_weather");
    }

    @Test
    void anUnknownToolIsAnsweredWithAnErrorListingTheRealTools() {
        server.enqueue(sse(TOOL_STREAM), sse(textStream("It is 12 degrees.", "stop")));
        var runs = new AtomicInteger();
        Agent agent = Agent.builder().model(builder().build()).tools(weatherTool(runs)).build();

        AgentResult result = agent.task("Weather and time?").executeBlocking();

        assertThat(result.text()).isEqualTo("It is 12 degrees.");
        assertThat(runs).hasValue(1);
        JsonArray messages = sentMessages(server.requests().get(1));
        assertThat(messages.items()).extracting(m -> m.asObject().getString("role").orElseThrow())
                .containsExactly("user", "assistant", "tool", "tool");
        assertThat(messages.get(1).asObject().getString("content")).contains("Let me check é.");
        assertThat(messages.items().subList(2, 4))
                .extracting(m -> m.asObject().getString("tool_call_id").orElseThrow())
                .containsExactly("call_abc", "call_def");
        assertThat(messages.get(2).asObject().getString("content")).contains("12 degrees in San Francisco \"SF\" é 😀");
        assertThat(messages.get(3).asObject().getString("content").orElseThrow()).contains("get_time")
                .contains("get_weather");
        assertThat(result.transcript()).filteredOn(Message.ToolResult.class::isInstance)
                .extracting(m -> ((Message.ToolResult) m).error())
                .containsExactly(false, true);
    }

    @Test
    void parallelToolCallsAreBothAnsweredInCallOrder() {
        server.enqueue(sse(PARALLEL_STREAM), sse(textStream("Rain in both.", "stop")));
        var runs = new AtomicInteger();
        Agent agent = Agent.builder().model(builder().build()).tools(weatherTool(runs)).build();

        AgentResult result = agent.task("Oslo and Bergen?").executeBlocking();

        assertThat(result.text()).isEqualTo("Rain in both.");
        assertThat(runs).hasValue(2);
        JsonArray messages = sentMessages(server.requests().get(1));
        assertThat(messages.get(1).asObject().getArray("tool_calls").orElseThrow().items())
                .extracting(c -> c.asObject().getString("id").orElseThrow())
                .containsExactly("call_a", "call_b");
        assertThat(messages.items().subList(2, messages.size()))
                .extracting(m -> m.asObject().getString("tool_call_id").orElseThrow(),
                        m -> m.asObject().getString("content").orElseThrow())
                .containsExactly(tuple("call_a", "12 degrees in Oslo"), tuple("call_b", "12 degrees in Bergen"));
    }

    static Tool timeTool(AtomicInteger runs) {
        return Tool.builder("get_time")
                .description("The time in a zone")
                .parameters(JsonValue.parse("{\"type\":\"object\",\"properties\":{\"zone\":{\"type\":\"string\"}}}")
                        .asObject())
                .handler((args, ctx) -> {
                    runs.incrementAndGet();
                    return Mono.just(ToolResult.text("12:00 in " + args.getString("zone").orElse("?")));
                })
                .build();
    }

    @Test
    void bothCallsOfAServerThatReusesIndexZeroRunAndAreAnswered() {
        server.enqueue(sse(REUSED_INDEX_STREAM), sse(textStream("Noon and 12 degrees.", "stop")));
        var weather = new AtomicInteger();
        var time = new AtomicInteger();
        Agent agent = Agent.builder().model(builder().build()).tools(weatherTool(weather), timeTool(time)).build();

        AgentResult result = agent.task("Weather and time?").executeBlocking();

        assertThat(result.text()).isEqualTo("Noon and 12 degrees.");
        assertThat(weather).hasValue(1);
        assertThat(time).hasValue(1);
        JsonArray messages = sentMessages(server.requests().get(1));
        assertThat(messages.items().subList(2, messages.size()))
                .extracting(m -> m.asObject().getString("tool_call_id").orElseThrow(),
                        m -> m.asObject().getString("content").orElseThrow())
                .containsExactly(tuple("call_a", "12 degrees in Oslo"), tuple("call_b", "12:00 in UTC"));
    }

    @Test
    void callsSharingAnIdAreAnsweredOneResultEachUnderDistinctIds() {
        server.enqueue(sse(ROLE
                + callStart(0, "call_1", "get_weather") + args(0, "{\"location\":\"Oslo\"}")
                + callStart(1, "call_1", "get_weather") + args(1, "{\"location\":\"Bergen\"}")
                + finish("tool_calls") + DONE), sse(textStream("Rain in both.", "stop")));
        var runs = new AtomicInteger();
        Agent agent = Agent.builder().model(builder().build()).tools(weatherTool(runs)).build();

        agent.task("Oslo and Bergen?").executeBlocking();

        assertThat(runs).hasValue(2);
        JsonArray messages = sentMessages(server.requests().get(1));
        List<String> asked = messages.get(1)
                .asObject()
                .getArray("tool_calls")
                .orElseThrow()
                .items()
                .stream()
                .map(c -> c.asObject().getString("id").orElseThrow())
                .toList();
        assertThat(asked).hasSize(2).doesNotHaveDuplicates();
        assertThat(messages.items().subList(2, messages.size()))
                .extracting(m -> m.asObject().getString("tool_call_id").orElseThrow(),
                        m -> m.asObject().getString("content").orElseThrow())
                .containsExactly(tuple(asked.get(0), "12 degrees in Oslo"),
                        tuple(asked.get(1), "12 degrees in Bergen"));
    }

    @Test
    void malformedToolArgumentsGoBackToTheModelAsAnErrorWithTheRawTextKept() {
        server.enqueue(sse(toolStream("call_bad", "get_weather", List.of("{\"location\": San"), "tool_calls")),
                sse(textStream("Fixed it.", "stop")));
        var runs = new AtomicInteger();
        Agent agent = Agent.builder().model(builder().build()).tools(weatherTool(runs)).build();

        AgentResult result = agent.task("Weather?").executeBlocking();

        assertThat(runs).hasValue(0);
        assertThat(result.text()).isEqualTo("Fixed it.");
        assertThat(result.transcript()).anySatisfy(m -> assertThat(m).isInstanceOfSatisfying(Message.Assistant.class,
                a -> assertThat(a.toolCalls()).extracting(ToolCall::arguments).containsExactly("{\"location\": San")));
        assertThat(result.transcript()).anySatisfy(m -> assertThat(m).isInstanceOfSatisfying(Message.ToolResult.class,
                r -> assertThat(r.error()).isTrue()));
        JsonArray messages = sentMessages(server.requests().get(1));
        JsonObject call = messages.get(1).asObject().getArray("tool_calls").orElseThrow().get(0).asObject();
        assertThat(call.getObject("function").orElseThrow().getString("arguments")).contains("{}");
        assertThat(messages.get(2).asObject().getString("content").orElseThrow()).contains("not valid JSON");
    }

    @Test
    void argumentsCutOffByTheTokenLimitNeverReachTheTool() {
        server.enqueue(sse(toolStream("call_cut", "get_weather", List.of("{\"location\": \"San Fr"), "length")),
                sse(textStream("Sorry, I ran out of room.", "stop")));
        var runs = new AtomicInteger();
        var failures = new ArrayList<AgentEvent.ToolCallFailed>();
        Agent agent = Agent.builder()
                .model(builder().build())
                .tools(weatherTool(runs))
                .options(ChatOptions.DEFAULTS.withMaxTokens(30))
                .listener(e -> {
                    if (e instanceof AgentEvent.ToolCallFailed f) {
                        failures.add(f);
                    }
                })
                .build();

        AgentResult result = agent.task("Weather?").executeBlocking();

        assertThat(runs).hasValue(0);
        assertThat(result.text()).isEqualTo("Sorry, I ran out of room.");
        assertThat(failures).extracting(AgentEvent.ToolCallFailed::kind).containsExactly(ToolErrorKind.TRUNCATED);
        assertThat(failures.get(0).call().id()).isEqualTo("call_cut");
        Message.ToolResult answer = result.transcript()
                .stream()
                .filter(Message.ToolResult.class::isInstance)
                .map(Message.ToolResult.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(answer.error()).isTrue();
        assertThat(answer.content()).contains("output token limit").contains("30 tokens");
        assertThat(result.transcript()).anySatisfy(m -> assertThat(m).isInstanceOfSatisfying(Message.Assistant.class,
                a -> assertThat(a.toolCalls()).extracting(ToolCall::arguments).contains("{\"location\": \"San Fr")));
        JsonObject second = JsonValue.parse(server.requests().get(1).body()).asObject();
        assertThat(second.get("max_tokens")).isEqualTo(JsonValue.of(30));
        JsonArray messages = second.getArray("messages").orElseThrow();
        assertThat(messages.get(2).asObject().getString("tool_call_id")).contains("call_cut");
        assertThat(messages.get(2).asObject().getString("content").orElseThrow()).contains("output token limit");
    }

    // ------------------------------------------------------------------------------------ structured tasks

    /** A structured answer. */
    public record Forecast(String city, int celsius, List<String> warnings) {}

    static final String FORECAST_JSON = "{\"city\":\"Oslo\",\"celsius\":12,\"warnings\":[\"wind\"]}";

    @Test
    void aStructuredTaskAsksForTheRecordsSchemaAndMapsTheReply() {
        server.enqueue(sse(textStream(FORECAST_JSON, "stop")));
        Agent agent = Agent.builder().model(builder().build()).build();

        Forecast f = agent.task("Forecast for Oslo?").returning(Forecast.class).execute().block(Duration.ofSeconds(30));

        assertThat(f).isEqualTo(new Forecast("Oslo", 12, List.of("wind")));
        assertThat(server.requests()).hasSize(1);
        JsonObject body = JsonValue.parse(server.lastRequest().body()).asObject();
        assertThat(body.get("response_format")).isEqualTo(JsonObject.builder()
                .put("type", "json_schema")
                .put("json_schema", JsonObject.builder()
                        .put("name", "Forecast")
                        .put("schema", TypeSchema.of(Forecast.class))
                        .put("strict", true)
                        .build())
                .build());
        assertThat(body.has("tools")).isFalse();
    }

    @Test
    void aServerWithoutJsonSchemaSupportGetsTheAnswerThroughAFinalAnswerTool() {
        server.enqueue(sse(toolStream("call_f", "final_answer", List.of(FORECAST_JSON), "tool_calls")));
        Agent agent = Agent.builder().model(builder().nativeStructuredOutput(false).build()).build();

        Forecast f = agent.task("Forecast for Oslo?").returning(Forecast.class).execute().block(Duration.ofSeconds(30));

        assertThat(f).isEqualTo(new Forecast("Oslo", 12, List.of("wind")));
        JsonObject body = JsonValue.parse(server.lastRequest().body()).asObject();
        assertThat(body.has("response_format")).isFalse();
        assertThat(body.getArray("tools")
                .orElseThrow()
                .get(0)
                .asObject()
                .getObject("function")
                .orElseThrow()
                .get("parameters")).isEqualTo(TypeSchema.of(Forecast.class));
    }

    @Test
    void aRecordedStreamReplaysToTheSameReplyAsTheLiveOne() {
        server.enqueue(sse(TOOL_STREAM));
        OpenAiChatModel model = builder().build();
        byte[] bytes = TOOL_STREAM.getBytes(StandardCharsets.UTF_8);

        ChatResponse replayed = assemble(model.replay(Flux.range(0, bytes.length / 5 + 1)
                .map(i -> java.nio.ByteBuffer.wrap(bytes, i * 5, Math.min(5, bytes.length - i * 5)))));

        assertThat(replayed).isEqualTo(assemble(model.stream(ChatRequest.of(Message.user("x")))));
    }

    @Test
    void anInvalidStructuredReplyIsCorrectedOnceWithTheViolations() {
        server.enqueue(sse(textStream("{\"city\":\"Oslo\",\"celsius\":\"warm\"}", "stop")),
                sse(textStream("```json\n" + FORECAST_JSON + "\n```", "stop")));
        Agent agent = Agent.builder().model(builder().build()).build();

        Forecast f = agent.task("Forecast for Oslo?").returning(Forecast.class).execute().block(Duration.ofSeconds(30));

        assertThat(f).isEqualTo(new Forecast("Oslo", 12, List.of("wind")));
        assertThat(server.requests()).hasSize(2);
        JsonArray messages = sentMessages(server.requests().get(1));
        JsonObject feedback = messages.get(messages.size() - 1).asObject();
        assertThat(feedback.getString("role")).contains("user");
        assertThat(feedback.getString("content").orElseThrow()).contains("does not match")
                .contains("celsius")
                .contains("warnings");
        assertThat(messages.get(messages.size() - 2).asObject().getString("content"))
                .contains("{\"city\":\"Oslo\",\"celsius\":\"warm\"}");
        assertThat(JsonValue.parse(server.requests().get(1).body()).asObject().has("response_format")).isTrue();
    }

    @Test
    void twoInvalidStructuredRepliesFailWithTheProblemsAndTheRawOutput() {
        server.enqueue(sse(textStream("not json", "stop")), sse(textStream("{\"city\":\"Oslo\"}", "stop")));
        Agent agent = Agent.builder().model(builder().build()).build();

        StepVerifier.create(agent.task("Forecast?").returning(Forecast.class).execute())
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(StructuredOutputException.class);
                    var so = (StructuredOutputException) e;
                    assertThat(so.rawOutput()).isEqualTo("{\"city\":\"Oslo\"}");
                    assertThat(so.problems()).isNotEmpty().anySatisfy(p -> assertThat(p).contains("celsius"));
                })
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(2);
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
                    return sse(tools ? toolStream("call_c", "get_time", List.of("{}"), "tool_calls") : TEXT_STREAM);
                }
                return json(200, tools
                        ? "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
                                + "\"tool_calls\":[{\"id\":\"call_c\",\"type\":\"function\",\"function\":"
                                + "{\"name\":\"get_time\",\"arguments\":\"{}\"}}]},\"finish_reason\":\"tool_calls\"}],"
                                + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}"
                        : "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello\"},"
                                + "\"finish_reason\":\"stop\"}],"
                                + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}");
            });
            return builder().build();
        }
    }
}
