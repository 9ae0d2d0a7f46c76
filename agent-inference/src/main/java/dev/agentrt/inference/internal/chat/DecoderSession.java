package dev.agentrt.inference.internal.chat;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import dev.agentrt.inference.ModelLoadException;
import dev.agentrt.inference.internal.Djl;
import org.jspecify.annotations.Nullable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A decoder-only ONNX graph with a key/value cache, in the layout Hugging Face Optimum exports:
 * inputs {@code input_ids}, {@code attention_mask}, optionally {@code position_ids} and
 * {@code use_cache_branch}, and {@code past_key_values.{i}.key|value}
 * {@code [batch, heads, past, headDim]}; outputs {@code logits [batch, sequence, vocab]} and
 * {@code present.{i}.key|value}; the cache and logits in float32, float16 or bfloat16, the cache
 * kept in the graph's type. In Optimum's legacy split layout a second graph without past inputs
 * ({@code decoder_model.onnx}) takes the prompt.
 *
 * <p>Runs on ONNX Runtime's own API, in the environment DJL's engine created (the one the embedding
 * model uses), with default session options as DJL would pass: a step is one {@code OrtSession.run}
 * with nothing between the caller and the graph but the input tensors. {@link #step} is
 * thread-safe (ONNX Runtime sessions are), each caller keeping its own {@link KvCache}.
 */
public final class DecoderSession implements AutoCloseable {
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String POSITION_IDS = "position_ids";
    static final String USE_CACHE_BRANCH = "use_cache_branch";
    static final String LOGITS = "logits";

    private final OrtEnvironment env;
    private final Path file;
    private final OrtSession session;
    private final @Nullable OrtSession prefillSession;
    private final CacheShape cache;
    private final OnnxJavaType cacheType;
    private final boolean positionIds;
    private final boolean useCacheBranch;
    private final String[] pastKeys;
    private final String[] pastValues;
    private final String[] presentKeys;
    private final String[] presentValues;
    private final AtomicInteger liveCaches = new AtomicInteger();
    private int vocabWidth;

    private DecoderSession(OrtEnvironment env, Path file, OrtSession session, @Nullable OrtSession prefillSession,
            CacheShape cache, OnnxJavaType cacheType, List<String> inputs) {
        this.env = env;
        this.file = file;
        this.session = session;
        this.prefillSession = prefillSession;
        this.cache = cache;
        this.cacheType = cacheType;
        this.positionIds = inputs.contains(POSITION_IDS);
        this.useCacheBranch = inputs.contains(USE_CACHE_BRANCH);
        int layers = cache.layers();
        pastKeys = new String[layers];
        pastValues = new String[layers];
        presentKeys = new String[layers];
        presentValues = new String[layers];
        for (int i = 0; i < layers; i++) {
            pastKeys[i] = "past_key_values." + i + ".key";
            pastValues[i] = "past_key_values." + i + ".value";
            presentKeys[i] = "present." + i + ".key";
            presentValues[i] = "present." + i + ".value";
        }
    }

    /**
     * Loads the graph of {@code dir} (and, in the legacy split layout, its prompt graph), checks its
     * inputs against the supported layout and runs one token through it to learn the logits width
     * and to check the cache outputs.
     */
    public static DecoderSession load(ModelDirectory dir, CacheShape cache) {
        // DJL's engine creates the JVM's ONNX Runtime environment (with its thread pool) first.
        Djl.onnxRuntime();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Path file = dir.graph();
        OrtSession session = open(env, file);
        OrtSession prefill = null;
        try {
            if (dir.prefillGraph().isPresent()) {
                prefill = open(env, dir.prefillGraph().get());
                checkPrefillLayout(dir.prefillGraph().get(), inputNames(prefill));
            }
            List<String> inputs = inputNames(session);
            checkLayout(file, inputs, cache, dir.configFile());
            OnnxJavaType type = cacheType(file, session, "past_key_values.0.key");
            DecoderSession decoder = new DecoderSession(env, file, session, prefill, cache, type, inputs);
            decoder.vocabWidth = decoder.probe();
            return decoder;
        } catch (RuntimeException e) {
            close(session);
            if (prefill != null) {
                close(prefill);
            }
            throw e;
        }
    }

    private static OrtSession open(OrtEnvironment env, Path file) {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            return env.createSession(file.toString(), options);
        } catch (OrtException | RuntimeException e) {
            throw new ModelLoadException("cannot load the ONNX graph " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<String> inputNames(OrtSession session) {
        return List.copyOf(session.getInputNames());
    }

    private static OnnxJavaType cacheType(Path file, OrtSession session, String input) {
        try {
            NodeInfo node = session.getInputInfo().get(input);
            ValueInfo info = node == null ? null : node.getInfo();
            if (info instanceof TensorInfo tensor) {
                return switch (tensor.type) {
                    case FLOAT, FLOAT16, BFLOAT16 -> tensor.type;
                    default -> throw new ModelLoadException(file + ": input '" + input + "' is of type "
                            + tensor.type + "; this runtime feeds a float32, float16 or bfloat16 cache");
                };
            }
            throw new ModelLoadException(file + ": input '" + input + "' is not a tensor");
        } catch (OrtException e) {
            throw new ModelLoadException("cannot read the inputs of " + file + ": " + e.getMessage(), e);
        }
    }

    static String typeName(OnnxJavaType type) {
        return switch (type) {
            case FLOAT -> "float32";
            case FLOAT16 -> "float16";
            case BFLOAT16 -> "bfloat16";
            default -> type.toString().toLowerCase(Locale.ROOT);
        };
    }

    private static void checkPrefillLayout(Path file, List<String> inputs) {
        for (String name : inputs) {
            if (!List.of(INPUT_IDS, ATTENTION_MASK, POSITION_IDS).contains(name)) {
                throw new ModelLoadException(file + " has an input this runtime cannot feed to the prompt graph of"
                        + " the split layout: '" + name + "' (expected input_ids, attention_mask, position_ids)");
            }
        }
        if (!inputs.contains(INPUT_IDS) || !inputs.contains(ATTENTION_MASK)) {
            throw new ModelLoadException(file + " needs 'input_ids' and 'attention_mask' inputs: " + inputs);
        }
    }

    private static void checkLayout(Path file, List<String> inputs, CacheShape cache, Path config) {
        int pasts = 0;
        for (String name : inputs) {
            if (name.startsWith("past_key_values.")) {
                pasts++;
            } else if (!List.of(INPUT_IDS, ATTENTION_MASK, POSITION_IDS, USE_CACHE_BRANCH).contains(name)) {
                throw new ModelLoadException(file + " has an input this runtime cannot feed: '" + name
                        + "' (a decoder exported with optimum-cli --task text-generation-with-past has input_ids,"
                        + " attention_mask, position_ids and past_key_values.{i}.key/.value)");
            }
        }
        if (!inputs.contains(INPUT_IDS)) {
            throw new ModelLoadException(file + " has no 'input_ids' input: " + inputs);
        }
        if (!inputs.contains(ATTENTION_MASK)) {
            throw new ModelLoadException(file + " has no 'attention_mask' input: " + inputs);
        }
        if (pasts == 0) {
            throw new ModelLoadException(file + " has no past_key_values inputs: the graph was exported without its"
                    + " key/value cache (export with optimum-cli export onnx --task text-generation-with-past)");
        }
        for (int i = 0; i < cache.layers(); i++) {
            for (String kind : List.of(".key", ".value")) {
                String name = "past_key_values." + i + kind;
                if (!inputs.contains(name)) {
                    throw new ModelLoadException(file + " has no input '" + name + "' although " + config + " says "
                            + cache.layers() + " layers; the graph inputs are " + inputs);
                }
            }
        }
        if (pasts != 2 * cache.layers()) {
            throw new ModelLoadException(file + " has " + pasts + " past_key_values inputs but " + config + " says "
                    + cache.layers() + " layers (two inputs, key and value, per layer)");
        }
    }

    /**
     * Runs one token with an empty cache: learns the width of the logits and checks that the
     * graph's cache outputs have the shape {@code config.json} gives; then a second token checks the
     * path with a past (in the split layout the first run went through the prompt graph).
     */
    private int probe() {
        Step first;
        try {
            first = step(new long[]{0}, emptyCache());
        } catch (RuntimeException e) {
            throw new ModelLoadException("the ONNX graph " + file + " does not run with a KV cache of "
                    + cache.heads() + " heads x " + cache.headDim() + " per layer (from config.json) in "
                    + typeName(cacheType) + ": " + e.getMessage(), e);
        }
        KvCache grown = first.cache();
        try {
            for (int i = 0; i < cache.layers(); i++) {
                checkPresent(grown.key(i), presentKeys[i]);
                checkPresent(grown.value(i), presentValues[i]);
            }
        } catch (RuntimeException e) {
            grown.close();
            throw e;
        }
        step(new long[]{0}, grown).cache().close();
        return first.logits().length;
    }

    private void checkPresent(OnnxTensor tensor, String name) {
        long[] expected = {1, cache.heads(), 1, cache.headDim()};
        long[] shape = tensor.getInfo().getShape();
        if (!Arrays.equals(shape, expected)) {
            throw new ModelLoadException(file + ": output '" + name + "' has shape " + Arrays.toString(shape)
                    + " for one token, not " + Arrays.toString(expected) + " ([batch, heads, sequence, headDim]);"
                    + " this cache layout is not supported");
        }
        if (tensor.getInfo().type != cacheType) {
            throw new ModelLoadException(file + ": output '" + name + "' is " + typeName(tensor.getInfo().type)
                    + " but the past inputs are " + typeName(cacheType));
        }
    }

    /** The width of the logits: the number of token ids the model can produce. */
    public int vocabWidth() {
        return vocabWidth;
    }

    public Path file() {
        return file;
    }

    public CacheShape cacheShape() {
        return cache;
    }

    /** Caches made by this session and not yet closed: each holds native memory until it is. */
    public int liveCaches() {
        return liveCaches.get();
    }

    /** The element type of the graph's cache, as the graph declares it (float32, float16 or bfloat16). */
    public String cacheType() {
        return typeName(cacheType);
    }

    /** An empty cache of the graph's element type. */
    public KvCache emptyCache() {
        int layers = cache.layers();
        OnnxTensor[] keys = new OnnxTensor[layers];
        OnnxTensor[] values = new OnnxTensor[layers];
        long[] shape = {1, cache.heads(), 0, cache.headDim()};
        try {
            for (int i = 0; i < layers; i++) {
                keys[i] = empty(shape);
                values[i] = empty(shape);
            }
        } catch (OrtException | RuntimeException e) {
            new KvCache(keys, values, 0, null, liveCaches).close();
            throw new IllegalStateException("cannot create an empty key/value cache: " + e.getMessage(), e);
        }
        return new KvCache(keys, values, 0, null, liveCaches);
    }

    private OnnxTensor empty(long[] shape) throws OrtException {
        if (cacheType == OnnxJavaType.FLOAT) {
            return OnnxTensor.createTensor(env, FloatBuffer.allocate(0), shape);
        }
        // 16-bit floats go to ONNX Runtime as bytes, which must be a direct buffer.
        return OnnxTensor.createTensor(env, ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder()), shape,
                cacheType);
    }

    /**
     * Runs {@code ids} after {@code past} and returns the logits of the last position with the
     * grown cache. {@code past} is closed: a cache is used once.
     */
    public Step step(long[] ids, KvCache past) {
        int total = past.length() + ids.length;
        // The legacy split layout runs the prompt through its graph without past inputs.
        boolean prompt = prefillSession != null && past.length() == 0;
        OrtSession runner = prompt ? prefillSession : session;
        Map<String, OnnxTensor> inputs = new HashMap<>(8 + 4 * cache.layers());
        OnnxTensor idTensor = null;
        OnnxTensor maskTensor = null;
        OnnxTensor positionTensor = null;
        OnnxTensor branchTensor = null;
        OrtSession.Result result;
        try {
            idTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[]{1, ids.length});
            inputs.put(INPUT_IDS, idTensor);
            long[] mask = new long[total];
            Arrays.fill(mask, 1L);
            maskTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[]{1, total});
            inputs.put(ATTENTION_MASK, maskTensor);
            if (positionIds) {
                long[] positions = new long[ids.length];
                for (int i = 0; i < positions.length; i++) {
                    positions[i] = past.length() + i;
                }
                positionTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[]{1, ids.length});
                inputs.put(POSITION_IDS, positionTensor);
            }
            if (useCacheBranch && !prompt) {
                branchTensor = OnnxTensor.createTensor(env, new boolean[]{past.length() > 0});
                inputs.put(USE_CACHE_BRANCH, branchTensor);
            }
            for (int i = 0; i < cache.layers() && !prompt; i++) {
                inputs.put(pastKeys[i], past.key(i));
                inputs.put(pastValues[i], past.value(i));
            }
            result = Objects.requireNonNull(runner).run(inputs);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to run " + file + ": " + e.getMessage(), e);
        } finally {
            closeAll(idTensor, maskTensor, positionTensor, branchTensor);
            past.close();
        }
        return collect(result, ids.length, total);
    }

    private static void closeAll(@Nullable OnnxTensor... tensors) {
        for (OnnxTensor tensor : tensors) {
            if (tensor != null) {
                tensor.close();
            }
        }
    }

    private Step collect(OrtSession.Result result, int sequence, int total) {
        OnnxTensor[] keys = new OnnxTensor[cache.layers()];
        OnnxTensor[] values = new OnnxTensor[cache.layers()];
        try {
            OnnxTensor logits = null;
            for (Map.Entry<String, OnnxValue> output : result) {
                String name = output.getKey();
                if (!(output.getValue() instanceof OnnxTensor tensor)) {
                    continue;
                }
                int layer;
                if (LOGITS.equals(name)) {
                    logits = tensor;
                } else if ((layer = indexOf(presentKeys, name)) >= 0) {
                    keys[layer] = tensor;
                } else if ((layer = indexOf(presentValues, name)) >= 0) {
                    values[layer] = tensor;
                }
            }
            if (logits == null) {
                throw new ModelLoadException(file + " has no 'logits' output");
            }
            for (int i = 0; i < cache.layers(); i++) {
                if (keys[i] == null || values[i] == null) {
                    throw new ModelLoadException(file + " has no outputs '" + presentKeys[i] + "' and '"
                            + presentValues[i] + "' for its past_key_values inputs");
                }
                long[] shape = keys[i].getInfo().getShape();
                if (shape.length != 4 || shape[2] != total) {
                    throw new ModelLoadException(file + ": output '" + presentKeys[i] + "' has shape "
                            + Arrays.toString(shape) + ", not [1, heads, " + total + ", headDim]; this cache layout"
                            + " is not supported");
                }
            }
            long[] shape = logits.getInfo().getShape();
            if (shape.length != 3 || shape[0] != 1 || shape[1] != sequence) {
                throw new ModelLoadException(file + ": output 'logits' has shape " + Arrays.toString(shape)
                        + ", not [1, " + sequence + ", vocab]");
            }
            float[] row = LastRow.read(logits, sequence, (int) shape[2]);
            // The presents stay alive with the result that owns them, until the next step uses them.
            return new Step(row, new KvCache(keys, values, total, result, liveCaches));
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
    }

    private static int indexOf(String[] names, @Nullable String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static void close(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close the ONNX session: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            close(session);
        } finally {
            if (prefillSession != null) {
                close(prefillSession);
            }
        }
    }

    /** The logits of the last position and the cache after it. */
    public record Step(float[] logits, KvCache cache) {}
}
