package dev.agentrt.inference.internal.chat;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.inference.ModelLoadException;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The files of a causal LM exported for ONNX Runtime in the Hugging Face Optimum layout, read and
 * checked once: every problem is reported with the file it is in.
 */
public final class ModelDirectory {
    /** Graph file names Optimum writes, in order of preference. */
    static final List<String> GRAPH_FILES = List.of("model.onnx", "decoder_model_merged.onnx");
    static final String TOKENIZER = "tokenizer.json";
    static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    static final String CONFIG = "config.json";
    static final String GENERATION_CONFIG = "generation_config.json";
    static final String TEMPLATE_FILE = "chat_template.jinja";

    private final Path dir;
    private final Path graph;
    private final JsonObject config;
    private final JsonObject tokenizerConfig;
    private final @Nullable JsonObject generationConfig;
    private final Vocabulary vocabulary;
    private final @Nullable String templateFileText;

    private ModelDirectory(Path dir, Path graph, JsonObject config, JsonObject tokenizerConfig,
            @Nullable JsonObject generationConfig, Vocabulary vocabulary, @Nullable String templateFileText) {
        this.dir = dir;
        this.graph = graph;
        this.config = config;
        this.tokenizerConfig = tokenizerConfig;
        this.generationConfig = generationConfig;
        this.vocabulary = vocabulary;
        this.templateFileText = templateFileText;
    }

    /** Reads and checks the JSON files of {@code dir}; the graph and tokenizer are loaded later. */
    public static ModelDirectory open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("the model directory " + dir + " does not exist or is not a directory");
        }
        Path graph = GRAPH_FILES.stream()
                .map(dir::resolve)
                .filter(Files::isRegularFile)
                .findFirst()
                .orElseThrow(() -> new ModelLoadException(dir.resolve(GRAPH_FILES.get(0))
                        + " is missing: a model directory holds the ONNX graph (" + String.join(" or ", GRAPH_FILES)
                        + "), " + TOKENIZER + ", " + TOKENIZER_CONFIG + " and " + CONFIG
                        + " (optimum-cli export onnx --task text-generation-with-past writes them all)"));
        JsonObject config = readObject(required(dir, CONFIG));
        JsonObject tokenizerConfig = readObject(required(dir, TOKENIZER_CONFIG));
        Path generation = dir.resolve(GENERATION_CONFIG);
        JsonObject generationConfig = Files.isRegularFile(generation) ? readObject(generation) : null;
        Path tokenizer = required(dir, TOKENIZER);
        Vocabulary vocabulary = Vocabulary.read(tokenizer, readObject(tokenizer));
        Path templateFile = dir.resolve(TEMPLATE_FILE);
        String templateText = Files.isRegularFile(templateFile) ? readText(templateFile) : null;
        return new ModelDirectory(dir, graph, config, tokenizerConfig, generationConfig, vocabulary, templateText);
    }

    public Path dir() {
        return dir;
    }

    public Path graph() {
        return graph;
    }

    public Path tokenizer() {
        return dir.resolve(TOKENIZER);
    }

    public Path configFile() {
        return dir.resolve(CONFIG);
    }

    public Path tokenizerConfigFile() {
        return dir.resolve(TOKENIZER_CONFIG);
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** The KV-cache geometry from {@code config.json}, in the spellings of Llama/Qwen/Mistral and GPT-2. */
    public CacheShape cacheShape() {
        int layers = intSetting(config, "num_hidden_layers", "n_layer");
        int heads = intSetting(config, "num_attention_heads", "n_head");
        int kvHeads = optionalInt(config, "num_key_value_heads").orElse(heads);
        int headDim = optionalInt(config, "head_dim").orElseGet(() -> {
            int hidden = intSetting(config, "hidden_size", "n_embd");
            if (hidden % heads != 0) {
                throw new ModelLoadException(configFile() + ": hidden_size " + hidden
                        + " is not a multiple of num_attention_heads " + heads + " and head_dim is not given");
            }
            return hidden / heads;
        });
        return new CacheShape(layers, kvHeads, headDim);
    }

    /** The chat template: named {@code tool_use} when tools are given and the model has one. */
    public String chatTemplate(boolean withTools) {
        JsonValue template = tokenizerConfig.get("chat_template");
        if (template instanceof JsonValue.JsonString s) {
            return s.value();
        }
        if (template instanceof JsonArray named) {
            String fallback = null;
            for (JsonValue entry : named.items()) {
                if (entry instanceof JsonObject o && o.get("template") instanceof JsonValue.JsonString text) {
                    String name = o.getString("name").orElse("");
                    if (withTools && name.equals("tool_use")) {
                        return text.value();
                    }
                    if (name.equals("default") || fallback == null) {
                        fallback = text.value();
                    }
                }
            }
            if (fallback != null) {
                return fallback;
            }
        }
        if (templateFileText != null) {
            return templateFileText;
        }
        throw new ModelLoadException(tokenizerConfigFile() + " has no chat_template (and there is no "
                + dir.resolve(TEMPLATE_FILE) + "): a base model without one cannot chat; use an instruction-tuned"
                + " model or give LocalChatModel.Builder.chatTemplate");
    }

    /** A special token's text from tokenizer_config.json ({@code "<s>"} or {@code {"content": "<s>"}}). */
    public @Nullable String specialToken(String key) {
        JsonValue value = tokenizerConfig.get(key);
        if (value instanceof JsonValue.JsonString s) {
            return s.value();
        }
        if (value instanceof JsonObject o) {
            return o.getString("content").orElse(null);
        }
        return null;
    }

    /** Token ids that end a reply: generation_config.json's eos ids, config.json's and the eos token's. */
    public Set<Long> endTokenIds() {
        Set<Long> ids = new LinkedHashSet<>();
        if (generationConfig != null) {
            addIds(ids, generationConfig.get("eos_token_id"));
        }
        addIds(ids, config.get("eos_token_id"));
        String eos = specialToken("eos_token");
        if (eos != null) {
            vocabulary.id(eos).ifPresent(ids::add);
        }
        return ids;
    }

    /** The model's own sampling defaults from generation_config.json, when it samples by default. */
    public SamplingSettings defaultSampling() {
        if (generationConfig == null || !generationConfig.getBoolean("do_sample").orElse(false)) {
            return SamplingSettings.GREEDY;
        }
        double temperature = generationConfig.getDouble("temperature").orElse(1.0);
        double topP = generationConfig.getDouble("top_p").orElse(1.0);
        int topK = generationConfig.getLong("top_k").map(Long::intValue).orElse(SamplingSettings.DEFAULT_TOP_K);
        return new SamplingSettings(temperature, topP, topK);
    }

    /** {@code max_position_embeddings} (or GPT-2's {@code n_positions}) from config.json, if given. */
    public Optional<Integer> contextLength() {
        Optional<Integer> length = optionalInt(config, "max_position_embeddings");
        return length.isPresent() ? length : optionalInt(config, "n_positions");
    }

    private static void addIds(Set<Long> ids, @Nullable JsonValue value) {
        if (value instanceof JsonValue.JsonNumber n) {
            ids.add(n.longValue());
        } else if (value instanceof JsonArray a) {
            a.items().forEach(item -> addIds(ids, item));
        }
    }

    private int intSetting(JsonObject json, String... names) {
        for (String name : names) {
            Optional<Integer> value = optionalInt(json, name);
            if (value.isPresent()) {
                return value.get();
            }
        }
        throw new ModelLoadException(configFile() + " has no " + String.join(" or ", names)
                + ": the KV-cache shape cannot be known without it");
    }

    private Optional<Integer> optionalInt(JsonObject json, String name) {
        Optional<Long> value = json.getLong(name);
        if (value.isPresent() && (value.get() < 1 || value.get() > Integer.MAX_VALUE)) {
            throw new ModelLoadException(
                    configFile() + ": " + name + " must be a positive integer, was " + value.get());
        }
        return value.map(Long::intValue);
    }

    private static Path required(Path dir, String file) {
        Path path = dir.resolve(file);
        if (!Files.isRegularFile(path)) {
            throw new ModelLoadException(path + " is missing (a model directory holds " + GRAPH_FILES.get(0) + ", "
                    + TOKENIZER + ", " + TOKENIZER_CONFIG + " and " + CONFIG + ")");
        }
        return path;
    }

    private static String readText(Path path) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private static JsonObject readObject(Path path) {
        String text = readText(path);
        try {
            if (JsonValue.parse(text) instanceof JsonObject o) {
                return o;
            }
        } catch (RuntimeException e) {
            throw new ModelLoadException(path + " is not valid JSON: " + e.getMessage(), e);
        }
        throw new ModelLoadException(path + " is not a JSON object");
    }
}
