package dev.agentrt.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.ModelException;
import dev.agentrt.core.internal.ReplyAssembler;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.anthropic.AnthropicChatModel;
import dev.agentrt.core.model.gemini.GeminiChatModel;
import dev.agentrt.core.model.ollama.OllamaChatModel;
import dev.agentrt.core.model.openai.OpenAiChatModel;
import dev.agentrt.core.model.openai.OpenAiResponsesModel;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The hosted clients against the streams in {@code src/test/resources/streams} (see the README there):
 * each decodes to the reply it holds, and to the same events wherever the body is cut into pieces
 * (every cut into two, one byte per piece), through the same decoding a live reply takes.
 */
class RecordedStreamsTest {
    // Costs off: these tests are about decoding (ModelPricesTest and the clients' tests cover costs).
    private static final HostedChatModel ANTHROPIC = AnthropicChatModel.builder()
            .model("claude-sonnet-4-5")
            .apiKey("sk-ant-test")
            .baseUrl("http://127.0.0.1:9")
            .price(ModelPrice.FREE)
            .build();
    private static final HostedChatModel OPENAI = OpenAiChatModel.builder()
            .model("gpt-4.1-mini")
            .apiKey("sk-test")
            .baseUrl("http://127.0.0.1:9/v1")
            .price(ModelPrice.FREE)
            .build();
    private static final HostedChatModel OPENAI_RESPONSES = OpenAiResponsesModel.builder()
            .model("gpt-5-mini")
            .apiKey("sk-test")
            .baseUrl("http://127.0.0.1:9/v1")
            .price(ModelPrice.FREE)
            .build();
    private static final HostedChatModel GEMINI = GeminiChatModel.builder()
            .model("gemini-2.5-flash")
            .apiKey("gemini-test-key")
            .baseUrl("http://127.0.0.1:9")
            .price(ModelPrice.FREE)
            .build();
    private static final HostedChatModel OLLAMA = OllamaChatModel.builder()
            .model("qwen3:4b")
            .baseUrl("http://127.0.0.1:9")
            .environment(name -> null)
            .build();

    @Test
    void anthropicTextThenToolUse() {
        ChatResponse reply = assemble(replayWhole(ANTHROPIC, "anthropic-text-and-tool-use.sse"));

        assertThat(reply.message().text())
                .isEqualTo("Okay, let's check the weather for San Francisco, CA \u2014 15 \u00b0C? \uD83C\uDF01");
        assertThat(reply.message().toolCalls()).singleElement().satisfies(call -> {
            assertThat(call.id()).isEqualTo("toolu_01T1x1fJ34qAmk2tNTrN7Up6");
            assertThat(call.name()).isEqualTo("get_weather");
            assertThat(JsonValue.parse(call.arguments()))
                    .isEqualTo(JsonValue.parse("{\"location\":\"San Francisco, CA\",\"unit\":\"fahrenheit\"}"));
        });
        assertThat(reply.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        // Cache reads count as input, as the SPI's usage says.
        assertThat(reply.usage()).isEqualTo(new Usage(600, 89, 128, 0, 0));
        assertSameEventsWhereverCut(ANTHROPIC, "anthropic-text-and-tool-use.sse");
    }

    @Test
    void openAiParallelToolCallsThroughAGatewayWithCommentsAndCrLf() {
        ChatResponse reply = assemble(replayWhole(OPENAI, "openai-parallel-tool-calls.sse"));

        assertThat(reply.message().text()).isEqualTo("Checking both cities\u2026");
        assertThat(reply.message().toolCalls())
                .extracting(ToolCall::id, ToolCall::name, c -> JsonValue.parse(c.arguments()))
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("call_DdmO9pD3xa9XTPNJ32zg2hcA", "get_weather",
                                JsonValue.parse("{\"location\":\"Paris, France\"}")),
                        org.assertj.core.groups.Tuple.tuple("call_ABCDEF0123456789abcdefgh", "get_weather",
                                JsonValue.parse("{\"location\":\"Bogot\u00e1, Colombia\"}")));
        assertThat(reply.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(reply.usage()).isEqualTo(new Usage(82, 56, 64, 0, 0));
        assertSameEventsWhereverCut(OPENAI, "openai-parallel-tool-calls.sse");
    }

    @Test
    void openAiCompatibleServerThatReusesAnIndexGetsOneCallEach() {
        List<ChatEvent> events = replayWhole(OPENAI, "openai-compatible-index-reuse.sse");

        assertThat(events).filteredOn(ChatEvent.ToolCallDelta.class::isInstance)
                .extracting(e -> ((ChatEvent.ToolCallDelta) e).index())
                .containsExactly(0, 1);
        ChatResponse reply = assemble(events);
        assertThat(reply.message().toolCalls())
                .extracting(ToolCall::id, ToolCall::arguments)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("call_x1", "{\"path\":\"a.txt\"}"),
                        org.assertj.core.groups.Tuple.tuple("call_x2", "{\"path\":\"b.txt\"}"));
        assertThat(reply.usage()).isEqualTo(Usage.of(150, 40));
        assertSameEventsWhereverCut(OPENAI, "openai-compatible-index-reuse.sse");
    }

    @Test
    void openAiResponsesSealedReasoningThenParallelFunctionCalls() {
        List<ChatEvent> events = replayWhole(OPENAI_RESPONSES, "openai-responses-reasoning-and-calls.sse");
        ChatResponse reply = assemble(events);

        String summary = "**Checking the weather** The user asks about Bogot\u00e1 \u2014 15 \u00b0C? \uD83C\uDF01";
        assertThat(events).filteredOn(ChatEvent.ReasoningDelta.class::isInstance)
                .extracting(e -> ((ChatEvent.ReasoningDelta) e).text())
                .containsExactly("**Checking the weather** ", "The user asks about Bogot\u00e1",
                        " \u2014 15 \u00b0C? \uD83C\uDF01");
        assertThat(reply.message().reasoning()).containsExactly(new Reasoning("openai", summary, null,
                "gAAAAABor0A2-written-for-these-tests-not-a-real-token==", "rs_68af40308c4c8193a4c2ad7b7c1d0c38"));
        assertThat(reply.message().text()).isEmpty();
        assertThat(reply.message().toolCalls())
                .extracting(ToolCall::id, c -> JsonValue.parse(c.arguments()))
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("call_9qU0B8zZkGQmYfR2m3",
                                JsonValue.parse("{\"location\":\"Paris, France\"}")),
                        org.assertj.core.groups.Tuple.tuple("call_Hc4EoXk1T7pJ5nV8w2",
                                JsonValue.parse("{\"location\":\"Bogot\u00e1, Colombia\"}")));
        assertThat(reply.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(reply.usage()).isEqualTo(new Usage(312, 190, 128, 0, 128, 0));
        assertSameEventsWhereverCut(OPENAI_RESPONSES, "openai-responses-reasoning-and-calls.sse");
    }

    @Test
    void ollamaTextThenAWholeToolCall() {
        ChatResponse reply = assemble(replayWhole(OLLAMA, "ollama-text-and-tool-call.ndjson"));

        assertThat(reply.message().text()).isEqualTo("Let me look \u00e9\uD83D\uDE42");
        assertThat(reply.message().toolCalls()).singleElement().satisfies(call -> {
            assertThat(call.id()).isEqualTo("call_0");
            assertThat(call.name()).isEqualTo("get_weather");
            assertThat(JsonValue.parse(call.arguments())).isEqualTo(JsonValue.parse("{\"city\":\"Tokyo\"}"));
        });
        assertThat(reply.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(reply.usage()).isEqualTo(Usage.of(26, 282));
        assertSameEventsWhereverCut(OLLAMA, "ollama-text-and-tool-call.ndjson");
    }

    @Test
    void geminiThoughtThenTextThenParallelCallsWithTheSignatureOnTheFirst() {
        ChatResponse reply = assemble(replayWhole(GEMINI, "gemini-thinking-parallel-calls.sse"));

        assertThat(reply.message().text()).isEqualTo("Let me check Z\u00fcrich \u2014 and Tokyo \uD83C\uDF38.");
        assertThat(reply.message().toolCalls())
                .extracting(ToolCall::id, ToolCall::name, c -> JsonValue.parse(c.arguments()))
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("gemini_call_0", "get_weather",
                                JsonValue.parse("{\"city\":\"Z\u00fcrich\"}")),
                        org.assertj.core.groups.Tuple.tuple("gemini_call_1", "get_weather",
                                JsonValue.parse("{\"city\":\"Tokyo\"}")));
        assertThat(reply.message().reasoning()).containsExactly(new Reasoning("gemini",
                "**Planning the lookup**\n\nTwo cities, so two calls.",
                "CiIBjz1rXzK3vW0pQ4m+Lh2Tn8sYbA5dEfG6hIjKlMnOpQ==", null, "gemini_call_0"));
        assertThat(reply.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        // Thoughts count as output; the cached prompt is part of the input.
        assertThat(reply.usage()).isEqualTo(new Usage(74, 61, 32, 0, 0));
        assertSameEventsWhereverCut(GEMINI, "gemini-thinking-parallel-calls.sse");
    }

    @Test
    void everyRecordedStreamCutBeforeItsFinalFrameIsAnIncompleteReply() {
        assertIncompleteWithoutItsLastFrame(ANTHROPIC, "anthropic-text-and-tool-use.sse");
        assertIncompleteWithoutItsLastFrame(OPENAI, "openai-parallel-tool-calls.sse");
        assertIncompleteWithoutItsLastFrame(OPENAI, "openai-compatible-index-reuse.sse");
        assertIncompleteWithoutItsLastFrame(OPENAI_RESPONSES, "openai-responses-reasoning-and-calls.sse");
        assertIncompleteWithoutItsLastFrame(OLLAMA, "ollama-text-and-tool-call.ndjson");
        assertIncompleteWithoutItsLastFrame(GEMINI, "gemini-thinking-parallel-calls.sse");
    }

    private static void assertIncompleteWithoutItsLastFrame(HostedChatModel model, String name) {
        String text = new String(read(name), StandardCharsets.UTF_8);
        String separator = name.endsWith(".ndjson") ? "\n" : text.contains("\r\n") ? "\r\n\r\n" : "\n\n";
        int lastFrame = text.lastIndexOf(separator, text.length() - separator.length() - 1) + separator.length();
        byte[] cut = text.substring(0, lastFrame).getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> replay(model, List.of(cut)))
                .as(name)
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("the stream ended before")
                .hasMessageContaining("the reply is incomplete");
    }

    private static void assertSameEventsWhereverCut(HostedChatModel model, String name) {
        byte[] bytes = read(name);
        List<ChatEvent> whole = replay(model, List.of(bytes));
        for (int cut = 0; cut <= bytes.length; cut++) {
            List<ChatEvent> events = replay(model,
                    List.of(Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut, bytes.length)));
            assertThat(events).as("%s cut at byte %d", name, cut).isEqualTo(whole);
        }
        var bytewise = new ArrayList<byte[]>(bytes.length);
        for (byte b : bytes) {
            bytewise.add(new byte[]{b});
        }
        assertThat(replay(model, bytewise)).as("%s one byte at a time", name).isEqualTo(whole);
    }

    private static List<ChatEvent> replayWhole(HostedChatModel model, String name) {
        return replay(model, List.of(read(name)));
    }

    private static List<ChatEvent> replay(HostedChatModel model, List<byte[]> pieces) {
        return Objects.requireNonNull(
                model.replay(Flux.fromIterable(pieces).map(ByteBuffer::wrap)).collectList().block());
    }

    private static ChatResponse assemble(List<ChatEvent> events) {
        var assembler = new ReplyAssembler();
        events.forEach(assembler::accept);
        return assembler.finish();
    }

    static byte[] read(String name) {
        try (InputStream in = RecordedStreamsTest.class.getResourceAsStream("/streams/" + name)) {
            return Objects.requireNonNull(in, name).readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
