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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files of a causal LM exported for ONNX Runtime in the Hugging Face Optimum layout, read and
 * checked once: every problem is reported with the file it is in.
 */
public final class ModelDirectory {
    /**
     * Graph files tried in order when the caller names none: Optimum's current and legacy merged
     * decoders, then the onnx-community / transformers.js {@code onnx/} folder (full precision
     * first, then half precision, then the quantised variants from the most to the least precise).
     */
    public static final List<String> GRAPH_FILES = List.of("model.onnx", "decoder_model_merged.onnx",
            "onnx/model.onnx", "onnx/model_fp16.onnx", "onnx/model_quantized.onnx", "onnx/model_int8.onnx",
            "onnx/model_uint8.onnx", "onnx/model_q4.onnx", "onnx/model_q4f16.onnx", "onnx/model_bnb4.onnx",
            "onnx/decoder_model_merged.onnx", "onnx/decoder_model_merged_fp16.onnx",
            "onnx/decoder_model_merged_quantized.onnx");
    /** Optimum's legacy pair: a decoder for the prompt (no past inputs) and one for each next token. */
    static final String SPLIT_PREFILL = "decoder_model.onnx";
    static final String SPLIT_DECODE = "decoder_with_past_model.onnx";
    static final String ADDITIONAL_TEMPLATES = "additional_chat_templates";
    static final String TOKENIZER = "tokenizer.json";
    static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    static final String CONFIG = "config.json";
    static final String GENERATION_CONFIG = "generation_config.json";
    static final String TEMPLATE_FILE = "chat_template.jinja";
    static final String DEFAULT_TEMPLATE = "default";
    static final String TOOL_USE_TEMPLATE = "tool_use";

    private final Path dir;
    private final Path graph;
    private final @Nullable Path prefillGraph;
    private final JsonObject config;
    private final JsonObject tokenizerConfig;
    private final @Nullable JsonObject generationConfig;
    private final Vocabulary vocabulary;
    private final Map<String, String> templates;
    private final Map<String, Path> templateFiles = new LinkedHashMap<>();

    private ModelDirectory(Path dir, Path graph, @Nullable Path prefillGraph, JsonObject config,
            JsonObject tokenizerConfig, @Nullable JsonObject generationConfig, Vocabulary vocabulary,
            Map<String, String> templates) {
        this.dir = dir;
        this.graph = graph;
        this.prefillGraph = prefillGraph;
        this.config = config;
        this.tokenizerConfig = tokenizerConfig;
        this.generationConfig = generationConfig;
        this.vocabulary = vocabulary;
        this.templates = templates;
        Path configFile = dir.resolve(TOKENIZER_CONFIG);
        Path file = dir.resolve(TEMPLATE_FILE);
        for (String name : templates.keySet()) {
            Path extra = dir.resolve(ADDITIONAL_TEMPLATES).resolve(name + ".jinja");
            templateFiles.put(name, name.equals(DEFAULT_TEMPLATE) && Files.isRegularFile(file)
                    ? file
                    : !name.equals(DEFAULT_TEMPLATE) && Files.isRegularFile(extra) ? extra : configFile);
        }
    }

    /** Reads and checks the JSON files of {@code dir}; the graph and tokenizer are loaded later. */
    public static ModelDirectory open(Path dir) {
        return open(dir, null);
    }

    /**
     * As {@link #open(Path)}, with the graph file chosen by the caller ({@code modelFile}, relative
     * to {@code dir}, e.g. {@code onnx/model_q4.onnx}) instead of the first of {@link #GRAPH_FILES}.
     */
    public static ModelDirectory open(Path dir, @Nullable String modelFile) {
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("the model directory " + dir + " does not exist or is not a directory");
        }
        Path graph;
        Path prefill = null;
        if (modelFile != null) {
            graph = dir.resolve(modelFile);
            if (!Files.isRegularFile(graph)) {
                throw new ModelLoadException(graph + " is missing (LocalChatModel.Builder.modelFile names it)");
            }
            if (graph.getFileName().toString().equals(SPLIT_DECODE)
                    && Files.isRegularFile(graph.resolveSibling(SPLIT_PREFILL))) {
                prefill = graph.resolveSibling(SPLIT_PREFILL);
            }
        } else {
            graph = GRAPH_FILES.stream().map(dir::resolve).filter(Files::isRegularFile).findFirst().orElse(null);
            if (graph == null && Files.isRegularFile(dir.resolve(SPLIT_DECODE))) {
                graph = dir.resolve(SPLIT_DECODE);
                Path first = dir.resolve(SPLIT_PREFILL);
                prefill = Files.isRegularFile(first) ? first : null;
            }
            if (graph == null) {
                throw new ModelLoadException(dir.resolve(GRAPH_FILES.get(0))
                        + " is missing: a model directory holds the ONNX graph (" + String.join(" or ", GRAPH_FILES)
                        + ", or the pair " + SPLIT_PREFILL + " and " + SPLIT_DECODE + "), " + TOKENIZER + ", "
                        + TOKENIZER_CONFIG + " and " + CONFIG
                        + " (optimum-cli export onnx --task text-generation-with-past writes them all)");
            }
        }
        JsonObject config = readObject(required(dir, CONFIG));
        JsonObject tokenizerConfig = readObject(required(dir, TOKENIZER_CONFIG));
        Path generation = dir.resolve(GENERATION_CONFIG);
        JsonObject generationConfig = Files.isRegularFile(generation) ? readObject(generation) : null;
        Path tokenizer = required(dir, TOKENIZER);
        Vocabulary vocabulary = Vocabulary.read(tokenizer, readObject(tokenizer));
        return new ModelDirectory(dir, graph, prefill, config, tokenizerConfig, generationConfig, vocabulary,
                templates(dir, tokenizerConfig));
    }

    /**
     * The named chat templates as transformers loads them: {@code tokenizer_config.json}'s
     * {@code chat_template} (a string, named {@code default}, or a list of {@code {name, template}}),
     * then {@code chat_template.jinja}, which replaces the default one, then each
     * {@code additional_chat_templates/<name>.jinja}.
     */
    private static Map<String, String> templates(Path dir, JsonObject tokenizerConfig) {
        Map<String, String> templates = new LinkedHashMap<>();
        JsonValue template = tokenizerConfig.get("chat_template");
        if (template instanceof JsonValue.JsonString s) {
            templates.put(DEFAULT_TEMPLATE, s.value());
        } else if (template instanceof JsonArray named) {
            for (JsonValue entry : named.items()) {
                if (entry instanceof JsonObject o && o.get("template") instanceof JsonValue.JsonString text
                        && o.getString("name").isPresent()) {
                    templates.put(o.getString("name").get(), text.value());
                }
            }
        }
        Path file = dir.resolve(TEMPLATE_FILE);
        if (Files.isRegularFile(file)) {
            templates.put(DEFAULT_TEMPLATE, readText(file));
        }
        Path additional = dir.resolve(ADDITIONAL_TEMPLATES);
        if (Files.isDirectory(additional)) {
            try (Stream<Path> files = Files.list(additional)) {
                for (Path extra : files.sorted().toList()) {
                    String name = extra.getFileName().toString();
                    if (name.endsWith(".jinja") && Files.isRegularFile(extra)) {
                        templates.put(name.substring(0, name.length() - ".jinja".length()), readText(extra));
                    }
                }
            } catch (IOException e) {
                throw new ModelLoadException("cannot list " + additional + ": " + e.getMessage(), e);
            }
        }
        return Collections.unmodifiableMap(templates);
    }

    public Path dir() {
        return dir;
    }

    public Path graph() {
        return graph;
    }

    /** The legacy split layout's prompt graph ({@value #SPLIT_PREFILL}), run before {@link #graph()}. */
    public Optional<Path> prefillGraph() {
        return Optional.ofNullable(prefillGraph);
    }

    /** The names of the model's chat templates ({@code default}, {@code tool_use}, ...). */
    public Set<String> templateNames() {
        return templates.keySet();
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

    /**
     * The chat template to render with, chosen as transformers' {@code get_chat_template} does: the
     * template called {@code name} when given; otherwise the only template, or {@code tool_use}
     * when the request has tools and the model has one, or {@code default}.
     */
    public String chatTemplate(@Nullable String name, boolean withTools) {
        return templates.get(templateName(name, withTools));
    }

    /** The file {@link #chatTemplate} reads the template from, for messages. */
    public Path chatTemplateFile(@Nullable String name, boolean withTools) {
        return templateFiles.get(templateName(name, withTools));
    }

    private String templateName(@Nullable String name, boolean withTools) {
        if (name != null) {
            String named = templates.get(name);
            if (named == null) {
                throw new ModelLoadException(dir + " has no chat template named '" + name + "'; its templates are "
                        + templates.keySet());
            }
            return name;
        }
        if (templates.isEmpty()) {
            throw new ModelLoadException(tokenizerConfigFile() + " has no chat_template (and there is no "
                    + dir.resolve(TEMPLATE_FILE) + "): a base model without one cannot chat; use an"
                    + " instruction-tuned model or give LocalChatModel.Builder.chatTemplate");
        }
        if (withTools && templates.containsKey(TOOL_USE_TEMPLATE)) {
            return TOOL_USE_TEMPLATE;
        }
        if (!templates.containsKey(DEFAULT_TEMPLATE)) {
            throw new ModelLoadException(dir + " has several chat templates " + templates.keySet()
                    + " and none named 'default': choose one with LocalChatModel.Builder.chatTemplateName");
        }
        return DEFAULT_TEMPLATE;
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
        double minP = generationConfig.getDouble("min_p").orElse(0.0);
        try {
            return new SamplingSettings(temperature, topP, topK, minP);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(dir.resolve(GENERATION_CONFIG) + ": " + e.getMessage(), e);
        }
    }

    /**
     * The processors transformers applies from generation_config.json whatever the sampling:
     * {@code repetition_penalty}, {@code no_repeat_ngram_size}, {@code min_new_tokens},
     * {@code min_length}.
     */
    public LogitsProcessors logitsProcessors() {
        if (generationConfig == null) {
            return LogitsProcessors.NONE;
        }
        double penalty = generationConfig.getDouble("repetition_penalty").orElse(1.0);
        int ngram = generationConfig.getLong("no_repeat_ngram_size").map(Long::intValue).orElse(0);
        int minNew = generationConfig.getLong("min_new_tokens").map(Long::intValue).orElse(0);
        int minLength = generationConfig.getLong("min_length").map(Long::intValue).orElse(0);
        try {
            return new LogitsProcessors(penalty, ngram, minNew, minLength);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(dir.resolve(GENERATION_CONFIG) + ": " + e.getMessage(), e);
        }
    }

    /** generation_config.json's {@code max_new_tokens}, the reply length when the caller sets none. */
    public Optional<Integer> maxNewTokens() {
        return generationConfig == null ? Optional.empty() : optionalInt(generationConfig, "max_new_tokens");
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
