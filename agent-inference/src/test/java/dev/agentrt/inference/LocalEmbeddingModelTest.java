package dev.agentrt.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.agentrt.core.ModelException;
import dev.agentrt.core.contract.EmbeddingModelContract;
import dev.agentrt.core.model.Embedding;
import dev.agentrt.core.model.EmbeddingModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/** The shipped all-MiniLM-L6-v2 (int8) through DJL and ONNX Runtime, offline. */
class LocalEmbeddingModelTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String GUITAR = "A man is playing a guitar.";
    private static final String PARAPHRASE = "Someone plays the guitar.";
    private static final String UNRELATED = "The stock market fell today.";

    private static LocalEmbeddingModel model;

    @BeforeAll
    static void load() {
        // Built first: DJL's ONNX engine must initialise before anything else creates an OrtEnvironment.
        model = LocalEmbeddingModel.builder().build();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theShippedModelGives384DimensionalUnitVectors() {
        List<Embedding> vectors = model.embedAll(List.of(GUITAR, UNRELATED, "")).block(TIMEOUT);

        assertThat(model.dimensions()).isEqualTo(384);
        assertThat(model.maxInputTokens()).isEqualTo(LocalEmbeddingModel.DEFAULT_MAX_INPUT_TOKENS);
        assertThat(vectors).hasSize(3).allSatisfy(v -> {
            assertThat(v.dimensions()).isEqualTo(384);
            assertThat(norm(v)).isCloseTo(1.0, within(1e-5));
        });
    }

    @Test
    void paraphrasesScoreHigherThanUnrelatedSentences() {
        List<Embedding> v = model.embedAll(List.of(GUITAR, PARAPHRASE, UNRELATED)).block(TIMEOUT);

        double paraphrase = v.get(0).cosine(v.get(1));
        double unrelated = v.get(0).cosine(v.get(2));
        assertThat(paraphrase).isGreaterThan(0.7);
        assertThat(unrelated).isLessThan(0.2);
        assertThat(v.get(1).cosine(v.get(2))).isLessThan(paraphrase);
    }

    @Test
    void vectorsMatchReferencesRecordedOnceFromThisModel() {
        // The first eight components, recorded from this model (int8 all-MiniLM-L6-v2) and
        // cross-checked by vectorsMatchAnIndependentOnnxRuntimeComputation.
        Map<String, float[]> recorded = Map.of(
                GUITAR, new float[]{0.016918f, -0.002900f, -0.022520f, -0.059008f, -0.165601f, 0.002566f, 0.091538f,
                        -0.031725f},
                UNRELATED, new float[]{0.050162f, 0.006589f, 0.064399f, 0.058670f, -0.008659f, 0.016875f, -0.017870f,
                        0.037896f},
                PARAPHRASE, new float[]{0.011778f, 0.034797f, -0.015923f, -0.044627f, -0.118946f, 0.020708f,
                        0.090989f, 0.038446f});

        recorded.forEach((text, expected) -> {
            Embedding actual = model.embed(text).block(TIMEOUT);
            for (int i = 0; i < expected.length; i++) {
                assertThat(actual.get(i)).as("%s[%d]", text, i).isCloseTo(expected[i], within(1e-4f));
            }
        });
    }

    @Test
    void vectorsMatchAnIndependentOnnxRuntimeComputation() throws Exception {
        List<String> texts = List.of(GUITAR, "A much longer sentence, so that the batch needs padding and a mask.");
        List<Embedding> actual = model.embedAll(texts).block(TIMEOUT);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(
                resource(LocalEmbeddingModel.DEFAULT_TOKENIZER_RESOURCE),
                Map.of("truncation", "false", "padding", "false"));
                OrtSession session = env.createSession(
                        resource(LocalEmbeddingModel.DEFAULT_MODEL_RESOURCE).readAllBytes(),
                        new OrtSession.SessionOptions())) {
            for (int t = 0; t < texts.size(); t++) {
                // One text at a time: no padding at all, so the mask is all ones.
                Encoding encoding = tokenizer.encode(texts.get(t));
                long[][] ids = {encoding.getIds()};
                long[][] types = {encoding.getTypeIds()};
                long[][] mask = {encoding.getAttentionMask()};
                Map<String, OnnxTensor> inputs = new HashMap<>();
                inputs.put("input_ids", OnnxTensor.createTensor(env, ids));
                inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
                if (session.getInputNames().contains("token_type_ids")) {
                    inputs.put("token_type_ids", OnnxTensor.createTensor(env, types));
                }
                try (OrtSession.Result result = session.run(inputs)) {
                    float[][] tokens = ((float[][][]) result.get(0).getValue())[0];
                    float[] expected = new float[tokens[0].length];
                    for (float[] token : tokens) {
                        for (int d = 0; d < expected.length; d++) {
                            expected[d] += token[d] / tokens.length;
                        }
                    }
                    double norm = 0;
                    for (float x : expected) {
                        norm += x * x;
                    }
                    for (int d = 0; d < expected.length; d++) {
                        assertThat(actual.get(t).get(d)).as("text %d, component %d", t, d)
                                .isCloseTo((float) (expected[d] / Math.sqrt(norm)), within(1e-4f));
                    }
                } finally {
                    inputs.values().forEach(OnnxTensor::close);
                }
            }
        }
    }

    @Test
    void aTextGetsTheSameVectorWhateverElseIsInTheCall() {
        List<String> texts = List.of("one", "a second, longer text", GUITAR, UNRELATED, PARAPHRASE);
        List<Embedding> together = model.embedAll(texts).block(TIMEOUT);

        assertThat(together).hasSize(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            assertThat(together.get(i)).as(texts.get(i)).isEqualTo(model.embed(texts.get(i)).block(TIMEOUT));
        }
    }

    @Test
    void paddedBatchesMaskThePaddingButTheQuantisedModelIsBatchSensitive() {
        // Dynamic int8 quantisation scales activations over the whole batch: close, not identical.
        List<String> texts = List.of("one", "a second, longer text", GUITAR, UNRELATED, PARAPHRASE);
        try (LocalEmbeddingModel batched = LocalEmbeddingModel.builder().maxBatchSize(2).build()) {
            List<Embedding> vectors = batched.embedAll(texts).block(TIMEOUT);
            assertThat(vectors).hasSize(texts.size());
            for (int i = 0; i < texts.size(); i++) {
                assertThat(vectors.get(i).cosine(model.embed(texts.get(i)).block(TIMEOUT))).as(texts.get(i))
                        .isGreaterThan(0.95);
            }
            double paraphrase = vectors.get(2).cosine(vectors.get(4));
            assertThat(paraphrase).isGreaterThan(vectors.get(2).cosine(vectors.get(3)));
        }
    }

    @Test
    void anOverLongTextFailsNamingTheLimitInsteadOfBeingCut() {
        String longText = longText(400);
        assertThat(model.countTokens(longText)).isGreaterThan(model.maxInputTokens());

        StepVerifier.create(model.embedAll(List.of("fine", longText)))
                .expectErrorSatisfies(e -> assertThat(e)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("text 1")
                        .hasMessageContaining("maxInputTokens of 256")
                        .hasMessageContaining("split"))
                .verify(TIMEOUT);
    }

    @Test
    void textsBeyondTheTokenizerFilesOwn128TokenTruncationAreEmbeddedWhole() {
        // The shipped tokenizer.json truncates at 128; this runtime turns that off.
        String text = longText(160);
        int tokens = model.countTokens(text);
        assertThat(tokens).isBetween(129, model.maxInputTokens());

        Embedding whole = model.embed(text).block(TIMEOUT);
        String first128 = model.split(text).get(0);
        try (LocalEmbeddingModel short128 = LocalEmbeddingModel.builder().maxInputTokens(128).build()) {
            String prefix = short128.split(text).get(0);
            assertThat(prefix).isNotEqualTo(first128);
            assertThat(whole.cosine(model.embed(prefix).block(TIMEOUT))).isLessThan(0.9999);
        }
    }

    @Test
    void aLongTextIsChunkedIntoPiecesThatFitAndCoverEveryWord() {
        String text = longText(1500);
        List<String> chunks = model.split(text);

        assertThat(chunks).hasSizeGreaterThan(5);
        assertThat(chunks).allSatisfy(c -> assertThat(model.countTokens(c)).isLessThanOrEqualTo(256));
        assertThat(words(String.join(" ", chunks))).isEqualTo(words(text));
        assertThat(chunks).allSatisfy(c -> assertThat(text).contains(c));
        // Chunks end at sentence ends where one is near.
        assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c -> assertThat(c).endsWith("."));

        List<Embedding> vectors = model.embedAll(chunks).block(TIMEOUT);
        assertThat(vectors).hasSize(chunks.size());
    }

    @Test
    void chunksCanOverlapByWholeWords() {
        String text = longText(600);
        List<String> chunks = model.split(text, 10);

        assertThat(chunks).hasSizeGreaterThan(1);
        for (int i = 1; i < chunks.size(); i++) {
            List<String> previous = words(chunks.get(i - 1));
            List<String> tail = previous.subList(previous.size() - 10, previous.size());
            assertThat(words(chunks.get(i)).subList(0, 10)).isEqualTo(tail);
        }
        assertThat(chunks).allSatisfy(c -> assertThat(model.countTokens(c)).isLessThanOrEqualTo(256));
    }

    @Test
    void aWordLongerThanTheLimitIsCutBetweenCharactersNotDropped() {
        // One whitespace-free "word" of 600 tokens (BERT splits punctuation).
        String blob = "a,".repeat(300);
        String text = "before " + blob + " after";
        List<String> chunks = model.split(text);

        assertThat(chunks).hasSizeGreaterThan(1);
        assertThat(chunks).allSatisfy(c -> assertThat(model.countTokens(c)).isLessThanOrEqualTo(256));
        assertThat(String.join(" ", chunks).replace(" ", "")).isEqualTo(text.replace(" ", ""));
        assertThat(model.split("  \n\t ")).isEmpty();
    }

    @Test
    void inferenceRunsOnTheComputeSchedulerEvenWhenSubscribedFromANonBlockingThread() {
        Mono<String> thread = Mono.defer(() -> model.embed(GUITAR))
                .map(v -> Thread.currentThread().getName())
                .subscribeOn(Schedulers.parallel());

        StepVerifier.create(thread)
                .assertNext(name -> assertThat(name).startsWith("agentrt-compute"))
                .verifyComplete();
    }

    @Test
    void concurrentCallsFromManyThreadsGiveConsistentVectors() {
        List<String> texts = List.of(GUITAR, PARAPHRASE, UNRELATED, "short", longText(120));
        List<Embedding> expected = model.embedAll(texts).block(TIMEOUT);

        List<List<Embedding>> results = Flux.range(0, 48)
                .flatMap(i -> model.embedAll(i % 2 == 0 ? texts : texts.reversed())
                        .map(r -> i % 2 == 0
                                ? r
                                : r.reversed()),
                        16)
                .collectList()
                .block(TIMEOUT);

        assertThat(results).hasSize(48).allSatisfy(r -> {
            for (int i = 0; i < texts.size(); i++) {
                assertThat(r.get(i).cosine(expected.get(i))).isGreaterThan(0.9999);
            }
        });
    }

    @Test
    void aModelDirectoryWithATokenizerAndAnOnnxFileLoads(@TempDir Path dir) throws IOException {
        copyShippedModelTo(dir);
        try (LocalEmbeddingModel fromDir = LocalEmbeddingModel.builder().modelPath(dir).build()) {
            Embedding a = fromDir.embed(GUITAR).block(TIMEOUT);
            assertThat(a.cosine(model.embed(GUITAR).block(TIMEOUT))).isGreaterThan(0.9999);
        }
    }

    @Test
    void aMissingModelDirectoryFailsNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> LocalEmbeddingModel.builder().modelPath(missing).build())
                .isInstanceOf(ModelException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void aMissingTokenizerFailsNamingTheFile(@TempDir Path dir) throws IOException {
        copyShippedModelTo(dir);
        Files.delete(dir.resolve("tokenizer.json"));
        assertThatThrownBy(() -> LocalEmbeddingModel.builder().modelPath(dir).build())
                .isInstanceOf(ModelException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString())
                .hasMessageContaining("missing");
    }

    @Test
    void aMissingOnnxFileFailsNamingTheFile(@TempDir Path dir) throws IOException {
        copyShippedModelTo(dir);
        Files.delete(dir.resolve("model.onnx"));
        assertThatThrownBy(() -> LocalEmbeddingModel.builder().modelPath(dir).build())
                .isInstanceOf(ModelException.class)
                .hasMessageContaining(dir.resolve("model.onnx").toString())
                .hasMessageContaining("missing");
    }

    @Test
    void aCorruptOnnxFileFailsNamingTheFile(@TempDir Path dir) throws IOException {
        copyShippedModelTo(dir);
        Files.writeString(dir.resolve("model.onnx"), "this is not an ONNX graph");
        assertThatThrownBy(() -> LocalEmbeddingModel.builder().modelPath(dir).build())
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("cannot load the ONNX model " + dir.resolve("model.onnx"));
    }

    @Test
    void aMissingClasspathResourceFailsNamingIt() {
        assertThatThrownBy(() -> LocalEmbeddingModel.builder()
                .classpathModel("models/absent.onnx", LocalEmbeddingModel.DEFAULT_TOKENIZER_RESOURCE)
                .build())
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("models/absent.onnx");
    }

    @Test
    void settingsOutOfRangeAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> LocalEmbeddingModel.builder().maxBatchSize(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBatchSize");
        assertThatThrownBy(() -> LocalEmbeddingModel.builder().maxInputTokens(2).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxInputTokens");
    }

    @Test
    void aClosedModelRefusesWork() {
        LocalEmbeddingModel closed = LocalEmbeddingModel.builder().build();
        closed.close();
        closed.close();

        StepVerifier.create(closed.embed(GUITAR))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("closed"))
                .verify(TIMEOUT);
    }

    @Nested
    class Contract extends EmbeddingModelContract {
        @Override
        protected EmbeddingModel model() {
            return model;
        }
    }

    private static final String[] SENTENCES = {
            "The committee reviewed the budget for the new library building.",
            "Rain fell steadily over the harbour while the ferries waited.",
            "Photosynthesis converts light energy into chemical energy in plants.",
            "She debugged the race condition by adding a lock around the cache.",
            "Mountain goats climb cliffs that look impossible to scale.",
            "The orchestra tuned their instruments before the evening concert.",
    };

    /** About {@code words} words of varied sentences, each ending in a full stop. */
    private static String longText(int words) {
        StringBuilder sb = new StringBuilder();
        int count = 0;
        for (int i = 0; count < words; i++) {
            String sentence = SENTENCES[i % SENTENCES.length].replace(".", " (part " + i + ").");
            sb.append(sentence).append(i % 4 == 3 ? "\n\n" : " ");
            count += sentence.split("\\s+").length;
        }
        return sb.toString().strip();
    }

    private static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (String w : Pattern.compile("\\s+").split(text.strip())) {
            out.add(w);
        }
        return out;
    }

    private static double norm(Embedding e) {
        double sum = 0;
        for (float x : e.vector()) {
            sum += x * x;
        }
        return Math.sqrt(sum);
    }

    private static InputStream resource(String name) {
        return Objects.requireNonNull(LocalEmbeddingModelTest.class.getClassLoader().getResourceAsStream(name), name);
    }

    private static void copyShippedModelTo(Path dir) throws IOException {
        try (InputStream model = resource(LocalEmbeddingModel.DEFAULT_MODEL_RESOURCE);
                InputStream tokenizer = resource(LocalEmbeddingModel.DEFAULT_TOKENIZER_RESOURCE)) {
            Files.copy(model, dir.resolve("model.onnx"));
            Files.copy(tokenizer, dir.resolve("tokenizer.json"));
        }
    }
}
