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
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;

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
 * final-answer tool). Thread-safe; the API key is sent only in the {@code x-api-key} header and never
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

    private final HostedOptions options;
    private final PromptCaching promptCaching;
    private final HostedClient client;

    private AnthropicChatModel(HostedOptions snapshot, HostedSettings s, PromptCaching promptCaching) {
        if (s.apiKey() == null && "api.anthropic.com".equalsIgnoreCase(s.baseUrl().getHost())) {
            throw new IllegalArgumentException(
                    "the Anthropic API needs an API key: set apiKey(...) or ANTHROPIC_API_KEY");
        }
        this.options = snapshot;
        this.promptCaching = promptCaching;
        HostedSettings settings = s;
        if (s.price() == null) {
            // The list price, with hour-long cache entries costing twice the input price to write.
            settings = s.withPrice(ModelPrices.lookup("anthropic", s.model())
                    .map(p -> promptCaching == PromptCaching.ONE_HOUR
                            ? new ModelPrice(p.inputPerMillion(), p.outputPerMillion(), p.cacheReadPerMillion(),
                                    p.inputPerMillion() * 2)
                            : p)
                    .orElse(null));
        }
        this.client = new HostedClient(settings,
                new HostedClient.Api("Anthropic", "/v1/messages", "text/event-stream", "x-api-key", "",
                        Map.of("anthropic-version", API_VERSION)),
                http -> new AnthropicCodec(http, s, promptCaching));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this model's settings, for a variant. */
    public Builder toBuilder() {
        var builder = new Builder();
        HostedOptions.of(builder).copyFrom(options);
        return builder.promptCaching(promptCaching);
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

        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        /** Prompt caching; {@link PromptCaching#FIVE_MINUTES} unless set. */
        public Builder promptCaching(PromptCaching promptCaching) {
            this.promptCaching = java.util.Objects.requireNonNull(promptCaching, "promptCaching");
            return this;
        }

        /**
         * The model. The key is read from {@code ANTHROPIC_API_KEY} and the base URL from
         * {@code ANTHROPIC_BASE_URL} when not set here.
         *
         * @throws IllegalArgumentException when no model name was set, or the Anthropic API has no key
         */
        public AnthropicChatModel build() {
            HostedOptions options = HostedOptions.of(this);
            HostedSettings s = options.resolve("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", DEFAULT_BASE_URL,
                    "claude-sonnet-4-5");
            return new AnthropicChatModel(options.copy(), s, promptCaching);
        }
    }
}
