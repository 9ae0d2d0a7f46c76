package dev.agentrt.inference.internal.chat;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.agentrt.inference.ModelLoadException;
import dev.agentrt.inference.internal.Djl;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A decoder-only ONNX graph with a key/value cache, in the layout Hugging Face Optimum exports:
 * inputs {@code input_ids}, {@code attention_mask}, optionally {@code position_ids} and
 * {@code use_cache_branch}, and {@code past_key_values.{i}.key|value}
 * {@code [batch, heads, past, headDim]}; outputs {@code logits [batch, sequence, vocab]} and
 * {@code present.{i}.key|value}; the cache and logits in float32, float16 or bfloat16, the cache
 * kept in the graph's type. In Optimum's legacy split layout a second graph without past inputs
 * ({@code decoder_model.onnx}) takes the prompt. Runs through DJL's ONNX Runtime engine;
 * {@link #step} is thread-safe (ONNX Runtime sessions are), each caller keeping its own
 * {@link KvCache}.
 */
public final class DecoderSession implements AutoCloseable {
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String POSITION_IDS = "position_ids";
    static final String USE_CACHE_BRANCH = "use_cache_branch";
    static final String LOGITS = "logits";

    /** Element types a cache may have, tried in this order when the graph's is not yet known. */
    private static final List<DataType> CACHE_TYPES = List.of(DataType.FLOAT32, DataType.FLOAT16, DataType.BFLOAT16);

    private final Path file;
    private final Model model;
    private final Block block;
    private final @Nullable Model prefillModel;
    private final @Nullable Block prefillBlock;
    private final CacheShape cache;
    private DataType cacheType = DataType.FLOAT32;
    private final boolean positionIds;
    private final boolean useCacheBranch;
    private final String[] pastKeys;
    private final String[] pastValues;
    private final String[] presentKeys;
    private final String[] presentValues;
    private int vocabWidth;

    private DecoderSession(Path file, Model model, @Nullable Model prefillModel, CacheShape cache,
            List<String> inputs) {
        this.file = file;
        this.model = model;
        this.block = model.getBlock();
        this.prefillModel = prefillModel;
        this.prefillBlock = prefillModel == null ? null : prefillModel.getBlock();
        this.cache = cache;
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
     * inputs against the supported layout and runs one token through it to learn the cache's
     * element type and the logits width and to check the cache outputs.
     */
    public static DecoderSession load(ModelDirectory dir, CacheShape cache) {
        Path file = dir.graph();
        Model model = loadModel(file);
        Model prefill = null;
        try {
            if (dir.prefillGraph().isPresent()) {
                prefill = loadModel(dir.prefillGraph().get());
                checkPrefillLayout(dir.prefillGraph().get(), prefill.describeInput().keys());
            }
            List<String> inputs = model.describeInput().keys();
            checkLayout(file, inputs, cache, dir.configFile());
            DecoderSession session = new DecoderSession(file, model, prefill, cache, inputs);
            session.vocabWidth = session.probe();
            return session;
        } catch (RuntimeException e) {
            model.close();
            if (prefill != null) {
                prefill.close();
            }
            throw e;
        }
    }

    private static Model loadModel(Path file) {
        Engine engine = Djl.onnxRuntime();
        Path folder = file.toAbsolutePath().getParent();
        Model model = Model.newInstance(folder.toString(), Device.cpu(), engine.getEngineName());
        try {
            String fileName = file.getFileName().toString();
            model.load(folder, fileName.substring(0, fileName.length() - ".onnx".length()), Map.of());
            return model;
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new ModelLoadException("cannot load the ONNX graph " + file + ": " + e.getMessage(), e);
        }
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
     * Runs one token with an empty cache of each element type in turn: the graph's declared type
     * (float32, or float16/bfloat16 for half-precision exports) is the one it accepts. DJL does not
     * expose the graph's input types, and a type mismatch is refused before anything runs.
     */
    private int probe() {
        RuntimeException failure = null;
        for (DataType type : CACHE_TYPES) {
            try (NDManager manager = newManager()) {
                cacheType = type;
                Step step;
                try {
                    step = step(manager, new long[]{0}, emptyCache(manager));
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                    continue;
                }
                KvCache grown = step.cache();
                for (int i = 0; i < cache.layers(); i++) {
                    checkPresent(grown.keys()[i], presentKeys[i]);
                    checkPresent(grown.values()[i], presentValues[i]);
                }
                // The presents carry the graph's own type (in the split layout the first run went
                // through the prompt graph, which takes no past); a second token checks the past path.
                cacheType = Objects.requireNonNull(grown.keys()[0]).getDataType();
                step(manager, new long[]{0}, grown).cache().close();
                return step.logits().length;
            }
        }
        cacheType = DataType.FLOAT32;
        throw new ModelLoadException("the ONNX graph " + file + " does not run with a KV cache of " + cache.heads()
                + " heads x " + cache.headDim() + " per layer (from config.json) in float32, float16 or bfloat16: "
                + Objects.requireNonNull(failure).getMessage(), failure);
    }

    private void checkPresent(NDArray array, String name) {
        Shape expected = new Shape(1, cache.heads(), 1, cache.headDim());
        if (!array.getShape().equals(expected)) {
            throw new ModelLoadException(file + ": output '" + name + "' has shape " + array.getShape()
                    + " for one token, not " + expected + " ([batch, heads, sequence, headDim]); this cache layout"
                    + " is not supported");
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

    /** A manager for one generation's arrays; closing it frees them all. */
    public NDManager newManager() {
        return model.getNDManager().newSubManager();
    }

    /** The element type of the graph's cache, as the graph declares it (float32, float16 or bfloat16). */
    public String cacheType() {
        return cacheType.toString();
    }

    /** An empty cache of the graph's element type. */
    public KvCache emptyCache(NDManager manager) {
        int layers = cache.layers();
        NDArray[] keys = new NDArray[layers];
        NDArray[] values = new NDArray[layers];
        Shape shape = new Shape(1, cache.heads(), 0, cache.headDim());
        for (int i = 0; i < layers; i++) {
            // DJL passes 16-bit floats to ONNX Runtime as bytes, which must be a direct buffer.
            Buffer none = cacheType == DataType.FLOAT32
                    ? FloatBuffer.allocate(0)
                    : ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder());
            keys[i] = manager.create(none, shape, cacheType);
            values[i] = manager.create(none, shape, cacheType);
        }
        return new KvCache(keys, values, 0);
    }

    /**
     * Runs {@code ids} after {@code past} and returns the logits of the last position with the
     * grown cache. The arrays of {@code past} are closed: a cache is used once.
     */
    public Step step(NDManager manager, long[] ids, KvCache past) {
        int total = past.length() + ids.length;
        List<NDArray> own = new ArrayList<>(4);
        NDList inputs = new NDList(3 + 2 * cache.layers());
        NDArray idArray = named(manager.create(new long[][]{ids}), INPUT_IDS);
        inputs.add(idArray);
        own.add(idArray);
        long[] mask = new long[total];
        Arrays.fill(mask, 1L);
        NDArray maskArray = named(manager.create(new long[][]{mask}), ATTENTION_MASK);
        inputs.add(maskArray);
        own.add(maskArray);
        if (positionIds) {
            long[] positions = new long[ids.length];
            for (int i = 0; i < positions.length; i++) {
                positions[i] = past.length() + i;
            }
            NDArray positionArray = named(manager.create(new long[][]{positions}), POSITION_IDS);
            inputs.add(positionArray);
            own.add(positionArray);
        }
        // The legacy split layout runs the prompt through its graph without past inputs.
        boolean prompt = prefillBlock != null && past.length() == 0;
        Block runner = prompt ? prefillBlock : block;
        if (useCacheBranch && !prompt) {
            NDArray branch = named(manager.create(new boolean[]{past.length() > 0}), USE_CACHE_BRANCH);
            inputs.add(branch);
            own.add(branch);
        }
        for (int i = 0; i < cache.layers() && !prompt; i++) {
            inputs.add(named(past.keys()[i], pastKeys[i]));
            inputs.add(named(past.values()[i], pastValues[i]));
        }
        NDList outputs;
        try {
            outputs = runner.forward(new ParameterStore(manager, false), inputs, false);
        } finally {
            own.forEach(NDArray::close);
            past.close();
        }
        return collect(outputs, ids.length, total);
    }

    private Step collect(NDList outputs, int sequence, int total) {
        NDArray[] keys = new NDArray[cache.layers()];
        NDArray[] values = new NDArray[cache.layers()];
        NDArray logits = null;
        for (NDArray output : outputs) {
            String name = output.getName();
            int layer;
            if (LOGITS.equals(name)) {
                logits = output;
            } else if ((layer = indexOf(presentKeys, name)) >= 0) {
                keys[layer] = output;
            } else if ((layer = indexOf(presentValues, name)) >= 0) {
                values[layer] = output;
            } else {
                output.close();
            }
        }
        try {
            if (logits == null) {
                throw new ModelLoadException(file + " has no 'logits' output");
            }
            for (int i = 0; i < cache.layers(); i++) {
                if (keys[i] == null || values[i] == null) {
                    throw new ModelLoadException(file + " has no outputs '" + presentKeys[i] + "' and '"
                            + presentValues[i] + "' for its past_key_values inputs");
                }
                if (keys[i].getShape().dimension() != 4 || keys[i].getShape().get(2) != total) {
                    throw new ModelLoadException(file + ": output '" + presentKeys[i] + "' has shape "
                            + keys[i].getShape() + ", not [1, heads, " + total + ", headDim]; this cache layout is"
                            + " not supported");
                }
            }
            Shape shape = logits.getShape();
            if (shape.dimension() != 3 || shape.get(0) != 1 || shape.get(1) != sequence) {
                throw new ModelLoadException(file + ": output 'logits' has shape " + shape + ", not [1, " + sequence
                        + ", vocab]");
            }
            return new Step(LastRow.read(logits, sequence, (int) shape.get(2)), new KvCache(keys, values, total));
        } catch (RuntimeException e) {
            new KvCache(keys, values, total).close();
            throw e;
        } finally {
            if (logits != null) {
                logits.close();
            }
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

    private static NDArray named(NDArray array, String name) {
        array.setName(name);
        return array;
    }

    @Override
    public void close() {
        model.close();
        if (prefillModel != null) {
            prefillModel.close();
        }
    }

    /** The logits of the last position and the cache after it. */
    public record Step(float[] logits, KvCache cache) {}
}
