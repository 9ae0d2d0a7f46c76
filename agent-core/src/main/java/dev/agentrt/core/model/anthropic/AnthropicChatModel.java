package dev.agentrt.core.model.anthropic;

import dev.agentrt.core.internal.provider.HostedClient;
import dev.agentrt.core.internal.provider.HostedOptions;
import dev.agentrt.core.internal.provider.HostedSettings;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.HostedChatModel;
import dev.agentrt.core.model.HostedModelBuilder;
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
 * user turn, as the API requires. Structured output uses {@code output_config.format} (turn it off
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

    private final HostedOptions options;
    private final HostedClient client;

    private AnthropicChatModel(HostedOptions snapshot, HostedSettings s) {
        if (s.apiKey() == null && "api.anthropic.com".equalsIgnoreCase(s.baseUrl().getHost())) {
            throw new IllegalArgumentException(
                    "the Anthropic API needs an API key: set apiKey(...) or ANTHROPIC_API_KEY");
        }
        this.options = snapshot;
        this.client = new HostedClient(s,
                new HostedClient.Api("Anthropic", "/v1/messages", "text/event-stream", "x-api-key", "",
                        Map.of("anthropic-version", API_VERSION)),
                http -> new AnthropicCodec(http, s));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this model's settings, for a variant. */
    public Builder toBuilder() {
        var builder = new Builder();
        HostedOptions.of(builder).copyFrom(options);
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
        private Builder() {}

        @Override
        protected Builder self() {
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
            return new AnthropicChatModel(options.copy(), s);
        }
    }
}
