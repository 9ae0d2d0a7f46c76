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
import java.util.HashMap;
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
 *       through {@code LocalChatModel} (tokens/s = 64 / time per op) and through a bare
 *       {@code OrtSession.run} loop, and the time to the first streamed token (template, tokenizer,
 *       prefill, one step). The ONNX Runtime call is tiny here, so (agentrt - raw) / 64 is the
 *       Java loop's own cost per token, measured where little else is.
 *   <li>{@code large*}: a realistic-size output layer, 32,000-token vocabulary and a 512 x 32,000
 *       projection (logits = MatMul(embedding(ids), W), one cache layer of 8 x 64): 32 greedy
 *       tokens per op through {@code LocalChatModel}, against the same 32 tokens from a plain loop of
 *       {@code OrtSession.run} on the same file (raw tensors, cache outputs fed back, arg-max).
 *       The loop's per-token cost from the tiny pair, divided by the raw time per token here, is
 *       its overhead on a realistic call.
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
        @Nullable
        Raw raw;
        final ChatRequest forever = new ChatRequest(List.of(Message.user("forever")), List.of(),
                ChatOptions.DEFAULTS.withMaxTokens(TINY_TOKENS));

        @Setup
        public void setUp() throws IOException, OrtException {
            dir = Files.createTempDirectory("agentrt-chat-bench-tiny");
            model = LocalChatModel.builder().modelPath(TinyChatModels.writeBigram(dir)).build();
            ChatResponse r = Objects.requireNonNull(model.call(forever).block());
            if (r.usage().outputTokens() != TINY_TOKENS || r.finishReason() != FinishReason.LENGTH) {
                throw new IllegalStateException("the tiny model did not generate " + TINY_TOKENS + " tokens: " + r);
            }
            raw = Raw.check(dir, model, forever, TinyChatModels.LAYERS, TinyChatModels.HEADS, TinyChatModels.HEAD_DIM,
                    TinyChatModels.VOCABULARY.size(), TINY_TOKENS);
        }

        @TearDown
        public void tearDown() throws IOException, OrtException {
            Objects.requireNonNull(raw).session.close();
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
        Raw raw;
        final ChatRequest request = new ChatRequest(List.of(Message.user("w10 w11 w12 w13 w14 w15 w16 w17")),
                List.of(), ChatOptions.DEFAULTS.withMaxTokens(LARGE_TOKENS));

        @Setup
        public void setUp() throws IOException, OrtException {
            dir = Files.createTempDirectory("agentrt-chat-bench-large");
            TinyChatModels.writeLarge(dir, LARGE_VOCAB, LARGE_HIDDEN);
            model = LocalChatModel.builder().modelPath(dir).build();
            raw = Raw.check(dir, model, request, 1, 8, LARGE_HIDDEN / 8, LARGE_VOCAB, LARGE_TOKENS);
        }

        @TearDown
        public void tearDown() throws IOException, OrtException {
            Objects.requireNonNull(raw).session.close();
            Objects.requireNonNull(model).close();
            delete(Objects.requireNonNull(dir));
        }
    }

    /**
     * Greedy generation with nothing but {@code OrtSession.run} on the same file: prefill, then one
     * token per run, the cache outputs fed back as the next inputs, arg-max over the last logits.
     */
    static final class Raw {
        final OrtSession session;
        final long[] prompt;
        final int layers;
        final long[] cacheShape;
        final int vocab;
        final int tokens;
        final boolean positions;

        private Raw(OrtSession session, long[] prompt, int layers, int heads, int headDim, int vocab, int tokens)
                throws OrtException {
            this.session = session;
            this.prompt = prompt;
            this.layers = layers;
            this.cacheShape = new long[]{1, heads, 0, headDim};
            this.vocab = vocab;
            this.tokens = tokens;
            this.positions = session.getInputNames().contains("position_ids");
        }

        /** A raw loop over {@code dir}'s graph, checked to generate what {@code model} generates. */
        static Raw check(Path dir, LocalChatModel model, ChatRequest request, int layers, int heads, int headDim,
                int vocab, int tokens) throws IOException, OrtException {
            // The model is built first: DJL's ONNX engine initialises before the raw session's environment.
            OrtSession session = OrtEnvironment.getEnvironment()
                    .createSession(dir.resolve("model.onnx").toString(), new OrtSession.SessionOptions());
            try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                    Map.of("addSpecialTokens", "false"))) {
                long[] prompt = tokenizer.encode(model.renderPrompt(request), false, false).getIds();
                Raw raw = new Raw(session, prompt, layers, heads, headDim, vocab, tokens);
                String rawText = tokenizer.decode(raw.generate(), true);
                ChatResponse r = Objects.requireNonNull(model.call(request).block());
                if (!rawText.equals(r.message().text()) || r.usage().outputTokens() != tokens) {
                    throw new IllegalStateException("raw ONNX Runtime and agentrt disagree:\n" + rawText + "\n"
                            + r.message().text());
                }
                return raw;
            }
        }

        long[] generate() throws OrtException {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            long[] out = new long[tokens];
            long[] ids = prompt;
            int total = 0;
            Map<String, OnnxTensor> past = new HashMap<>();
            for (int i = 0; i < layers; i++) {
                past.put("past_key_values." + i + ".key",
                        OnnxTensor.createTensor(env, FloatBuffer.allocate(0), cacheShape));
                past.put("past_key_values." + i + ".value",
                        OnnxTensor.createTensor(env, FloatBuffer.allocate(0), cacheShape));
            }
            OrtSession.Result previous = null;
            try {
                for (int step = 0; step < tokens; step++) {
                    long[] mask = new long[total + ids.length];
                    Arrays.fill(mask, 1);
                    long[] positionIds = new long[ids.length];
                    for (int i = 0; i < ids.length; i++) {
                        positionIds[i] = total + i;
                    }
                    total += ids.length;
                    Map<String, OnnxTensor> inputs = new HashMap<>(past);
                    OrtSession.Result result;
                    try (OnnxTensor idTensor = OnnxTensor.createTensor(env, new long[][]{ids});
                            OnnxTensor maskTensor = OnnxTensor.createTensor(env, new long[][]{mask});
                            OnnxTensor positionTensor = OnnxTensor.createTensor(env, new long[][]{positionIds})) {
                        inputs.put("input_ids", idTensor);
                        inputs.put("attention_mask", maskTensor);
                        if (positions) {
                            inputs.put("position_ids", positionTensor);
                        }
                        result = session.run(inputs);
                    }
                    if (previous != null) {
                        previous.close();
                    } else {
                        past.values().forEach(OnnxTensor::close);
                    }
                    previous = result;
                    FloatBuffer logits = ((OnnxTensor) result.get("logits").orElseThrow()).getFloatBuffer();
                    int base = logits.limit() - vocab;
                    int best = 0;
                    for (int i = 1; i < vocab; i++) {
                        if (logits.get(base + i) > logits.get(base + best)) {
                            best = i;
                        }
                    }
                    out[step] = best;
                    ids = new long[]{best};
                    for (int i = 0; i < layers; i++) {
                        past.put("past_key_values." + i + ".key",
                                (OnnxTensor) result.get("present." + i + ".key").orElseThrow());
                        past.put("past_key_values." + i + ".value",
                                (OnnxTensor) result.get("present." + i + ".value").orElseThrow());
                    }
                }
            } finally {
                if (previous != null) {
                    previous.close();
                }
            }
            return out;
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
        return Objects.requireNonNull(large.raw).generate();
    }

    @Benchmark
    public long[] tinyRawOrt64(Tiny tiny) throws OrtException {
        return Objects.requireNonNull(tiny.raw).generate();
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
