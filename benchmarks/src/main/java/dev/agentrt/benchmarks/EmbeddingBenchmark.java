package dev.agentrt.benchmarks;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.agentrt.core.model.Embedding;
import dev.agentrt.inference.LocalEmbeddingModel;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Embedding throughput of {@code LocalEmbeddingModel} (the shipped int8 all-MiniLM-L6-v2) against
 * raw ONNX Runtime on the same model file with the same tokenizer and the same mean pooling, in one
 * run: one sentence per op, and 32 sentences per op (the raw side both one at a time and as one
 * padded batch; agentrt embeds one text per run by default, see its Javadoc). Sentences/s = 1 (or
 * 32) / time per op.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EmbeddingBenchmark {
    static final List<String> SENTENCES;

    static {
        var s = new ArrayList<String>();
        for (int i = 0; i < 32; i++) {
            s.add("Sentence number " + i + " says that the agent runtime embeds text on the local CPU, offline.");
        }
        SENTENCES = List.copyOf(s);
    }

    private @Nullable LocalEmbeddingModel model;
    private @Nullable OrtSession session;
    private @Nullable HuggingFaceTokenizer tokenizer;
    private @Nullable Path dir;

    @Setup
    public void setUp() throws IOException, OrtException {
        model = LocalEmbeddingModel.builder().build(); // starts DJL's ONNX engine first, as it must be
        dir = Files.createTempDirectory("agentrt-embedding-bench");
        Path onnx = copy(LocalEmbeddingModel.DEFAULT_MODEL_RESOURCE, dir.resolve("model.onnx"));
        Path json = copy(LocalEmbeddingModel.DEFAULT_TOKENIZER_RESOURCE, dir.resolve("tokenizer.json"));
        session = OrtEnvironment.getEnvironment().createSession(onnx.toString(), new OrtSession.SessionOptions());
        tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(json)
                .optTruncation(false)
                .optPadding(false)
                .build();
        double cos = Embedding.of(raw(List.of(SENTENCES.get(0))).get(0)).cosine(agentrtOne());
        if (cos < 0.9999) {
            throw new IllegalStateException("raw ONNX Runtime and agentrt disagree: cosine " + cos);
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        Objects.requireNonNull(session).close();
        Objects.requireNonNull(tokenizer).close();
        Objects.requireNonNull(model).close();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    public Embedding agentrtOne() {
        return model.embed(SENTENCES.get(0)).block();
    }

    @Benchmark
    public List<Embedding> agentrt32() {
        return model.embedAll(SENTENCES).block();
    }

    @Benchmark
    public List<float[]> rawOne() throws OrtException {
        return raw(List.of(SENTENCES.get(0)));
    }

    @Benchmark
    public List<float[]> raw32OneByOne() throws OrtException {
        var out = new ArrayList<float[]>(32);
        for (String s : SENTENCES) {
            out.add(raw(List.of(s)).get(0));
        }
        return out;
    }

    @Benchmark
    public List<float[]> raw32Batched() throws OrtException {
        return raw(SENTENCES);
    }

    /** Tokenize, pad, run the session, mean-pool with the attention mask, L2-normalise. */
    private List<float[]> raw(List<String> texts) throws OrtException {
        Encoding[] encodings = tokenizer.batchEncode(texts);
        int n = encodings.length;
        int len = 0;
        for (Encoding e : encodings) {
            len = Math.max(len, e.getIds().length);
        }
        long[][] ids = new long[n][len];
        long[][] mask = new long[n][len];
        long[][] types = new long[n][len];
        for (int i = 0; i < n; i++) {
            long[] id = encodings[i].getIds();
            long[] m = encodings[i].getAttentionMask();
            long[] t = encodings[i].getTypeIds();
            System.arraycopy(id, 0, ids[i], 0, id.length);
            System.arraycopy(m, 0, mask[i], 0, m.length);
            System.arraycopy(t, 0, types[i], 0, t.length);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor tIds = OnnxTensor.createTensor(env, ids);
                OnnxTensor tMask = OnnxTensor.createTensor(env, mask);
                OnnxTensor tTypes = OnnxTensor.createTensor(env, types);
                OrtSession.Result result = session.run(
                        Map.of("input_ids", tIds, "attention_mask", tMask, "token_type_ids", tTypes))) {
            float[][][] hidden = (float[][][]) result.get(0).getValue();
            var out = new ArrayList<float[]>(n);
            for (int i = 0; i < n; i++) {
                int dims = hidden[i][0].length;
                float[] v = new float[dims];
                long count = 0;
                for (int t = 0; t < len; t++) {
                    if (mask[i][t] == 0) {
                        continue;
                    }
                    count++;
                    for (int d = 0; d < dims; d++) {
                        v[d] += hidden[i][t][d];
                    }
                }
                double norm = 0;
                for (int d = 0; d < dims; d++) {
                    v[d] /= count;
                    norm += v[d] * v[d];
                }
                float inv = (float) (1 / Math.sqrt(norm));
                for (int d = 0; d < dims; d++) {
                    v[d] *= inv;
                }
                out.add(v);
            }
            return out;
        }
    }

    private static Path copy(String resource, Path target) throws IOException {
        try (InputStream in = LocalEmbeddingModel.class.getClassLoader().getResourceAsStream(resource)) {
            Files.copy(Objects.requireNonNull(in, resource), target);
        }
        return target;
    }
}
