package dev.agentrt.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.Reasoning;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.InputRequest;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

class AgentJsonTest {
    /** Unicode, an emoji (a surrogate pair), quotes, backslashes, control characters and a line separator. */
    private static final String TRICKY = "héllo wörld 😀 \"quoted\" \\back\\slash\nnew\tline"
            + " \u0000\u001f\u007f \u2028 end";

    private static final ToolCall CALL = new ToolCall("call_1", "read_file", "{\"path\":\"my dir/ü.txt\"}");
    private static final ToolCall MALFORMED_CALL = new ToolCall("call_2", "run", "{not json " + TRICKY);
    private static final Usage HUGE_USAGE = new Usage(Long.MAX_VALUE, Long.MAX_VALUE - 1, 7, 0, 0.1 + 0.2);
    private static final Usage SMALL_USAGE = new Usage(12, 3, 0, 0, 0.000_015);
    private static final Usage REASONING_USAGE = new Usage(40, 30, 8, 0, 24, 0.25);
    private static final Principal PRINCIPAL = new Principal("user-42", Set.of("admin", "dev", "réviewer"),
            Map.of("tenant", "acmé", "plan", "pro", "note", TRICKY));
    private static final Capability READ = Capability.fileRead(Path.of("/srv/my project/src"));

    // ------------------------------------------------------------------------------- samples

    static List<Message> messages() {
        return List.of(
                Message.system("Be brief. " + TRICKY),
                Message.user(""),
                Message.user("What is 2+2?"),
                Message.assistant(""),
                Message.assistant(TRICKY, List.of(CALL, MALFORMED_CALL)),
                Message.assistant("", List.of(CALL), List.of(Reasoning.signed("anthropic", TRICKY, "sig+/=="),
                        Reasoning.sealed("anthropic", "ZW5j"), new Reasoning("openai", "", null, "gAAA", "rs_1"),
                        Reasoning.signed("gemini", "", null))),
                Message.toolResult(CALL, "file contents: " + TRICKY, false),
                Message.toolResult(MALFORMED_CALL, "arguments are not JSON", true));
    }

    static List<Capability> capabilities() {
        return List.of(
                READ,
                Capability.fileWrite(Path.of("relative dir", "out file.txt")),
                Capability.net("*.Example.COM"),
                Capability.net("api.github.com", 443),
                Capability.net("[::1]", 65535),
                Capability.net("devbox.lan", 8080).allowingPrivateAddresses(),
                Capability.env("HOME"),
                Capability.env(Capability.ANY),
                Capability.memoryRead(),
                Capability.memoryWrite("notes ✍"),
                Capability.custom("payments", "refund"),
                Capability.custom("x", ""));
    }

    static List<ChatEvent> chatEvents() {
        var events = new ArrayList<ChatEvent>(List.of(
                ChatEvent.text(TRICKY),
                ChatEvent.text(""),
                new ChatEvent.ToolCallDelta(0, "call_1", "read_file", "{\"pa"),
                new ChatEvent.ToolCallDelta(Integer.MAX_VALUE, null, null, ""),
                new ChatEvent.ToolCallDelta(1, "", null, TRICKY),
                new ChatEvent.ReasoningDelta(TRICKY),
                new ChatEvent.ReasoningBlock(Reasoning.signed("anthropic", TRICKY, "sig")),
                new ChatEvent.ReasoningBlock(new Reasoning("openai", "", null, "gAAA", "rs_1")),
                new ChatEvent.UsageReport(HUGE_USAGE),
                new ChatEvent.UsageReport(REASONING_USAGE),
                new ChatEvent.UsageReport(Usage.ZERO)));
        for (FinishReason reason : FinishReason.values()) {
            events.add(ChatEvent.finish(reason));
        }
        events.add(new ChatEvent.Finish(FinishReason.STOP, "msg_01" + TRICKY, "claude-sonnet-4-5-20250929"));
        events.add(new ChatEvent.Finish(FinishReason.LENGTH, null, "qwen3:4b"));
        return events;
    }

    static AgentResult fullResult() {
        return new AgentResult("task-1", TRICKY, messages(), 3, HUGE_USAGE, Outcome.COMPLETED);
    }

    static List<AgentEvent> events() {
        var events = new ArrayList<AgentEvent>(List.of(
                new AgentEvent.Started("task-1", TRICKY, PRINCIPAL),
                new AgentEvent.Started("task-2", "", Principal.ANONYMOUS),
                new AgentEvent.ModelRequest("task-1", 1, 2, 0),
                new AgentEvent.TextDelta("task-1", Integer.MAX_VALUE, TRICKY),
                new AgentEvent.ReasoningDelta("task-1", 1, TRICKY),
                new AgentEvent.ModelRetry("task-1", 2, 1, 200, "req_" + TRICKY, "connection reset: " + TRICKY,
                        Long.MAX_VALUE),
                new AgentEvent.ModelRetry("task-1", Integer.MAX_VALUE, Integer.MAX_VALUE, 0, null, "", 0),
                new AgentEvent.ModelResponse("task-1", 1, FinishReason.TOOL_CALLS, new Usage(12, 3, 4, 5, 2, 0.25)),
                new AgentEvent.ModelResponse("task-1", Integer.MAX_VALUE, FinishReason.OTHER, Usage.ZERO),
                new AgentEvent.ModelResponse("task-1", 2, FinishReason.STOP, Usage.of(1, 2), "msg_01",
                        "claude-sonnet-4-5-20250929"),
                new AgentEvent.ModelResponse("task-1", 3, FinishReason.STOP, Usage.of(1, 2), null, TRICKY),
                new AgentEvent.ToolCallRequested("task-1", 1, CALL),
                new AgentEvent.ToolCallRequested("task-1", 1, new ToolCall("c1/1", "read_file", "{}"), "c1/" + TRICKY),
                new AgentEvent.ToolProgress("task-1", 1, CALL, 0.5, 1.0, TRICKY),
                new AgentEvent.ToolProgress("task-1", 1, CALL, 3, null, null),
                new AgentEvent.PermissionGranted("task-1", 1, CALL, capabilities()),
                new AgentEvent.PermissionGranted("task-1", 1, CALL, List.of()),
                new AgentEvent.PermissionDenied("task-1", 1, MALFORMED_CALL, List.of(READ), "not granted: " + TRICKY),
                new AgentEvent.ApprovalRequested("task-1", 1, CALL, capabilities()),
                new AgentEvent.ToolCallCompleted("task-1", 2, CALL, TRICKY, Long.MAX_VALUE),
                new AgentEvent.ToolCallCompleted("task-1", 2, CALL, "", 0),
                new AgentEvent.StepDone("task-1", 2, SMALL_USAGE, HUGE_USAGE),
                new AgentEvent.SubAgentEvent("task-1", 2, CALL, TRICKY,
                        new AgentEvent.TextDelta("task-sub", 1, TRICKY)),
                new AgentEvent.SubAgentEvent("task-1", Integer.MAX_VALUE, MALFORMED_CALL, "",
                        new AgentEvent.SubAgentEvent("task-sub", 3, CALL, "inner",
                                new AgentEvent.Completed("task-inner", fullResult()))),
                new AgentEvent.Completed("task-1", fullResult()),
                new AgentEvent.Failed("task-1", "BudgetExceededException", "token budget of 10 used up",
                        new AgentResult("task-1", "", List.of(), 0, Usage.ZERO, Outcome.TOKEN_LIMIT))));
        for (Decision decision : List.of(Decision.approveOnce(), Decision.approveForTask(), Decision.deny(TRICKY))) {
            events.add(new AgentEvent.ApprovalDecided("task-1", 1, CALL, decision));
        }
        for (ToolErrorKind kind : ToolErrorKind.values()) {
            events.add(new AgentEvent.ToolCallFailed("task-1", 3, CALL, kind, "failed: " + kind, 1_500_000));
        }
        return events;
    }

    static List<AgentResult> results() {
        var results = new ArrayList<AgentResult>(List.of(fullResult()));
        for (Outcome outcome : Outcome.values()) {
            results.add(new AgentResult("t", "", List.of(), 0, Usage.ZERO, outcome));
        }
        return results;
    }

    static List<ChatRequest> chatRequests() {
        var schema = JsonValue
                .parse("""
                        {"type":"object","properties":{"path":{"type":"string","description":"a path \\u00e9 😀"},
                         "lines":{"type":"array","items":{"type":"integer","minimum":1}},
                         "ratio":{"type":"number","maximum":0.5}},
                         "required":["path"],"additionalProperties":false}""")
                .asObject();
        var tools = List.of(new ToolSpec("read_file", "Reads a file. " + TRICKY, schema),
                new ToolSpec("noop", "", JsonObject.EMPTY),
                new ToolSpec("weather", "A record's result", JsonObject.EMPTY, JsonValue.parse(
                        "{\"type\":\"object\",\"properties\":{\"celsius\":{\"type\":\"number\"}}}").asObject()));
        return List.of(
                ChatRequest.of(Message.user("hi")),
                ChatRequest.of(List.of()),
                new ChatRequest(messages(), tools, new ChatOptions(4096, 0.7, 0.9, List.of("\n\nHuman:", TRICKY))),
                new ChatRequest(messages(), tools, new ChatOptions(1, null, 1.0, List.of())),
                new ChatRequest(List.of(), List.of(), new ChatOptions(null, 0.0, null, List.of(""))));
    }

    static List<ChatResponse> chatResponses() {
        return List.of(
                new ChatResponse(Message.assistant(TRICKY), SMALL_USAGE, FinishReason.STOP),
                new ChatResponse(Message.assistant("", List.of(CALL, MALFORMED_CALL)), HUGE_USAGE,
                        FinishReason.TOOL_CALLS),
                new ChatResponse(Message.assistant("hi"), SMALL_USAGE, FinishReason.STOP, "chatcmpl-1", TRICKY));
    }

    static List<ToolResult> toolResults() {
        return List.of(
                ToolResult.text(TRICKY),
                ToolResult.text(""),
                ToolResult.json(JsonObject.builder().put("ok", true).put("count", 3).build()),
                ToolResult.error(ToolErrorKind.TIMEOUT, "timed out after 30 s"),
                ToolResult.inputRequired("Which seat? " + TRICKY, JsonObject.builder().put("type", "object").build(),
                        TRICKY),
                ToolResult.inputRequired("Go on?", null, null));
    }

    static List<Object> allSamples() {
        var all = new ArrayList<Object>();
        all.addAll(messages());
        all.addAll(capabilities());
        all.addAll(chatEvents());
        all.addAll(events());
        all.addAll(results());
        all.addAll(chatRequests());
        all.addAll(chatResponses());
        all.addAll(toolResults());
        return all;
    }

    static Stream<Arguments> samples() {
        List<Object> all = allSamples();
        return IntStream.range(0, all.size())
                .mapToObj(i -> Arguments.of(Named.of(i + " " + label(all.get(i)), all.get(i))));
    }

    private static String label(Object value) {
        Class<?> type = value.getClass();
        return type.getEnclosingClass() == null
                ? type.getSimpleName()
                : type.getEnclosingClass().getSimpleName() + "." + type.getSimpleName();
    }

    /** Writes a sample with the {@code write} overload for its family. */
    private static String write(Object value) {
        return switch (value) {
            case Message m -> AgentJson.write(m);
            case AgentEvent e -> AgentJson.write(e);
            case AgentResult r -> AgentJson.write(r);
            case ChatEvent e -> AgentJson.write(e);
            case ChatRequest r -> AgentJson.write(r);
            case ChatResponse r -> AgentJson.write(r);
            case Capability c -> AgentJson.write(c);
            case ToolResult r -> AgentJson.write(r);
            default -> throw new IllegalArgumentException("no JSON mapping for " + value);
        };
    }

    /** Reads {@code json} with the reader of {@code sample}'s family. */
    private static Object readLike(Object sample, String json) {
        return switch (sample) {
            case Message m -> AgentJson.readMessage(json);
            case AgentEvent e -> AgentJson.readEvent(json);
            case AgentResult r -> AgentJson.readResult(json);
            case ChatEvent e -> AgentJson.readChatEvent(json);
            case ChatRequest r -> AgentJson.readChatRequest(json);
            case ChatResponse r -> AgentJson.readChatResponse(json);
            case Capability c -> AgentJson.readCapability(json);
            case ToolResult r -> AgentJson.readToolResult(json);
            default -> throw new IllegalArgumentException("no JSON mapping for " + sample);
        };
    }

    private static JsonObject toJsonValue(Object value) {
        return switch (value) {
            case Message m -> AgentJson.toJsonValue(m);
            case AgentEvent e -> AgentJson.toJsonValue(e);
            case AgentResult r -> AgentJson.toJsonValue(r);
            case ChatEvent e -> AgentJson.toJsonValue(e);
            case ChatRequest r -> AgentJson.toJsonValue(r);
            case ChatResponse r -> AgentJson.toJsonValue(r);
            case Capability c -> AgentJson.toJsonValue(c);
            case ToolResult r -> AgentJson.toJsonValue(r);
            default -> throw new IllegalArgumentException("no JSON mapping for " + value);
        };
    }

    private static Object readLike(Object sample, JsonValue json) {
        return switch (sample) {
            case Message m -> AgentJson.readMessage(json);
            case AgentEvent e -> AgentJson.readEvent(json);
            case AgentResult r -> AgentJson.readResult(json);
            case ChatEvent e -> AgentJson.readChatEvent(json);
            case ChatRequest r -> AgentJson.readChatRequest(json);
            case ChatResponse r -> AgentJson.readChatResponse(json);
            case Capability c -> AgentJson.readCapability(json);
            case ToolResult r -> AgentJson.readToolResult(json);
            default -> throw new IllegalArgumentException("no JSON mapping for " + sample);
        };
    }

    // --------------------------------------------------------------------------- round trips

    @ParameterizedTest
    @MethodSource("samples")
    void everyValueReadsBackEqualToWhatWasWritten(Object value) {
        String json = write(value);

        assertThat(readLike(value, json)).isEqualTo(value);
        assertThat(write(readLike(value, json))).as("written again").isEqualTo(json);
        assertThat(write(value)).as("deterministic").isEqualTo(json);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyValueEmbedsInALargerDocumentSuchAsAJournalLine(Object value) {
        String line = JsonObject.builder().put("seq", 7).put("value", toJsonValue(value)).build().toJson();

        JsonObject parsed = JsonValue.parse(line).asObject();

        assertThat(readLike(value, parsed.get("value"))).isEqualTo(value);
        assertThat(line).isEqualTo("{\"seq\":7,\"value\":" + write(value) + "}");
    }

    @Test
    void aNetGrantWrittenBeforePrivateAddressesExistedReadsAsAPublicOnlyGrant() {
        assertThat(AgentJson.readCapability("{\"type\":\"net\",\"hostPattern\":\"devbox.lan\",\"port\":8080}"))
                .isEqualTo(Capability.net("devbox.lan", 8080));
        assertThat(AgentJson.readCapability(
                "{\"type\":\"net\",\"hostPattern\":\"devbox.lan\",\"port\":8080,\"privateAddresses\":false}"))
                .isEqualTo(Capability.net("devbox.lan", 8080));
    }

    @Test
    void aResponseFormatRoundTripsAndOlderJournalsWithoutOneStillRead() {
        var schema = JsonValue.parse("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},"
                + "\"required\":[\"a\"],\"additionalProperties\":false}").asObject();
        var request = new ChatRequest(List.of(Message.user("a?")), List.of(),
                ChatOptions.DEFAULTS.withResponseFormat(new dev.agentrt.core.model.ResponseFormat("Answer", schema)));

        String json = AgentJson.write(request);

        assertThat(AgentJson.readChatRequest(json)).isEqualTo(request);
        assertThat(AgentJson.readChatRequest(AgentJson.write(ChatRequest.of(Message.user("hi"))))
                .options()
                .responseFormat()).isNull();
        assertThatThrownBy(() -> AgentJson.readChatRequest(json.replace("\"name\":\"Answer\"", "\"name\":7")))
                .isInstanceOf(JsonParseException.class)
                .hasMessageContaining("responseFormat.name");
    }

    @Test
    void theResponseIdAndModelRoundTripAndJournalsWrittenBeforeThemStillRead() {
        var named = new AgentEvent.ModelResponse("t1", 1, FinishReason.STOP, Usage.of(3, 4), "msg_01",
                "claude-sonnet-4-5-20250929");
        String json = AgentJson.write(named);
        assertThat(json).contains("\"responseId\":\"msg_01\",\"responseModel\":\"claude-sonnet-4-5-20250929\"");
        assertThat(AgentJson.readEvent(json)).isEqualTo(named);

        // What a journal held before the fields existed, and what an event without them still writes.
        String old = "{\"type\":\"model_response\",\"taskId\":\"t1\",\"step\":1,\"finishReason\":\"STOP\","
                + "\"usage\":{\"inputTokens\":3,\"outputTokens\":4,\"cacheReadTokens\":0,\"cacheWriteTokens\":0,"
                + "\"cost\":0}}";
        var unnamed = new AgentEvent.ModelResponse("t1", 1, FinishReason.STOP, Usage.of(3, 4));
        assertThat(AgentJson.readEvent(old)).isEqualTo(unnamed);
        assertThat(AgentJson.write(unnamed)).isEqualTo(old);
        assertThat(AgentJson.readChatEvent("{\"type\":\"finish\",\"reason\":\"STOP\"}"))
                .isEqualTo(new ChatEvent.Finish(FinishReason.STOP, null, null));
        assertThatThrownBy(() -> AgentJson.readEvent(json.replace("\"msg_01\"", "7")))
                .isInstanceOf(JsonParseException.class)
                .hasMessageContaining("responseId");
    }

    @Test
    void aNestedToolCallNamesItsParentAndOlderJournalsReadAsCallsOfTheModel() {
        var nested = new AgentEvent.ToolCallRequested("t1", 2, new ToolCall("c1/1", "add", "{}"), "c1");

        assertThat(AgentJson.write(nested)).isEqualTo("{\"type\":\"tool_call_requested\",\"taskId\":\"t1\","
                + "\"step\":2,\"call\":{\"id\":\"c1/1\",\"name\":\"add\",\"arguments\":\"{}\"},"
                + "\"parentCallId\":\"c1\"}");
        assertThat(AgentJson.readEvent(AgentJson.write(nested))).isEqualTo(nested);
        // A call of the model is written as before the field existed, and such a line reads without a parent.
        String direct = "{\"type\":\"tool_call_requested\",\"taskId\":\"t1\",\"step\":2,"
                + "\"call\":{\"id\":\"c1\",\"name\":\"add\",\"arguments\":\"{}\"}}";
        assertThat(AgentJson.write(new AgentEvent.ToolCallRequested("t1", 2, new ToolCall("c1", "add", "{}"))))
                .isEqualTo(direct);
        AgentEvent read = AgentJson.readEvent(direct);
        assertThat(read).isInstanceOfSatisfying(AgentEvent.ToolCallRequested.class, e -> {
            assertThat(e.parentCallId()).isNull();
            assertThat(e.nested()).isFalse();
        });
        assertThat(nested.nested()).isTrue();
        assertThatThrownBy(() -> AgentJson.readEvent(AgentJson.write(nested).replace("\"c1\"}", "7}")))
                .isInstanceOf(JsonParseException.class)
                .hasMessageContaining("parentCallId");
    }

    @Test
    void aQuestionToRunAgainAfterRoundTripsAndJournalsWrittenBeforeItStillRead() {
        var schema = JsonObject.builder()
                .put("type", "object")
                .put("properties", JsonObject.builder()
                        .put("seat", JsonObject.builder().put("type", "string").build())
                        .build())
                .build();
        var rerun = new RunEntry.AwaitingInput(3, CALL, "Which seat?", new InputRequest("Which seat?", schema,
                "{\"k\":\"seat\"}"));

        String json = AgentJson.write(rerun);
        assertThat(json).isEqualTo("{\"type\":\"awaiting_input\",\"step\":3,\"call\":{\"id\":\"call_1\","
                + "\"name\":\"read_file\",\"arguments\":\"{\\\"path\\\":\\\"my dir/ü.txt\\\"}\"},"
                + "\"question\":\"Which seat?\",\"rerun\":{\"answerSchema\":" + schema.toJson()
                + ",\"resumeState\":\"{\\\"k\\\":\\\"seat\\\"}\"}}");
        assertThat(AgentJson.readRunEntry(json)).isEqualTo(rerun);
        var bare = new RunEntry.AwaitingInput(3, CALL, "Go on?", new InputRequest("Go on?", null, null));
        assertThat(AgentJson.write(bare)).endsWith("\"question\":\"Go on?\",\"rerun\":{}}");
        assertThat(AgentJson.readRunEntry(AgentJson.write(bare))).isEqualTo(bare);
        // A question whose answer is the call's result is written as before the member existed, and such a line
        // reads as one.
        var old = new RunEntry.AwaitingInput(3, CALL, "Which account?");
        String before = "{\"type\":\"awaiting_input\",\"step\":3,\"call\":{\"id\":\"call_1\",\"name\":\"read_file\","
                + "\"arguments\":\"{}\"},\"question\":\"Which account?\"}";
        assertThat(AgentJson.write(old)).doesNotContain("rerun");
        assertThat(AgentJson.readRunEntry(before)).isInstanceOfSatisfying(RunEntry.AwaitingInput.class,
                e -> assertThat(e.request()).isNull());
        assertThatThrownBy(() -> AgentJson.readRunEntry(json.replace(schema.toJson(), "[1]")))
                .isInstanceOf(JsonParseException.class)
                .hasMessageContaining("answerSchema");
    }

    @Test
    void everyPermittedSubtypeOfEveryClosedFamilyHasASample() {
        Set<Class<?>> sampled = new HashSet<>();
        allSamples().forEach(s -> sampled.add(s.getClass()));
        for (Class<?> family : List.of(AgentEvent.class, Message.class, ChatEvent.class, Capability.class)) {
            assertThat(sampled).as(family.getSimpleName()).contains(family.getPermittedSubclasses());
        }
    }

    @Test
    void typeNamesAreSnakeCaseAndDistinctWithinAFamily() {
        Map<Class<?>, Map<String, Class<?>>> namesByFamily = new LinkedHashMap<>();
        for (Object sample : allSamples()) {
            JsonObject json = toJsonValue(sample);
            Class<?> family = Stream.of(AgentEvent.class, Message.class, ChatEvent.class, Capability.class)
                    .filter(f -> f.isInstance(sample))
                    .findFirst()
                    .orElse(null);
            if (family == null) {
                assertThat(json.has("type")).as("%s is no closed family and has no type", label(sample)).isFalse();
                continue;
            }
            String type = json.getString("type").orElseThrow();
            assertThat(type).matches("[a-z]+(_[a-z]+)*");
            Class<?> previous = namesByFamily.computeIfAbsent(family, f -> new LinkedHashMap<>())
                    .putIfAbsent(type, sample.getClass());
            assertThat(previous == null || previous == sample.getClass()).as("%s used twice", type).isTrue();
        }
        assertThat(namesByFamily.get(Message.class)).containsOnlyKeys("system", "user", "assistant", "tool_result");
    }

    @Test
    void aFullResultWithATranscriptOfEveryMessageKindRoundTrips() {
        AgentResult result = fullResult();
        assertThat(result.transcript()).extracting(Object::getClass)
                .contains(Message.class.getPermittedSubclasses());

        AgentResult read = AgentJson.readResult(AgentJson.write(result));

        assertThat(read).isEqualTo(result);
        assertThat(read.transcript()).containsExactlyElementsOf(result.transcript());
        assertThat(read.usage().inputTokens()).isEqualTo(Long.MAX_VALUE);
        assertThat(read.usage().cost()).isEqualTo(0.1 + 0.2);
    }

    @Test
    void aTranscriptIsAJsonArrayOfMessages() {
        assertThat(AgentJson.writeTranscript(List.of())).isEqualTo("[]");
        assertThat(AgentJson.readTranscript("[]")).isEmpty();
        assertThat(AgentJson.writeTranscript(List.of(Message.system("s"), Message.user("u"))))
                .isEqualTo("[{\"type\":\"system\",\"text\":\"s\"},{\"type\":\"user\",\"text\":\"u\"}]");
        assertThat(AgentJson.readTranscript(AgentJson.writeTranscript(messages()))).isEqualTo(messages());
    }

    @Test
    void doublesReadBackBitForBit() {
        for (double cost : new double[]{0.1 + 0.2, 1.0 / 3, 2.0, 0, 1e-7, 123_456_789.123_456_78, Double.MIN_VALUE,
                Double.MIN_NORMAL, Double.MAX_VALUE}) {
            var report = new ChatEvent.UsageReport(new Usage(0, 0, 0, 0, cost));
            Usage read = ((ChatEvent.UsageReport) AgentJson.readChatEvent(AgentJson.write(report))).usage();
            assertThat(Double.doubleToRawLongBits(read.cost())).as("%s", cost)
                    .isEqualTo(Double.doubleToRawLongBits(cost));
        }
    }

    @Test
    void negativeZeroReadsBackAsZeroBecauseJsonNumbersHaveNoSignedZero() {
        var read = (ChatEvent.UsageReport) AgentJson.readChatEvent(
                AgentJson.write(new ChatEvent.UsageReport(new Usage(0, 0, 0, 0, -0.0))));

        assertThat(Double.doubleToRawLongBits(read.usage().cost())).isEqualTo(Double.doubleToRawLongBits(0.0));
    }

    @Test
    void pathsAreWrittenAbsoluteAndReadBackEqual() {
        var relative = Capability.fileWrite(Path.of("dir with spaces", "ü file.txt"));

        String json = AgentJson.write(relative);

        Path absolute = Path.of("").toAbsolutePath().resolve("dir with spaces").resolve("ü file.txt");
        assertThat(json).isEqualTo("{\"type\":\"file_write\",\"path\":" + quote(absolute.toString()) + "}");
        assertThat(AgentJson.readCapability(json)).isEqualTo(relative);
    }

    @Test
    void nullableComponentsAreWrittenAsNullAndReadBackAsNull() {
        var delta = new ChatEvent.ToolCallDelta(0, null, null, "");
        assertThat(AgentJson.write(delta))
                .isEqualTo(
                        "{\"type\":\"tool_call_delta\",\"index\":0,\"id\":null,\"name\":null,"
                                + "\"argumentsFragment\":\"\"}");
        assertThat(AgentJson.readChatEvent(AgentJson.write(delta))).isEqualTo(delta);

        ChatRequest request = AgentJson.readChatRequest(AgentJson.write(ChatRequest.of(Message.user("hi"))));
        assertThat(request.options()).isEqualTo(ChatOptions.DEFAULTS);
        assertThat(request.options().maxTokens()).isNull();
        assertThat(request.options().temperature()).isNull();
        assertThat(request.options().topP()).isNull();

        assertThat(AgentJson.write(ToolResult.text("ok"))).isEqualTo("{\"content\":\"ok\",\"errorKind\":null}");

        var retry = new AgentEvent.ModelRetry("t1", 1, 1, 0, null, "refused", 5);
        assertThat(AgentJson.write(retry)).contains("\"requestId\":null");
        assertThat(AgentJson.readEvent(AgentJson.write(retry))).isEqualTo(retry);
        assertThat(AgentJson.readToolResult("{\"content\":\"ok\",\"errorKind\":null}").errorKind()).isNull();
    }

    // ---------------------------------------------------------------------------- wire format

    @Test
    void theWireFormatIsStable() {
        assertThat(AgentJson.write(Message.user("hi"))).isEqualTo("{\"type\":\"user\",\"text\":\"hi\"}");
        assertThat(AgentJson.write(Message.assistant("", List.of(new ToolCall("c1", "add", "{\"a\":1}")))))
                .isEqualTo("{\"type\":\"assistant\",\"text\":\"\",\"toolCalls\":[{\"id\":\"c1\",\"name\":\"add\","
                        + "\"arguments\":\"{\\\"a\\\":1}\"}]}");
        assertThat(AgentJson.write(Message.assistant("", List.of(),
                List.of(Reasoning.signed("anthropic", "hm", "c2ln"), Reasoning.sealed("anthropic", "ZW5j")))))
                .isEqualTo("{\"type\":\"assistant\",\"text\":\"\",\"toolCalls\":[],\"reasoning\":["
                        + "{\"provider\":\"anthropic\",\"text\":\"hm\",\"signature\":\"c2ln\",\"encrypted\":null,"
                        + "\"id\":null},{\"provider\":\"anthropic\",\"text\":\"\",\"signature\":null,"
                        + "\"encrypted\":\"ZW5j\",\"id\":null}]}");
        // A journal written before reasoning existed reads as a turn without any.
        assertThat(AgentJson.readMessage("{\"type\":\"assistant\",\"text\":\"hi\",\"toolCalls\":[]}"))
                .isEqualTo(Message.assistant("hi"));
        assertThat(AgentJson.write(new AgentEvent.ReasoningDelta("t1", 3, "so")))
                .isEqualTo("{\"type\":\"reasoning_delta\",\"taskId\":\"t1\",\"step\":3,\"text\":\"so\"}");
        assertThat(AgentJson.write(new Message.ToolResult("c1", "add", "2", false)))
                .isEqualTo("{\"type\":\"tool_result\",\"callId\":\"c1\",\"toolName\":\"add\",\"content\":\"2\","
                        + "\"error\":false}");
        assertThat(AgentJson.write(new AgentEvent.ToolCallCompleted("t1", 2, new ToolCall("c1", "add", "{}"), "2",
                1_500_000)))
                .isEqualTo("{\"type\":\"tool_call_completed\",\"taskId\":\"t1\",\"step\":2,"
                        + "\"call\":{\"id\":\"c1\",\"name\":\"add\",\"arguments\":\"{}\"},\"result\":\"2\","
                        + "\"durationNanos\":1500000}");
        assertThat(AgentJson.write(new AgentEvent.ToolCallFailed("t1", 1, new ToolCall("c1", "add", "{}"),
                ToolErrorKind.TIMEOUT, "too slow", 9)))
                .isEqualTo("{\"type\":\"tool_call_failed\",\"taskId\":\"t1\",\"step\":1,"
                        + "\"call\":{\"id\":\"c1\",\"name\":\"add\",\"arguments\":\"{}\"},\"kind\":\"TIMEOUT\","
                        + "\"message\":\"too slow\",\"durationNanos\":9}");
        assertThat(AgentJson.write(new AgentEvent.ModelRetry("t1", 2, 1, 200, "req_1", "reset", 1_000_000_000)))
                .isEqualTo("{\"type\":\"model_retry\",\"taskId\":\"t1\",\"step\":2,\"retry\":1,\"status\":200,"
                        + "\"requestId\":\"req_1\",\"message\":\"reset\",\"delayNanos\":1000000000}");
        assertThat(AgentJson.write(new AgentEvent.StepDone("t1", 1, HUGE_USAGE, Usage.ZERO)))
                .isEqualTo("{\"type\":\"step_done\",\"taskId\":\"t1\",\"step\":1,"
                        + "\"stepUsage\":{\"inputTokens\":9223372036854775807,\"outputTokens\":9223372036854775806,"
                        + "\"cacheReadTokens\":7,\"cacheWriteTokens\":0,\"cost\":0.30000000000000004},"
                        + "\"totalUsage\":{\"inputTokens\":0,\"outputTokens\":0,\"cacheReadTokens\":0,"
                        + "\"cacheWriteTokens\":0,\"cost\":0}}");
        // Reasoning tokens are written only when there are some; a journal without them reads as 0.
        assertThat(AgentJson.write(new ChatEvent.UsageReport(REASONING_USAGE)))
                .isEqualTo("{\"type\":\"usage_report\",\"usage\":{\"inputTokens\":40,\"outputTokens\":30,"
                        + "\"cacheReadTokens\":8,\"cacheWriteTokens\":0,\"reasoningTokens\":24,\"cost\":0.25}}");
        assertThat(AgentJson.readChatEvent(AgentJson.write(new ChatEvent.UsageReport(REASONING_USAGE))))
                .isEqualTo(new ChatEvent.UsageReport(REASONING_USAGE));
        assertThat(AgentJson.readChatEvent("{\"type\":\"usage_report\",\"usage\":{\"inputTokens\":40,"
                + "\"outputTokens\":30,\"cacheReadTokens\":8,\"cacheWriteTokens\":0,\"cost\":0.25}}"))
                .isEqualTo(new ChatEvent.UsageReport(new Usage(40, 30, 8, 0, 0, 0.25)));
        assertThat(AgentJson.write(new AgentEvent.ApprovalDecided("t1", 1, new ToolCall("c1", "add", "{}"),
                Decision.deny("no"))))
                .isEqualTo("{\"type\":\"approval_decided\",\"taskId\":\"t1\",\"step\":1,"
                        + "\"call\":{\"id\":\"c1\",\"name\":\"add\",\"arguments\":\"{}\"},"
                        + "\"decision\":{\"kind\":\"DENY\",\"reason\":\"no\"}}");
        assertThat(AgentJson.write(new AgentResult("t1", "4", List.of(), 1, Usage.ZERO, Outcome.COMPLETED)))
                .isEqualTo("{\"taskId\":\"t1\",\"text\":\"4\",\"transcript\":[],\"steps\":1,"
                        + "\"usage\":{\"inputTokens\":0,\"outputTokens\":0,\"cacheReadTokens\":0,"
                        + "\"cacheWriteTokens\":0,\"cost\":0},\"outcome\":\"COMPLETED\"}");
        assertThat(AgentJson.write(ChatEvent.finish(FinishReason.TOOL_CALLS)))
                .isEqualTo("{\"type\":\"finish\",\"reason\":\"TOOL_CALLS\"}");
        assertThat(AgentJson.write(ChatRequest.of(Message.user("hi"))))
                .isEqualTo("{\"messages\":[{\"type\":\"user\",\"text\":\"hi\"}],\"tools\":[],"
                        + "\"options\":{\"maxTokens\":null,\"temperature\":null,\"topP\":null,\"stopSequences\":[]}}");
        assertThat(AgentJson.write(Capability.net("api.github.com", 443)))
                .isEqualTo("{\"type\":\"net\",\"hostPattern\":\"api.github.com\",\"port\":443}");
        assertThat(AgentJson.write(Capability.net("devbox.lan", 8080).allowingPrivateAddresses()))
                .isEqualTo("{\"type\":\"net\",\"hostPattern\":\"devbox.lan\",\"port\":8080,"
                        + "\"privateAddresses\":true}");
        assertThat(AgentJson.write(Capability.memoryRead()))
                .isEqualTo("{\"type\":\"memory_read\",\"namespace\":\"*\"}");
        assertThat(AgentJson.write(Capability.custom("payments", "refund")))
                .isEqualTo("{\"type\":\"custom\",\"name\":\"payments\",\"scope\":\"refund\"}");
        Path srv = Path.of("/srv/x").toAbsolutePath();
        assertThat(AgentJson.write(Capability.fileRead(srv)))
                .isEqualTo("{\"type\":\"file_read\",\"path\":" + quote(srv.toString()) + "}");
    }

    @Test
    void rolesAndAttributesAreWrittenSortedWhateverTheOrderTheyWereGivenIn() {
        var roles = new LinkedHashSet<>(List.of("ops", "admin", "dev"));
        var reversedRoles = new LinkedHashSet<>(List.of("dev", "admin", "ops"));
        var attributes = new LinkedHashMap<String, String>();
        attributes.put("b", "2");
        attributes.put("a", "1");
        attributes.put("c", "3");

        String json = AgentJson.write(new AgentEvent.Started("t", "go", new Principal("p", roles, attributes)));
        String again = AgentJson.write(new AgentEvent.Started("t", "go", new Principal("p", reversedRoles,
                Map.of("c", "3", "a", "1", "b", "2"))));

        assertThat(json).isEqualTo(again)
                .isEqualTo("{\"type\":\"started\",\"taskId\":\"t\",\"input\":\"go\",\"principal\":{\"id\":\"p\","
                        + "\"roles\":[\"admin\",\"dev\",\"ops\"],"
                        + "\"attributes\":{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}}}");
    }

    @Test
    void membersNotInTheFormatAreIgnored() {
        assertThat(AgentJson.readMessage("{\"type\":\"user\",\"text\":\"hi\",\"addedLater\":{\"x\":[1]}}"))
                .isEqualTo(Message.user("hi"));
    }

    // ------------------------------------------------------------------------------ bad input

    static Stream<Arguments> badInput() {
        String completed = "{'type':'tool_call_completed','taskId':'t1','step':%s,'call':{'id':'c','name':'n',"
                + "'arguments':'{}'},'result':'r','durationNanos':%s}";
        String usage = "{'inputTokens':%s,'outputTokens':0,'cacheReadTokens':0,'cacheWriteTokens':0,'cost':%s}";
        String result = "{'taskId':'t','text':'','transcript':%s,'steps':0,'usage':" + usage.formatted(0, 0)
                + ",'outcome':'%s'}";
        String request = "{'messages':[],'tools':%s,'options':%s}";
        String options = "{'maxTokens':%s,'temperature':%s,'topP':null,'stopSequences':[]}";
        Function<String, Object> message = AgentJson::readMessage;
        Function<String, Object> event = AgentJson::readEvent;
        Function<String, Object> agentResult = AgentJson::readResult;
        Function<String, Object> chatEvent = AgentJson::readChatEvent;
        Function<String, Object> chatRequest = AgentJson::readChatRequest;
        Function<String, Object> chatResponse = AgentJson::readChatResponse;
        Function<String, Object> capability = AgentJson::readCapability;
        Function<String, Object> toolResult = AgentJson::readToolResult;
        Function<String, Object> transcript = AgentJson::readTranscript;
        return Stream.of(
                bad("malformed JSON", message, "{'type':'user','text':", "message: malformed JSON"),
                bad("no JSON at all", message, "", "message: empty JSON input"),
                bad("trailing content", event, "{} {}", "event: unexpected content after the JSON value"),
                bad("duplicate member", message, "{'type':'user','text':'a','text':'b'}", "message: malformed JSON"),
                bad("not an object", message, "[1]", "message: expected object, got array"),
                bad("a bare string", event, "'started'", "event: expected object, got string"),
                bad("no type", message, "{'text':'hi'}", "message.type: missing"),
                bad("a type that is no string", capability, "{'type':7}",
                        "capability.type: expected string, got integer"),
                bad("unknown type", message, "{'type':'robot','text':'beep'}", "message: unknown type \"robot\""),
                bad("a type of another family", message, "{'type':'text_delta','text':'x'}",
                        "message: unknown type \"text_delta\""),
                bad("missing member", message, "{'type':'user'}", "user.text: missing"),
                bad("string expected", message, "{'type':'user','text':1}", "user.text: expected string, got integer"),
                bad("null for a non-null member", message, "{'type':'user','text':null}",
                        "user.text: expected string, got null"),
                bad("boolean expected", message,
                        "{'type':'tool_result','callId':'c','toolName':'t','content':'x','error':'yes'}",
                        "tool_result.error: expected boolean, got string"),
                bad("array expected", message, "{'type':'assistant','text':'','toolCalls':{}}",
                        "assistant.toolCalls: expected array, got object"),
                bad("a bad element", message, "{'type':'assistant','text':'','toolCalls':[{'id':'c','name':'n'}]}",
                        "assistant.toolCalls[0].arguments: missing"),
                bad("integer expected", event, completed.formatted("'two'", 1),
                        "tool_call_completed.step: expected integer, got string"),
                bad("a fraction for an integer", event, completed.formatted("1.5", 1),
                        "tool_call_completed.step: expected integer, got number"),
                bad("int overflow", event, completed.formatted("4294967296", 1),
                        "tool_call_completed.step: integer out of range"),
                bad("long overflow", event, completed.formatted(1, "1e30"),
                        "tool_call_completed.durationNanos: integer out of range"),
                bad("a huge exponent", event, completed.formatted(1, "1e999999999"),
                        "tool_call_completed.durationNanos: integer out of range"),
                bad("unknown enum constant", event,
                        "{'type':'tool_call_failed','taskId':'t','step':1,'call':{'id':'c','name':'n','arguments':''},"
                                + "'kind':'EXPLODED','message':'m','durationNanos':1}",
                        "tool_call_failed.kind: unknown value \"EXPLODED\""),
                bad("unknown message type in a transcript", agentResult,
                        result.formatted("[{'type':'user','text':'a'},{'type':'robot'}]", "COMPLETED"),
                        "agent_result.transcript[1]: unknown type \"robot\""),
                bad("unknown outcome", agentResult, result.formatted("[]", "WON"),
                        "agent_result.outcome: unknown value \"WON\""),
                bad("a constructor's own check, nested", event,
                        "{'type':'completed','taskId':'t','result':" + result.formatted("[]", "COMPLETED")
                                .replace("'inputTokens':0", "'inputTokens':-1") + "}",
                        "completed.result.usage: usage counts must not be negative"),
                bad("an infinite number", chatEvent, "{'type':'usage_report','usage':" + usage.formatted(0, "1e400")
                        + "}", "usage_report.usage.cost: number out of range"),
                bad("a negative index", chatEvent, "{'type':'tool_call_delta','index':-1,'id':null,'name':null,"
                        + "'argumentsFragment':''}", "tool_call_delta: index must not be negative, was -1"),
                bad("a nullable member left out", chatEvent,
                        "{'type':'tool_call_delta','index':0,'argumentsFragment':''}",
                        "tool_call_delta.id: missing"),
                bad("a port out of range", capability, "{'type':'net','hostPattern':'example.com','port':70000}",
                        "net: port must be 0 (any) or 1-65535, was 70000"),
                bad("a wildcard allowing private addresses", capability,
                        "{'type':'net','hostPattern':'*','port':0,'privateAddresses':true}",
                        "net: net(\"*\") cannot allow private addresses"),
                bad("a private flag that is no boolean", capability,
                        "{'type':'net','hostPattern':'a.lan','port':0,'privateAddresses':'yes'}",
                        "net.privateAddresses: expected boolean, got string"),
                bad("a blank custom name", capability, "{'type':'custom','name':' ','scope':'*'}",
                        "custom: custom capability name must not be blank"),
                bad("a NUL in a path", capability, "{'type':'file_read','path':'/srv/a\\u0000b'}",
                        "file_read.path: not a path: Nul character not allowed"),
                bad("a capability in a list", event,
                        "{'type':'approval_requested','taskId':'t','step':1,'call':{'id':'c','name':'n',"
                                + "'arguments':''},'missing':[{'type':'env','name':'HOME'},{'type':'teleport'}]}",
                        "approval_requested.missing[1]: unknown type \"teleport\""),
                bad("a non-string attribute", event, "{'type':'started','taskId':'t','input':'i','principal':{'id':'p',"
                        + "'roles':[],'attributes':{'tenant':1}}}",
                        "started.principal.attributes.tenant: expected string, got integer"),
                bad("a non-string role", event, "{'type':'started','taskId':'t','input':'i','principal':{'id':'p',"
                        + "'roles':['a',null],'attributes':{}}}",
                        "started.principal.roles[1]: expected string, got null"),
                bad("an invalid tool name", chatRequest,
                        request.formatted("[{'name':'no spaces','description':'','parameters':{}}]",
                                options.formatted("null", "null")),
                        "chat_request.tools[0]: tool name must be 1-64 letters"),
                bad("parameters that are no object", chatRequest,
                        request.formatted("[{'name':'t','description':'','parameters':[]}]",
                                options.formatted("null", "null")),
                        "chat_request.tools[0].parameters: expected object, got array"),
                bad("a non-positive token limit", chatRequest, request.formatted("[]", options.formatted(0, "null")),
                        "chat_request.options: maxTokens must be positive, was 0"),
                bad("a number expected", chatRequest, request.formatted("[]", options.formatted("null", "'hot'")),
                        "chat_request.options.temperature: expected number, got string"),
                bad("a response that is no assistant message", chatResponse,
                        "{'message':{'type':'user','text':'hi'},'usage':" + usage.formatted(0, 0)
                                + ",'finishReason':'STOP'}",
                        "chat_response.message: expected an assistant message, got \"user\""),
                bad("an unknown error kind", toolResult, "{'content':'x','errorKind':'BOOM'}",
                        "tool_result.errorKind: unknown value \"BOOM\""),
                bad("a transcript that is no array", transcript, "{}", "transcript: expected array, got object"),
                bad("a bad transcript entry", transcript, "[{'type':'system','text':'s'},3]",
                        "transcript[1]: expected object, got integer"));
    }

    private static Arguments bad(String what, Function<String, Object> reader, String json, String expected) {
        return Arguments.of(Named.of(what, reader), json.replace('\'', '"'), expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInput")
    void badInputIsAParseErrorThatNamesThePlace(Function<String, Object> reader, String json, String expected) {
        assertThatThrownBy(() -> reader.apply(json))
                .isExactlyInstanceOf(JsonParseException.class)
                .hasMessageStartingWith(expected);
    }

    @Test
    void untrustedTextInAnErrorMessageIsShortAndEscaped() {
        String longType = "x".repeat(10_000) + "\n";

        assertThatThrownBy(() -> AgentJson.readMessage("{\"type\":" + quote(longType) + "}"))
                .isExactlyInstanceOf(JsonParseException.class)
                .hasMessageStartingWith("message: unknown type \"xxxx")
                .hasMessageEndingWith("...\"")
                .message()
                .hasSizeLessThan(80)
                .doesNotContain("\n");
    }

    /**
     * Every member of every sample, at any depth, removed or given a value of the wrong JSON type: the
     * reader must fail with a {@link JsonParseException} that names that member.
     */
    @ParameterizedTest
    @MethodSource("samples")
    void everyMissingOrMistypedMemberIsAParseErrorNamingIt(Object value) {
        var mutations = new ArrayList<Mutation>();
        mutate(toJsonValue(value), Function.identity(), mutations);
        assertThat(mutations).isNotEmpty();

        for (Mutation mutation : mutations) {
            assertThatThrownBy(() -> readLike(value, mutation.json()))
                    .as("%s in %s", mutation.what(), mutation.json().toJson())
                    .isExactlyInstanceOf(JsonParseException.class)
                    .hasMessageContaining(mutation.place() + ": ");
        }
    }

    private record Mutation(String what, String place, JsonValue json) {}

    private static final Set<String> OPTIONAL_MEMBERS = Set.of("responseFormat", "privateAddresses", "reasoning",
            "reasoningTokens", "responseId", "responseModel", "parentCallId", "outputSchema", "rerun", "answerSchema",
            "resumeState");

    private static void mutate(JsonObject object, Function<JsonValue, JsonValue> root, List<Mutation> out) {
        for (var member : object.members().entrySet()) {
            String name = member.getKey();
            var without = new LinkedHashMap<>(object.members());
            without.remove(name);
            // Members added to the format later may be absent (older journals): only their type is checked.
            if (!OPTIONAL_MEMBERS.contains(name)) {
                out.add(new Mutation(name + " removed", "." + name, root.apply(new JsonObject(without))));
            }
            Function<JsonValue, JsonValue> replaced = v -> root.apply(with(object, name, v));
            out.add(new Mutation(name + " mistyped", "." + name, replaced.apply(wrongTypeFor(member.getValue()))));
            // A tool's schemas, a question's answer schema and a principal's attributes are free-form: their members are data, not format.
            if (!name.equals("parameters") && !name.equals("outputSchema") && !name.equals("attributes")
                    && !name.equals("answerSchema")) {
                mutateInside(member.getValue(), name, replaced, out);
            }
        }
    }

    private static void mutateInside(JsonValue value, String name, Function<JsonValue, JsonValue> root,
            List<Mutation> out) {
        if (value instanceof JsonObject o) {
            mutate(o, root, out);
        } else if (value instanceof JsonArray array) {
            for (int i = 0; i < array.size(); i++) {
                int index = i;
                Function<JsonValue, JsonValue> replaced = v -> {
                    var items = new ArrayList<>(array.items());
                    items.set(index, v);
                    return root.apply(new JsonArray(items));
                };
                String place = name + "[" + i + "]";
                out.add(new Mutation(place + " mistyped", place, replaced.apply(wrongTypeFor(array.get(i)))));
                mutateInside(array.get(i), place, replaced, out);
            }
        }
    }

    private static JsonObject with(JsonObject object, String name, JsonValue value) {
        var members = new LinkedHashMap<>(object.members());
        members.put(name, value);
        return new JsonObject(members);
    }

    private static JsonValue wrongTypeFor(JsonValue value) {
        return value instanceof JsonValue.JsonString || value instanceof JsonValue.JsonNull
                ? JsonValue.of(true)
                : JsonValue.of("wrong");
    }

    // --------------------------------------------------------------------------------- writing

    @Test
    void aNullWhereNoneIsAllowedFailsWhenTheEventIsMadeNamingTheComponent() {
        assertThatThrownBy(() -> new AgentEvent.TextDelta("t", 1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("text");
        assertThatThrownBy(() -> new AgentEvent.ToolCallRequested("t", 1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("call");
    }

    @Test
    void aRetryEventRefusesARetryNumberOrDelayNoRunCanHave() {
        assertThatThrownBy(() -> new AgentEvent.ModelRetry("t", 1, 0, 200, null, "reset", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("retry counts from 1, was 0");
        assertThatThrownBy(() -> new AgentEvent.ModelRetry("t", 1, 1, 200, null, "reset", -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delayNanos must not be negative, was -1");
        assertThatThrownBy(() -> AgentJson.readEvent("{\"type\":\"model_retry\",\"taskId\":\"t\",\"step\":1,"
                + "\"retry\":0,\"status\":200,\"requestId\":null,\"message\":\"m\",\"delayNanos\":0}"))
                .isInstanceOf(JsonParseException.class)
                .hasMessage("model_retry: retry counts from 1, was 0");
    }

    @Test
    void valuesJsonCannotHoldAreRejectedWhenTheRecordIsMade() {
        assertThatThrownBy(() -> new Usage(0, 0, 0, 0, Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("finite");
        assertThatThrownBy(() -> ChatOptions.DEFAULTS.withTemperature(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("finite");
    }

    private static String quote(String text) {
        return JsonValue.of(text).toJson();
    }
}
