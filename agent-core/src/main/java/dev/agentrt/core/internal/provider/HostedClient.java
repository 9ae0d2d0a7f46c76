package dev.agentrt.core.internal.provider;

import dev.agentrt.core.ModelException;
import dev.agentrt.core.internal.http.ProviderHttp;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.ModelPrice;
import dev.agentrt.core.model.ModelReachability;
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
import java.util.regex.Pattern;

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
    private static final Pattern ERROR_KIND = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");
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

    /**
     * Whether the provider answers, asked with one {@code GET} of its free model list at {@code path} below the base
     * URL ({@code /models}, {@code /api/tags}): up when the answer is a JSON object holding the array
     * {@code listField}; down, with the HTTP status when there was one, for an error status, an answer that is no
     * model list, no connection or no answer within the response timeout. No retries. The detail names the
     * provider, the status, the error's kind (a word such as {@code authentication_error}) and the request id, and
     * never the provider's free text (which may quote the key) or the key.
     */
    public Mono<ModelReachability> reachability(String path, String listField) {
        URI uri = URI.create(baseUrl + path);
        String where = uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
        return http.get(uri)
                .map(fetched -> judge(fetched, listField, where))
                .onErrorResume(e -> Mono.just(ModelReachability.down(http.scrub(
                        e instanceof ModelException m ? m.getMessage() : http.provider() + ": " + e), 0)));
    }

    private ModelReachability judge(ProviderHttp.Fetched fetched, String listField, String where) {
        int status = fetched.status();
        JsonObject json = null;
        try {
            if (JsonValue.parse(fetched.body()) instanceof JsonObject o) {
                json = o;
            }
        } catch (JsonParseException notJson) {
            // Judged below: no object.
        }
        String id = fetched.requestId() == null ? "" : " (request id " + fetched.requestId() + ")";
        if (status >= 200 && status < 300) {
            if (json != null && json.get(listField) instanceof JsonArray list) {
                return ModelReachability.up(http.scrub(http.provider() + " listed " + list.size() + " models at "
                        + where + id), status);
            }
            return ModelReachability.down(http.scrub(http.provider() + " answered HTTP " + status + " at " + where
                    + " with " + (json == null
                            ? "a body that is not a JSON object"
                            : "no \"" + listField
                                    + "\" array")
                    + ", not a model list; check the base URL" + id), status);
        }
        String kind = json == null ? "" : errorKind(json);
        String hint = status == 401 || status == 403 ? "; the API key was refused or is missing" : "";
        return ModelReachability.down(http.scrub(http.provider() + " returned HTTP " + status + " at " + where
                + (kind.isEmpty() ? "" : " (" + kind + ")") + hint + id), status);
    }

    /** The error's kind, when it is a word ({@code authentication_error}, {@code UNAUTHENTICATED}); never free text. */
    private static String errorKind(JsonObject json) {
        JsonObject error = json.getObject("error").orElse(json);
        for (String field : new String[]{"type", "code", "status"}) {
            String kind = error.getString(field).orElse("");
            if (ERROR_KIND.matcher(kind).matches()) {
                return kind;
            }
        }
        return "";
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
