package dev.agentrt.core.model.openai;

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
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A client for the OpenAI Chat Completions API, and through {@code baseUrl} for every server that
 * speaks it: Ollama ({@code http://localhost:11434/v1}), vLLM, llama.cpp's server, LM Studio.
 *
 * <pre>{@code
 * ChatModel gpt = OpenAiChatModel.builder().model("gpt-4.1-mini").build();   // key from OPENAI_API_KEY
 * ChatModel local = OpenAiChatModel.builder()
 *         .baseUrl("http://localhost:11434/v1").model("qwen3:4b").build();   // no key needed
 * }</pre>
 *
 * <p>Replies stream as server-sent events over the JDK {@code HttpClient} (asynchronous; no thread
 * waits for the network); tool-call argument fragments arrive per call {@code index} and are
 * joined by the caller's assembler. Servers that reuse an index for a second call (with a new id,
 * or a new name after the first call's arguments) or send none get one index per call all the
 * same. {@link #call} sends a non-streamed request. Structured output uses {@code response_format}
 * with a strict JSON Schema. Thread-safe: one instance serves any number of concurrent requests.
 * The API key is sent only in the {@code Authorization} header and never appears in a message, an
 * exception or {@link #toString()}.
 */
public final class OpenAiChatModel implements HostedChatModel {
    /** The OpenAI API; {@code OPENAI_BASE_URL} overrides it when no base URL is set. */
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

    private final HostedOptions options;
    private final HostedClient client;

    private OpenAiChatModel(HostedOptions snapshot, HostedSettings s) {
        boolean officialApi = "api.openai.com".equalsIgnoreCase(s.baseUrl().getHost());
        if (s.apiKey() == null && officialApi) {
            throw new IllegalArgumentException("the OpenAI API needs an API key: set apiKey(...) or OPENAI_API_KEY");
        }
        this.options = snapshot;
        HostedSettings settings = s.price() != null
                ? s
                : s.withPrice(ModelPrices.lookup("openai", s.model()).orElse(null));
        this.client = new HostedClient(settings,
                new HostedClient.Api("OpenAI-compatible server at " + s.baseUrl().getHost(), "/chat/completions",
                        "text/event-stream", "Authorization", "Bearer ", Map.of()),
                http -> new OpenAiCodec(http, s, officialApi));
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

    /**
     * Asks the provider's model list, {@code GET {baseUrl}/models}, free on OpenAI and on every compatible server (Ollama, vLLM, llama.cpp, LM Studio): up when it answers with a model list, down (with the HTTP status, the
     * error's kind and never the key) otherwise. One request without retries, within the response
     * {@code timeout}; never billed.
     */
    @Override
    public Mono<ModelReachability> reachability() {
        return client.reachability("/models", "data");
    }

    @Override
    public Flux<ChatEvent> replay(Publisher<ByteBuffer> body) {
        return client.replay(body);
    }

    /** The JSON body {@code request} would be sent with, without sending it. */
    String body(ChatRequest request, boolean stream) {
        return client.codec().body(request, stream);
    }

    @Override
    public String toString() {
        return client.describe("OpenAiChatModel");
    }

    /** Builds an {@link OpenAiChatModel}; {@code model} is required. Not thread-safe. */
    public static final class Builder extends HostedModelBuilder<Builder> {
        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * The model. The key is read from {@code OPENAI_API_KEY} and the base URL from
         * {@code OPENAI_BASE_URL} when not set here.
         *
         * @throws IllegalArgumentException when no model name was set, or the OpenAI API has no key
         */
        public OpenAiChatModel build() {
            HostedOptions options = HostedOptions.of(this);
            HostedSettings s = options.resolve("OPENAI_API_KEY", "OPENAI_BASE_URL", DEFAULT_BASE_URL, "gpt-4.1-mini");
            return new OpenAiChatModel(options.copy(), s);
        }
    }
}
