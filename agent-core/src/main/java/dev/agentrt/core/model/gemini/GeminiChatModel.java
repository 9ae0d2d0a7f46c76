package dev.agentrt.core.model.gemini;

import dev.agentrt.core.internal.provider.HostedClient;
import dev.agentrt.core.internal.provider.HostedOptions;
import dev.agentrt.core.internal.provider.HostedSettings;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.HostedChatModel;
import dev.agentrt.core.model.HostedModelBuilder;
import dev.agentrt.core.model.ModelPrices;
import dev.agentrt.core.model.ModelReachability;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A client for the Google Gemini API ({@code generateContent}), natively.
 *
 * <pre>{@code
 * ChatModel gemini = GeminiChatModel.builder().model("gemini-2.5-flash").build();   // key from GEMINI_API_KEY
 * ChatModel thinking = GeminiChatModel.builder().model("gemini-2.5-pro")
 *         .thinkingBudget(4096).includeThoughts(true).build();
 * }</pre>
 *
 * <p>Replies stream from {@code models/{model}:streamGenerateContent?alt=sse} as server-sent events,
 * each a whole {@code GenerateContentResponse} chunk, over the JDK {@code HttpClient},
 * asynchronously; {@link #call} posts to {@code :generateContent}. The stream has no final event: a
 * body that ends after a chunk with a {@code finishReason} is a whole reply, one that ends without
 * any is an error. Each function call arrives whole (parallel calls are several parts); calls the
 * API sends without an id get one of their own, and a tool result goes back as a
 * {@code functionResponse} part naming the function. System messages become the
 * {@code systemInstruction}; consecutive tool results become one user turn, as the API requires.
 * Structured output uses {@code responseMimeType} {@code application/json} with the JSON Schema as
 * {@code responseJsonSchema}; tool parameters go as {@code parametersJsonSchema}, so both keep the
 * whole JSON Schema rather than the OpenAPI subset.
 *
 * <p>Thinking: the model's default unless {@link Builder#thinkingBudget} or
 * {@link Builder#includeThoughts} is set. Thought summaries stream as
 * {@link ChatEvent.ReasoningDelta}s, apart from the text; the {@code thoughtSignature}s on the parts
 * of a reply are kept in the assistant message's {@link dev.agentrt.core.model.Reasoning reasoning}
 * (provider {@code "gemini"}) and sent back on the same parts of the model turn, as the API requires
 * when thinking models call functions.
 *
 * <p>Outcomes: a reply stopped by a safety, recitation or blocklist filter finishes with
 * {@link dev.agentrt.core.model.FinishReason#CONTENT_FILTER}, keeping what was generated; a prompt the
 * API blocked ({@code promptFeedback.blockReason}, no candidate) fails with a non-retryable
 * {@link dev.agentrt.core.ModelException} naming the block reason, since asking again gets the same
 * answer; a malformed function call ({@code MALFORMED_FUNCTION_CALL}) fails with a retryable one, since
 * the model usually writes it right when asked again. 429 ({@code RESOURCE_EXHAUSTED}) and 500/503
 * ({@code UNAVAILABLE}, overloaded) are retried under the {@link dev.agentrt.core.model.RetryPolicy}.
 *
 * <p>Thread-safe; the API key is sent only in the {@code x-goog-api-key} header, never in the URL,
 * and never appears in a message, an exception or {@link #toString()}.
 */
public final class GeminiChatModel implements HostedChatModel {
    /** The Gemini API; {@code GEMINI_BASE_URL} overrides it when no base URL is set. */
    public static final String DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";
    /** A thinking budget that lets the model decide how much to think. */
    public static final int DYNAMIC_THINKING = -1;

    /** A model name, or a resource name ({@code models/...}, {@code tunedModels/...}); nothing that leaves the path. */
    private static final Pattern MODEL = Pattern.compile("(?:(?:models|tunedModels)/)?[A-Za-z0-9][A-Za-z0-9._-]*");

    private final HostedOptions options;
    private final Thinking thinking;
    private final HostedClient client;

    /** Thinking settings; a null budget and no thoughts leave the model's default. */
    record Thinking(@Nullable Integer budgetTokens, boolean includeThoughts) {
        static final Thinking DEFAULT = new Thinking(null, false);

        boolean set() {
            return budgetTokens != null || includeThoughts;
        }
    }

    private GeminiChatModel(HostedOptions snapshot, HostedSettings s, Thinking thinking) {
        if (s.apiKey() == null && "generativelanguage.googleapis.com".equalsIgnoreCase(s.baseUrl().getHost())) {
            throw new IllegalArgumentException(
                    "the Gemini API needs an API key: set apiKey(...), GEMINI_API_KEY or GOOGLE_API_KEY");
        }
        if (!MODEL.matcher(s.model()).matches()) {
            throw new IllegalArgumentException("model must be a Gemini model name such as gemini-2.5-flash"
                    + " (letters, digits, '.', '_' and '-', optionally after models/ or tunedModels/): '"
                    + s.model() + "'");
        }
        this.options = snapshot;
        this.thinking = thinking;
        HostedSettings settings = s.price() != null
                ? s
                : s.withPrice(ModelPrices.lookup("gemini", s.model()).orElse(null));
        String resource = "/v1beta/" + (s.model().contains("/") ? s.model() : "models/" + s.model());
        this.client = new HostedClient(settings,
                new HostedClient.Api("Gemini", resource + ":streamGenerateContent?alt=sse",
                        resource + ":generateContent", "text/event-stream", "x-goog-api-key", "", Map.of()),
                http -> new GeminiCodec(http, settings, thinking));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this model's settings, for a variant. */
    public Builder toBuilder() {
        var builder = new Builder();
        HostedOptions.of(builder).copyFrom(options);
        builder.thinkingBudget = thinking.budgetTokens();
        builder.includeThoughts = thinking.includeThoughts();
        return builder;
    }

    @Override
    public String modelName() {
        return client.modelName();
    }

    @Override
    public URI baseUrl() {
        return client.baseUrl();
    }

    @Override
    public boolean supportsResponseFormat() {
        return client.supportsResponseFormat();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Subscribing only schedules the request: its body is built and sent on Reactor's parallel
     * scheduler, and the events arrive there too, never on the HTTP client's threads.
     */
    @Override
    public Flux<ChatEvent> stream(ChatRequest request) {
        return client.stream(request);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Sends a non-streamed request ({@code :generateContent}); as with {@link #stream}, the body is
     * built and sent, and the reply decoded and delivered, on Reactor's parallel scheduler.
     */
    @Override
    public Mono<ChatResponse> call(ChatRequest request) {
        return client.call(request);
    }

    /**
     * Asks the provider's model list, {@code GET /v1beta/models} with the key header, free: up when it answers with a model list, down (with the HTTP status, the
     * error's kind and never the key) otherwise. One request without retries, within the response
     * {@code timeout}; never billed.
     */
    @Override
    public Mono<ModelReachability> reachability() {
        return client.reachability("/v1beta/models", "models");
    }

    @Override
    public Flux<ChatEvent> replay(Publisher<ByteBuffer> body) {
        return client.replay(body);
    }

    @Override
    public String toString() {
        return client.describe("GeminiChatModel");
    }

    /** Builds a {@link GeminiChatModel}; {@code model} is required. Not thread-safe. */
    public static final class Builder extends HostedModelBuilder<Builder> {
        private @Nullable Integer thinkingBudget;
        private boolean includeThoughts;

        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * How many tokens the model may think for ({@code thinkingConfig.thinkingBudget}): a number of
         * tokens, 0 for no thinking (where the model allows it: 2.5 Pro always thinks), or
         * {@link #DYNAMIC_THINKING} to let the model decide. Unless set, the model's default. Thinking
         * tokens are billed as output.
         *
         * @throws IllegalArgumentException for a value below {@link #DYNAMIC_THINKING}
         */
        public Builder thinkingBudget(int budgetTokens) {
            if (budgetTokens < DYNAMIC_THINKING) {
                throw new IllegalArgumentException("a thinking budget must be a number of tokens, 0 (off) or "
                        + DYNAMIC_THINKING + " (dynamic), was " + budgetTokens);
            }
            this.thinkingBudget = budgetTokens;
            return this;
        }

        /**
         * Whether replies carry summaries of the model's thoughts
         * ({@code thinkingConfig.includeThoughts}): streamed as reasoning deltas and kept as the
         * reasoning's text. Off unless set.
         */
        public Builder includeThoughts(boolean include) {
            this.includeThoughts = include;
            return this;
        }

        /**
         * The model. The key is read from {@code GEMINI_API_KEY}, then {@code GOOGLE_API_KEY}, and the
         * base URL from {@code GEMINI_BASE_URL}, when not set here.
         *
         * @throws IllegalArgumentException when no model name was set, it is not a Gemini model name,
         *     or the Gemini API has no key
         */
        public GeminiChatModel build() {
            HostedOptions options = HostedOptions.of(this);
            HostedSettings s = options.resolve("GEMINI_API_KEY", "GEMINI_BASE_URL", DEFAULT_BASE_URL,
                    "gemini-2.5-flash");
            if (s.apiKey() == null) {
                // The second conventional name, under the same rule: only to Google's API or the URL the environment names.
                s = options.resolve("GOOGLE_API_KEY", "GEMINI_BASE_URL", DEFAULT_BASE_URL, "gemini-2.5-flash");
            }
            Thinking thinking = new Thinking(thinkingBudget, includeThoughts);
            return new GeminiChatModel(options.copy(), s, thinking.set() ? thinking : Thinking.DEFAULT);
        }
    }
}
