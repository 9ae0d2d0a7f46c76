package dev.agentrt.inference;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.inference.internal.Djl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The tiny Qwen2 test model under {@code src/test/resources/models/tiny-qwen2/} (made by
 * {@code src/test/python/make_tiny_qwen2.py}) is complete and consistent: its reference parses, every layout
 * directory holds the files the reference and README name, the tokenizer turns each rendered prompt into exactly
 * the ids transformers recorded, every graph has Optimum's inputs and outputs in its dtype, and a bare ONNX Runtime
 * loop run the way Optimum runs it reproduces the torch ids in every layout. LocalChatModel is not involved.
 */
class TinyQwen2FilesTest {
    static final String ROOT = "/models/tiny-qwen2/";
    static final int LAYERS = 2;
    static final int KV_HEADS = 2;
    static final int HEAD_DIM = 16;
    static final int VOCABULARY = 768;

    static Path root;
    static JsonObject reference;

    @BeforeAll
    static void load() throws IOException, URISyntaxException {
        URL url = Objects.requireNonNull(TinyQwen2FilesTest.class.getResource(ROOT + "reference.json"),
                "reference.json is on the test class path");
        Path file = Path.of(url.toURI());
        root = file.getParent();
        reference = JsonValue.parse(Files.readString(file)).asObject();
    }

    static JsonObject object(JsonObject o, String name) {
        return o.getObject(name).orElseThrow(() -> new AssertionError("no object " + name));
    }

    static JsonArray array(JsonObject o, String name) {
        return o.getArray(name).orElseThrow(() -> new AssertionError("no array " + name));
    }

    static String string(JsonObject o, String name) {
        return o.getString(name).orElseThrow(() -> new AssertionError("no string " + name));
    }

    static long[] ids(JsonArray a) {
        long[] ids = new long[a.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = ((JsonValue.JsonNumber) a.get(i)).longValue();
        }
        return ids;
    }

    static List<JsonObject> prompts() {
        List<JsonObject> prompts = new ArrayList<>();
        for (JsonValue p : array(reference, "prompts").items()) {
            prompts.add(p.asObject());
        }
        return prompts;
    }

    static List<String> strings(JsonArray a) {
        return a.items().stream().map(v -> ((JsonValue.JsonString) v).value()).toList();
    }

    @Test
    void theReferenceCoversShortLongAndToolPromptsInBothDtypesAndAllSettings() {
        assertThat(prompts()).extracting(p -> string(p, "name")).containsExactly("short", "long", "tools");
        assertThat(ids(array(prompts().get(1), "prompt_ids"))).hasSizeGreaterThan(128);
        assertThat(string(prompts().get(2), "rendered")).contains("<tool_call>", "<tool_response>", "# Tools");
        JsonObject expected = object(reference, "expected");
        assertThat(expected.members().keySet()).containsExactlyInAnyOrder("fp32", "fp16");
        for (String dtype : List.of("fp32", "fp16")) {
            for (JsonObject prompt : prompts()) {
                JsonObject settings = object(object(expected, dtype), string(prompt, "name"));
                assertThat(settings.members().keySet())
                        .containsExactlyInAnyOrder("greedy", "repetition_penalty_1.05", "generation_config");
                for (String setting : settings.members().keySet()) {
                    long[] generated = ids(array(settings, setting));
                    assertThat(generated).hasSizeBetween(1, 32);
                    assertThat(Arrays.stream(generated).allMatch(id -> id >= 0 && id < VOCABULARY)).isTrue();
                }
            }
        }
    }

    @Test
    void inFp32OnnxRuntimesIdsAreTorchsAndFp16DivergencesAreTheListedOnes() {
        JsonObject torch = object(reference, "expected");
        JsonObject onnx = object(reference, "expected_onnxruntime");
        JsonObject divergences = object(reference, "fp16_torch_vs_onnxruntime");
        for (JsonObject prompt : prompts()) {
            String name = string(prompt, "name");
            for (String setting : object(object(torch, "fp32"), name).members().keySet()) {
                assertThat(ids(array(object(object(onnx, "fp32"), name), setting)))
                        .containsExactly(ids(array(object(object(torch, "fp32"), name), setting)));
                long[] fromTorch = ids(array(object(object(torch, "fp16"), name), setting));
                long[] fromOnnx = ids(array(object(object(onnx, "fp16"), name), setting));
                assertThat(Arrays.equals(fromTorch, fromOnnx)).as("fp16 %s/%s", name, setting)
                        .isEqualTo(!divergences.has(name + "/" + setting));
            }
        }
    }

    @Test
    void everyLayoutDirectoryHoldsTheFilesTheReferenceAndReadmeName() throws IOException {
        String readme = Files.readString(root.resolve("README.md"));
        List<String> common = strings(array(reference, "common_files"));
        JsonObject layouts = object(reference, "layouts");
        assertThat(layouts.members().keySet()).contains("optimum-fp32", "optimum-fp16", "merged-fp32",
                "merged-fp16", "legacy-pair-fp32", "legacy-pair-fp16", "onnx-community");
        for (Map.Entry<String, JsonValue> layout : layouts.members().entrySet()) {
            Path dir = root.resolve(layout.getKey());
            assertThat(readme).contains(layout.getKey());
            for (String name : common) {
                assertThat(dir.resolve(name)).isRegularFile();
            }
            for (String name : strings(array(layout.getValue().asObject(), "files"))) {
                assertThat(dir.resolve(name)).isRegularFile();
                assertThat(readme).contains(name);
            }
        }
    }

    @Test
    void theSeparateChatTemplateFileIsTheOneInTokenizerConfig() throws IOException {
        for (String layout : object(reference, "layouts").members().keySet()) {
            Path dir = root.resolve(layout);
            JsonObject config = JsonValue.parse(Files.readString(dir.resolve("tokenizer_config.json"))).asObject();
            assertThat(string(config, "chat_template")).isEqualTo(Files.readString(dir.resolve("chat_template.jinja")))
                    .contains("{%- if tools %}", "<tool_call>");
        }
    }

    @Test
    void theTokenizerEncodesEachRenderedPromptToTheRecordedIds() throws IOException {
        for (String layout : object(reference, "layouts").members().keySet()) {
            try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(
                    root.resolve(layout).resolve("tokenizer.json"),
                    Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"))) {
                for (JsonObject prompt : prompts()) {
                    long[] expected = ids(array(prompt, "prompt_ids"));
                    String rendered = string(prompt, "rendered");
                    assertThat(tokenizer.encode(rendered).getIds()).as("%s %s", layout, string(prompt, "name"))
                            .containsExactly(expected);
                    assertThat(tokenizer.decode(expected, false)).isEqualTo(rendered);
                }
            }
        }
    }

    /** One graph file of one layout, with how Optimum's runtime drives it. */
    record Graph(String layout, List<Path> files, Kind kind, String dtype) {
        boolean fp16() {
            return dtype.equals("fp16");
        }
    }

    enum Kind {
        /** One decoder with past inputs; the first run gets an empty past. */
        WITH_PAST,
        /** decoder_model_merged.onnx: use_cache_branch false and a dummy past of length 1 on the first run. */
        MERGED,
        /** decoder_model.onnx for the prompt, decoder_with_past_model.onnx for each next token. */
        PAIR
    }

    static List<Graph> graphs() {
        List<Graph> graphs = new ArrayList<>();
        for (String dtype : List.of("fp32", "fp16")) {
            graphs.add(new Graph("optimum-" + dtype, List.of(root.resolve("optimum-" + dtype + "/model.onnx")),
                    Kind.WITH_PAST, dtype));
            graphs.add(new Graph("merged-" + dtype,
                    List.of(root.resolve("merged-" + dtype + "/decoder_model_merged.onnx")), Kind.MERGED, dtype));
            graphs.add(new Graph("legacy-pair-" + dtype,
                    List.of(root.resolve("legacy-pair-" + dtype + "/decoder_model.onnx"),
                            root.resolve("legacy-pair-" + dtype + "/decoder_with_past_model.onnx")),
                    Kind.PAIR, dtype));
        }
        graphs.add(new Graph("onnx-community fp32", List.of(root.resolve("onnx-community/onnx/model.onnx")),
                Kind.WITH_PAST, "fp32"));
        graphs.add(new Graph("onnx-community fp16", List.of(root.resolve("onnx-community/onnx/model_fp16.onnx")),
                Kind.WITH_PAST, "fp16"));
        graphs.add(new Graph("onnx-community q8", List.of(root.resolve("onnx-community/onnx/model_quantized.onnx")),
                Kind.WITH_PAST, "q8"));
        return graphs;
    }

    /**
     * ONNX Runtime's one environment, created by DJL's engine first: DJL starts it with its own thread pools and
     * cannot start once anything else created the environment, so a bare session made first would break every
     * LocalChatModel test that runs later in this JVM.
     */
    static OrtEnvironment environment() {
        Djl.onnxRuntime();
        return OrtEnvironment.getEnvironment();
    }

    static Set<String> names(Map<String, NodeInfo> infos) {
        return new LinkedHashSet<>(infos.keySet());
    }

    @Test
    void everyGraphHasOptimumsInputsAndOutputsInItsDtype() throws OrtException {
        OrtEnvironment env = environment();
        Set<String> past = new LinkedHashSet<>();
        Set<String> present = new LinkedHashSet<>();
        for (int i = 0; i < LAYERS; i++) {
            past.addAll(List.of("past_key_values." + i + ".key", "past_key_values." + i + ".value"));
            present.addAll(List.of("present." + i + ".key", "present." + i + ".value"));
        }
        for (Graph graph : graphs()) {
            for (int f = 0; f < graph.files().size(); f++) {
                try (OrtSession session = env.createSession(graph.files().get(f).toString())) {
                    Set<String> inputs = new LinkedHashSet<>(List.of("input_ids", "attention_mask", "position_ids"));
                    boolean withPast = graph.kind() != Kind.PAIR || f == 1;
                    if (withPast) {
                        inputs.addAll(past);
                    }
                    if (graph.kind() == Kind.MERGED) {
                        inputs.add("use_cache_branch");
                    }
                    Set<String> outputs = new LinkedHashSet<>(List.of("logits"));
                    outputs.addAll(present);
                    assertThat(names(session.getInputInfo())).as(graph.layout()).containsExactlyElementsOf(inputs);
                    assertThat(names(session.getOutputInfo())).as(graph.layout()).containsExactlyElementsOf(outputs);
                    OnnxJavaType floatType = graph.fp16() ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT;
                    for (String name : outputs) {
                        TensorInfo info = (TensorInfo) session.getOutputInfo().get(name).getInfo();
                        assertThat(info.type).as("%s %s", graph.layout(), name).isEqualTo(floatType);
                    }
                    if (withPast) {
                        TensorInfo info = (TensorInfo) session.getInputInfo().get("past_key_values.0.key").getInfo();
                        assertThat(info.type).isEqualTo(floatType);
                        assertThat(info.getShape()).containsExactly(-1, KV_HEADS, -1, HEAD_DIM);
                    }
                }
            }
        }
    }

    @Test
    void aBareOnnxRuntimeLoopReproducesTheTorchIdsInEveryLayout() throws OrtException {
        OrtEnvironment env = environment();
        // fp32: onnxruntime's ids are torch's; fp16: the ids onnxruntime gives, which the README explains
        JsonObject expected = object(reference, "expected_onnxruntime");
        long[] eos = ids(array(reference, "eos_token_ids"));
        for (Graph graph : graphs()) {
            List<OrtSession> sessions = new ArrayList<>();
            try {
                for (Path file : graph.files()) {
                    sessions.add(env.createSession(file.toString()));
                }
                for (JsonObject prompt : prompts()) {
                    JsonObject settings = object(object(expected, graph.dtype()),
                            string(prompt, "name"));
                    long[] promptIds = ids(array(prompt, "prompt_ids"));
                    assertThat(generate(env, sessions, graph, promptIds, 1.0, eos))
                            .as("%s %s greedy", graph.layout(), string(prompt, "name"))
                            .containsExactly(ids(array(settings, "greedy")));
                    assertThat(generate(env, sessions, graph, promptIds, 1.05, eos))
                            .as("%s %s repetition penalty", graph.layout(), string(prompt, "name"))
                            .containsExactly(ids(array(settings, "repetition_penalty_1.05")));
                }
            } finally {
                for (OrtSession session : sessions) {
                    session.close();
                }
            }
        }
    }

    /** Greedy decoding as transformers does it: whole prompt once, then one token per run, at most 32 tokens. */
    static long[] generate(OrtEnvironment env, List<OrtSession> sessions, Graph graph, long[] prompt, double penalty,
            long[] eos) throws OrtException {
        List<Long> seen = new ArrayList<>();
        for (long id : prompt) {
            seen.add(id);
        }
        List<Long> out = new ArrayList<>();
        long[] step = prompt;
        OrtSession.Result previous = null;
        try {
            while (true) {
                int pastLength = seen.size() - step.length;
                Map<String, OnnxTensor> feed = new HashMap<>();
                List<OnnxTensor> owned = new ArrayList<>();
                try {
                    long[] mask = new long[seen.size()];
                    Arrays.fill(mask, 1);
                    long[] positions = new long[step.length];
                    for (int i = 0; i < step.length; i++) {
                        positions[i] = pastLength + i;
                    }
                    owned.add(OnnxTensor.createTensor(env, new long[][]{step}));
                    feed.put("input_ids", owned.getLast());
                    owned.add(OnnxTensor.createTensor(env, new long[][]{mask}));
                    feed.put("attention_mask", owned.getLast());
                    owned.add(OnnxTensor.createTensor(env, new long[][]{positions}));
                    feed.put("position_ids", owned.getLast());
                    OrtSession session = sessions.getFirst();
                    if (previous != null) {
                        for (int i = 0; i < LAYERS; i++) {
                            for (String kind : List.of("key", "value")) {
                                feed.put("past_key_values." + i + "." + kind,
                                        (OnnxTensor) previous.get("present." + i + "." + kind).orElseThrow());
                            }
                        }
                        if (graph.kind() == Kind.PAIR) {
                            session = sessions.get(1);
                        }
                    } else if (graph.kind() != Kind.PAIR) {
                        // Optimum: an empty past for a with-past decoder, a length-1 dummy for a merged one
                        int length = graph.kind() == Kind.MERGED ? 1 : 0;
                        for (int i = 0; i < LAYERS; i++) {
                            for (String kind : List.of("key", "value")) {
                                owned.add(zeros(env, graph.fp16(), length));
                                feed.put("past_key_values." + i + "." + kind, owned.getLast());
                            }
                        }
                    }
                    if (graph.kind() == Kind.MERGED) {
                        owned.add(OnnxTensor.createTensor(env, new boolean[]{previous != null}));
                        feed.put("use_cache_branch", owned.getLast());
                    }
                    OrtSession.Result result = session.run(feed);
                    if (previous != null) {
                        previous.close();
                    }
                    previous = result;
                } finally {
                    for (OnnxTensor t : owned) {
                        t.close();
                    }
                }
                OnnxTensor logits = (OnnxTensor) previous.get("logits").orElseThrow();
                FloatBuffer all = Objects.requireNonNull(logits.getFloatBuffer(), "logits as floats");
                float[] last = new float[VOCABULARY];
                all.position((step.length - 1) * VOCABULARY);
                all.get(last);
                long next = argmax(penalize(last, seen, penalty));
                out.add(next);
                seen.add(next);
                if (Arrays.stream(eos).anyMatch(e -> e == next) || out.size() == 32) {
                    return out.stream().mapToLong(Long::longValue).toArray();
                }
                step = new long[]{next};
            }
        } finally {
            if (previous != null) {
                previous.close();
            }
        }
    }

    static OnnxTensor zeros(OrtEnvironment env, boolean fp16, int length) throws OrtException {
        long[] shape = {1, KV_HEADS, length, HEAD_DIM};
        int bytes = KV_HEADS * length * HEAD_DIM * (fp16 ? 2 : 4);
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        return OnnxTensor.createTensor(env, buffer, shape, fp16 ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT);
    }

    /** transformers' RepetitionPenaltyLogitsProcessor: every id seen so far, the prompt's included. */
    static float[] penalize(float[] logits, List<Long> seen, double penalty) {
        if (penalty == 1.0) {
            return logits;
        }
        for (long id : new LinkedHashSet<>(seen)) {
            float s = logits[(int) id];
            logits[(int) id] = (float) (s < 0 ? s * penalty : s / penalty);
        }
        return logits;
    }

    static long argmax(float[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }
}
