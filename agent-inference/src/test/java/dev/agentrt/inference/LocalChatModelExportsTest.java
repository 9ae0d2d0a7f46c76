package dev.agentrt.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.ModelException;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ResponseFormat;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.inference.testing.TinyChatModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Real exports as transformers and Optimum read them: template file precedence and named
 * templates, half-precision graphs, the onnx-community and legacy split layouts, whole-prompt
 * prefill, generation_config.json's processors, templates that ignore tools, structured output.
 */
class LocalChatModelExportsTest {
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final ToolSpec GET_TIME = new ToolSpec("get_time", "Tells the time.", JsonObject.EMPTY);

    @TempDir
    Path temp;

    static ChatResponse call(LocalChatModel model, ChatRequest request) {
        ChatResponse response = model.call(request).block(TIMEOUT);
        assertThat(response).isNotNull();
        return response;
    }

    static String reply(LocalChatModel model, String user) {
        return call(model, ChatRequest.of(Message.user(user))).message().text();
    }

    // 1. Template files as transformers reads them.

    @Test
    void chatTemplateJinjaWinsOverTokenizerConfigsTemplate() throws IOException {
        Path dir = TinyChatModels.writeBigram(temp.resolve("jinja-wins"));
        TinyChatModels.writeTokenizerConfig(dir, "config {{ messages[0].content }}");
        Files.writeString(dir.resolve("chat_template.jinja"), "file {{ messages[0].content }}");
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            assertThat(model.renderPrompt(ChatRequest.of(Message.user("hi")))).isEqualTo("file hi");
        }
    }

    @Test
    void additionalTemplatesAreReadAndToolUseServesRequestsWithTools() throws IOException {
        Path dir = TinyChatModels.writeBigram(temp.resolve("additional"));
        TinyChatModels.writeTokenizerConfig(dir, "default {{ messages[0].content }}");
        Files.createDirectories(dir.resolve("additional_chat_templates"));
        Files.writeString(dir.resolve("additional_chat_templates/tool_use.jinja"),
                "tools {{ tools | length }} {{ messages[0].content }}");
        Files.writeString(dir.resolve("additional_chat_templates/terse.jinja"), "terse {{ messages[0].content }}");
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            assertThat(model.renderPrompt(ChatRequest.of(Message.user("hi")))).isEqualTo("default hi");
            assertThat(model.renderPrompt(
                    new ChatRequest(List.of(Message.user("hi")), List.of(GET_TIME), ChatOptions.DEFAULTS)))
                    .isEqualTo("tools 1 hi");
        }
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).chatTemplateName("terse").build()) {
            assertThat(model.renderPrompt(ChatRequest.of(Message.user("hi")))).isEqualTo("terse hi");
        }
        assertThatThrownBy(() -> LocalChatModel.builder().modelPath(dir).chatTemplateName("nope").build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("'nope'")
                .hasMessageContaining("terse")
                .hasMessageContaining("tool_use");
    }

    @Test
    void aNamedTemplateOfTokenizerConfigsListCanBeChosen() {
        Path dir = TinyChatModels.writeBigram(temp.resolve("named-list"));
        TinyChatModels.writeJson(dir.resolve("tokenizer_config.json"), Map.of("eos_token", "<|im_end|>",
                "chat_template", List.of(Map.of("name", "default", "template", "plain {{ messages[0].content }}"),
                        Map.of("name", "tool_use", "template", "tool_use {{ messages[0].content }}"))));
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).chatTemplateName("tool_use").build()) {
            assertThat(model.renderPrompt(ChatRequest.of(Message.user("hi")))).isEqualTo("tool_use hi");
        }
    }

    @Test
    void severalTemplatesWithoutADefaultAreRefusedUnlessOneIsChosen() {
        Path dir = TinyChatModels.writeBigram(temp.resolve("no-default"));
        TinyChatModels.writeJson(dir.resolve("tokenizer_config.json"), Map.of("eos_token", "<|im_end|>",
                "chat_template", List.of(Map.of("name", "a", "template", "a {{ messages[0].content }}"),
                        Map.of("name", "b", "template", "b {{ messages[0].content }}"))));
        assertThatThrownBy(() -> LocalChatModel.builder().modelPath(dir).build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("chatTemplateName");
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).chatTemplateName("b").build()) {
            assertThat(model.renderPrompt(ChatRequest.of(Message.user("hi")))).isEqualTo("b hi");
        }
    }

    // 2. Half-precision exports.

    @ParameterizedTest
    @EnumSource(value = TinyChatModels.Variant.class, names = {"FLOAT16", "BFLOAT16"})
    void halfPrecisionExportsRunWithTheirOwnCacheAndLogitsType(TinyChatModels.Variant variant) {
        Path dir = TinyChatModels.writeBigram(temp.resolve(variant.name()), variant);
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            assertThat(reply(model, "Say hello.")).isEqualTo("Hello there!");
            assertThat(reply(model, "count")).isEqualTo("one two three four five six seven eight nine ten");
        }
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).kvCache(false).build()) {
            assertThat(reply(model, "count")).isEqualTo("one two three four five six seven eight nine ten");
        }
    }

    // 4. Graph files of other layouts.

    @ParameterizedTest
    @ValueSource(strings = {"onnx/model.onnx", "onnx/model_quantized.onnx", "onnx/model_q4.onnx",
            "onnx/model_fp16.onnx", "decoder_model_merged.onnx"})
    void theGraphIsFoundInTheLayoutsOfOtherExporters(String relative) {
        Path dir = TinyChatModels.writeBigram(temp.resolve("layout"));
        TinyChatModels.moveGraph(dir, relative);
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            assertThat(reply(model, "Say hello.")).isEqualTo("Hello there!");
        }
    }

    @Test
    void theBuilderChoosesAVariantAndTheDefaultOrderPrefersFullPrecision() throws IOException {
        Path dir = TinyChatModels.writeBigram(temp.resolve("variants"));
        TinyChatModels.moveGraph(dir, "onnx/model_q4.onnx");
        // A broken full-precision file is preferred by default, so the build names it.
        Files.writeString(dir.resolve("onnx/model.onnx"), "not a graph");
        assertThatThrownBy(() -> LocalChatModel.builder().modelPath(dir).build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("onnx/model.onnx".replace('/', java.io.File.separatorChar));
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).modelFile("onnx/model_q4.onnx").build()) {
            assertThat(reply(model, "Say hello.")).isEqualTo("Hello there!");
        }
        assertThatThrownBy(() -> LocalChatModel.builder().modelPath(dir).modelFile("onnx/model_bnb4.onnx").build())
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model_bnb4.onnx is missing");
    }

    @Test
    void theLegacySplitPairRunsThePromptThroughTheGraphWithoutPast() {
        Path dir = TinyChatModels.writeSplit(temp.resolve("split"));
        assertThat(dir.resolve("model.onnx")).doesNotExist();
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            assertThat(reply(model, "Say hello.")).isEqualTo("Hello there!");
            assertThat(reply(model, "count")).isEqualTo("one two three four five six seven eight nine ten");
        }
    }

    // 5. The prompt in one run.

    @Test
    void aLongPromptGoesThroughTheGraphInOneRunThenOneTokenPerRun() {
        // This graph puts <unk> first whenever several tokens follow a non-empty cache.
        Path dir = TinyChatModels.writeBigram(temp.resolve("one-token"), TinyChatModels.Variant.ONE_TOKEN_AFTER_PAST);
        String longPrompt = "What time is it? ".repeat(100) + "count";
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            assertThat(reply(model, longPrompt)).isEqualTo("one two three four five six seven eight nine ten");
        }
    }

    // 3. generation_config.json.

    @Test
    void repetitionPenaltyAppliesOverThePromptAndTheGeneratedTokens() {
        Path dir = TinyChatModels.writeBigram(temp.resolve("penalty"));
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            assertThat(reply(model, "dice")).isEqualTo("1");
        }
        writeGenerationConfig(dir, Map.of("repetition_penalty", 1.05));
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            // <|im_end|> is in the prompt and each face once generated: both lose their tie.
            assertThat(reply(model, "dice")).isEqualTo("1 2 3 4 5 6");
        }
    }

    @Test
    void maxNewTokensIsTheDefaultReplyLengthAndTheRequestOverridesIt() {
        Path dir = TinyChatModels.writeBigram(temp.resolve("max-new"));
        writeGenerationConfig(dir, Map.of("max_new_tokens", 3));
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            ChatResponse response = call(model, ChatRequest.of(Message.user("count")));
            assertThat(response.message().text()).isEqualTo("one two three");
            assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
            ChatResponse longer = call(model,
                    new ChatRequest(List.of(Message.user("count")), List.of(), ChatOptions.DEFAULTS.withMaxTokens(5)));
            assertThat(longer.message().text()).isEqualTo("one two three four five");
        }
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).maxTokens(4).build()) {
            assertThat(reply(model, "count")).isEqualTo("one two three four");
        }
    }

    @Test
    void minNewTokensKeepsTheEndTokenAway() {
        Path dir = TinyChatModels.writeBigram(temp.resolve("min-new"));
        writeGenerationConfig(dir, Map.of("min_new_tokens", 3));
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            // Hello there! then the end token; banned, the next best is <unk> (first on ties), not text.
            assertThat(reply(model, "Say hello.")).startsWith("Hello there!");
            assertThat(model.generatedTokens()).isGreaterThanOrEqualTo(4);
        }
    }

    private static void writeGenerationConfig(Path dir, Map<String, Object> extra) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("eos_token_id", List.of(TinyChatModels.id("<|im_end|>"), TinyChatModels.id("<|endoftext|>")));
        config.put("do_sample", false);
        config.putAll(extra);
        TinyChatModels.writeJson(dir.resolve("generation_config.json"), config);
    }

    // 7. Templates that ignore tools.

    static final String TOOLLESS_TEMPLATE = "{% for m in messages %}<|im_start|> {{ m.role }} {{ m.content }}"
            + " <|im_end|> {% endfor %}{% if add_generation_prompt %}<|im_start|> assistant {% endif %}";

    @Test
    void aTemplateThatIgnoresToolsIsDetectedAndARequestWithToolsFails() {
        Path dir = TinyChatModels.writeBigram(temp.resolve("toolless"));
        TinyChatModels.writeTokenizerConfig(dir, TOOLLESS_TEMPLATE);
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            assertThat(model.templateIgnoresTools()).isTrue();
            ChatRequest request = new ChatRequest(List.of(Message.user("What time is it?")), List.of(GET_TIME),
                    ChatOptions.DEFAULTS);
            assertThatThrownBy(() -> model.call(request).block(TIMEOUT))
                    .isInstanceOf(ModelException.class)
                    .hasMessageContaining("ignores tools")
                    .hasMessageContaining("toolsInSystemPrompt");
            // Without tools the model answers as before.
            assertThat(reply(model, "Say hello.")).isEqualTo("Hello there!");
        }
        Path qwen = TinyChatModels.writeBigram(temp.resolve("with-tools"));
        try (LocalChatModel model = LocalChatModel.builder().modelPath(qwen).build()) {
            assertThat(model.templateIgnoresTools()).isFalse();
        }
    }

    @Test
    void toolsInSystemPromptDescribesTheToolsAndParsesTheCalls() {
        Path dir = TinyChatModels.writeBigram(temp.resolve("fallback"));
        TinyChatModels.writeTokenizerConfig(dir, TOOLLESS_TEMPLATE);
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).toolsInSystemPrompt(true).build()) {
            ChatRequest request = new ChatRequest(
                    List.of(Message.system("Be brief."), Message.user("What time is it?")), List.of(GET_TIME),
                    ChatOptions.DEFAULTS);
            String prompt = model.renderPrompt(request);
            assertThat(prompt).startsWith("<|im_start|> system Be brief.\n\n# Tools\n\n")
                    .contains("<tools>\n{\"type\":")
                    .contains("\"get_time\"")
                    .contains("<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n"
                            + "</tool_call>");
            ChatResponse response = call(model, request);
            assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
            assertThat(response.message().toolCalls()).extracting(ToolCall::name).containsExactly("get_time");

            ToolCall call = response.message().toolCalls().get(0);
            ChatRequest followUp = new ChatRequest(
                    List.of(Message.user("What time is it?"), Message.assistant("", List.of(call)),
                            Message.toolResult(call, "12:00", false)),
                    List.of(GET_TIME), ChatOptions.DEFAULTS);
            assertThat(model.renderPrompt(followUp))
                    .contains("<|im_start|> assistant <tool_call>\n{\"name\":\"get_time\",\"arguments\":{}}\n"
                            + "</tool_call> <|im_end|>")
                    .contains("<|im_start|> user <tool_response>\n12:00\n</tool_response> <|im_end|>");
            assertThat(call(model, followUp).message().text()).isEqualTo("It is noon.");
        }
    }

    // 8. Structured output.

    @Test
    void aResponseFormatIsAnsweredThroughAFinalAnswerTool() {
        Path dir = TinyChatModels.writeBigram(temp.resolve("format"));
        JsonObject schema = (JsonObject) JsonValue.parse(
                "{\"type\":\"object\",\"properties\":{\"time\":{\"type\":\"string\"}},\"required\":[\"time\"]}");
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            assertThat(model.supportsResponseFormat()).isFalse();
            ChatRequest request = new ChatRequest(List.of(Message.user("What time is it?")), List.of(),
                    ChatOptions.DEFAULTS.withResponseFormat(new ResponseFormat("time", schema)));
            assertThat(model.renderPrompt(request)).contains("\"final_answer\",").contains("\"required\": [\"time\"]");
            ChatResponse response = call(model, request);
            assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(response.message().toolCalls()).isEmpty();
            assertThat(JsonValue.parse(response.message().text())).isEqualTo(JsonValue.parse("{\"time\":\"noon\"}"));
        }
    }

    @Test
    void withoutAResponseFormatTheSameToolsGiveAToolCall() {
        Path dir = TinyChatModels.writeBigram(temp.resolve("no-format"));
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            ChatResponse response = call(model, new ChatRequest(List.of(Message.user("What time is it?")),
                    List.of(GET_TIME), ChatOptions.DEFAULTS));
            assertThat(response.message().toolCalls().stream().map(ToolCall::name).collect(Collectors.toList()))
                    .containsExactly("get_time");
        }
    }
}
