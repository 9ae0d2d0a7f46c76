package dev.agentrt.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.inference.testing.TinyChatModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the model's own files say: end tokens, sampling defaults, named and separate templates. */
class LocalChatModelFilesTest {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    static String reply(LocalChatModel model, String user) {
        ChatResponse response = model.call(ChatRequest.of(Message.user(user))).block(TIMEOUT);
        assertThat(response).isNotNull();
        return response.message().text();
    }

    @Test
    void generationConfigEndTokensEndTheReply() {
        Path dir = TinyChatModels.writeBigram(temp.resolve("eos"));
        TinyChatModels.writeJson(dir.resolve("generation_config.json"),
                Map.of("eos_token_id", List.of(TinyChatModels.id("<|im_end|>"), TinyChatModels.id("three"))));
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            ChatResponse response = model.call(ChatRequest.of(Message.user("count"))).block(TIMEOUT);
            assertThat(response).isNotNull();
            assertThat(response.message().text()).isEqualTo("one two");
            assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        }
    }

    @Test
    void theEosTokenMayBeWrittenAsAnAddedTokenObject() throws IOException {
        Path dir = TinyChatModels.writeBigram(temp.resolve("eos-object"));
        Files.delete(dir.resolve("generation_config.json"));
        TinyChatModels.writeJson(dir.resolve("tokenizer_config.json"), Map.of("eos_token",
                Map.of("content", "<|im_end|>", "special", true), "chat_template", TinyChatModels.CHAT_TEMPLATE));
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            assertThat(reply(model, "Say hello.")).isEqualTo("Hello there!");
        }
    }

    @Test
    void theModelsSamplingDefaultsApplyUnlessTheBuilderOrRequestSaysOtherwise() {
        Path dir = TinyChatModels.writeBigram(temp.resolve("sampling"));
        TinyChatModels.writeJson(dir.resolve("generation_config.json"), Map.of("eos_token_id",
                TinyChatModels.id("<|im_end|>"), "do_sample", true, "temperature", 1.0, "top_k", 0));
        Set<String> sampled = new HashSet<>();
        for (long seed = 1; seed <= 8; seed++) {
            try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).seed(seed).build()) {
                sampled.add(reply(model, "dice"));
            }
        }
        assertThat(sampled).hasSizeGreaterThan(1).allMatch(r -> r.matches("[1-6]( [1-6])*"));
        try (LocalChatModel greedy = LocalChatModel.builder().modelPath(dir).temperature(0).build()) {
            assertThat(reply(greedy, "dice")).isEqualTo("1");
        }
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).seed(3).build()) {
            ChatResponse r = model.call(new ChatRequest(List.of(Message.user("dice")), List.of(),
                    ChatOptions.DEFAULTS.withTemperature(0.0))).block(TIMEOUT);
            assertThat(r).isNotNull();
            assertThat(r.message().text()).isEqualTo("1");
        }
    }

    @Test
    void aNamedToolUseTemplateIsUsedWhenTheRequestHasTools() {
        Path dir = TinyChatModels.writeBigram(temp.resolve("named"));
        String plain = "{% for m in messages %}<|im_start|>{{ m.role }}\nplain {{ m.content }}<|im_end|>\n{% endfor %}"
                + "<|im_start|>assistant\n";
        String tools = "<|im_start|>system\n<tools>\n{% for t in tools %}{{ t.function.name }} {% endfor %}</tools>"
                + "<|im_end|>\n" + plain;
        TinyChatModels.writeJson(dir.resolve("tokenizer_config.json"), Map.of("eos_token", "<|im_end|>",
                "chat_template", List.of(Map.of("name", "default", "template", plain),
                        Map.of("name", "tool_use", "template", tools))));
        ToolSpec spec = new ToolSpec("get_time", "Current time", JsonValue.parse("{\"type\":\"object\"}").asObject());
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            // As in jinja2 (keep_trailing_newline=False), the template's one trailing newline is not rendered.
            assertThat(model.renderPrompt(ChatRequest.of(Message.user("Hi"))))
                    .isEqualTo("<|im_start|>user\nplain Hi<|im_end|>\n<|im_start|>assistant");
            ChatRequest withTools = new ChatRequest(List.of(Message.user("Hi")), List.of(spec), ChatOptions.DEFAULTS);
            assertThat(model.renderPrompt(withTools)).startsWith("<|im_start|>system\n<tools>\nget_time </tools>");
            ChatResponse response = model.call(withTools).block(TIMEOUT);
            assertThat(response).isNotNull();
            assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        }
    }

    @Test
    void aChatTemplateFileIsReadWhenTokenizerConfigHasNone() throws IOException {
        Path dir = TinyChatModels.writeBigram(temp.resolve("jinja-file"));
        TinyChatModels.writeJson(dir.resolve("tokenizer_config.json"), Map.of("eos_token", "<|im_end|>"));
        Files.writeString(dir.resolve("chat_template.jinja"),
                "{% for m in messages %}<|im_start|>{{ m.role }}\nfrom file {{ m.content }}<|im_end|>\n{% endfor %}"
                        + "<|im_start|>assistant\n");
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            assertThat(model.renderPrompt(ChatRequest.of(Message.user("Hi")))).contains("from file Hi");
            assertThat(reply(model, "Say hello.")).isEqualTo("Hello there!");
        }
    }

    @Test
    void aModelWithoutAnyChatTemplateIsRefusedNamingTheFile() {
        Path dir = TinyChatModels.writeBigram(temp.resolve("no-template"));
        TinyChatModels.writeJson(dir.resolve("tokenizer_config.json"), Map.of("eos_token", "<|im_end|>"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalChatModel.builder().modelPath(dir).build())
                .isInstanceOf(dev.agentrt.core.ModelException.class)
                .hasMessageContaining(dir.resolve("tokenizer_config.json").toString())
                .hasMessageContaining("chat_template");
        // A template given to the builder makes the same directory usable.
        try (LocalChatModel model = LocalChatModel.builder()
                .modelPath(dir)
                .chatTemplate("{% for m in messages %}{{ m.content }} {% endfor %}assistant")
                .build()) {
            assertThat(reply(model, "Say hello.")).isEqualTo("Hello there!");
        }
    }
}
