package dev.agentrt.inference;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.ModelException;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.Media;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ModelReachability;
import dev.agentrt.core.model.ResponseFormat;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.inference.internal.Djl;
import dev.agentrt.inference.internal.NativeGuard;
import dev.agentrt.inference.internal.chat.ByteLevelText;
import dev.agentrt.inference.internal.chat.CacheShape;
import dev.agentrt.inference.internal.chat.ChatTemplate;
import dev.agentrt.inference.internal.chat.DecoderSession;
import dev.agentrt.inference.internal.chat.Generation;
import dev.agentrt.inference.internal.chat.IncrementalDecoder;
import dev.agentrt.inference.internal.chat.LogitsProcessors;
import dev.agentrt.inference.internal.chat.ModelDirectory;
import dev.agentrt.inference.internal.chat.SamplingSettings;
import dev.agentrt.inference.internal.chat.TokenText;
import dev.agentrt.inference.internal.chat.ToolPrompt;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A chat model that runs in the JVM: a causal language model exported for ONNX Runtime, its
 * {@code tokenizer.json} and its chat template, through DJL (ONNX Runtime engine, Hugging Face
 * tokenizers), with no server and no network.
 *
 * <pre>{@code
 * try (LocalChatModel model = LocalChatModel.builder()
 *         .modelPath(Path.of("models/qwen2.5-0.5b-instruct-onnx"))
 *         .maxTokens(512)
 *         .build()) {
 *     Agent agent = Agent.builder().model(model).tools(myTools).build();
 *     String answer = agent.task("What time is it in Paris?").executeBlocking().text();
 * }
 * }</pre>
 *
 * <p><b>The model directory</b> is what {@code optimum-cli export onnx --task
 * text-generation-with-past} writes: {@code model.onnx} (a decoder taking {@code input_ids},
 * {@code attention_mask}, optionally {@code position_ids}, and {@code past_key_values.{i}.key|value}
 * {@code [batch, heads, past, headDim]}; giving {@code logits} and {@code present.{i}.key|value}),
 * {@code config.json} (the cache shape), {@code tokenizer.json}, {@code tokenizer_config.json}
 * ({@code bos_token}, {@code eos_token}, the Jinja {@code chat_template}) and, if present,
 * {@code chat_template.jinja} and {@code additional_chat_templates/<name>.jinja} (read as
 * transformers reads them: the {@code .jinja} file before {@code tokenizer_config.json}'s template,
 * {@code tool_use} for requests with tools; see {@link Builder#chatTemplateName}) and
 * {@code generation_config.json} (more end-of-reply token ids, {@code max_new_tokens}, the model's
 * sampling defaults, and the processors transformers applies whatever the sampling:
 * {@code repetition_penalty} over the prompt and the reply, {@code no_repeat_ngram_size},
 * {@code min_new_tokens}, {@code min_length}, and {@code min_p} when sampling; beam search and
 * rarer processors are not applied). The graph may also be Optimum's legacy
 * {@code decoder_model_merged.onnx} or pair {@code decoder_model.onnx} +
 * {@code decoder_with_past_model.onnx}, or an onnx-community {@code onnx/model*.onnx} (see
 * {@link Builder#modelFile}), in float32, float16 or bfloat16 (the cache is kept in the graph's own
 * type). {@link Builder#build()} fails with a {@link ModelException} naming the file when one is
 * missing, malformed, or does not fit the others.
 *
 * <p><b>Generation.</b> The prompt is the chat template rendered as Hugging Face transformers does
 * (request tools passed as {@code tools}); as in Optimum's runtime it goes through the graph in one
 * run, then each token in one run with the KV cache. Tokens are chosen greedily (temperature 0) or
 * sampled with temperature, top-k and top-p from a seeded generator, and streamed as
 * {@link ChatEvent.TextDelta}s. A reply ends at an end-of-reply token ({@code STOP}), a stop
 * sequence ({@code STOP_SEQUENCE}, the sequence itself not emitted), or {@code maxTokens} or the
 * context length ({@code LENGTH}). Per-request {@link ChatOptions} override the builder's settings,
 * which override the model's {@code generation_config.json}. When the request has tools,
 * {@code <tool_call>{json}</tool_call>} blocks and a reply that is a bare JSON call become
 * {@link ChatEvent.ToolCallDelta}s (finish reason {@code TOOL_CALLS}); text that is not a complete
 * call stays text. A template that ignores tools fails such requests unless
 * {@link Builder#toolsInSystemPrompt(boolean)} is set. A {@link ChatOptions#responseFormat()} is
 * answered through a final-answer tool (see {@link #supportsResponseFormat()}).
 *
 * <p><b>Threading and concurrency.</b> Thread-safe: one instance serves any number of concurrent
 * requests. The ONNX Runtime session, tokenizer and template are shared (all thread-safe); each
 * request has its own KV cache, sampler and text state. Each request takes a worker of
 * {@link AgentSchedulers#compute()} (bounded to the cores; {@link Builder#scheduler} chooses another) and
 * generates on it only while the subscriber wants more, one token per task (several while each takes well
 * under a millisecond, as a tiny model's do): requests beyond the number of cores queue on the workers and
 * take turns between tokens, nothing runs on the subscriber's thread, a slow subscriber holds
 * no thread, and cancelling stops the generation before its next token and frees its cache. Each
 * running request holds its cache (layers x 2 x heads x tokens x headDim floats) until it ends.
 * {@link #stream} is cold: nothing happens before subscription. {@link Builder#build()} and
 * {@link #close()} block.
 *
 * <p><b>DJL set-up.</b> As {@link LocalEmbeddingModel}: {@code ai.djl.offline=true} unless set, the
 * natives from their Maven jars, the ONNX Runtime engine selected by name. The tokenizer is DJL's;
 * the graph runs on ONNX Runtime's own API, in the environment DJL's engine created, with nothing
 * between a step and {@code OrtSession.run} but its input tensors.
 */
public final class LocalChatModel implements ChatModel, AutoCloseable {
    static {
        Djl.prepare();
    }

    /** The default {@link Builder#maxTokens(int)}. */
    public static final int DEFAULT_MAX_TOKENS = 1024;

    private final String name;
    private final DecoderSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final ChatTemplate template;
    private final Set<Long> endTokens;
    private final SamplingSettings modelSampling;
    private final LogitsProcessors processors;
    private final boolean templateIgnoresTools;
    private final Settings settings;
    private final int contextLength;
    private final NativeGuard guard;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong tokens = new AtomicLong();
    private final Generation.Host host;

    private record Settings(int maxTokens, @Nullable Double temperature, @Nullable Double topP,
            @Nullable Integer topK, @Nullable Long seed, List<String> stopSequences, boolean kvCache,
            boolean toolsInSystemPrompt, Scheduler scheduler) {}

    private LocalChatModel(String name, DecoderSession session, HuggingFaceTokenizer tokenizer, ChatTemplate template,
            boolean templateIgnoresTools, Set<Long> endTokens, SamplingSettings modelSampling,
            LogitsProcessors processors, Settings settings, int contextLength, @Nullable ByteLevelText byteLevel) {
        this.name = name;
        this.guard = new NativeGuard(() -> new ModelException("LocalChatModel " + name + " is closed"));
        this.session = session;
        this.tokenizer = tokenizer;
        this.template = template;
        this.endTokens = Set.copyOf(endTokens);
        this.modelSampling = modelSampling;
        this.processors = processors;
        this.templateIgnoresTools = templateIgnoresTools;
        this.settings = settings;
        this.contextLength = contextLength;
        Function<long[], String> decode = ids -> tokenizer.decode(ids, true);
        // Byte-level tokenizers are decoded in Java, as the tokenizer would: no native calls per token.
        Supplier<TokenText> text = byteLevel != null ? byteLevel::stream : () -> new IncrementalDecoder(decode);
        this.host = new Generation.Host() {
            @Override
            public DecoderSession session() {
                return session;
            }

            @Override
            public TokenText text() {
                return text.get();
            }

            @Override
            public Set<Long> endTokens() {
                return LocalChatModel.this.endTokens;
            }

            @Override
            public <T> T whileOpen(Supplier<T> action) {
                return read(action);
            }

            @Override
            public void started() {
                active.incrementAndGet();
            }

            @Override
            public void tokenGenerated() {
                tokens.incrementAndGet();
            }

            @Override
            public void ended() {
                active.decrementAndGet();
            }
        };
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Streams the reply to {@code request}: text deltas as tokens are generated, then any tool
     * calls, a usage report and one finish event. Cold; the work runs on
     * {@link AgentSchedulers#compute()} or the {@link Builder#scheduler} chosen; cancelling stops
     * generation before the next token. A template that refuses the conversation, a prompt longer
     * than the context, or an inference failure ends the stream with a {@link ModelException}.
     */
    @Override
    public Flux<ChatEvent> stream(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        return Flux.create(sink -> start(request, sink), FluxSink.OverflowStrategy.BUFFER);
    }

    private void start(ChatRequest request, FluxSink<ChatEvent> sink) {
        ChatOptions options = request.options();
        double temperature = firstNonNull(options.temperature(), settings.temperature(), modelSampling.temperature());
        double topP = firstNonNull(options.topP(), settings.topP(), modelSampling.topP());
        int topK = settings.topK() != null ? settings.topK() : modelSampling.topK();
        SamplingSettings sampling;
        try {
            sampling = new SamplingSettings(temperature, topP, topK, modelSampling.minP());
        } catch (IllegalArgumentException e) {
            sink.error(e);
            return;
        }
        List<String> stops = new ArrayList<>(settings.stopSequences());
        stops.addAll(options.stopSequences());
        int maxTokens = options.maxTokens() != null ? options.maxTokens() : settings.maxTokens();
        long seed = settings.seed() != null ? settings.seed() : ThreadLocalRandom.current().nextLong();
        String answerTool = answerTool(request);
        List<ToolSpec> tools = tools(request, answerTool);
        if (!tools.isEmpty() && templateIgnoresTools && !settings.toolsInSystemPrompt()) {
            sink.error(new ModelException("the chat template of " + name + " ignores tools, so the model would"
                    + " never see the request's " + tools.size() + " tool(s)" + (answerTool != null
                            ? " (the responseFormat is given to local models as a tool)"
                            : "")
                    + "; build the model with LocalChatModel.Builder.toolsInSystemPrompt(true) to describe them in"
                    + " the system prompt, or use a model trained for tool use", 0, null, false, null));
            return;
        }
        Supplier<long[]> prompt = () -> tokenizer.encode(render(request.messages(), tools), false, false).getIds();
        var plan = new Generation.Plan(prompt, sampling, processors, seed, maxTokens, contextLength,
                List.copyOf(stops), !tools.isEmpty(), settings.kvCache(), answerTool);
        new Generation(host, plan, sink, settings.scheduler());
    }

    /** The name of the tool standing for the request's responseFormat, unique among its tools. */
    private static @Nullable String answerTool(ChatRequest request) {
        if (request.options().responseFormat() == null) {
            return null;
        }
        String name = "final_answer";
        for (int n = 1;; n++) {
            String candidate = name;
            if (request.tools().stream().noneMatch(t -> t.name().equals(candidate))) {
                return candidate;
            }
            name = "final_answer_" + n;
        }
    }

    private static List<ToolSpec> tools(ChatRequest request, @Nullable String answerTool) {
        ResponseFormat format = request.options().responseFormat();
        if (answerTool == null || format == null) {
            return request.tools();
        }
        List<ToolSpec> all = new ArrayList<>(request.tools());
        all.add(new ToolSpec(answerTool, "Gives the final answer. Call it exactly once, when you have the answer;"
                + " its arguments are the answer.", format.schema()));
        return List.copyOf(all);
    }

    private String render(List<Message> messages, List<ToolSpec> tools) {
        for (Message m : messages) {
            List<Media> media = m instanceof Message.User u
                    ? u.media()
                    : m instanceof Message.ToolResult r ? r.media() : List.of();
            if (!media.isEmpty()) {
                // Never drop them silently: the model would answer about a picture it never saw.
                throw new ModelException("LocalChatModel " + name + " takes text only: the request holds "
                        + media.get(0).mimeType() + " " + media.get(0).kind() + "; use a hosted model that takes it",
                        0, null, false, null);
            }
        }
        try {
            if (!tools.isEmpty() && templateIgnoresTools && settings.toolsInSystemPrompt()) {
                return template.render(ToolPrompt.rewrite(messages, tools), List.of());
            }
            return template.render(messages, tools);
        } catch (IllegalArgumentException e) {
            throw new ModelException(e.getMessage() == null ? "the chat template failed" : e.getMessage(), 0, null,
                    false, e);
        }
    }

    /**
     * The prompt this model would generate from for {@code messages} and the request's tools: the
     * chat template's output, before tokenisation. Useful to check a model's template.
     */
    public String renderPrompt(ChatRequest request) {
        return read(() -> render(request.messages(), tools(request, answerTool(request))));
    }

    /**
     * False: a local model has no native structured-output mode that constrains decoding to a
     * schema. A request whose {@link ChatOptions#responseFormat()} is set is still answered in the
     * format, through a final-answer tool as the agent loop does for such models: the tool (named
     * {@code final_answer}, or {@code final_answer_1}... when the request has a tool of that name)
     * is added to the request's tools with the format's schema as its parameters, and when the
     * model calls it the call's arguments become the reply's text (finish reason {@code STOP}).
     */
    @Override
    public boolean supportsResponseFormat() {
        return false;
    }

    /**
     * Whether the model's chat template ignores the {@code tools} it is given (SmolLM2, Phi-3 ...):
     * found at build time by rendering a conversation with and without a tool. A request with
     * tools to such a model fails unless {@link Builder#toolsInSystemPrompt(boolean)} is set.
     */
    public boolean templateIgnoresTools() {
        return templateIgnoresTools;
    }

    /** Requests being generated right now. */
    public int activeGenerations() {
        return active.get();
    }

    /** Tokens generated by this instance since it was built, over all requests. */
    public long generatedTokens() {
        return tokens.get();
    }

    /** Key/value caches not yet freed (package-private: tests check that every reply frees its own). */
    int liveCaches() {
        return session.liveCaches();
    }

    /** The vocabulary size of the model's logits. */
    public int vocabularySize() {
        return session.vocabWidth();
    }

    /**
     * Up while the model is open (it runs in this process: nothing to reach), down once {@link #close()}d. Looks on
     * {@code AgentSchedulers.blocking()}, since it waits while a close is freeing the session.
     */
    @Override
    public Mono<ModelReachability> reachability() {
        return Mono.fromCallable(() -> guard.read(() -> ModelReachability.up("in process: " + name)))
                .subscribeOn(AgentSchedulers.blocking())
                .onErrorResume(ModelException.class, closed -> Mono.just(ModelReachability.down(closed.getMessage(),
                        0)));
    }

    /**
     * Frees the native session and tokenizer once running tokens finish; later requests fail. Idempotent. Blocks
     * until then, except when called from inside one of this model's own streams (a subscriber's callback, which
     * runs on the generating thread, or {@code Mono.using}'s clean-up): it cannot wait for its own step, so it
     * returns at once and the last running step frees them as it ends.
     */
    @Override
    public void close() {
        guard.close(() -> {
            session.close();
            tokenizer.close();
        });
    }

    @Override
    public String toString() {
        return "LocalChatModel[" + name + ", vocabulary " + session.vocabWidth() + ", context " + contextLength + "]";
    }

    private <T> T read(Supplier<T> action) {
        return guard.read(action);
    }

    private static double firstNonNull(@Nullable Double a, @Nullable Double b, double c) {
        return a != null ? a : b != null ? b : c;
    }

    /**
     * Configures a {@link LocalChatModel}; {@link #modelPath} is required. Unset sampling settings
     * come from the model's {@code generation_config.json} when it samples by default, otherwise
     * decoding is greedy.
     */
    public static final class Builder {
        private @Nullable Path directory;
        private @Nullable String modelFile;
        private @Nullable String chatTemplateName;
        private boolean toolsInSystemPrompt;
        private @Nullable Double repetitionPenalty;
        private @Nullable Integer maxTokens;
        private @Nullable Double temperature;
        private @Nullable Double topP;
        private @Nullable Integer topK;
        private @Nullable Long seed;
        private List<String> stopSequences = List.of();
        private @Nullable String chatTemplate;
        private boolean kvCache = true;
        private Scheduler scheduler = AgentSchedulers.compute();

        private Builder() {}

        /** The exported model's directory (see the class comment for what it holds). */
        public Builder modelPath(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * The graph to run, relative to {@link #modelPath}, e.g. {@code onnx/model_q4.onnx} of an
         * onnx-community export, or {@code decoder_with_past_model.onnx} of the legacy pair (its
         * {@code decoder_model.onnx} then runs the prompt). Default: the first file present of
         * {@code model.onnx}, {@code decoder_model_merged.onnx}, {@code onnx/model.onnx},
         * {@code onnx/model_fp16.onnx}, {@code onnx/model_quantized.onnx}, {@code onnx/model_int8.onnx},
         * {@code onnx/model_uint8.onnx}, {@code onnx/model_q4.onnx}, {@code onnx/model_q4f16.onnx},
         * {@code onnx/model_bnb4.onnx}, {@code onnx/decoder_model_merged.onnx} (and its
         * {@code _fp16}, {@code _quantized} variants), then the legacy pair.
         */
        public Builder modelFile(String relativePath) {
            this.modelFile = Objects.requireNonNull(relativePath, "relativePath");
            return this;
        }

        /**
         * Renders with the model's chat template of this name (one of {@code tokenizer_config.json}'s
         * named templates or {@code additional_chat_templates/<name>.jinja}, e.g. {@code tool_use})
         * for every request. Without it the template is chosen as transformers chooses it:
         * {@code tool_use} for a request with tools when the model has one, otherwise the default
         * ({@code chat_template.jinja} before {@code tokenizer_config.json}'s).
         */
        public Builder chatTemplateName(String name) {
            this.chatTemplateName = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * For a model whose chat template ignores tools ({@link LocalChatModel#templateIgnoresTools()}):
         * describe a request's tools in the system prompt instead of failing the request. The
         * tools are listed as JSON in a {@code # Tools} section asking for
         * {@code <tool_call>{"name": ..., "arguments": ...}</tool_call>} blocks (Qwen2.5's format),
         * earlier calls are written as such blocks in the assistant turns and tool results as user
         * turns {@code <tool_response>\n...\n</tool_response>}. Off by default. Has no effect on
         * a template that renders tools.
         */
        public Builder toolsInSystemPrompt(boolean toolsInSystemPrompt) {
            this.toolsInSystemPrompt = toolsInSystemPrompt;
            return this;
        }

        /**
         * The most tokens a reply may have unless the request says otherwise; default
         * {@code generation_config.json}'s {@code max_new_tokens}, else {@value LocalChatModel#DEFAULT_MAX_TOKENS}.
         */
        public Builder maxTokens(int maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        /** Sampling temperature; 0 decodes greedily. */
        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /** Nucleus sampling: keep the most likely tokens up to this total probability, in (0, 1]. */
        public Builder topP(double topP) {
            this.topP = topP;
            return this;
        }

        /** Sample from at most this many most likely tokens; 0 for no limit (default 50, as transformers). */
        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        /**
         * Seeds sampling: every request starts its random generator from this seed, so the same
         * request gives the same reply. Without it each request draws a fresh seed.
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Sequences that end every reply, in addition to each request's own. */
        public Builder stopSequences(List<String> stopSequences) {
            this.stopSequences = List.copyOf(stopSequences);
            return this;
        }

        /** A Jinja chat template to use instead of the model's own. */
        public Builder chatTemplate(String chatTemplate) {
            this.chatTemplate = Objects.requireNonNull(chatTemplate, "chatTemplate");
            return this;
        }

        /**
         * transformers' {@code repetition_penalty} for every request instead of
         * {@code generation_config.json}'s: a token already in the prompt or the reply has its
         * positive logit divided by it and its negative logit multiplied by it; 1 for none.
         */
        public Builder repetitionPenalty(double repetitionPenalty) {
            if (!(repetitionPenalty > 0) || !Double.isFinite(repetitionPenalty)) {
                throw new IllegalArgumentException("repetitionPenalty must be a positive number, was "
                        + repetitionPenalty);
            }
            this.repetitionPenalty = repetitionPenalty;
            return this;
        }

        /**
         * Whether to keep the key/value cache between tokens (default). Without it every token runs
         * the whole sequence through the model again: quadratic, for checking a model export.
         */
        public Builder kvCache(boolean kvCache) {
            this.kvCache = kvCache;
            return this;
        }

        /**
         * Where generation runs: {@link AgentSchedulers#compute()} by default, shared with the
         * runtime's other CPU work (WASM) and bounded to the cores. An application may give local
         * inference a pool of its own (for example {@code Schedulers.newBoundedElastic(1, …)} to keep
         * a core for everything else); each request then takes a worker of that scheduler.
         *
         * <p>{@link Schedulers#immediate()} generates on the thread that subscribes (and on a thread
         * that later asks for more): for an application that blocks on the reply anyway, a batch job
         * or a servlet thread, it saves the hand-off to a worker and back (tens of microseconds, which
         * matters only for a very small model). Nothing then bounds how many generations run at once
         * but the application's own threads, and subscribing runs the generation before
         * {@code subscribe} returns. A non-blocking thread (a Reactor event loop) or a virtual thread
         * never computes: a generation asked for from one goes to {@link AgentSchedulers#compute()}, so
         * such a model also works inside an agent, whose steps run on those threads.
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Reads the model directory, loads the tokenizer and the graph and runs one token through
         * it; blocking, so call it at start-up or on a thread that may block.
         *
         * @throws IllegalArgumentException for a setting out of range or a missing modelPath
         * @throws ModelException when a file is missing, malformed or does not fit the others, naming it
         */
        public LocalChatModel build() {
            Path dir = directory;
            if (dir == null) {
                throw new IllegalArgumentException("modelPath is required: the directory of an exported model");
            }
            if (maxTokens != null && maxTokens < 1) {
                throw new IllegalArgumentException("maxTokens must be >= 1, was " + maxTokens);
            }
            new SamplingSettings(temperature != null ? temperature : 0, topP != null ? topP : 1,
                    topK != null ? topK : 0);
            for (String stop : stopSequences) {
                if (stop.isEmpty()) {
                    throw new IllegalArgumentException("stopSequences must not contain an empty string");
                }
            }
            ModelDirectory files = ModelDirectory.open(dir, modelFile);
            CacheShape cacheShape = files.cacheShape();
            ChatTemplate template = template(files);
            boolean ignoresTools = ignoresTools(template);
            LogitsProcessors processors = files.logitsProcessors();
            if (repetitionPenalty != null) {
                processors = new LogitsProcessors(repetitionPenalty, processors.noRepeatNgramSize(),
                        processors.minNewTokens(), processors.minLength());
            }
            SamplingSettings sampling = files.defaultSampling();
            int replyTokens = maxTokens != null ? maxTokens : files.maxNewTokens().orElse(DEFAULT_MAX_TOKENS);
            Set<Long> endTokens = files.endTokenIds();
            if (endTokens.isEmpty()) {
                throw new ModelLoadException(files.tokenizerConfigFile() + " names no eos_token (nor do config.json"
                        + " and generation_config.json give an eos_token_id): a reply would never end");
            }
            HuggingFaceTokenizer tokenizer;
            try (InputStream in = Files.newInputStream(files.tokenizer())) {
                tokenizer = HuggingFaceTokenizer.newInstance(in,
                        Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
            } catch (IOException | RuntimeException e) {
                throw new ModelLoadException("cannot load the tokenizer " + files.tokenizer() + ": " + e.getMessage(),
                        e);
            }
            DecoderSession session;
            try {
                session = DecoderSession.load(files, cacheShape);
            } catch (RuntimeException e) {
                tokenizer.close();
                throw e;
            }
            try {
                long vocabulary = files.vocabulary().size();
                if (vocabulary > session.vocabWidth()) {
                    throw new ModelLoadException(
                            files.tokenizer() + " has " + vocabulary + " token ids but the logits of "
                                    + session.file() + " cover " + session.vocabWidth()
                                    + ": the tokenizer and the model are not from the same export");
                }
                for (long id : endTokens) {
                    if (id < 0 || id >= session.vocabWidth()) {
                        throw new ModelLoadException("end-of-reply token id " + id + " (from " + files.dir()
                                + ") is outside the logits of " + session.file() + " (" + session.vocabWidth() + ")");
                    }
                }
                int context = files.contextLength().orElse(Integer.MAX_VALUE);
                Settings settings = new Settings(replyTokens, temperature, topP, topK, seed, stopSequences, kvCache,
                        toolsInSystemPrompt, scheduler);
                return new LocalChatModel(dir.toString(), session, tokenizer, template, ignoresTools, endTokens,
                        sampling, processors, settings, context, files.vocabulary().byteLevel());
            } catch (RuntimeException e) {
                session.close();
                tokenizer.close();
                throw e;
            }
        }

        private ChatTemplate template(ModelDirectory files) {
            String source = chatTemplate != null
                    ? "LocalChatModel.Builder.chatTemplate"
                    : files.chatTemplateFile(chatTemplateName, false).toString();
            String plain = chatTemplate != null ? chatTemplate : files.chatTemplate(chatTemplateName, false);
            String withTools = chatTemplate != null ? chatTemplate : files.chatTemplate(chatTemplateName, true);
            Map<String, String> special = new HashMap<>();
            for (String key : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
                String token = files.specialToken(key);
                if (token != null) {
                    special.put(key, token);
                }
            }
            ChatTemplate template = new ChatTemplate(plain, withTools.equals(plain) ? null : withTools, special,
                    source);
            try {
                // A template that cannot render one user turn is a broken file, found now. (A system
                // turn is not tried: some templates refuse it, a per-request error.)
                template.render(List.of(Message.user("Hello")), List.of());
            } catch (IllegalArgumentException e) {
                throw new ModelLoadException(e.getMessage(), e);
            }
            return template;
        }

        /**
         * Whether the template renders a conversation the same with and without a tool: then it
         * ignores tools, and a request's tools would silently never reach the model.
         */
        private static boolean ignoresTools(ChatTemplate template) {
            List<Message> probe = List.of(Message.user("What is the weather in Paris?"));
            ToolSpec tool = new ToolSpec("get_weather", "Gets the current weather in a city.",
                    JsonObject.builder()
                            .put("type", "object")
                            .put("properties", JsonObject.builder()
                                    .put("city", JsonObject.builder().put("type", "string").build())
                                    .build())
                            .put("required", List.of("city"))
                            .build());
            try {
                return template.render(probe, List.of()).equals(template.render(probe, List.of(tool)));
            } catch (IllegalArgumentException e) {
                // A template that refuses tools outright does not drop them silently: requests with
                // tools fail with its own message.
                return false;
            }
        }
    }
}
