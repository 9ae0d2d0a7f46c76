package dev.agentrt.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The realistic tiny Qwen2 of {@code models/tiny-qwen2} (see its README) against the token ids
 * transformers generated: every layout and dtype, greedy, with repetition penalty and with the
 * model's own generation_config.json, for a short prompt, one over 128 tokens and a multi-turn
 * conversation with tools. The prompt is the reference's rendered string (given as a raw template),
 * so this checks everything after the chat template: tokenisation, the graph runs, the cache,
 * the logits processors, the choice of token, the end tokens and the decoded text.
 */
class TinyQwen2ReferenceTest {
    static final Duration TIMEOUT = Duration.ofSeconds(120);
    static Path root;
    static JsonObject reference;

    @BeforeAll
    static void read() throws IOException, URISyntaxException {
        root = Path.of(
                Objects.requireNonNull(TinyQwen2ReferenceTest.class.getResource("/models/tiny-qwen2/reference.json"))
                        .toURI())
                .getParent();
        reference = (JsonObject) JsonValue.parse(Files.readString(root.resolve("reference.json")));
    }

    /** Layout directory, graph file (null: the default choice), dtype, KV cache. */
    static Stream<Arguments> layouts() {
        return Stream.of(Arguments.of("optimum-fp32", null, "fp32", true),
                Arguments.of("optimum-fp32", null, "fp32", false),
                Arguments.of("optimum-fp16", null, "fp16", true),
                Arguments.of("merged-fp32", null, "fp32", true),
                Arguments.of("merged-fp16", null, "fp16", true),
                Arguments.of("legacy-pair-fp32", null, "fp32", true),
                Arguments.of("legacy-pair-fp16", null, "fp16", true),
                Arguments.of("onnx-community", null, "fp32", true),
                Arguments.of("onnx-community", "onnx/model_fp16.onnx", "fp16", true));
    }

    /**
     * The model's own chat template (Qwen2.5's, from {@code chat_template.jinja}), fed agentrt messages and tool
     * specs, renders exactly the string transformers' {@code apply_chat_template} rendered for the reference, so
     * the ids above are what a caller of {@code LocalChatModel} gets without a hand-made template.
     */
    @Test
    void theModelsOwnTemplateRendersTheReferencePromptsFromAgentrtMessages() throws IOException {
        try (LocalChatModel model = LocalChatModel.builder().modelPath(root.resolve("optimum-fp32")).build()) {
            for (JsonValue item : ((JsonArray) reference.get("prompts")).items()) {
                JsonObject prompt = (JsonObject) item;
                List<Message> messages = new ArrayList<>();
                int call = 0;
                String lastTool = "";
                for (JsonValue m : ((JsonArray) prompt.get("messages")).items()) {
                    JsonObject message = (JsonObject) m;
                    String content = message.getString("content").orElse("");
                    switch (message.getString("role").orElseThrow()) {
                        case "system" -> messages.add(Message.system(content));
                        case "user" -> messages.add(Message.user(content));
                        case "assistant" -> {
                            List<ToolCall> calls = new ArrayList<>();
                            for (JsonValue c : message.getArray("tool_calls").map(JsonArray::items).orElse(List.of())) {
                                JsonObject function = ((JsonObject) c).getObject("function").orElseThrow();
                                lastTool = function.getString("name").orElseThrow();
                                calls.add(new ToolCall("call_" + call++, lastTool, function.get("arguments").toJson()));
                            }
                            messages.add(Message.assistant(content, calls));
                        }
                        case "tool" ->
                            messages.add(new Message.ToolResult("call_" + (call - 1), lastTool, content, false));
                        default -> throw new IllegalStateException("role " + message.getString("role"));
                    }
                }
                List<ToolSpec> tools = new ArrayList<>();
                if (prompt.get("tools") instanceof JsonArray array) {
                    for (JsonValue t : array.items()) {
                        JsonObject function = ((JsonObject) t).getObject("function").orElseThrow();
                        tools.add(new ToolSpec(function.getString("name").orElseThrow(),
                                function.getString("description").orElseThrow(),
                                function.getObject("parameters").orElseThrow()));
                    }
                }
                String name = prompt.getString("name").orElseThrow();
                assertThat(model.renderPrompt(new ChatRequest(messages, tools, ChatOptions.DEFAULTS)))
                        .as("prompt " + name)
                        .isEqualTo(prompt.getString("rendered").orElseThrow());
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2} cache={3}")
    @MethodSource("layouts")
    void generatesTheReferenceTokensInEveryLayoutAndDtype(String layout, String file, String dtype, boolean cache)
            throws IOException {
        Path dir = root.resolve(layout);
        // In fp16 onnxruntime and torch's CPU kernels round differently (README): the reference for
        // an onnxruntime runtime is what onnxruntime generated; in fp32 both are the same.
        JsonObject expected = (JsonObject) ((JsonObject) reference.get("expected_onnxruntime")).get(dtype);
        JsonArray prompts = (JsonArray) reference.get("prompts");
        try (HuggingFaceTokenizer tokenizer = tokenizer(dir)) {
            for (JsonValue item : prompts.items()) {
                JsonObject prompt = (JsonObject) item;
                String name = prompt.getString("name").orElseThrow();
                String rendered = prompt.getString("rendered").orElseThrow();
                long[] promptIds = ids((JsonArray) prompt.get("prompt_ids"));
                assertThat(tokenizer.encode(rendered, false, false).getIds()).as("prompt ids of " + name)
                        .containsExactly(promptIds);
                for (Map.Entry<String, Double> setting : Map.of("greedy", 1.0, "repetition_penalty_1.05", 1.05,
                        "generation_config", Double.NaN).entrySet()) {
                    long[] want = ids((JsonArray) ((JsonObject) expected.get(name)).get(setting.getKey()));
                    LocalChatModel.Builder builder = LocalChatModel.builder()
                            .modelPath(dir)
                            .chatTemplate("{% raw %}" + rendered + "{% endraw %}")
                            .maxTokens(32)
                            .kvCache(cache);
                    if (file != null) {
                        builder.modelFile(file);
                    }
                    if (!setting.getValue().isNaN()) {
                        builder.repetitionPenalty(setting.getValue());
                    }
                    try (LocalChatModel model = builder.build()) {
                        assertThat(model.renderPrompt(ChatRequest.of(Message.user("ignored")))).isEqualTo(rendered);
                        ChatResponse response = model.call(ChatRequest.of(Message.user("ignored"))).block(TIMEOUT);
                        assertThat(response).isNotNull();
                        String what = layout + " " + dtype + " " + name + " " + setting.getKey();
                        assertThat(response.usage().inputTokens()).as(what).isEqualTo(promptIds.length);
                        assertThat(response.usage().outputTokens()).as(what).isEqualTo(want.length);
                        assertThat(response.message().text()).as(what).isEqualTo(tokenizer.decode(want, true));
                    }
                }
            }
        }
    }

    static HuggingFaceTokenizer tokenizer(Path dir) throws IOException {
        try (InputStream in = Files.newInputStream(dir.resolve("tokenizer.json"))) {
            return HuggingFaceTokenizer.newInstance(in,
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        }
    }

    static long[] ids(JsonArray array) {
        List<Long> out = new ArrayList<>();
        for (JsonValue v : array.items()) {
            out.add(((JsonValue.JsonNumber) v).longValue());
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    static String show(long[] ids) {
        return Arrays.toString(ids);
    }
}
