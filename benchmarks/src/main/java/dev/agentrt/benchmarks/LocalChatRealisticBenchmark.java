package dev.agentrt.benchmarks;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.inference.LocalChatModel;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
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
import java.util.concurrent.TimeUnit;

/**
 * {@code LocalChatModel} on the realistic test model, agent-inference's {@code tiny-qwen2/optimum-fp32} (a Qwen2
 * decoder: RMSNorm, rotary embeddings, grouped-query attention, SwiGLU; 2 layers, hidden 64, vocabulary 768, 512
 * positions; Optimum's {@code model.onnx} layout), copied from the test-jar into a temp directory, against a bare
 * ONNX Runtime loop on the same file in the same JVM, with default session options on both sides (DJL passes none,
 * so both use ONNX Runtime's default thread pools on the shared environment).
 *
 * <p>{@code promptTokens} is the target prompt length: the conversation (a short system prompt and one user turn)
 * grows word by word until {@code LocalChatModel}'s rendered prompt reaches it; set-up prints the exact count. From
 * a 30-token prompt 32 tokens are generated, from a 500-token prompt 8 (the graph has 512 positions).
 *
 * <ul>
 *   <li>{@code agentrtGenerate}: {@code LocalChatModel.call}, greedy (temperature 0), {@code maxTokens} tokens:
 *       template, tokenizer, prefill, one run per token, detokenising, streaming.
 *   <li>{@code bareGenerate}: the same tokens from a plain loop as Optimum's runtime drives the graph: the rendered
 *       prompt (rendered once in set-up) encoded by the same {@code tokenizer.json}, the whole prompt in one run
 *       with an empty past, then one token per run with the {@code present} outputs fed back, arg-max over the last
 *       row of the logits (read through one copy, {@code getFloatBuffer}), the ids decoded at the end.
 *   <li>{@code agentrtFirstToken}, {@code bareFirstToken}: the same, until the first token: the first streamed
 *       event of a request with {@code maxTokens} 1 (set-up checks it is the first token's text; with one token the
 *       generation ends there, where cancelling a longer one would leave a step running into the next op), and
 *       the bare loop's first arg-max.
 *   <li>{@code agentrtGenerateOnCallerThread}, {@code agentrtFirstTokenOnCallerThread}: the same two through a
 *       {@code LocalChatModel} built with {@code scheduler(Schedulers.immediate())}, which generates on the thread
 *       that subscribes, as the bare loop does: against {@code agentrtGenerate} and {@code agentrtFirstToken} they
 *       show what the hand-off to a compute worker and back costs; against the bare loop, what the rest of
 *       {@code LocalChatModel} costs.
 *   <li>{@code bareFirstTokenCopyingAllLogits}: {@code bareFirstToken} with the prompt's logits for every position
 *       copied out twice (native to a byte buffer, then to a {@code float[]}, as DJL's {@code toFloatArray} in
 *       wave 1's {@code LocalChatModel}) before the last row is kept: the difference is the cost of issue 16's "logits for
 *       every prompt position are copied to keep the last row", small here because the vocabulary is 768 (1.5 MB
 *       of logits at 500 tokens) and 200 times that at Qwen2.5's 151,936.
 *   <li>{@code bareFirstTokenAsAgentrtPrefills}: the bare loop prefilling as wave 1's {@code LocalChatModel} did:
 *       chunks of 128 tokens, every position's logits copied twice (it now prefills the whole prompt in one run
 *       and reads only the last row, as {@code bareFirstToken}).
 *   <li>{@code renderTemplate}: {@code LocalChatModel.renderPrompt} for a multi-turn conversation with two tools,
 *       an assistant tool call and its result (Qwen2.5's chat template, through the model's template engine).
 * </ul>
 *
 * <p>Set-up checks that the bare loop generates exactly the ids {@code LocalChatModel} generates (with the
 * repetition penalty of {@code generation_config.json} if {@code LocalChatModel} applies it) and that no end token
 * cuts the reply short, so both sides do the same work.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LocalChatRealisticBenchmark {
    static final String RESOURCES = "/models/tiny-qwen2/optimum-fp32/";
    static final List<String> FILES = List.of("model.onnx", "config.json", "generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "chat_template.jinja", "special_tokens_map.json");
    /**
     * A directory with a larger model of the same kind to run on instead of the test model (made by
     * agent-inference's {@code src/test/python/make_bench_qwen2.py}); it is used in place, not copied or deleted.
     */
    static final String MODEL_PROPERTY = "agentrt.bench.qwen2";
    static final int PREFILL_CHUNK = 128;
    static final String WORDS = "the weather in Paris and Berlin this week is cold so pack a warm coat and convert"
            + " euros to dollars then write a short Python function that reads a JSON file and prints every key";

    @State(Scope.Benchmark)
    public static class Realistic {
        @Param({"30", "500"})
        public int promptTokens;

        @Nullable
        Path dir;
        @Nullable
        LocalChatModel model;
        /** The same model generating on the subscriber's thread ({@code Schedulers.immediate()}). */
        @Nullable
        LocalChatModel onCaller;
        @Nullable
        Bare bare;
        @Nullable
        ChatRequest request;
        @Nullable
        ChatRequest firstToken;

        @Setup
        public void setUp() throws IOException, OrtException {
            dir = copyModel();
            model = LocalChatModel.builder().modelPath(dir).build();
            onCaller = LocalChatModel.builder().modelPath(dir).scheduler(Schedulers.immediate()).build();
            int tokens = promptTokens <= 30 ? 32 : 8;
            try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                    Map.of("addSpecialTokens", "false"))) {
                request = grow(model, tokenizer, promptTokens, tokens);
                // maxTokens 1: the reply ends at its first token, so no cancelled step runs on into the next op
                firstToken = new ChatRequest(request.messages(), request.tools(), request.options().withMaxTokens(1));
                String rendered = model.renderPrompt(request);
                int length = tokenizer.encode(rendered, false, false).getIds().length;
                int positions = Shape.of(dir).positions();
                if (length + tokens > positions) {
                    throw new IllegalStateException(length + " prompt tokens + " + tokens + " > " + positions);
                }
                ChatResponse r = Objects.requireNonNull(model.call(request).block());
                if (r.usage().outputTokens() != tokens || r.finishReason() != FinishReason.LENGTH) {
                    throw new IllegalStateException("LocalChatModel did not generate " + tokens + " tokens: " + r);
                }
                ChatResponse onCallerReply = Objects.requireNonNull(onCaller.call(request).block());
                if (!onCallerReply.message().text().equals(r.message().text())) {
                    throw new IllegalStateException("on the caller's thread the reply differs: " + onCallerReply);
                }
                bare = Bare.matching(dir, rendered, tokens, r.message().text());
                long first = bare.generate(1, 0, false)[0];
                if (tokenizer.decode(new long[]{first}, true).isEmpty()) {
                    throw new IllegalStateException("the first token " + first + " has no text of its own: the first"
                            + " streamed event would not be the first token");
                }
                System.out.printf("%n[LocalChatRealisticBenchmark] prompt %d tokens (target %d), %d generated,"
                        + " repetition penalty %s%n", length, promptTokens, tokens, bare.penalty);
            }
        }

        @TearDown
        public void tearDown() throws IOException, OrtException {
            Objects.requireNonNull(bare).close();
            Objects.requireNonNull(model).close();
            Objects.requireNonNull(onCaller).close();
            deleteCopy(Objects.requireNonNull(dir));
        }
    }

    @State(Scope.Benchmark)
    public static class Conversation {
        @Nullable
        Path dir;
        @Nullable
        LocalChatModel model;
        @Nullable
        ChatRequest request;

        @Setup
        public void setUp() throws IOException {
            dir = copyModel();
            model = LocalChatModel.builder().modelPath(dir).build();
            ToolSpec weather = new ToolSpec("get_weather", "The current weather of a city.", JsonValue.parse("""
                    {"type": "object", "properties": {"city": {"type": "string", "description": "The city"},
                     "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}""")
                    .asObject());
            ToolSpec convert = new ToolSpec("convert_currency", "Converts an amount between currencies.",
                    JsonValue.parse("""
                            {"type": "object", "properties": {"amount": {"type": "number"},
                             "from": {"type": "string"}, "to": {"type": "string"}},
                             "required": ["amount", "from", "to"]}""").asObject());
            ToolCall call = new ToolCall("call_1", "get_weather", "{\"city\": \"Paris\", \"unit\": \"celsius\"}");
            request = new ChatRequest(List.of(
                    Message.system("You are a helpful assistant. Answer briefly."),
                    Message.user("What is the weather in Paris?"),
                    Message.assistant("", List.of(call)),
                    Message.toolResult(call, "{\"temperature\": 11.5, \"sky\": \"cloudy\"}", false),
                    Message.assistant("It is 11.5 degrees and cloudy in Paris."),
                    Message.user("And how much is 250 euros in dollars?")), List.of(weather, convert),
                    ChatOptions.DEFAULTS);
            String rendered = model.renderPrompt(request);
            System.out.printf("%n[LocalChatRealisticBenchmark] template renders %d characters%n", rendered.length());
        }

        @TearDown
        public void tearDown() throws IOException {
            Objects.requireNonNull(model).close();
            deleteCopy(Objects.requireNonNull(dir));
        }
    }

    /**
     * The test model from agent-inference's test-jar, in a temp directory; or the directory {@link #MODEL_PROPERTY}
     * names.
     */
    static Path copyModel() throws IOException {
        String given = System.getProperty(MODEL_PROPERTY);
        if (given != null) {
            System.out.printf("%n[LocalChatRealisticBenchmark] the model in %s%n", given);
            return Path.of(given);
        }
        Path dir = Files.createTempDirectory("agentrt-chat-bench-qwen2");
        for (String name : FILES) {
            try (InputStream in = Objects.requireNonNull(
                    LocalChatRealisticBenchmark.class.getResourceAsStream(RESOURCES + name),
                    RESOURCES + name + " is on the class path (agent-inference's test-jar)")) {
                Files.copy(in, dir.resolve(name));
            }
        }
        return dir;
    }

    /** Deletes a copy {@link #copyModel} made (not a directory the user named). */
    static void deleteCopy(Path dir) throws IOException {
        if (System.getProperty(MODEL_PROPERTY) == null) {
            LocalChatBenchmark.delete(dir);
        }
    }

    /** The graph's dimensions, from the model's {@code config.json}. */
    record Shape(int layers, int kvHeads, int headDim, int vocabulary, int positions) {
        static Shape of(Path dir) throws IOException {
            var c = JsonValue.parse(Files.readString(dir.resolve("config.json"))).asObject();
            return new Shape(number(c, "num_hidden_layers"), number(c, "num_key_value_heads"),
                    number(c, "hidden_size") / number(c, "num_attention_heads"), number(c, "vocab_size"),
                    number(c, "max_position_embeddings"));
        }

        private static int number(dev.agentrt.core.json.JsonObject config, String name) {
            return Math.toIntExact(config.getLong(name)
                    .orElseThrow(() -> new IllegalStateException("config.json has no " + name)));
        }
    }

    /** A system prompt and one user turn, the user text grown word by word until the rendered prompt has {@code target} tokens. */
    static ChatRequest grow(LocalChatModel model, HuggingFaceTokenizer tokenizer, int target, int tokens) {
        String[] words = WORDS.split(" ");
        StringBuilder text = new StringBuilder("Hi");
        ChatOptions options = ChatOptions.DEFAULTS.withMaxTokens(tokens).withTemperature(0.0);
        for (int i = 0;; i++) {
            ChatRequest request = new ChatRequest(
                    List.of(Message.system("Be brief."), Message.user(text.toString())), List.of(), options);
            if (tokenizer.encode(model.renderPrompt(request), false, false).getIds().length >= target) {
                return request;
            }
            text.append(' ').append(words[i % words.length]);
        }
    }

    /**
     * Greedy generation with nothing but {@code OrtSession.run}, as Optimum's {@code ORTModelForCausalLM} drives the
     * graph (see agent-inference's {@code TinyQwen2FilesTest}).
     */
    static final class Bare implements AutoCloseable {
        final OrtSession session;
        final HuggingFaceTokenizer tokenizer;
        final String prompt;
        final int tokens;
        final double penalty;
        final Shape shape;

        private Bare(OrtSession session, HuggingFaceTokenizer tokenizer, String prompt, int tokens, double penalty,
                Shape shape) {
            this.shape = shape;
            this.session = session;
            this.tokenizer = tokenizer;
            this.prompt = prompt;
            this.tokens = tokens;
            this.penalty = penalty;
        }

        /**
         * A bare loop on {@code dir}'s graph generating {@code expected}: greedy, or with the model's repetition
         * penalty if that is what {@code LocalChatModel} applies.
         */
        static Bare matching(Path dir, String prompt, int tokens, String expected) throws IOException, OrtException {
            // LocalChatModel is built first: DJL's ONNX engine initialises before this session's environment.
            OrtSession session = OrtEnvironment.getEnvironment()
                    .createSession(dir.resolve("model.onnx").toString(), new OrtSession.SessionOptions());
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                    Map.of("addSpecialTokens", "false"));
            double configured = JsonValue.parse(Files.readString(dir.resolve("generation_config.json")))
                    .asObject()
                    .getDouble("repetition_penalty")
                    .orElse(1.0);
            Shape shape = Shape.of(dir);
            List<String> seen = new ArrayList<>();
            for (double penalty : new LinkedHashSet<>(List.of(1.0, configured))) {
                Bare bare = new Bare(session, tokenizer, prompt, tokens, penalty, shape);
                String text = bare.text();
                if (text.equals(expected)) {
                    return bare;
                }
                seen.add("penalty " + penalty + ": " + text);
            }
            tokenizer.close();
            session.close();
            throw new IllegalStateException("the bare loop and LocalChatModel disagree:\n" + expected + "\n" + seen);
        }

        /** Encodes, generates {@link #tokens} ids, decodes: the whole bare generation. */
        String text() throws OrtException {
            return tokenizer.decode(generate(tokens, 0, false), true);
        }

        /**
         * Generates {@code count} ids from the encoded prompt, prefilling {@code chunk} tokens per run (0: the whole
         * prompt in one run). {@code copyAll}: every position's logits copied twice before the last row is kept, as
         * wave 1's {@code LocalChatModel} did; otherwise one copy ({@code getFloatBuffer}) and the last row read.
         */
        long[] generate(int count, int chunk, boolean copyAll) throws OrtException {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            long[] promptIds = tokenizer.encode(prompt, false, false).getIds();
            long[] sequence = Arrays.copyOf(promptIds, promptIds.length + count);
            int length = promptIds.length;
            int done = 0;
            long[] out = new long[count];
            Map<String, OnnxTensor> past = new HashMap<>();
            List<OnnxTensor> empty = new ArrayList<>();
            for (int i = 0; i < shape.layers(); i++) {
                for (String kind : List.of(".key", ".value")) {
                    empty.add(OnnxTensor.createTensor(env, FloatBuffer.allocate(0),
                            new long[]{1, shape.kvHeads(), 0, shape.headDim()}));
                    past.put("past_key_values." + i + kind, empty.getLast());
                }
            }
            OrtSession.Result previous = null;
            try {
                for (int step = 0; step < count; step++) {
                    float[] last = null;
                    while (done < length) {
                        int end = chunk > 0 ? Math.min(length, done + chunk) : length;
                        OrtSession.Result result = run(env, Arrays.copyOfRange(sequence, done, end), done, past);
                        done = end;
                        if (previous != null) {
                            previous.close();
                        } else {
                            empty.forEach(OnnxTensor::close);
                        }
                        previous = result;
                        for (int i = 0; i < shape.layers(); i++) {
                            for (String kind : List.of(".key", ".value")) {
                                past.put("past_key_values." + i + kind,
                                        (OnnxTensor) result.get("present." + i + kind).orElseThrow());
                            }
                        }
                        OnnxTensor logits = (OnnxTensor) result.get("logits").orElseThrow();
                        if (copyAll) {
                            // DJL's toFloatArray: native to a byte buffer, then to a float[] of every position
                            ByteBuffer bytes = logits.getByteBuffer();
                            float[] all = new float[bytes.remaining() / Float.BYTES];
                            bytes.asFloatBuffer().get(all);
                            last = Arrays.copyOfRange(all, all.length - shape.vocabulary(), all.length);
                        } else {
                            FloatBuffer all = logits.getFloatBuffer();
                            last = new float[shape.vocabulary()];
                            all.get(all.limit() - shape.vocabulary(), last);
                        }
                    }
                    int next = argMax(penalize(Objects.requireNonNull(last), sequence, length));
                    out[step] = next;
                    sequence[length++] = next;
                }
            } finally {
                if (previous != null) {
                    previous.close();
                } else {
                    empty.forEach(OnnxTensor::close);
                }
            }
            return out;
        }

        private OrtSession.Result run(OrtEnvironment env, long[] ids, int pastLength, Map<String, OnnxTensor> past)
                throws OrtException {
            long[] mask = new long[pastLength + ids.length];
            Arrays.fill(mask, 1);
            long[] positions = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                positions[i] = pastLength + i;
            }
            Map<String, OnnxTensor> inputs = new HashMap<>(past);
            try (OnnxTensor idTensor = OnnxTensor.createTensor(env, new long[][]{ids});
                    OnnxTensor maskTensor = OnnxTensor.createTensor(env, new long[][]{mask});
                    OnnxTensor positionTensor = OnnxTensor.createTensor(env, new long[][]{positions})) {
                inputs.put("input_ids", idTensor);
                inputs.put("attention_mask", maskTensor);
                inputs.put("position_ids", positionTensor);
                return session.run(inputs);
            }
        }

        /** transformers' repetition penalty over every id so far, the prompt's included; nothing at 1.0. */
        private float[] penalize(float[] logits, long[] sequence, int length) {
            if (penalty == 1.0) {
                return logits;
            }
            Set<Long> seen = new LinkedHashSet<>();
            for (int i = 0; i < length; i++) {
                seen.add(sequence[i]);
            }
            for (long id : seen) {
                float s = logits[(int) id];
                logits[(int) id] = (float) (s < 0 ? s * penalty : s / penalty);
            }
            return logits;
        }

        private static int argMax(float[] logits) {
            int best = 0;
            for (int i = 1; i < logits.length; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            return best;
        }

        @Override
        public void close() throws OrtException {
            tokenizer.close();
            session.close();
        }
    }

    @Benchmark
    public ChatResponse agentrtGenerate(Realistic r) {
        return Objects.requireNonNull(r.model).call(Objects.requireNonNull(r.request)).block();
    }

    @Benchmark
    public String bareGenerate(Realistic r) throws OrtException {
        return Objects.requireNonNull(r.bare).text();
    }

    @Benchmark
    public ChatEvent agentrtFirstToken(Realistic r) {
        return Objects.requireNonNull(r.model).stream(Objects.requireNonNull(r.firstToken)).blockFirst();
    }

    @Benchmark
    public ChatResponse agentrtGenerateOnCallerThread(Realistic r) {
        return Objects.requireNonNull(r.onCaller).call(Objects.requireNonNull(r.request)).block();
    }

    @Benchmark
    public ChatEvent agentrtFirstTokenOnCallerThread(Realistic r) {
        return Objects.requireNonNull(r.onCaller).stream(Objects.requireNonNull(r.firstToken)).blockFirst();
    }

    @Benchmark
    public long[] bareFirstToken(Realistic r) throws OrtException {
        return Objects.requireNonNull(r.bare).generate(1, 0, false);
    }

    @Benchmark
    public long[] bareFirstTokenCopyingAllLogits(Realistic r) throws OrtException {
        return Objects.requireNonNull(r.bare).generate(1, 0, true);
    }

    @Benchmark
    public long[] bareFirstTokenAsAgentrtPrefills(Realistic r) throws OrtException {
        return Objects.requireNonNull(r.bare).generate(1, PREFILL_CHUNK, true);
    }

    @Benchmark
    public String renderTemplate(Conversation c) {
        return Objects.requireNonNull(c.model).renderPrompt(Objects.requireNonNull(c.request));
    }
}
