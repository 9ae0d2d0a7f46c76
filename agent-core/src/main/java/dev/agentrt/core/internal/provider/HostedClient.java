package dev.agentrt.core.internal.provider;

import dev.agentrt.core.internal.http.ProviderHttp;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.ModelPrice;
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
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the hosted model clients share: one API (one endpoint, or one for streamed and one for
 * non-streamed requests), streamed and non-streamed requests over {@link ProviderHttp}, replay of
 * recorded replies, structured-output support as configured. A public model class holds one and
 * forwards its {@code ChatModel} methods to it; its {@link ProviderCodec} says how a request body
 * looks and how a reply decodes.
 *
 * <p>Thread-safe and immutable: one instance serves any number of concurrent requests. The API key
 * appears only in request headers, never in {@link #describe} or a message.
 */
public final class HostedClient {
    private final String model;
    private final URI baseUrl;
    private final URI endpoint;
    private final URI callEndpoint;
    private final String accept;
    private final boolean nativeStructuredOutput;
    private final ProviderHttp http;
    private final ProviderCodec codec;
    private final @Nullable ModelPrice price;

    /**
     * How a provider's API is reached.
     *
     * @param provider the provider's name for messages ("Anthropic")
     * @param path the endpoint below the base URL ({@code /chat/completions}) of a streamed request
     * @param callPath the endpoint of a non-streamed request: the same as {@code path} for APIs that
     *     tell the two apart in the body, another one for those that tell them apart in the URL
     *     (Gemini's {@code :streamGenerateContent} and {@code :generateContent})
     * @param accept the media type of a streamed reply
     * @param keyHeader the header that carries the API key, if there is one
     * @param keyPrefix what precedes the key in that header ({@code "Bearer "})
     * @param headers headers every request carries, before the builder's own
     */
    public record Api(String provider, String path, String callPath, String accept, String keyHeader,
            String keyPrefix, Map<String, String> headers) {
        /** An API whose streamed and non-streamed requests go to the same endpoint. */
        public Api(String provider, String path, String accept, String keyHeader, String keyPrefix,
                Map<String, String> headers) {
            this(provider, path, path, accept, keyHeader, keyPrefix, headers);
        }
    }

    /**
     * @param codec makes the provider's codec from the transport, whose error helpers it uses
     */
    public HostedClient(HostedSettings settings, Api api, Function<ProviderHttp, ProviderCodec> codec) {
        this(settings, api, null, List.of(), codec);
    }

    /**
     * A client whose requests are signed one by one rather than carrying a fixed key.
     *
     * @param signer adds each attempt's authentication headers (see {@link ProviderHttp.RequestSigner})
     * @param secrets values never to show in a message (the signer's secret key, a session token)
     * @param codec makes the provider's codec from the transport, whose error helpers it uses
     */
    public HostedClient(HostedSettings settings, Api api, ProviderHttp.@Nullable RequestSigner signer,
            List<String> secrets, Function<ProviderHttp, ProviderCodec> codec) {
        this.model = settings.model();
        this.baseUrl = settings.baseUrl();
        this.endpoint = URI.create(baseUrl + api.path());
        this.callEndpoint = URI.create(baseUrl + api.callPath());
        this.accept = api.accept();
        this.nativeStructuredOutput = settings.nativeStructuredOutput();
        this.http = transport(api, settings, signer, secrets);
        this.codec = codec.apply(http);
        ModelPrice known = settings.price();
        this.price = known == null || known.equals(ModelPrice.FREE) ? null : known;
    }

    /**
     * The transport for {@code settings}: the key (if any) in the API's key header after its prefix,
     * then the API's fixed headers, then the builder's extra headers.
     */
    private static ProviderHttp transport(Api api, HostedSettings settings, ProviderHttp.@Nullable RequestSigner signer,
            List<String> secrets) {
        String key = settings.apiKey();
        var headers = new LinkedHashMap<String, String>();
        if (key != null) {
            headers.put(api.keyHeader(), api.keyPrefix() + key);
        }
        headers.putAll(api.headers());
        headers.putAll(settings.headers());
        var hidden = new ArrayList<String>(secrets);
        if (key != null) {
            hidden.add(key);
        }
        return new ProviderHttp(api.provider(), settings.client(), settings.timeout(), settings.inactivityTimeout(),
                settings.retryPolicy(), headers, hidden, settings.maxResponseBytes(), signer);
    }

    /** The provider's name of the model. */
    public String modelName() {
        return model;
    }

    /** Where requests go (without the endpoint's path). */
    public URI baseUrl() {
        return baseUrl;
    }

    /** Whether structured output uses the provider's native JSON Schema mode. */
    public boolean supportsResponseFormat() {
        return nativeStructuredOutput;
    }

    /**
     * The streamed reply: subscribing only schedules the request; its body is built and sent on
     * Reactor's parallel scheduler, and the events arrive there too, never on the HTTP client's threads.
     */
    public Flux<ChatEvent> stream(ChatRequest request) {
        return priced(Flux.defer(() -> http.stream(endpoint, () -> codec.body(request, true), accept,
                codec::decoder)));
    }

    /**
     * As {@link #stream(ChatRequest)}, with a body and decoders of the caller's (a model that keeps
     * state across its replies, such as the id of the last one).
     */
    public Flux<ChatEvent> stream(Supplier<String> body,
            Function<@Nullable String, ProviderHttp.StreamDecoder<ChatEvent>> decoders) {
        return priced(Flux.defer(() -> http.stream(endpoint, body, accept, decoders)));
    }

    /** The price replies are costed at, if any. */
    public @Nullable ModelPrice price() {
        return price;
    }

    private Flux<ChatEvent> priced(Flux<ChatEvent> events) {
        ModelPrice own = price;
        if (own == null) {
            return events;
        }
        return events.map(e -> e instanceof ChatEvent.UsageReport report
                ? new ChatEvent.UsageReport(own.priced(report.usage()))
                : e);
    }

    private ChatResponse priced(ChatResponse response) {
        ModelPrice own = price;
        if (own == null) {
            return response;
        }
        return new ChatResponse(response.message(), own.priced(response.usage()), response.finishReason(),
                response.responseId(), response.responseModel());
    }

    /**
     * The whole reply of a non-streamed request: as with {@link #stream}, the body is built and sent,
     * and the reply decoded and delivered, on Reactor's parallel scheduler.
     */
    public Mono<ChatResponse> call(ChatRequest request) {
        return Mono.defer(() -> http.call(callEndpoint, () -> codec.body(request, false)))
                .map(reply -> priced(codec.response(reply.body(), reply.requestId())));
    }

    /**
     * A recorded response body (the bytes of a streamed reply) decoded exactly as a live reply is.
     * Cold; each subscription decodes the body anew.
     */
    public Flux<ChatEvent> replay(Publisher<ByteBuffer> body) {
        return priced(Flux.defer(() -> ProviderHttp.decode(Flux.from(body).map(List::of), codec.decoder(null))));
    }

    /** The provider's wire codec. */
    public ProviderCodec codec() {
        return codec;
    }

    /** {@code name[model=..., baseUrl=...]}, for the model's {@code toString()}. */
    public String describe(String name) {
        return name + "[model=" + model + ", baseUrl=" + baseUrl + "]";
    }
}
