package dev.agentrt.benchmarks;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.inference.LocalChatModel;
import dev.agentrt.inference.testing.TinyChatModels;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code LocalChatModel} generation, on models written by {@code TinyChatModels}:
 *
 * <ul>
 *   <li>{@code tiny*}: the scripted bigram test model (50 tokens, 2 layers): 64 tokens per op
 *       (tokens/s = 64 / time per op) and the time to the first streamed token (template, tokenizer,
 *       prefill, one step). Here the ONNX Runtime call is tiny, so this is the loop's own cost.
 *   <li>{@code large*}: a realistic-size output layer, 32,000-token vocabulary and a 512 x 32,000
 *       projection (logits = MatMul(embedding(ids), W), one cache layer of 8 x 64): 32 greedy
 *       tokens per op through {@code LocalChatModel}, against the same 32 tokens from a plain loop of
 *       {@code OrtSession.run} on the same file (raw tensors, cache outputs fed back, arg-max).
 *       Per-token overhead of the Java loop = (agentrt - raw) / raw.
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LocalChatBenchmark {
    static final int TINY_TOKENS = 64;
    static final int LARGE_TOKENS = 32;
    static final int LARGE_VOCAB = 32_000;
    static final int LARGE_HIDDEN = 512;

    @State(Scope.Benchmark)
    public static class Tiny {
        @Nullable
        Path dir;
        @Nullable
        LocalChatModel model;
        final ChatRequest forever = new ChatRequest(List.of(Message.user("forever")), List.of(),
                ChatOptions.DEFAULTS.withMaxTokens(TINY_TOKENS));

        @Setup
        public void setUp() throws IOException {
            dir = Files.createTempDirectory("agentrt-chat-bench-tiny");
            model = LocalChatModel.builder().modelPath(TinyChatModels.writeBigram(dir)).build();
            ChatResponse r = Objects.requireNonNull(model.call(forever).block());
            if (r.usage().outputTokens() != TINY_TOKENS || r.finishReason() != FinishReason.LENGTH) {
                throw new IllegalStateException("the tiny model did not generate " + TINY_TOKENS + " tokens: " + r);
            }
        }

        @TearDown
        public void tearDown() throws IOException {
            Objects.requireNonNull(model).close();
            delete(Objects.requireNonNull(dir));
        }
    }

    @State(Scope.Benchmark)
    public static class Large {
        @Nullable
        Path dir;
        @Nullable
        LocalChatModel model;
        @Nullable
        OrtSession session;
        long[] prompt = new long[0];
        final ChatRequest request = new ChatRequest(List.of(Message.user("w10 w11 w12 w13 w14 w15 w16 w17")),
                List.of(), ChatOptions.DEFAULTS.withMaxTokens(LARGE_TOKENS));

        @Setup
        public void setUp() throws IOException, OrtException {
            dir = Files.createTempDirectory("agentrt-chat-bench-large");
            TinyChatModels.writeLarge(dir, LARGE_VOCAB, LARGE_HIDDEN);
            // Built first: DJL's ONNX engine initialises before the raw session's environment.
            model = LocalChatModel.builder().modelPath(dir).build();
            session = OrtEnvironment.getEnvironment()
                    .createSession(dir.resolve("model.onnx").toString(), new OrtSession.SessionOptions());
            try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                    Map.of("addSpecialTokens", "false"))) {
                prompt = tokenizer.encode(model.renderPrompt(request), false, false).getIds();
                String raw = tokenizer.decode(rawGenerate(this), true);
                ChatResponse r = Objects.requireNonNull(model.call(request).block());
                if (!raw.equals(r.message().text()) || r.usage().outputTokens() != LARGE_TOKENS) {
                    throw new IllegalStateException("raw ONNX Runtime and agentrt disagree:\n" + raw + "\n"
                            + r.message().text());
                }
            }
        }

        @TearDown
        public void tearDown() throws IOException, OrtException {
            Objects.requireNonNull(session).close();
            Objects.requireNonNull(model).close();
            delete(Objects.requireNonNull(dir));
        }
    }

    @Benchmark
    public ChatResponse tinyGenerate64(Tiny tiny) {
        return Objects.requireNonNull(tiny.model).call(tiny.forever).block();
    }

    @Benchmark
    public ChatEvent tinyTimeToFirstToken(Tiny tiny) {
        return Objects.requireNonNull(tiny.model).stream(tiny.forever).blockFirst();
    }

    @Benchmark
    public ChatResponse largeAgentrt32(Large large) {
        return Objects.requireNonNull(large.model).call(large.request).block();
    }

    @Benchmark
    public long[] largeRawOrt32(Large large) throws OrtException {
        return rawGenerate(large);
    }

    /** Greedy generation with nothing but OrtSession.run: prefill, then one token per run. */
    static long[] rawGenerate(Large large) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = Objects.requireNonNull(large.session);
        long[] out = new long[LARGE_TOKENS];
        long[] ids = large.prompt;
        int total = 0;
        long[] cacheShape = {1, 8, 0, LARGE_HIDDEN / 8};
        OnnxTensor pastKey = OnnxTensor.createTensor(env, FloatBuffer.allocate(0), cacheShape);
        OnnxTensor pastValue = OnnxTensor.createTensor(env, FloatBuffer.allocate(0), cacheShape);
        OrtSession.Result previous = null;
        try {
            for (int step = 0; step < LARGE_TOKENS; step++) {
                total += ids.length;
                long[] mask = new long[total];
                Arrays.fill(mask, 1);
                OrtSession.Result result;
                try (OnnxTensor idTensor = OnnxTensor.createTensor(env, new long[][]{ids});
                        OnnxTensor maskTensor = OnnxTensor.createTensor(env, new long[][]{mask})) {
                    result = session.run(Map.of("input_ids", idTensor, "attention_mask", maskTensor,
                            "past_key_values.0.key", pastKey, "past_key_values.0.value", pastValue));
                }
                if (previous != null) {
                    previous.close();
                } else {
                    pastKey.close();
                    pastValue.close();
                }
                previous = result;
                FloatBuffer logits = ((OnnxTensor) result.get("logits").orElseThrow()).getFloatBuffer();
                int base = logits.limit() - LARGE_VOCAB;
                int best = 0;
                for (int i = 1; i < LARGE_VOCAB; i++) {
                    if (logits.get(base + i) > logits.get(base + best)) {
                        best = i;
                    }
                }
                out[step] = best;
                ids = new long[]{best};
                pastKey = (OnnxTensor) result.get("present.0.key").orElseThrow();
                pastValue = (OnnxTensor) result.get("present.0.value").orElseThrow();
            }
        } finally {
            if (previous != null) {
                previous.close();
            }
        }
        return out;
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
