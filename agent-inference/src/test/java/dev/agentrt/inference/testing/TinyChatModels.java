package dev.agentrt.inference.testing;

import dev.agentrt.core.json.JsonValue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes model directories in the Hugging Face Optimum layout ({@code model.onnx},
 * {@code config.json}, {@code tokenizer.json}, {@code tokenizer_config.json},
 * {@code generation_config.json}) for tests and benchmarks.
 *
 * <p>{@link #writeBigram} writes a scripted causal LM whose replies are known: the next token is
 * read from a bigram table row of the previous token, plus, when the previous token is
 * {@code assistant}, a term from the key/value cache. The cache of layer 0's keys and the last
 * layer's values holds, per token, a one-hot "trigger" feature ({@code <tools>}, {@code count},
 * {@code forever}, {@code dice}, {@code <tool_response>}); their sums over the whole cache
 * steer the first token of the reply. All weights are integers, so a run with the cache and
 * a run over the whole sequence give bit-identical logits. Greedy replies to a user turn ending
 * the prompt:
 *
 * <ul>
 *   <li>no trigger: {@code Hello there!}
 *   <li>{@code count}: {@code one two three four five six seven eight nine ten}
 *   <li>{@code forever}: {@code tick tock tick tock ...} without end
 *   <li>{@code dice}: {@code 1}; sampled: faces {@code 1}..{@code 6}, each followed by any face or the end
 *   <li>tools in the system turn: {@code <tool_call> {"name": "get_time", "arguments": {}} </tool_call>}
 *   <li>tools and a tool response: {@code It is noon.}
 *   <li>tools including one named {@code final_answer}:
 *       {@code <tool_call> {"name": "final_answer", "arguments": {"time": "noon"}} </tool_call>}
 *   <li>{@code dice} with {@code repetition_penalty} above 1: {@code 1 2 3 4 5 6} (each face, once seen, loses
 *       the first-on-ties arg-max to the next unseen one; then the end token, first on ties, wins)
 * </ul>
 *
 * <p>The graph comes in the {@link Variant}s a test needs: float16 or bfloat16 cache and logits,
 * the prompt graph of Optimum's legacy split pair, a graph that goes wrong when given several
 * tokens after a non-empty cache.
 */
public final class TinyChatModels {
    public static final int HEADS = 2;
    public static final int HEAD_DIM = 4;
    public static final int LAYERS = 2;
    private static final int FEATURES = HEADS * HEAD_DIM;
    /** The logit of a scripted next token: large, so that sampling at temperature 1 stays on script. */
    private static final float W = 16;

    /** The vocabulary; a token's id is its index. The first four are special. */
    public static final List<String> VOCABULARY = List.of("<unk>", "<|im_start|>", "<|im_end|>", "<|endoftext|>",
            "system", "user", "assistant", "<tools>", "</tools>", "<tool_response>", "</tool_response>", "Hello",
            "there!", "<tool_call>", "{\"name\":", "\"get_time\",", "\"arguments\":", "{}}", "</tool_call>", "It", "is",
            "noon.", "count", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "forever",
            "tick", "tock", "dice", "1", "2", "3", "4", "5", "6", "Say", "hello.", "What", "time", "it?", "Use",
            "get_time.", "\"final_answer\",", "{\"time\":", "\"noon\"}}");

    /** A Qwen-style template: tools listed in the system turn, tool results as {@code <tool_response>}s. */
    public static final String CHAT_TEMPLATE = """
            {%- if tools %}
            {{- '<|im_start|>system\\n' }}
            {%- if messages[0].role == 'system' %}{{ messages[0].content + '\\n' }}{% endif %}
            {{- '<tools>\\n' }}
            {%- for tool in tools %}{{ tool | tojson }}{{ '\\n' }}{% endfor %}
            {{- '</tools><|im_end|>\\n' }}
            {%- elif messages[0].role == 'system' %}
            {{- '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}
            {%- endif %}
            {%- for message in messages %}
            {%- if message.role == 'user' %}
            {{- '<|im_start|>user\\n' + message.content + '<|im_end|>\\n' }}
            {%- elif message.role == 'assistant' %}
            {{- '<|im_start|>assistant\\n' + message.content }}
            {%- for call in message.tool_calls %}
            {{- '\\n<tool_call>\\n' }}{{ call.function | tojson }}{{ '\\n</tool_call>' }}
            {%- endfor %}
            {{- '<|im_end|>\\n' }}
            {%- elif message.role == 'tool' %}
            {{- '<|im_start|>user\\n<tool_response>\\n' + message.content + '\\n</tool_response><|im_end|>\\n' }}
            {%- endif %}
            {%- endfor %}
            {%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}
            """;

    /** What to write: a sound model or one broken in a particular way. */
    public enum Variant {
        STANDARD,
        /** A graph exported without its KV cache: only input_ids and attention_mask. */
        NO_CACHE_INPUTS,
        /** A cache laid out [batch, sequence, heads, headDim]. */
        SEQUENCE_FIRST_CACHE,
        /** Cache inputs and outputs and logits in float16, as optimum-cli --dtype fp16 exports. */
        FLOAT16,
        /** Cache inputs and outputs and logits in bfloat16. */
        BFLOAT16,
        /** The prompt graph of the legacy split pair (decoder_model.onnx): no past inputs, presents out. */
        NO_PAST_PROMPT_GRAPH,
        /**
         * Like a legacy merged decoder traced at one token: several tokens after a non-empty cache
         * give wrong logits ({@code <unk>} wins).
         */
        ONE_TOKEN_AFTER_PAST
    }

    private TinyChatModels() {}

    public static int id(String token) {
        int id = VOCABULARY.indexOf(token);
        if (id < 0) {
            throw new IllegalArgumentException("not in the tiny vocabulary: " + token);
        }
        return id;
    }

    /** Writes the scripted bigram model into {@code dir} and returns it. */
    public static Path writeBigram(Path dir) {
        return writeBigram(dir, Variant.STANDARD);
    }

    public static Path writeBigram(Path dir, Variant variant) {
        mkdirs(dir);
        int v = VOCABULARY.size();
        float[] bigram = new float[v * v];
        for (int row = 0; row < v; row++) {
            bigram[row * v + id("<|im_end|>")] = W;
        }
        chain(bigram, "assistant", "Hello", "there!", "<|im_end|>");
        chain(bigram, "<tool_call>", "{\"name\":", "\"get_time\",", "\"arguments\":", "{}}", "</tool_call>",
                "<|im_end|>");
        chain(bigram, "It", "is", "noon.", "<|im_end|>");
        chain(bigram, "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "<|im_end|>");
        chain(bigram, "tick", "tock", "tick");
        List<String> faces = List.of("1", "2", "3", "4", "5", "6");
        for (String face : faces) {
            for (String to : faces) {
                bigram[id(face) * v + id(to)] = W;
            }
        }
        float[] gate = new float[v * FEATURES * v];
        gate(gate, "assistant", 0, "<tool_call>", 1);
        gate(gate, "assistant", 1, "one", 1);
        gate(gate, "assistant", 2, "tick", 1);
        for (String face : faces) {
            gate(gate, "assistant", 3, face, 1);
        }
        gate(gate, "assistant", 4, "It", 1);
        gate(gate, "assistant", 4, "<tool_call>", -1);
        chain(bigram, "\"final_answer\",", "\"arguments\":");
        chain(bigram, "{\"time\":", "\"noon\"}}", "</tool_call>");
        gate(gate, "{\"name\":", 5, "\"final_answer\",", 1);
        gate(gate, "\"arguments\":", 5, "{\"time\":", 1);
        float[] triggers = new float[v * FEATURES];
        List<String> triggerTokens = List.of("<tools>", "count", "forever", "dice", "<tool_response>",
                "\"final_answer\",");
        for (int f = 0; f < triggerTokens.size(); f++) {
            triggers[id(triggerTokens.get(f)) * FEATURES + f] = 1;
        }
        float[] noise = new float[v * FEATURES];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (i * 7 % 5) * 0.5f;
        }

        int type = variant == Variant.FLOAT16
                ? OnnxGraph.FLOAT16
                : variant == Variant.BFLOAT16 ? OnnxGraph.BFLOAT16 : OnnxGraph.FLOAT;
        OnnxGraph g = new OnnxGraph("tiny-bigram");
        g.input("input_ids", OnnxGraph.INT64, "batch", "sequence");
        g.input("attention_mask", OnnxGraph.INT64, "batch", "total");
        if (variant != Variant.NO_CACHE_INPUTS) {
            g.input("position_ids", OnnxGraph.INT64, "batch", "sequence");
            for (int i = 0; i < LAYERS; i++) {
                Object[] dims = variant == Variant.SEQUENCE_FIRST_CACHE
                        ? new Object[]{"batch", "past", HEADS, HEAD_DIM}
                        : new Object[]{"batch", HEADS, "past", HEAD_DIM};
                if (variant == Variant.NO_PAST_PROMPT_GRAPH) {
                    g.floats("past_key_values." + i + ".key", new float[0], 1, HEADS, 0, HEAD_DIM);
                    g.floats("past_key_values." + i + ".value", new float[0], 1, HEADS, 0, HEAD_DIM);
                } else {
                    g.input("past_key_values." + i + ".key", type, dims);
                    g.input("past_key_values." + i + ".value", type, dims);
                }
            }
        }
        g.floats("bigram", bigram, v, v);
        g.floats("gate", gate, v, (long) FEATURES * v);
        g.floats("triggers", triggers, v, FEATURES);
        g.floats("noise", noise, v, FEATURES);
        g.longs("heads_shape", new long[]{0, 0, HEADS, HEAD_DIM}, 4);
        g.longs("gate_shape", new long[]{0, 0, FEATURES, v}, 4);
        g.longs("feature_shape", new long[]{0, 1, FEATURES, 1}, 4);
        g.longs("axis2", new long[]{2}, 1);
        g.longs("axis1", new long[]{1}, 1);
        g.node("Gather", List.of("bigram", "input_ids"), List.of("base"), OnnxGraph.intAttr("axis", 0));
        if (variant == Variant.NO_CACHE_INPUTS) {
            g.node("Identity", List.of("base"), List.of("logits"));
            g.output("logits", OnnxGraph.FLOAT, "batch", "sequence", v);
            write(dir, g, v);
            return dir;
        }
        boolean sequenceFirst = variant == Variant.SEQUENCE_FIRST_CACHE;
        for (int i = 0; i < LAYERS; i++) {
            String keyTable = i == 0 ? "triggers" : "noise";
            String valueTable = i == LAYERS - 1 ? "triggers" : "noise";
            cacheEntry(g, keyTable, "past_key_values." + i + ".key", "present." + i + ".key", sequenceFirst, type);
            cacheEntry(g, valueTable, "past_key_values." + i + ".value", "present." + i + ".value", sequenceFirst,
                    type);
        }
        String sequenceAxis = sequenceFirst ? "axis1" : "axis2";
        String keys = "present.0.key";
        String values = "present." + (LAYERS - 1) + ".value";
        if (type != OnnxGraph.FLOAT) {
            g.node("Cast", List.of(keys), List.of("keys.f"), OnnxGraph.intAttr("to", OnnxGraph.FLOAT));
            g.node("Cast", List.of(values), List.of("values.f"), OnnxGraph.intAttr("to", OnnxGraph.FLOAT));
            keys = "keys.f";
            values = "values.f";
        }
        g.node("ReduceSum", List.of(keys, sequenceAxis), List.of("key_sum"), OnnxGraph.intAttr("keepdims", 0));
        g.node("ReduceSum", List.of(values, sequenceAxis), List.of("value_sum"), OnnxGraph.intAttr("keepdims", 0));
        g.node("Add", List.of("key_sum", "value_sum"), List.of("features"));
        g.node("Reshape", List.of("features", "feature_shape"), List.of("features_4d"));
        g.node("Gather", List.of("gate", "input_ids"), List.of("gate_rows"), OnnxGraph.intAttr("axis", 0));
        g.node("Reshape", List.of("gate_rows", "gate_shape"), List.of("gate_4d"));
        g.node("Mul", List.of("gate_4d", "features_4d"), List.of("gated"));
        g.node("ReduceSum", List.of("gated", "axis2"), List.of("steer"), OnnxGraph.intAttr("keepdims", 0));
        String logits = type == OnnxGraph.FLOAT && variant != Variant.ONE_TOKEN_AFTER_PAST ? "logits" : "logits.f";
        g.node("Add", List.of("base", "steer"), List.of(logits));
        if (variant == Variant.ONE_TOKEN_AFTER_PAST) {
            // wrong = min(1, past * (sequence - 1)): 1 exactly when several tokens follow a past.
            float[] unk = new float[v];
            unk[id("<unk>")] = 1000;
            g.floats("unk_row", unk, v);
            g.floats("one_f", new float[]{1});
            g.longs("one_i", new long[]{1});
            g.longs("index1", new long[]{1});
            g.longs("index2", new long[]{2});
            g.node("Shape", List.of("past_key_values.0.key"), List.of("past_shape"));
            g.node("Gather", List.of("past_shape", "index2"), List.of("past_len"), OnnxGraph.intAttr("axis", 0));
            g.node("Shape", List.of("input_ids"), List.of("ids_shape"));
            g.node("Gather", List.of("ids_shape", "index1"), List.of("seq_len"), OnnxGraph.intAttr("axis", 0));
            g.node("Sub", List.of("seq_len", "one_i"), List.of("more"));
            g.node("Mul", List.of("past_len", "more"), List.of("both"));
            g.node("Cast", List.of("both"), List.of("both.f"), OnnxGraph.intAttr("to", OnnxGraph.FLOAT));
            g.node("Min", List.of("both.f", "one_f"), List.of("wrong"));
            g.node("Mul", List.of("unk_row", "wrong"), List.of("penalty"));
            g.node("Add", List.of(logits, "penalty"), List.of("logits"));
        } else if (type != OnnxGraph.FLOAT) {
            g.node("Cast", List.of(logits), List.of("logits"), OnnxGraph.intAttr("to", type));
        }
        g.output("logits", type, "batch", "sequence", v);
        for (int i = 0; i < LAYERS; i++) {
            Object[] dims = sequenceFirst
                    ? new Object[]{"batch", "total", HEADS, HEAD_DIM}
                    : new Object[]{"batch", HEADS, "total", HEAD_DIM};
            g.output("present." + i + ".key", type, dims);
            g.output("present." + i + ".value", type, dims);
        }
        write(dir, g, v);
        return dir;
    }

    /**
     * Moves the graph {@link #writeBigram} wrote to {@code model.onnx} to {@code relative} (e.g.
     * {@code onnx/model_q4.onnx}), as other exporters lay it out; returns the new path.
     */
    public static Path moveGraph(Path dir, String relative) {
        try {
            Path target = dir.resolve(relative);
            Files.createDirectories(target.getParent());
            return Files.move(dir.resolve("model.onnx"), target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the bigram model in Optimum's legacy split layout: {@code decoder_model.onnx} for the
     * prompt (no past inputs) and {@code decoder_with_past_model.onnx} for each next token.
     */
    public static Path writeSplit(Path dir) {
        Path prompt = writeBigram(dir.resolve("prompt-graph"), Variant.NO_PAST_PROMPT_GRAPH);
        writeBigram(dir);
        moveGraph(dir, "decoder_with_past_model.onnx");
        try {
            Files.move(prompt.resolve("model.onnx"), dir.resolve("decoder_model.onnx"));
            try (var files = Files.list(prompt)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(prompt);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** present = Concat(past, rows of {@code table} for the input ids as [batch, heads, sequence, headDim]). */
    private static void cacheEntry(OnnxGraph g, String table, String past, String present, boolean sequenceFirst,
            int type) {
        String rows = present + ".rows";
        g.node("Gather", List.of(table, "input_ids"), List.of(rows), OnnxGraph.intAttr("axis", 0));
        g.node("Reshape", List.of(rows, "heads_shape"), List.of(rows + ".4d"));
        String entry = rows + ".4d";
        if (!sequenceFirst) {
            g.node("Transpose", List.of(entry), List.of(rows + ".t"), OnnxGraph.intsAttr("perm", 0, 2, 1, 3));
            entry = rows + ".t";
        }
        if (type != OnnxGraph.FLOAT) {
            g.node("Cast", List.of(entry), List.of(rows + ".c"), OnnxGraph.intAttr("to", type));
            entry = rows + ".c";
        }
        g.node("Concat", List.of(past, entry), List.of(present), OnnxGraph.intAttr("axis", sequenceFirst ? 1 : 2));
    }

    private static void write(Path dir, OnnxGraph g, int vocab) {
        g.write(dir.resolve("model.onnx"));
        writeTokenizer(dir, VOCABULARY);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model_type", "tiny-bigram");
        config.put("num_hidden_layers", LAYERS);
        config.put("num_attention_heads", HEADS);
        config.put("num_key_value_heads", HEADS);
        config.put("hidden_size", FEATURES);
        config.put("vocab_size", vocab);
        config.put("max_position_embeddings", 4096);
        writeJson(dir.resolve("config.json"), config);
        writeTokenizerConfig(dir, CHAT_TEMPLATE);
        writeJson(dir.resolve("generation_config.json"),
                Map.of("eos_token_id", List.of(id("<|im_end|>"), id("<|endoftext|>")), "do_sample", false));
    }

    public static void writeTokenizerConfig(Path dir, String template) {
        Map<String, Object> tokenizerConfig = new LinkedHashMap<>();
        tokenizerConfig.put("bos_token", null);
        tokenizerConfig.put("eos_token", "<|im_end|>");
        tokenizerConfig.put("pad_token", "<|endoftext|>");
        tokenizerConfig.put("chat_template", template);
        writeJson(dir.resolve("tokenizer_config.json"), tokenizerConfig);
    }

    /**
     * A WordLevel {@code tokenizer.json} over {@code vocabulary} (ids by position, the first four
     * special) splitting on whitespace; decoding joins tokens with spaces.
     */
    public static void writeTokenizer(Path dir, List<String> vocabulary) {
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (int i = 0; i < vocabulary.size(); i++) {
            vocab.put(vocabulary.get(i), i);
        }
        List<Object> added = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Map<String, Object> token = new LinkedHashMap<>();
            token.put("id", i);
            token.put("content", vocabulary.get(i));
            token.put("single_word", false);
            token.put("lstrip", false);
            token.put("rstrip", false);
            token.put("normalized", false);
            token.put("special", true);
            added.add(token);
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "WordLevel");
        model.put("vocab", vocab);
        model.put("unk_token", "<unk>");
        Map<String, Object> tokenizer = new LinkedHashMap<>();
        tokenizer.put("version", "1.0");
        tokenizer.put("truncation", null);
        tokenizer.put("padding", null);
        tokenizer.put("added_tokens", added);
        tokenizer.put("normalizer", null);
        tokenizer.put("pre_tokenizer", Map.of("type", "WhitespaceSplit"));
        tokenizer.put("post_processor", null);
        tokenizer.put("decoder", null);
        tokenizer.put("model", model);
        writeJson(dir.resolve("tokenizer.json"), tokenizer);
    }

    /**
     * A model of realistic per-token cost for benchmarks: {@code vocab} words {@code w0..} (plus
     * the four special tokens), an embedding of width {@code hidden} and a {@code hidden x vocab}
     * output projection (logits = MatMul(Gather(embedding, ids), projection)), one layer whose
     * cache holds the embeddings as 8 heads. Random weights from a fixed seed; the end token is
     * never the most likely.
     */
    public static Path writeLarge(Path dir, int vocab, int hidden) {
        mkdirs(dir);
        int heads = 8;
        if (hidden % heads != 0) {
            throw new IllegalArgumentException("hidden must be a multiple of " + heads);
        }
        SplittableRandom random = new SplittableRandom(42);
        float[] embedding = new float[vocab * hidden];
        for (int i = 0; i < embedding.length; i++) {
            embedding[i] = (float) (random.nextDouble() - 0.5);
        }
        float[] projection = new float[hidden * vocab];
        for (int i = 0; i < projection.length; i++) {
            projection[i] = (float) (random.nextDouble() - 0.5);
        }
        for (int end = 0; end < 4; end++) {
            for (int h = 0; h < hidden; h++) {
                projection[h * vocab + end] = -100;
            }
        }
        OnnxGraph g = new OnnxGraph("large");
        g.input("input_ids", OnnxGraph.INT64, "batch", "sequence");
        g.input("attention_mask", OnnxGraph.INT64, "batch", "total");
        g.input("past_key_values.0.key", OnnxGraph.FLOAT, "batch", heads, "past", hidden / heads);
        g.input("past_key_values.0.value", OnnxGraph.FLOAT, "batch", heads, "past", hidden / heads);
        g.floats("embedding", embedding, vocab, hidden);
        g.floats("projection", projection, hidden, vocab);
        g.longs("heads_shape", new long[]{0, 0, heads, hidden / heads}, 4);
        g.node("Gather", List.of("embedding", "input_ids"), List.of("hidden"), OnnxGraph.intAttr("axis", 0));
        g.node("MatMul", List.of("hidden", "projection"), List.of("logits"));
        g.node("Reshape", List.of("hidden", "heads_shape"), List.of("hidden_4d"));
        g.node("Transpose", List.of("hidden_4d"), List.of("hidden_t"), OnnxGraph.intsAttr("perm", 0, 2, 1, 3));
        g.node("Concat", List.of("past_key_values.0.key", "hidden_t"), List.of("present.0.key"),
                OnnxGraph.intAttr("axis", 2));
        g.node("Concat", List.of("past_key_values.0.value", "hidden_t"), List.of("present.0.value"),
                OnnxGraph.intAttr("axis", 2));
        g.output("logits", OnnxGraph.FLOAT, "batch", "sequence", vocab);
        g.output("present.0.key", OnnxGraph.FLOAT, "batch", heads, "total", hidden / heads);
        g.output("present.0.value", OnnxGraph.FLOAT, "batch", heads, "total", hidden / heads);
        g.write(dir.resolve("model.onnx"));
        List<String> words = new ArrayList<>(VOCABULARY.subList(0, 4));
        for (int i = 4; i < vocab; i++) {
            words.add("w" + i);
        }
        writeTokenizer(dir, words);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("num_hidden_layers", 1);
        config.put("num_attention_heads", heads);
        config.put("hidden_size", hidden);
        config.put("vocab_size", vocab);
        writeJson(dir.resolve("config.json"), config);
        writeTokenizerConfig(dir, CHAT_TEMPLATE);
        return dir;
    }

    public static void writeJson(Path file, Object value) {
        try {
            Files.writeString(file, JsonValue.of(value).toJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void chain(float[] bigram, String... tokens) {
        int v = VOCABULARY.size();
        for (int i = 0; i + 1 < tokens.length; i++) {
            int row = id(tokens[i]) * v;
            java.util.Arrays.fill(bigram, row, row + v, 0);
            bigram[row + id(tokens[i + 1])] = W;
        }
    }

    private static void gate(float[] gate, String previous, int feature, String next, float weight) {
        int v = VOCABULARY.size();
        gate[(id(previous) * FEATURES + feature) * v + id(next)] = weight * W;
    }

    private static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
