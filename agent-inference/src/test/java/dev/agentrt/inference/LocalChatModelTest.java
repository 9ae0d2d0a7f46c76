package dev.agentrt.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.ModelException;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Media;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ModelReachability;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.inference.testing.TinyChatModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Generation on the scripted tiny model: greedy replies, the KV cache, sampling, stops, limits. */
class LocalChatModelTest {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path temp;

    static Path modelDir;
    static LocalChatModel model;
    static LocalChatModel noCache;

    @BeforeAll
    static void load() {
        modelDir = TinyChatModels.writeBigram(temp.resolve("tiny"));
        model = LocalChatModel.builder().modelPath(modelDir).build();
        noCache = LocalChatModel.builder().modelPath(modelDir).kvCache(false).build();
    }

    @AfterAll
    static void close() {
        model.close();
        noCache.close();
    }

    @Test
    void isReachableWhileOpenAndDownOnceClosed() {
        LocalChatModel closing = LocalChatModel.builder().modelPath(modelDir).build();

        StepVerifier.create(closing.reachability())
                .assertNext(r -> {
                    assertThat(r.status()).isEqualTo(ModelReachability.Status.UP);
                    assertThat(r.detail()).startsWith("in process");
                })
                .verifyComplete();
        closing.close();
        StepVerifier.create(closing.reachability())
                .assertNext(r -> {
                    assertThat(r.status()).isEqualTo(ModelReachability.Status.DOWN);
                    assertThat(r.detail()).contains("is closed");
                })
                .verifyComplete();
    }

    static ChatRequest user(String text) {
        return ChatRequest.of(Message.user(text));
    }

    static ChatResponse call(LocalChatModel m, ChatRequest request) {
        ChatResponse response = m.call(request).block(TIMEOUT);
        assertThat(response).isNotNull();
        return response;
    }

    static List<String> deltas(LocalChatModel m, ChatRequest request) {
        List<String> out = new ArrayList<>();
        m.stream(request).ofType(ChatEvent.TextDelta.class).doOnNext(d -> out.add(d.text())).blockLast(TIMEOUT);
        return out;
    }

    @Test
    void imagesAndSoundsAreRefusedNotDroppedSilently() {
        var withImage = ChatRequest.of(Message.user("What is this?",
                List.of(Media.image("image/png", new byte[]{1, 2, 3}))));

        StepVerifier.create(model.stream(withImage))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("takes text only: the request holds image/png image"))
                .verify(Duration.ofSeconds(60));
        StepVerifier.create(model.stream(ChatRequest.of(Message.user("hi"), Message.assistant("", List.of(CALL)),
                Message.toolResult(CALL, "a sound", false, List.of(Media.audio("audio/wav", new byte[]{1}))))))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("audio/wav audio"))
                .verify(Duration.ofSeconds(60));
    }

    private static final ToolCall CALL = new ToolCall("c1", "record", "{}");

    @Test
    void greedyDecodingGivesTheScriptedReply() {
        ChatResponse response = call(model, user("Say hello."));
        assertThat(response.message().text()).isEqualTo("Hello there!");
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.message().toolCalls()).isEmpty();
    }

    @Test
    void greedyDecodingFollowsTheCacheSteeredChain() {
        ChatResponse response = call(model, user("Please count"));
        assertThat(response.message().text()).isEqualTo("one two three four five six seven eight nine ten");
        // 11 generated tokens: ten words and the end token.
        assertThat(response.usage().outputTokens()).isEqualTo(11);
        // <|im_start|> user Please count <|im_end|> <|im_start|> assistant
        assertThat(response.usage().inputTokens()).isEqualTo(7);
    }

    @Test
    void tokensStreamAsTheyAreGenerated() {
        assertThat(deltas(model, user("count"))).containsExactly("one", " two", " three", " four", " five", " six",
                " seven", " eight", " nine", " ten");
    }

    @Test
    void cachedAndUncachedGenerationAgreeTokenByToken() {
        for (String prompt : List.of("Say hello.", "count", "dice", "What time is it?")) {
            assertThat(deltas(model, user(prompt))).as(prompt).isEqualTo(deltas(noCache, user(prompt)));
        }
        ChatRequest forever = new ChatRequest(List.of(Message.user("forever")), List.of(),
                ChatOptions.DEFAULTS.withMaxTokens(40));
        assertThat(deltas(model, forever)).hasSize(40).isEqualTo(deltas(noCache, forever));
    }

    @Test
    void aLongPromptFillsTheCacheInChunksWithTheSameResult() {
        // Over 128 tokens: the prompt goes through the graph in several runs; the cache-borne
        // trigger "count" sits in the first chunk and must still steer the reply.
        ChatRequest request = user("count " + "Say ".repeat(300));
        assertThat(call(model, request).usage().inputTokens()).isGreaterThan(300);
        assertThat(deltas(model, request)).isEqualTo(deltas(noCache, request))
                .containsExactly("one", " two", " three", " four", " five", " six", " seven", " eight", " nine",
                        " ten");
    }

    @Test
    void maxTokensEndsTheReplyWithLength() {
        ChatRequest request = new ChatRequest(List.of(Message.user("forever")), List.of(),
                ChatOptions.DEFAULTS.withMaxTokens(5));
        ChatResponse response = call(model, request);
        assertThat(response.message().text()).isEqualTo("tick tock tick tock tick");
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(response.usage().outputTokens()).isEqualTo(5);
    }

    @Test
    void theBuilderMaxTokensIsTheDefault() {
        try (LocalChatModel short3 = LocalChatModel.builder().modelPath(modelDir).maxTokens(3).build()) {
            ChatResponse response = call(short3, user("forever"));
            assertThat(response.message().text()).isEqualTo("tick tock tick");
            assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        }
    }

    @Test
    void aStopSequenceEndsTheReplyWithoutBeingEmitted() {
        ChatRequest request = new ChatRequest(List.of(Message.user("count")), List.of(),
                ChatOptions.DEFAULTS.withStopSequences(List.of("four f")));
        List<String> streamed = deltas(model, request);
        assertThat(String.join("", streamed)).isEqualTo("one two three ");
        ChatResponse response = call(model, request);
        assertThat(response.message().text()).isEqualTo("one two three ");
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP_SEQUENCE);
        // Generation stopped at the token that completed the stop sequence ("five").
        assertThat(response.usage().outputTokens()).isEqualTo(5);
    }

    @Test
    void aStopSequenceThatNeverCompletesIsEmittedAtTheEnd() {
        ChatRequest request = new ChatRequest(List.of(Message.user("count")), List.of(),
                ChatOptions.DEFAULTS.withStopSequences(List.of("ten!")));
        ChatResponse response = call(model, request);
        assertThat(response.message().text()).isEqualTo("one two three four five six seven eight nine ten");
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void builderStopSequencesApplyToEveryRequest() {
        try (LocalChatModel stopping = LocalChatModel.builder()
                .modelPath(modelDir)
                .stopSequences(List.of("tock"))
                .build()) {
            ChatResponse response = call(stopping, user("forever"));
            assertThat(response.message().text()).isEqualTo("tick ");
            assertThat(response.finishReason()).isEqualTo(FinishReason.STOP_SEQUENCE);
        }
    }

    @Test
    void samplingWithAFixedSeedIsReproducible() {
        try (LocalChatModel a = sampler(7); LocalChatModel b = sampler(7)) {
            List<String> first = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                first.add(call(a, user("dice")).message().text());
            }
            List<String> second = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                second.add(call(b, user("dice")).message().text());
            }
            assertThat(first).isEqualTo(second);
            // Every request starts from the seed: the same request, the same reply.
            assertThat(first).containsOnly(first.get(0));
            assertThat(first.get(0)).matches("[1-6]( [1-6])*");
        }
    }

    @Test
    void differentSeedsSampleDifferentReplies() {
        List<String> replies = new ArrayList<>();
        for (long seed = 1; seed <= 8; seed++) {
            try (LocalChatModel m = sampler(seed)) {
                replies.add(call(m, user("dice")).message().text());
            }
        }
        assertThat(replies).allMatch(r -> r.matches("(Hello there!)|([1-6]( [1-6])*)"));
        assertThat(replies.stream().distinct().count()).isGreaterThan(1);
    }

    @Test
    void greedyIsTheDefaultAndTemperatureZeroIsGreedy() {
        ChatRequest request = new ChatRequest(List.of(Message.user("dice")), List.of(),
                ChatOptions.DEFAULTS.withTemperature(0.0));
        try (LocalChatModel m = sampler(3)) {
            assertThat(call(m, request).message().text()).isEqualTo("1");
        }
        assertThat(call(model, user("dice")).message().text()).isEqualTo("1");
    }

    @Test
    void topKOfOneIsGreedyEvenWhenSampling() {
        try (LocalChatModel m = LocalChatModel.builder().modelPath(modelDir).temperature(1.0).topK(1).seed(5).build()) {
            assertThat(call(m, user("dice")).message().text()).isEqualTo("1");
        }
    }

    static LocalChatModel sampler(long seed) {
        return LocalChatModel.builder().modelPath(modelDir).temperature(1.0).seed(seed).build();
    }

    @Test
    void aMissingDirectoryFailsNamingIt() {
        Path absent = temp.resolve("absent");
        assertThatThrownBy(() -> LocalChatModel.builder().modelPath(absent).build())
                .isInstanceOf(ModelException.class)
                .hasMessageContaining(absent.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void aMissingFileFailsNamingIt() throws IOException {
        for (String file : List.of("model.onnx", "tokenizer.json", "tokenizer_config.json", "config.json")) {
            Path dir = TinyChatModels.writeBigram(temp.resolve("missing-" + file));
            Files.delete(dir.resolve(file));
            assertThatThrownBy(() -> LocalChatModel.builder().modelPath(dir).build()).as(file)
                    .isInstanceOf(ModelException.class)
                    .hasMessageContaining(dir.resolve(file).toString())
                    .hasMessageContaining("missing");
        }
    }

    @Test
    void malformedFilesFailNamingThem() throws IOException {
        for (String file : List.of("tokenizer.json", "tokenizer_config.json", "config.json",
                "generation_config.json")) {
            Path dir = TinyChatModels.writeBigram(temp.resolve("malformed-" + file));
            Files.writeString(dir.resolve(file), "{ not json");
            assertThatThrownBy(() -> LocalChatModel.builder().modelPath(dir).build()).as(file)
                    .isInstanceOf(ModelException.class)
                    .hasMessageContaining(dir.resolve(file).toString());
        }
        Path dir = TinyChatModels.writeBigram(temp.resolve("malformed-graph"));
        Files.write(dir.resolve("model.onnx"), new byte[]{1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> LocalChatModel.builder().modelPath(dir).build())
                .isInstanceOf(ModelException.class)
                .hasMessageContaining(dir.resolve("model.onnx").toString());
    }

    @Test
    void aTemplateThatDoesNotParseFailsNamingTheFile() {
        Path dir = TinyChatModels.writeBigram(temp.resolve("bad-template"));
        TinyChatModels.writeTokenizerConfig(dir, "{% for m in messages %}{{ m.content }");
        assertThatThrownBy(() -> LocalChatModel.builder().modelPath(dir).build())
                .isInstanceOf(ModelException.class)
                .hasMessageContaining(dir.resolve("tokenizer_config.json").toString());
    }

    @Test
    void aTokenizerLargerThanTheModelVocabularyFailsNamingBoth() {
        Path dir = TinyChatModels.writeBigram(temp.resolve("vocab-mismatch"));
        List<String> bigger = new ArrayList<>(TinyChatModels.VOCABULARY);
        bigger.add("extra");
        bigger.add("words");
        TinyChatModels.writeTokenizer(dir, bigger);
        assertThatThrownBy(() -> LocalChatModel.builder().modelPath(dir).build())
                .isInstanceOf(ModelException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString())
                .hasMessageContaining(dir.resolve("model.onnx").toString())
                .hasMessageContaining(String.valueOf(TinyChatModels.VOCABULARY.size() + 2))
                .hasMessageContaining(String.valueOf(TinyChatModels.VOCABULARY.size()));
    }

    @Test
    void aGraphWithoutCacheInputsIsRefusedNamingTheFile() {
        Path dir = TinyChatModels.writeBigram(temp.resolve("no-cache"), TinyChatModels.Variant.NO_CACHE_INPUTS);
        assertThatThrownBy(() -> LocalChatModel.builder().modelPath(dir).build())
                .isInstanceOf(ModelException.class)
                .hasMessageContaining(dir.resolve("model.onnx").toString())
                .hasMessageContaining("text-generation-with-past");
    }

    @Test
    void aCacheInAnotherLayoutIsRefusedNamingTheFile() {
        Path dir = TinyChatModels.writeBigram(temp.resolve("seq-first"), TinyChatModels.Variant.SEQUENCE_FIRST_CACHE);
        assertThatThrownBy(() -> LocalChatModel.builder().modelPath(dir).build())
                .isInstanceOf(ModelException.class)
                .hasMessageContaining(dir.resolve("model.onnx").toString());
    }

    @Test
    void aConfigThatDisagreesWithTheGraphIsRefused() throws IOException {
        Path dir = TinyChatModels.writeBigram(temp.resolve("layers"));
        Files.writeString(dir.resolve("config.json"),
                "{\"num_hidden_layers\":3,\"num_attention_heads\":2,\"hidden_size\":8}");
        assertThatThrownBy(() -> LocalChatModel.builder().modelPath(dir).build())
                .isInstanceOf(ModelException.class)
                .hasMessageContaining(dir.resolve("model.onnx").toString())
                .hasMessageContaining("3 layers");
    }

    @Test
    void builderSettingsAreValidated() {
        assertThatThrownBy(() -> LocalChatModel.builder().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("modelPath");
        assertThatThrownBy(() -> LocalChatModel.builder().modelPath(modelDir).maxTokens(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxTokens");
        assertThatThrownBy(() -> LocalChatModel.builder().modelPath(modelDir).topP(1.5).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topP");
        assertThatThrownBy(() -> LocalChatModel.builder().modelPath(modelDir).topK(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topK");
        assertThatThrownBy(() -> LocalChatModel.builder().modelPath(modelDir).temperature(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("temperature");
    }
}
