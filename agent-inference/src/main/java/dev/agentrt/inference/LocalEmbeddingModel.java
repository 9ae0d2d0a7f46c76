package dev.agentrt.inference;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.ModelException;
import dev.agentrt.core.model.Embedding;
import dev.agentrt.core.model.EmbeddingModel;
import dev.agentrt.inference.internal.Djl;
import dev.agentrt.inference.internal.EmbeddingTranslator;
import dev.agentrt.inference.internal.NativeGuard;
import dev.agentrt.inference.internal.TokenBatch;
import dev.agentrt.inference.internal.TokenCounter;
import dev.agentrt.inference.internal.TokenWindowSplitter;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A sentence-transformer embedding model that runs in-process: an ONNX graph on DJL's ONNX Runtime
 * engine and a Hugging Face {@code tokenizer.json} through DJL's tokenizers, with mean pooling over
 * the attention mask and L2 normalisation (what sentence-transformers does for MiniLM, MPNet, BGE
 * in mean mode and their kind).
 *
 * <pre>{@code
 * try (LocalEmbeddingModel model = LocalEmbeddingModel.builder().build()) {   // shipped MiniLM
 *     List<Embedding> vectors = model.embedAll(model.split(longDocument)).block();
 * }
 * }</pre>
 *
 * <p><b>Default model.</b> all-MiniLM-L6-v2 (384 dimensions), int8-quantised, read from the
 * classpath resources {@value #DEFAULT_MODEL_RESOURCE} and {@value #DEFAULT_TOKENIZER_RESOURCE}
 * in this module's jar (provenance, licence and digests: {@code all-minilm-l6-v2-q.NOTICE.txt}
 * beside them).
 *
 * <p><b>Input length.</b> {@link #maxInputTokens()} counts the whole sequence the model sees,
 * special tokens ({@code [CLS]}, {@code [SEP]}) included; the default is
 * {@value #DEFAULT_MAX_INPUT_TOKENS}, the {@code max_seq_length} sentence-transformers sets for
 * MiniLM (it was trained on 128 tokens; its position embeddings stop at 512). Nothing is ever cut:
 * {@link #embedAll} fails with an {@link IllegalArgumentException} naming the text, its token count
 * and the limit; {@link #split(String)} cuts a long text into chunks that fit.
 *
 * <p><b>Threading.</b> Thread-safe. {@link #embedAll} does its work on
 * {@link AgentSchedulers#compute()}, never on the subscriber's thread, in batches of at most
 * {@code maxBatchSize} texts (see {@link #DEFAULT_MAX_BATCH_SIZE}); one ONNX Runtime session is shared (its {@code run} is thread-safe)
 * and every call gets its own DJL predictor (predictors are not). {@link #split} and
 * {@link #countTokens} tokenise on the calling thread: cheap, but CPU work, so call them from a
 * thread that may compute. {@link #close()} waits for running batches, then frees the native
 * session and tokenizer; later calls fail.
 *
 * <p><b>DJL set-up.</b> Loading this class sets the system property {@code ai.djl.offline} to
 * {@code true} unless it is already set, so DJL neither probes a cloud metadata address (a stall of
 * seconds on networks that drop packets) nor downloads native libraries: both natives load from
 * their Maven jars. The ONNX Runtime engine is selected by name, because the tokenizers jar
 * registers an engine of its own, and it is initialised before the first session is created.
 */
public final class LocalEmbeddingModel implements EmbeddingModel, AutoCloseable {
    static {
        Djl.prepare();
    }

    /** The classpath resource of the shipped model's ONNX graph. */
    public static final String DEFAULT_MODEL_RESOURCE = "all-minilm-l6-v2-q.onnx";
    /** The classpath resource of the shipped model's tokenizer. */
    public static final String DEFAULT_TOKENIZER_RESOURCE = "all-minilm-l6-v2-q-tokenizer.json";
    /** The default {@link #maxInputTokens()}: sentence-transformers' max_seq_length for MiniLM. */
    public static final int DEFAULT_MAX_INPUT_TOKENS = 256;
    /**
     * The default number of texts run through the model at once: one. The shipped int8 model is
     * dynamically quantised, so ONNX Runtime derives its activation scales from the whole input
     * tensor: in a batch, a text's vector would depend on its neighbours and on their padding
     * (measured: cosine 0.97 to 0.99 against the same text alone). One text per run keeps a text's
     * vector a function of the text. For an fp32 model, a larger batch is safe and faster.
     */
    public static final int DEFAULT_MAX_BATCH_SIZE = 1;

    private static final String MODEL_FILE = "model.onnx";
    private static final String TOKENIZER_FILE = "tokenizer.json";

    private final String name;
    private final Model model;
    private final HuggingFaceTokenizer tokenizer;
    private final EmbeddingTranslator translator;
    private final TokenCounter counter;
    private final int maxInputTokens;
    private final int maxBatchSize;
    private final int dimensions;
    private final NativeGuard guard;

    private LocalEmbeddingModel(String name, Model model, HuggingFaceTokenizer tokenizer, int maxInputTokens,
            int maxBatchSize) {
        this.name = name;
        this.guard = new NativeGuard(() -> new IllegalStateException("LocalEmbeddingModel " + name + " is closed"));
        this.model = model;
        this.tokenizer = tokenizer;
        this.maxInputTokens = maxInputTokens;
        this.maxBatchSize = maxBatchSize;
        this.translator = new EmbeddingTranslator(model.describeInput().keys());
        this.counter = new TokenCounter() {
            @Override
            public int count(String text) {
                return tokenizer.encode(text).getIds().length;
            }

            @Override
            public int[] countEach(List<String> pieces) {
                Encoding[] encodings = tokenizer.batchEncode(pieces.toArray(String[]::new), false, false);
                int[] counts = new int[encodings.length];
                for (int i = 0; i < encodings.length; i++) {
                    counts[i] = encodings[i].getIds().length;
                }
                return counts;
            }
        };
        // One run tells the width of the output and proves the graph and tokenizer work together.
        this.dimensions = run(List.of("dimensions"))[0].length;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public int dimensions() {
        return dimensions;
    }

    @Override
    public int maxInputTokens() {
        return maxInputTokens;
    }

    /**
     * Embeds each text, in order, on {@link AgentSchedulers#compute()}. Fails with an
     * {@link IllegalArgumentException} when a text has more than {@link #maxInputTokens()} tokens
     * (see {@link #split(String)}), and with a {@link ModelException} when inference fails.
     */
    @Override
    public Mono<List<Embedding>> embedAll(List<String> texts) {
        return Mono.fromCallable(() -> embedNow(List.copyOf(texts))).subscribeOn(AgentSchedulers.compute());
    }

    /** The number of tokens the model sees for {@code text}, special tokens included. */
    @Override
    public int countTokens(String text) {
        Objects.requireNonNull(text, "text");
        return read(() -> counter.count(text));
    }

    /**
     * Splits {@code text} into chunks of at most {@link #maxInputTokens()} tokens each, cut between
     * words (after a sentence end where one is near), never inside a word unless that word alone is
     * too long. Each chunk is a verbatim slice of {@code text}; a blank text gives no chunks.
     */
    public List<String> split(String text) {
        return split(text, 0);
    }

    /** As {@link #split(String)}, each chunk after the first repeating the previous chunk's last {@code overlapWords} words. */
    public List<String> split(String text, int overlapWords) {
        Objects.requireNonNull(text, "text");
        if (overlapWords < 0) {
            throw new IllegalArgumentException("overlapWords must be >= 0, was " + overlapWords);
        }
        return read(() -> new TokenWindowSplitter(counter, maxInputTokens, overlapWords).split(text));
    }

    /** Frees the native session and tokenizer once running calls finish. Idempotent. */
    @Override
    public void close() {
        guard.close(() -> {
            model.close();
            tokenizer.close();
        });
    }

    @Override
    public String toString() {
        return "LocalEmbeddingModel[" + name + ", " + dimensions + " dimensions, maxInputTokens=" + maxInputTokens
                + "]";
    }

    private List<Embedding> embedNow(List<String> texts) {
        return read(() -> {
            List<Embedding> out = new ArrayList<>(texts.size());
            for (int from = 0; from < texts.size(); from += maxBatchSize) {
                List<String> batch = texts.subList(from, Math.min(texts.size(), from + maxBatchSize));
                for (float[] vector : run(batch, from)) {
                    out.add(Embedding.of(vector));
                }
            }
            return out;
        });
    }

    private float[][] run(List<String> batch) {
        return run(batch, 0);
    }

    private float[][] run(List<String> batch, int firstIndex) {
        Encoding[] encodings = tokenizer.batchEncode(batch.toArray(String[]::new));
        long[][] ids = new long[encodings.length][];
        long[][] types = new long[encodings.length][];
        for (int i = 0; i < encodings.length; i++) {
            ids[i] = encodings[i].getIds();
            types[i] = encodings[i].getTypeIds();
            if (ids[i].length > maxInputTokens) {
                throw new IllegalArgumentException("text " + (firstIndex + i) + " has " + ids[i].length
                        + " tokens, more than this model's maxInputTokens of " + maxInputTokens
                        + "; split it first (LocalEmbeddingModel.split) — it is never cut silently");
            }
        }
        try (Predictor<TokenBatch, float[][]> predictor = model.newPredictor(translator)) {
            return predictor.predict(TokenBatch.pad(ids, types));
        } catch (TranslateException | RuntimeException e) {
            throw new ModelException("local embedding model " + name + " failed: " + e.getMessage(), 0, null, false, e);
        }
    }

    private <T> T read(java.util.function.Supplier<T> action) {
        return guard.read(action);
    }

    /**
     * Configures a {@link LocalEmbeddingModel}. Without {@link #modelPath} or
     * {@link #classpathModel}, {@link #build()} loads the shipped all-MiniLM-L6-v2.
     */
    public static final class Builder {
        private @Nullable Path directory;
        private @Nullable ClassLoader classLoader;
        private String modelResource = DEFAULT_MODEL_RESOURCE;
        private String tokenizerResource = DEFAULT_TOKENIZER_RESOURCE;
        private int maxInputTokens = DEFAULT_MAX_INPUT_TOKENS;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;

        private Builder() {}

        /** A directory holding {@code model.onnx} and {@code tokenizer.json}. */
        public Builder modelPath(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            this.classLoader = null;
            return this;
        }

        /** An ONNX graph and a {@code tokenizer.json} on the classpath of this library's class loader. */
        public Builder classpathModel(String modelResource, String tokenizerResource) {
            return classpathModel(LocalEmbeddingModel.class.getClassLoader(), modelResource, tokenizerResource);
        }

        /** An ONNX graph and a {@code tokenizer.json} as resources of {@code loader}. */
        public Builder classpathModel(ClassLoader loader, String modelResource, String tokenizerResource) {
            this.classLoader = Objects.requireNonNull(loader, "loader");
            this.modelResource = Objects.requireNonNull(modelResource, "modelResource");
            this.tokenizerResource = Objects.requireNonNull(tokenizerResource, "tokenizerResource");
            this.directory = null;
            return this;
        }

        /**
         * The most tokens one text may have, special tokens included; default
         * {@value #DEFAULT_MAX_INPUT_TOKENS}. Must not exceed the model's position embeddings
         * (512 for BERT-family models).
         */
        public Builder maxInputTokens(int maxInputTokens) {
            this.maxInputTokens = maxInputTokens;
            return this;
        }

        /**
         * The most texts run through the model at once; default {@value #DEFAULT_MAX_BATCH_SIZE}.
         * Raise it only for a model that is not dynamically quantised (see
         * {@link #DEFAULT_MAX_BATCH_SIZE}); batches are padded and the padding masked out.
         */
        public Builder maxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        /**
         * Loads the tokenizer and the ONNX graph and runs one text through them; blocking, so call
         * it at start-up or on a thread that may block.
         *
         * @throws IllegalArgumentException for a setting out of range
         * @throws ModelException when a file or resource is missing or does not load, naming it
         */
        public LocalEmbeddingModel build() {
            if (maxInputTokens < 3) {
                throw new IllegalArgumentException("maxInputTokens must be >= 3, was " + maxInputTokens);
            }
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("maxBatchSize must be >= 1, was " + maxBatchSize);
            }
            Engine engine = Djl.onnxRuntime();
            Path dir = directory;
            ClassLoader loader = classLoader != null ? classLoader : LocalEmbeddingModel.class.getClassLoader();
            String name = dir != null ? dir.toString() : "classpath:" + modelResource;
            String modelSource = dir != null
                    ? dir.resolve(MODEL_FILE).toString()
                    : "classpath resource " + modelResource;
            String tokenizerSource = dir != null
                    ? dir.resolve(TOKENIZER_FILE).toString()
                    : "classpath resource " + tokenizerResource;
            HuggingFaceTokenizer tokenizer;
            try (InputStream in = dir != null
                    ? openFile(dir, TOKENIZER_FILE)
                    : openResource(loader, tokenizerResource)) {
                tokenizer = HuggingFaceTokenizer.newInstance(in, tokenizerOptions());
            } catch (IOException | RuntimeException e) {
                throw loadFailure("tokenizer", tokenizerSource, e);
            }
            Model model = Model.newInstance(name, Device.cpu(), engine.getEngineName());
            try (InputStream in = dir != null ? openFile(dir, MODEL_FILE) : openResource(loader, modelResource)) {
                model.load(in);
                return new LocalEmbeddingModel(name, model, tokenizer, maxInputTokens, maxBatchSize);
            } catch (IOException | MalformedModelException | RuntimeException e) {
                model.close();
                tokenizer.close();
                throw loadFailure("ONNX model", modelSource, e);
            }
        }

        private static Map<String, String> tokenizerOptions() {
            // Override what tokenizer.json says: nothing is truncated (over-long texts are refused
            // instead) and padding is done per batch, with the attention mask.
            return Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false");
        }

        private static InputStream openFile(Path dir, String file) throws IOException {
            if (!Files.isDirectory(dir)) {
                throw new ModelLoadFailure("the model directory " + dir + " does not exist");
            }
            Path path = dir.resolve(file);
            if (!Files.isRegularFile(path)) {
                throw new ModelLoadFailure(path + " is missing (a model directory holds " + MODEL_FILE + " and "
                        + TOKENIZER_FILE + ")");
            }
            return Files.newInputStream(path);
        }

        private static InputStream openResource(ClassLoader loader, String resource) {
            InputStream in = loader.getResourceAsStream(resource);
            if (in == null) {
                throw new ModelLoadFailure("the classpath resource " + resource + " is missing");
            }
            return in;
        }

        private static ModelException loadFailure(String what, String source, Exception e) {
            String message = e instanceof ModelLoadFailure
                    ? e.getMessage()
                    : "cannot load the " + what + " " + source + ": " + e.getMessage();
            return new ModelException(message, 0, null, false, e instanceof ModelLoadFailure ? null : e);
        }
    }

    /** A missing file or resource, with a message that already says which. */
    private static final class ModelLoadFailure extends RuntimeException {
        ModelLoadFailure(String message) {
            super(message);
        }
    }
}
