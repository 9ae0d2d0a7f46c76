package dev.agentrt.core.model;

import dev.agentrt.core.internal.http.HostedSettings;
import dev.agentrt.core.internal.http.ProviderHttp;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the hosted model clients share: one endpoint, streamed and non-streamed requests over
 * {@code ProviderHttp}, replay of recorded replies, structured-output support as configured. Each
 * provider says how a request body looks and how a reply decodes.
 *
 * <p>Thread-safe: one instance serves any number of concurrent requests. Models built without an
 * {@code HttpClient} of their own share one per process, on a bounded set of daemon threads named
 * {@code agentrt-http-N}; the subscriber's code never runs on those. The API key appears only in
 * request headers, never in {@link #toString()} or a message.
 */
public abstract class HostedChatModel implements ChatModel {
    private final String model;
    private final URI baseUrl;
    private final URI endpoint;
    private final String accept;
    private final boolean nativeStructuredOutput;
    /** Fills what a request's options leave unset. */
    protected final ChatOptions defaults;
    /** The transport: retries, status mapping, timeouts, secrets kept out of messages. */
    protected final ProviderHttp http;

    /**
     * @param path the endpoint below the base URL ({@code /chat/completions})
     * @param accept the media type of a streamed reply
     */
    protected HostedChatModel(HostedSettings settings, String path, String accept, ProviderHttp http) {
        this.model = settings.model();
        this.baseUrl = settings.baseUrl();
        this.endpoint = URI.create(baseUrl + path);
        this.accept = accept;
        this.nativeStructuredOutput = settings.nativeStructuredOutput();
        this.defaults = settings.defaults();
        this.http = http;
    }

    /**
     * The transport for {@code settings}: the key (if any) in {@code keyHeader} after {@code keyPrefix},
     * then {@code fixed} headers, then the builder's extra headers.
     */
    protected static ProviderHttp transport(String provider, HostedSettings settings, String keyHeader,
            String keyPrefix, Map<String, String> fixed) {
        String key = settings.apiKey();
        var headers = new LinkedHashMap<String, String>();
        if (key != null) {
            headers.put(keyHeader, keyPrefix + key);
        }
        headers.putAll(fixed);
        headers.putAll(settings.headers());
        return new ProviderHttp(provider, settings.client(), settings.timeout(), settings.inactivityTimeout(),
                settings.retryPolicy(), headers, key == null ? List.of() : List.of(key), settings.maxResponseBytes());
    }

    /** Tools in the OpenAI function form ({@code {"type":"function","function":{...}}}), which Ollama shares. */
    protected static JsonArray functionTools(List<ToolSpec> specs) {
        var tools = new ArrayList<JsonValue>(specs.size());
        for (ToolSpec t : specs) {
            tools.add(JsonObject.builder()
                    .put("type", "function")
                    .put("function", JsonObject.builder()
                            .put("name", t.name())
                            .put("description", t.description())
                            .put("parameters", t.parameters())
                            .build())
                    .build());
        }
        return new JsonArray(tools);
    }

    /** The provider's name of the model. */
    public final String modelName() {
        return model;
    }

    /** Where requests go (without the endpoint's path). */
    public final URI baseUrl() {
        return baseUrl;
    }

    @Override
    public final boolean supportsResponseFormat() {
        return nativeStructuredOutput;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Subscribing only schedules the request: its body is built and sent on Reactor's parallel
     * scheduler, and the events arrive there too, never on the HTTP client's threads.
     */
    @Override
    public final Flux<ChatEvent> stream(ChatRequest request) {
        return Flux.defer(() -> http.stream(endpoint, () -> body(request, true), accept, this::decoder));
    }

    /**
     * {@inheritDoc}
     *
     * <p>As with {@link #stream}, the body is built and sent, and the reply decoded and delivered, on
     * Reactor's parallel scheduler.
     */
    @Override
    public final Mono<ChatResponse> call(ChatRequest request) {
        return Mono.defer(() -> http.call(endpoint, () -> body(request, false)))
                .map(reply -> response(reply.body(), reply.requestId()));
    }

    /**
     * Decodes a recorded response body (the bytes of a streamed reply) exactly as a live reply is
     * decoded: for replaying captured streams in tests and tools. Cold; each subscription decodes
     * the body anew.
     */
    public final Flux<ChatEvent> replay(Publisher<ByteBuffer> body) {
        return Flux.defer(() -> ProviderHttp.decode(Flux.from(body).map(List::of), decoder(null)));
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[model=" + model + ", baseUrl=" + baseUrl + "]";
    }

    /** The JSON body of a request, streamed or not. */
    protected abstract String body(ChatRequest request, boolean stream);

    /** A decoder for one streamed reply. */
    protected abstract ProviderHttp.StreamDecoder<ChatEvent> decoder(@Nullable String requestId);

    /** A whole (non-streamed) reply. */
    protected abstract ChatResponse response(String body, @Nullable String requestId);
}
