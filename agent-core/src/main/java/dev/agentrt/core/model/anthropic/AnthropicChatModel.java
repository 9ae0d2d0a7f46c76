package dev.agentrt.core.model.anthropic;

import dev.agentrt.core.internal.provider.HostedClient;
import dev.agentrt.core.internal.provider.HostedOptions;
import dev.agentrt.core.internal.provider.HostedSettings;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.HostedChatModel;
import dev.agentrt.core.model.HostedModelBuilder;
import dev.agentrt.core.model.ModelPrice;
import dev.agentrt.core.model.ModelPrices;
import dev.agentrt.core.model.ModelReachability;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A client for Anthropic's Messages API (Claude).
 *
 * <pre>{@code
 * ChatModel claude = AnthropicChatModel.builder().model("claude-sonnet-4-5").build(); // key from ANTHROPIC_API_KEY
 * }</pre>
 *
 * <p>Replies stream as server-sent events ({@code message_start}, {@code content_block_start},
 * {@code content_block_delta} with {@code text_delta} or {@code input_json_delta},
 * {@code content_block_stop}, {@code message_delta}, {@code message_stop}; {@code ping} anywhere;
 * unknown events ignored) over the JDK {@code HttpClient}, asynchronously. A reply without
 * {@code message_stop} is an error, and so is an {@code error} event after the HTTP 200, or
 * arguments for a content block that never started. Each {@code content_block_start} begins a new
 * block even where a gateway reuses an index; a delta without an index belongs to the block that
 * started last.
 * System messages become the request's {@code system} text; consecutive tool results become one
 * user turn, as the API requires. Prompt caching is on by default ({@link PromptCaching}): an agent
 * loop's turns read the prefix the turn before wrote. Structured output uses {@code output_config.format} (turn it off
 * with {@code nativeStructuredOutput(false)} for models without it; the agent then uses a
 * final-answer tool). Extended thinking is off unless {@link Builder#thinking(int)} sets a budget; its
 * {@code thinking} and {@code redacted_thinking} blocks are kept in the assistant message's
 * {@link dev.agentrt.core.model.Reasoning reasoning}, with their signatures, and sent back unchanged
 * on later turns, as the API requires when thinking models use tools; readable thinking streams as
 * {@link ChatEvent.ReasoningDelta}s, apart from the text. Thread-safe; the API key is sent only in the {@code x-api-key} header and never
 * appears in a message, an exception or {@link #toString()}.
 */
public final class AnthropicChatModel implements HostedChatModel {
    /** The Anthropic API; {@code ANTHROPIC_BASE_URL} overrides it when no base URL is set. */
    public static final String DEFAULT_BASE_URL = "https://api.anthropic.com";
    /** The API version header sent with every request. */
    public static final String API_VERSION = "2023-06-01";
    /** The output limit when neither the builder nor the request sets one (the API requires a value). */
    public static final int DEFAULT_MAX_TOKENS = 8192;

    /**
     * Prompt caching: whether requests carry {@code cache_control} breakpoints, and how long the
     * cache entries they create live. The breakpoints go after the last tool definition, after the
     * system prompt, on the last block of the conversation and on the last block of the user turn
     * before it, so an agent loop's next turn reads the prefix this turn wrote (at most the API's
     * four). A prefix shorter than the model's minimum (1,024 to 4,096 tokens, depending on the
     * model) is not cached and costs nothing extra; a cached one costs more to write (1.25 times the
     * input price for five minutes, 2 times for an hour) and a tenth to read. Cache reads and writes
     * are reported in {@link dev.agentrt.core.model.Usage}. Where the one-hour lifetime is still a
     * beta (older gateways), add {@code header("anthropic-beta", "extended-cache-ttl-2025-04-11")}.
     */
    public enum PromptCaching {
        /** No breakpoints. */
        OFF,
        /** Breakpoints whose entries live five minutes, refreshed on each read (the default). */
        FIVE_MINUTES,
        /** Breakpoints whose entries live an hour ({@code "ttl": "1h"}). */
        ONE_HOUR
    }

    /** The smallest thinking budget the API accepts. */
    public static final int MIN_THINKING_BUDGET = 1024;
    /** The beta that lets Claude 4 models think between tool calls (see {@link Builder#interleavedThinking}). */
    public static final String INTERLEAVED_THINKING_BETA = "interleaved-thinking-2025-05-14";

    private final HostedOptions options;
    private final PromptCaching promptCaching;
    private final Thinking thinking;
    private final HostedClient client;

    /** Extended thinking: a budget of 0 is off. */
    record Thinking(int budgetTokens, boolean interleaved) {
        static final Thinking OFF = new Thinking(0, false);

        boolean on() {
            return budgetTokens > 0;
        }

        /**
         * The {@code max_tokens} to send for a request whose own limit is {@code maxTokens} (null: none):
         * the budget plus {@link #DEFAULT_MAX_TOKENS} when thinking and unset.
         *
         * @throws IllegalArgumentException for a limit that leaves no room beside a (not interleaved) budget
         */
        int maxTokens(@Nullable Integer maxTokens) {
            requireRoom(maxTokens);
            if (maxTokens != null) {
                return maxTokens;
            }
            return on() ? budgetTokens + DEFAULT_MAX_TOKENS : DEFAULT_MAX_TOKENS;
        }

        /** Refuses a limit at or below the budget: the budget is part of the output limit unless interleaved. */
        void requireRoom(@Nullable Integer maxTokens) {
            if (on() && !interleaved && maxTokens != null && maxTokens <= budgetTokens) {
                throw new IllegalArgumentException("maxTokens (" + maxTokens + ") must exceed the thinking budget ("
                        + budgetTokens + "): the budget is part of the output limit");
            }
        }
    }

    private AnthropicChatModel(HostedOptions snapshot, HostedSettings s, PromptCaching promptCaching,
            Thinking thinking) {
        if (s.apiKey() == null && "api.anthropic.com".equalsIgnoreCase(s.baseUrl().getHost())) {
            throw new IllegalArgumentException(
                    "the Anthropic API needs an API key: set apiKey(...) or ANTHROPIC_API_KEY");
        }
        this.options = snapshot;
        this.promptCaching = promptCaching;
        this.thinking = thinking;
        thinking.requireRoom(s.defaults().maxTokens());
        HostedSettings settings = thinking.interleaved()
                ? s.withHeaders(withBeta(s.headers(), INTERLEAVED_THINKING_BETA))
                : s;
        if (s.price() == null) {
            // The list price, with hour-long cache entries costing twice the input price to write.
            settings = settings.withPrice(ModelPrices.lookup("anthropic", s.model())
                    .map(p -> promptCaching == PromptCaching.ONE_HOUR
                            ? new ModelPrice(p.inputPerMillion(), p.outputPerMillion(), p.cacheReadPerMillion(),
                                    p.inputPerMillion() * 2)
                            : p)
                    .orElse(null));
        }
        HostedSettings resolved = settings;
        this.client = new HostedClient(resolved,
                new HostedClient.Api("Anthropic", "/v1/messages", "text/event-stream", "x-api-key", "",
                        Map.of("anthropic-version", API_VERSION)),
                http -> new AnthropicCodec(http, resolved, promptCaching, thinking));
    }

    /** {@code headers} with {@code beta} added to the {@code anthropic-beta} list the builder may have set. */
    private static Map<String, String> withBeta(Map<String, String> headers, String beta) {
        var out = new LinkedHashMap<String, String>();
        String betas = beta;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey().equalsIgnoreCase("anthropic-beta")) {
                if (!Arrays.asList(h.getValue().split("\\s*,\\s*")).contains(beta)) {
                    betas = h.getValue() + "," + beta;
                } else {
                    betas = h.getValue();
                }
            } else {
                out.put(h.getKey(), h.getValue());
            }
        }
        out.put("anthropic-beta", betas);
        return out;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this model's settings, for a variant. */
    public Builder toBuilder() {
        var builder = new Builder();
        HostedOptions.of(builder).copyFrom(options);
        return builder.promptCaching(promptCaching)
                .thinking(thinking.budgetTokens())
                .interleavedThinking(thinking.interleaved());
    }

    /** The thinking budget in tokens; 0 when extended thinking is off. */
    public int thinkingBudget() {
        return thinking.budgetTokens();
    }

    /** Where this client sets cache breakpoints, and for how long. */
    public PromptCaching promptCaching() {
        return promptCaching;
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
     * <p>Sends a non-streamed request; as with {@link #stream}, the body is built and sent, and the
     * reply decoded and delivered, on Reactor's parallel scheduler.
     */
    @Override
    public Mono<ChatResponse> call(ChatRequest request) {
        return client.call(request);
    }

    /**
     * Asks the provider's model list, {@code GET /v1/models} with the key and {@code anthropic-version} headers, free: up when it answers with a model list, down (with the HTTP status, the
     * error's kind and never the key) otherwise. One request without retries, within the response
     * {@code timeout}; never billed.
     */
    @Override
    public Mono<ModelReachability> reachability() {
        return client.reachability("/v1/models", "data");
    }

    @Override
    public Flux<ChatEvent> replay(Publisher<ByteBuffer> body) {
        return client.replay(body);
    }

    @Override
    public String toString() {
        return client.describe("AnthropicChatModel");
    }

    /** Builds an {@link AnthropicChatModel}; {@code model} is required. Not thread-safe. */
    public static final class Builder extends HostedModelBuilder<Builder> {
        private PromptCaching promptCaching = PromptCaching.FIVE_MINUTES;
        private int thinkingBudget;
        private boolean interleavedThinking;

        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        /** Prompt caching; {@link PromptCaching#FIVE_MINUTES} unless set. */
        public Builder promptCaching(PromptCaching promptCaching) {
            this.promptCaching = Objects.requireNonNull(promptCaching, "promptCaching");
            return this;
        }

        /**
         * Extended thinking with a budget of {@code budgetTokens} (at least
         * {@value #MIN_THINKING_BUDGET}), or 0 for none (the default). The budget counts towards the
         * output limit: without {@code maxTokens} the request asks for the budget plus
         * {@value #DEFAULT_MAX_TOKENS}; a {@code maxTokens} at or below the budget is refused
         * (unless thinking is interleaved, where the budget spans the whole turn). The API refuses a
         * temperature or top-k with thinking on, and a {@code topP} below 0.95.
         *
         * @throws IllegalArgumentException for a budget below the minimum other than 0
         */
        public Builder thinking(int budgetTokens) {
            if (budgetTokens != 0 && budgetTokens < MIN_THINKING_BUDGET) {
                throw new IllegalArgumentException("a thinking budget must be at least " + MIN_THINKING_BUDGET
                        + " tokens (or 0 for no thinking), was " + budgetTokens);
            }
            this.thinkingBudget = budgetTokens;
            return this;
        }

        /**
         * Whether the model may think between tool calls and after tool results (Claude 4 models;
         * sends the {@value #INTERLEAVED_THINKING_BETA} beta, added to any {@code anthropic-beta}
         * header set here). Takes effect with a {@link #thinking(int)} budget.
         */
        public Builder interleavedThinking(boolean interleaved) {
            this.interleavedThinking = interleaved;
            return this;
        }

        /**
         * The model. The key is read from {@code ANTHROPIC_API_KEY} and the base URL from
         * {@code ANTHROPIC_BASE_URL} when not set here.
         *
         * @throws IllegalArgumentException when no model name was set, the Anthropic API has no key,
         *     or {@code maxTokens} leaves no room beside the thinking budget
         */
        public AnthropicChatModel build() {
            HostedOptions options = HostedOptions.of(this);
            HostedSettings s = options.resolve("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", DEFAULT_BASE_URL,
                    "claude-sonnet-4-5");
            Thinking thinking = thinkingBudget == 0 ? Thinking.OFF : new Thinking(thinkingBudget, interleavedThinking);
            return new AnthropicChatModel(options.copy(), s, promptCaching, thinking);
        }
    }
}
