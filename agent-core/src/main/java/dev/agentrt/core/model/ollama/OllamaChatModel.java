package dev.agentrt.core.model.ollama;

import dev.agentrt.core.internal.provider.HostedClient;
import dev.agentrt.core.internal.provider.HostedOptions;
import dev.agentrt.core.internal.provider.HostedSettings;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.HostedChatModel;
import dev.agentrt.core.model.HostedModelBuilder;
import dev.agentrt.core.model.ModelReachability;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A client for Ollama's native chat API ({@code POST /api/chat}, newline-delimited JSON), for
 * Ollama servers run without their OpenAI-compatible endpoint. (With it, {@code OpenAiChatModel}
 * and a {@code baseUrl} of {@code http://localhost:11434/v1} work too.)
 *
 * <pre>{@code
 * ChatModel local = OllamaChatModel.builder().model("qwen3:4b").build();   // http://localhost:11434
 * }</pre>
 *
 * <p>Ollama sends each tool call whole (arguments as an object) and without an id; calls get ids
 * {@code call_0}, {@code call_1}... in reply order. A stream must end with a {@code "done": true}
 * line; one that stops before it is an error. Structured output uses {@code format} with the JSON
 * Schema. Thread-safe; a key (for a proxy in front of Ollama) is sent as a bearer token and never
 * printed.
 */
public final class OllamaChatModel implements HostedChatModel {
    /** Where Ollama listens by default; {@code OLLAMA_HOST} (host, host:port or a URL) overrides it. */
    public static final String DEFAULT_BASE_URL = "http://localhost:11434";

    private static final int DEFAULT_PORT = 11434;

    private final HostedOptions options;
    private final HostedClient client;

    private OllamaChatModel(HostedOptions snapshot, HostedSettings s) {
        this.options = snapshot;
        this.client = new HostedClient(s,
                new HostedClient.Api("Ollama at " + s.baseUrl().getHost(), "/api/chat", "application/x-ndjson",
                        "Authorization", "Bearer ", Map.of()),
                http -> new OllamaCodec(http, s));
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
     * Asks the provider's model list, {@code GET /api/tags}, the local models: up when it answers with a model list, down (with the HTTP status, the
     * error's kind and never the key) otherwise. One request without retries, within the response
     * {@code timeout}; never billed.
     */
    @Override
    public Mono<ModelReachability> reachability() {
        return client.reachability("/api/tags", "models");
    }

    @Override
    public Flux<ChatEvent> replay(Publisher<ByteBuffer> body) {
        return client.replay(body);
    }

    @Override
    public String toString() {
        return client.describe("OllamaChatModel");
    }

    /** Builds an {@link OllamaChatModel}; {@code model} is required. Not thread-safe. */
    public static final class Builder extends HostedModelBuilder<Builder> {
        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * The model. The base URL is read from {@code OLLAMA_HOST} or {@code OLLAMA_BASE_URL}, and a
         * key (for a proxy in front of Ollama) from {@code OLLAMA_API_KEY}, when not set here.
         *
         * @throws IllegalArgumentException when no model name was set
         */
        public OllamaChatModel build() {
            HostedOptions options = HostedOptions.of(this);
            // OLLAMA_HOST is resolved on a copy: this builder keeps no trace of one build's environment.
            HostedOptions resolved = options.copy();
            if (!resolved.hasBaseUrl()) {
                String host = resolved.env("OLLAMA_HOST");
                if (host != null) {
                    resolved.baseUrl(hostUrl(host));
                }
            }
            HostedSettings s = resolved.resolve("OLLAMA_API_KEY", "OLLAMA_BASE_URL", DEFAULT_BASE_URL, "qwen3:4b");
            return new OllamaChatModel(options.copy(), s);
        }

        /**
         * {@code OLLAMA_HOST} read the way the ollama command reads it: a URL as given; otherwise
         * {@code host[:port]} over http, where a missing port is Ollama's (a server set up with
         * {@code OLLAMA_HOST=0.0.0.0} still listens on 11434) and a missing host is this machine.
         */
        static String hostUrl(String host) {
            if (host.contains("://")) {
                return host;
            }
            String value = host.startsWith(":") ? "localhost" + host : host;
            int slash = value.indexOf('/');
            String authority = slash < 0 ? value : value.substring(0, slash);
            try {
                URI uri = new URI("http://" + authority);
                if (uri.getHost() != null && uri.getPort() == -1) {
                    return "http://" + authority + ":" + DEFAULT_PORT + value.substring(authority.length());
                }
            } catch (URISyntaxException unreadable) {
                // baseUrl(...) rejects it with its own message.
            }
            return "http://" + value;
        }

    }
}
