package dev.agentrt.core.internal.http;

import dev.agentrt.core.ModelException;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.RetryPolicy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The HTTP side of a hosted model client: posts a JSON body with the JDK {@link HttpClient}
 * (asynchronously; no thread waits for the network), maps error statuses to {@link ModelException}
 * with the provider's message, status and request id, retries what may pass under a
 * {@link RetryPolicy} (only before any byte of a reply was handed on; never an exhausted quota),
 * and bounds the silence between two pieces of a streamed body. Plain {@code http://} requests are
 * pinned to HTTP/1.1 so that no {@code Upgrade: h2c} reaches local servers. Secrets (API keys) are
 * removed from every message this class builds, including provider error texts that echo them.
 *
 * <p>Threads: subscribing does nothing on the subscriber's thread but schedule the request; the
 * body is built and the request sent on Reactor's parallel scheduler. The HTTP client's threads (the
 * shared bounded executor of {@code SharedHttpClient}, or those of a client the user gave) read the
 * response and decode it; every value, completion and error then reaches the subscriber on the
 * parallel scheduler, so no subscriber code runs on, or can starve, the HTTP threads. A streamed body
 * is read as fast as it arrives (its size is bounded by {@code maxBodyBytes}), so the inactivity
 * timeout measures the server's silence, never a slow subscriber, and the JDK client is never called
 * back from a subscriber's thread.
 *
 * <p>Thread-safe and immutable; one instance serves every request of a model.
 */
public final class ProviderHttp {
    private static final Logger log = LoggerFactory.getLogger(ProviderHttp.class);
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final int MAX_MESSAGE_CHARS = 2_000;
    private static final String QUOTA_NOTE = "; the account's quota is exhausted (credit, billing or usage limit):"
            + " waiting does not change that, so it is not retried";
    /** Error kinds (lower case, without '_' and '-') that mean an exhausted quota. */
    private static final Set<String> QUOTA_KINDS = Set.of("insufficientquota",
            "billingnotactive", "billinghardlimitreached", "billingerror", "insufficientbalance",
            "insufficientcredits", "creditbalancetoolow");
    private static final Pattern QUOTA_TEXT = Pattern.compile(
            "credit balance is too low|insufficient[ _](credits?|balance|funds|quota)"
                    + "|reached (your|its) (\\w+ )?(usage|spending) limit|used all available credits",
            Pattern.CASE_INSENSITIVE);

    /**
     * Error types and codes that may pass: Anthropic's overload, API and rate-limit errors, OpenAI's
     * server errors, rate limits and overload ({@code server_is_overloaded}, {@code slow_down}, sent
     * as codes beside a {@code type}).
     */
    private static final Set<String> RETRYABLE_KINDS = Set.of("overloaded_error", "api_error", "rate_limit_error",
            "server_error", "rate_limit_exceeded", "timeout_error", "server_is_overloaded",
            "service_unavailable_error", "slow_down");

    private final String provider;
    private final HttpClient client;
    private final Duration responseTimeout;
    private final Duration inactivityTimeout;
    private final RetryPolicy retry;
    private final String[] headers;
    private final List<String> secrets;
    private final long maxBodyBytes;
    private final @Nullable RequestSigner signer;

    /**
     * @param provider the provider's name for messages ("OpenAI", "Anthropic")
     * @param responseTimeout the longest wait for the response headers of one attempt
     * @param inactivityTimeout the longest silence between two pieces of a body
     * @param headers request headers (may hold secrets)
     * @param secrets values never to show in a message (values of headers named like credentials are added)
     * @param maxBodyBytes the largest body accepted, streamed or not
     */
    public ProviderHttp(String provider, HttpClient client, Duration responseTimeout, Duration inactivityTimeout,
            RetryPolicy retry, Map<String, String> headers, List<String> secrets, long maxBodyBytes) {
        this(provider, client, responseTimeout, inactivityTimeout, retry, headers, secrets, maxBodyBytes, null);
    }

    /**
     * As above, with a signer that adds headers computed from each attempt's request (its URI and the
     * exact bytes of its body) after every other header: a provider that authenticates each request by
     * a signature (AWS Signature Version 4) rather than a fixed key.
     */
    public ProviderHttp(String provider, HttpClient client, Duration responseTimeout, Duration inactivityTimeout,
            RetryPolicy retry, Map<String, String> headers, List<String> secrets, long maxBodyBytes,
            @Nullable RequestSigner signer) {
        this.provider = provider;
        this.signer = signer;
        this.client = client;
        this.responseTimeout = responseTimeout;
        this.inactivityTimeout = inactivityTimeout;
        this.retry = retry;
        var flat = new ArrayList<String>(headers.size() * 2);
        headers.forEach((name, value) -> {
            flat.add(name);
            flat.add(value);
        });
        this.headers = flat.toArray(String[]::new);
        var hidden = new ArrayList<String>(secrets);
        headers.forEach((name, value) -> {
            // Credentials passed as extra headers (a gateway's token, a second key) are secrets too.
            String n = name.toLowerCase(Locale.ROOT);
            if (n.contains("auth") || n.contains("key") || n.contains("token") || n.contains("secret")
                    || n.contains("cookie")) {
                hidden.add(value);
                if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                    hidden.add(value.substring(7).strip());
                }
            }
        });
        this.secrets = hidden.stream().filter(s -> s.length() >= 4).distinct().toList();
        this.maxBodyBytes = maxBodyBytes;
    }

    public String provider() {
        return provider;
    }

    /**
     * Posts the body {@code body} builds (on subscription, off the subscriber's thread) and decodes
     * the streamed response body with a decoder made for the response (it gets the provider's
     * request id). Errors: a {@link ModelException} for an error status (after retries), a
     * connection that failed, a body that broke off or went silent longer than the inactivity
     * timeout, or whatever the decoder rejects. Cancelling aborts the request or closes the stream.
     */
    public <T> Flux<T> stream(URI uri, Supplier<String> body, String accept,
            Function<@Nullable String, StreamDecoder<T>> decoders) {
        return built(body).flatMap(json -> exchange(uri, json, accept))
                .flatMapMany(r -> reply(uri, r, decoders))
                .publishOn(Schedulers.parallel());
    }

    private <T> Flux<T> reply(URI uri, HttpResponse<Flow.Publisher<List<ByteBuffer>>> r,
            Function<@Nullable String, StreamDecoder<T>> decoders) {
        String requestId = requestId(r);
        if (r.headers()
                .firstValue("content-type")
                .orElse("")
                .toLowerCase(Locale.ROOT)
                .startsWith("text/html")) {
            // A proxy's login page, a web server at the wrong base URL: not a model, however long we read.
            return collect(r.body(), MAX_ERROR_BODY, false).flatMapMany(page -> Flux.error(new ModelException(
                    scrub(provider + ": the server answered with an HTML page (HTTP " + r.statusCode()
                            + "), not a model reply; check the base URL " + origin(uri) + ": "
                            + clip(page.strip())),
                    r.statusCode(), requestId, false, null)));
        }
        StreamDecoder<T> decoder = decoders.apply(requestId);
        long[] received = {0};
        Flux<List<ByteBuffer>> chunks = JdkFlowAdapter.flowPublisherToFlux(quietAfterCancel(r.body()))
                .timeout(inactivityTimeout)
                .onErrorMap(e -> streamFailure(e, requestId))
                .doOnNext(buffers -> {
                    for (ByteBuffer b : buffers) {
                        received[0] += b.remaining();
                    }
                    if (received[0] > maxBodyBytes) {
                        throw invalid("the reply is larger than " + maxBodyBytes + " bytes; the stream was closed",
                                requestId, null);
                    }
                })
                // One unbounded request, made here: what waits for a slow subscriber is bounded by
                // maxBodyBytes, and no later request reaches the JDK client from a subscriber's thread.
                .onBackpressureBuffer();
        return decode(chunks, decoder).onErrorMap(e -> !(e instanceof ModelException),
                e -> broken("could not read the reply: " + describe(e), requestId, e));
    }

    /** The request body, built on subscription on the parallel scheduler rather than the subscriber's thread. */
    private static Mono<byte[]> built(Supplier<String> body) {
        return Mono.fromSupplier(() -> body.get().getBytes(StandardCharsets.UTF_8)).subscribeOn(Schedulers.parallel());
    }

    /**
     * Runs {@code decoder} over a body: the values each chunk completes, in order, then what
     * {@link StreamDecoder#end} adds when the body ends. A decoder failure is emitted after the
     * values its chunk completed before it.
     */
    public static <T> Flux<T> decode(Flux<List<ByteBuffer>> body, StreamDecoder<T> decoder) {
        return body.concatMap(buffers -> {
            var out = new ArrayList<T>(4);
            try {
                for (ByteBuffer b : buffers) {
                    decoder.feed(b, out::add);
                }
            } catch (RuntimeException e) {
                return Flux.fromIterable(out).concatWith(Flux.error(e));
            }
            return out.size() == 1 ? Mono.just(out.get(0)) : Flux.fromIterable(out);
        }, 8).concatWith(Flux.defer(() -> {
            var out = new ArrayList<T>(2);
            decoder.end(out::add);
            return Flux.fromIterable(out);
        }));
    }

    /**
     * Posts the body {@code body} builds (on subscription, off the subscriber's thread) and collects
     * the whole response body (at most {@code maxBodyBytes}).
     */
    public Mono<Reply> call(URI uri, Supplier<String> body) {
        return built(body).flatMap(json -> exchange(uri, json, "application/json")).flatMap(r -> {
            String requestId = requestId(r);
            return collect(r.body(), maxBodyBytes, true)
                    .timeout(inactivityTimeout)
                    .onErrorMap(e -> streamFailure(e, requestId))
                    .map(text -> new Reply(text, requestId));
        }).publishOn(Schedulers.parallel());
    }

    /**
     * One {@code GET} of {@code uri} with this transport's fixed headers (not signed; no retries), for the free
     * endpoints a health check asks (a provider's model list): the status, the body and the request id, whatever the
     * status. A success's body is read up to {@code maxBodyBytes} (more is an error), an error's up to 64 KiB.
     * Subscribing only schedules the request, on the parallel scheduler, where the result arrives too. Fails with a
     * {@link ModelException} when the connection failed, no response came within the response timeout, or the body
     * broke off or went silent longer than the inactivity timeout. Cancelling aborts the request.
     */
    public Mono<Fetched> get(URI uri) {
        return Mono.defer(() -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .timeout(responseTimeout)
                    .header("Accept", "application/json")
                    .GET();
            if ("http".equalsIgnoreCase(uri.getScheme())) {
                request.version(HttpClient.Version.HTTP_1_1);
            }
            if (headers.length > 0) {
                request.headers(headers);
            }
            return Mono.fromFuture(() -> client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofPublisher()));
        })
                .subscribeOn(Schedulers.parallel())
                .onErrorMap(e -> !(e instanceof ModelException), e -> connectFailure(uri, e))
                .flatMap(r -> {
                    String requestId = requestId(r);
                    boolean success = r.statusCode() >= 200 && r.statusCode() < 300;
                    return collect(r.body(), success ? maxBodyBytes : MAX_ERROR_BODY, success)
                            .timeout(inactivityTimeout)
                            .onErrorMap(e -> streamFailure(e, requestId))
                            .map(text -> new Fetched(r.statusCode(), text, requestId));
                })
                .publishOn(Schedulers.parallel());
    }

    /** A whole response of {@link #get}: its status, body and the provider's request id. */
    public record Fetched(int status, String body, @Nullable String requestId) {}

    /**
     * Headers computed from one request as it is sent: called once per attempt (a retry is signed
     * anew), on the thread that sends it, after the body is final. Must not block.
     */
    @FunctionalInterface
    public interface RequestSigner {
        /**
         * Adds the headers that authenticate a {@code POST} of {@code body} to {@code uri}.
         *
         * @param headers every header the request carries already (names as given), for signing some of them
         */
        void sign(URI uri, Map<String, String> headers, byte[] body, BiConsumer<String, String> add);
    }

    /** A whole response body and the provider's request id. */
    public record Reply(String body, @Nullable String requestId) {}

    /** Turns the bytes of one streamed response into values; confined to that response. */
    public interface StreamDecoder<T> {
        /** Consumes all of {@code buffer}, emitting every value it completes. */
        void feed(ByteBuffer buffer, Consumer<T> out);

        /** The body ended cleanly: emits what is left, or throws a {@link ModelException} for a reply cut short. */
        void end(Consumer<T> out);
    }

    /** The request id the provider sent with a response, if any. */
    public static @Nullable String requestId(HttpResponse<?> response) {
        var headers = response.headers();
        return headers.firstValue("request-id")
                .or(() -> headers.firstValue("x-request-id"))
                .or(() -> headers.firstValue("openai-request-id"))
                .or(() -> headers.firstValue("x-amzn-requestid"))
                .orElse(null);
    }

    /**
     * A reply that had started and broke off (connection, silence): never retried here, since part of it
     * may have been used, but retryable by the caller (the agent loop asks again).
     */
    public ModelException broken(String message, @Nullable String requestId, @Nullable Throwable cause) {
        return new ModelException(scrub(provider + ": " + message), 200, requestId, true, cause);
    }

    /**
     * A reply that broke a rule of the protocol or a limit (malformed JSON, an impossible index, too
     * large): asking again would most likely fail the same way and spend the tokens again, so it is not
     * retryable.
     */
    public ModelException invalid(String message, @Nullable String requestId, @Nullable Throwable cause) {
        return new ModelException(scrub(provider + ": " + message), 200, requestId, false, cause);
    }

    /**
     * {@code text} as a JSON object, or a {@link ModelException} saying that {@code what} (the reply,
     * a stream event...) is malformed, with the start of it.
     */
    public JsonObject object(String text, @Nullable String requestId, String what) {
        String excerpt = text.length() <= 200 ? text : text.substring(0, 200) + "...";
        JsonValue value;
        try {
            value = JsonValue.parse(text);
        } catch (JsonParseException e) {
            throw invalid(what + " is not valid JSON (" + e.getMessage() + "): " + excerpt, requestId, e);
        }
        if (value instanceof JsonObject o) {
            return o;
        }
        throw invalid(what + " is not a JSON object: " + excerpt, requestId, null);
    }

    /** Removes every secret from {@code text}. */
    public String scrub(String text) {
        String out = text;
        for (String s : secrets) {
            if (out.contains(s)) {
                out = out.replace(s, "[redacted]");
            }
        }
        return out;
    }

    private Mono<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> exchange(URI uri, byte[] body, String accept) {
        Mono<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> attempt = Mono.defer(() -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .timeout(responseTimeout)
                    .header("Content-Type", "application/json")
                    .header("Accept", accept)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if ("http".equalsIgnoreCase(uri.getScheme())) {
                request.version(HttpClient.Version.HTTP_1_1);
            }
            if (headers.length > 0) {
                request.headers(headers);
            }
            RequestSigner own = signer;
            if (own != null) {
                var sent = new LinkedHashMap<String, String>();
                sent.put("Content-Type", "application/json");
                sent.put("Accept", accept);
                for (int i = 0; i + 1 < headers.length; i += 2) {
                    sent.put(headers[i], headers[i + 1]);
                }
                own.sign(uri, Collections.unmodifiableMap(sent), body, request::header);
            }
            return Mono.fromFuture(() -> client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofPublisher()));
        }).onErrorMap(e -> !(e instanceof ModelException), e -> connectFailure(uri, e)).flatMap(this::checkStatus);
        if (retry.maxRetries() == 0) {
            return attempt.onErrorMap(StatusException.class, s -> s.plain(""));
        }
        return attempt.retryWhen(Retry.from(signals -> signals.concatMap(signal -> {
            Throwable failure = signal.failure();
            long retryNumber = signal.totalRetries() + 1;
            if (!(failure instanceof ModelException m) || !m.isRetryable() || retryNumber > retry.maxRetries()) {
                return Mono.error(failure);
            }
            Duration wait = failure instanceof StatusException s && s.retryAfter != null
                    ? s.retryAfter
                    : retry.backoff((int) retryNumber, ThreadLocalRandom.current().nextDouble());
            if (log.isDebugEnabled()) {
                log.debug("{} request failed ({}); retry {} of {} in {} ms", provider, m.getMessage(), retryNumber,
                        retry.maxRetries(), wait.toMillis());
            }
            return Mono.delay(wait).thenReturn(retryNumber);
        })))
                .onErrorMap(ModelException.class, m -> exhausted(m, retry.maxRetries()));
    }

    /** The failure the caller sees once the retries are used up: marked, so that nobody retries it again. */
    private static ModelException exhausted(ModelException m, int retries) {
        if (!m.isRetryable()) {
            return m instanceof StatusException s ? s.plain("") : m;
        }
        return new ModelException(m.getMessage() + " (gave up after " + retries + " retries)", m.status(),
                m.requestId(), true, true, m.getCause());
    }

    private Mono<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> checkStatus(
            HttpResponse<Flow.Publisher<List<ByteBuffer>>> response) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return Mono.just(response);
        }
        // The error body is read (bounded) so that the connection is released and the provider's
        // own explanation reaches the caller.
        return collect(response.body(), MAX_ERROR_BODY, false)
                .timeout(inactivityTimeout)
                .onErrorResume(e -> Mono.just(""))
                .flatMap(text -> Mono.error(statusError(response, text)));
    }

    private ModelException statusError(HttpResponse<?> response, String body) {
        int status = response.statusCode();
        String requestId = requestId(response);
        JsonObject json = null;
        try {
            if (JsonValue.parse(body) instanceof JsonObject o) {
                json = o;
            }
        } catch (JsonParseException notJson) {
            // The body is shown as text below.
        }
        // A 429 may mean "too fast" (waiting helps) or "nothing left to spend" (it does not).
        boolean quota = status == 402 || quotaExhausted(json, body);
        boolean retryable = !quota && (status == 429 || status == 500 || status == 502 || status == 503
                || status == 504 || status == 529);
        String detail = errorMessage(json, body);
        if (requestId == null && json != null) {
            requestId = json.getString("request_id").orElse(null);
        }
        Duration retryAfter = retryable ? retryAfter(response) : null;
        StringBuilder message = new StringBuilder(provider).append(" returned HTTP ").append(status);
        if (!detail.isEmpty()) {
            message.append(": ").append(detail);
        }
        if (requestId != null) {
            message.append(" (request id ").append(requestId).append(')');
        }
        if (quota) {
            message.append(QUOTA_NOTE);
        }
        if (retryAfter != null && retryAfter.compareTo(retry.maxRetryAfter()) > 0) {
            message.append("; the server asked to wait ")
                    .append(retryAfter.toSeconds())
                    .append(" s, longer than the retry policy allows");
            return new ModelException(scrub(message.toString()), status, requestId, false, null);
        }
        return new StatusException(scrub(message.toString()), status, requestId, retryable, retryAfter);
    }

    /**
     * The provider's explanation from an error body: {@code error.message} after the error's kind
     * ({@code error.type}, {@code error.code} or {@code error.status}), {@code error}, {@code message},
     * or the text.
     */
    public static String errorMessage(@Nullable JsonObject json, String body) {
        if (json != null) {
            JsonValue error = json.get("error");
            if (error instanceof JsonObject e) {
                String msg = e.getString("message").orElse("");
                // Google's errors name their kind in status (RESOURCE_EXHAUSTED) beside a numeric code.
                String type = e.getString("type")
                        .or(() -> e.getString("code"))
                        .or(() -> e.getString("status"))
                        .orElse("");
                return clip(type.isEmpty() ? msg : msg.isEmpty() ? type : type + ": " + msg);
            }
            if (error instanceof JsonValue.JsonString(String s)) {
                return clip(s);
            }
            var msg = json.getString("message").or(() -> json.getString("detail"));
            if (msg.isPresent()) {
                return clip(msg.get());
            }
        }
        return clip(body.strip());
    }

    /**
     * Whether an error object sent inside a reply names a condition that may pass (overload, rate
     * limit, server error), which an exhausted quota is not.
     */
    public static boolean retryableError(JsonObject json) {
        if (quotaExhausted(json, "")) {
            return false;
        }
        JsonObject error = json.getObject("error").orElse(json);
        if (RETRYABLE_KINDS.contains(error.getString("type").orElse(""))
                || RETRYABLE_KINDS.contains(error.getString("code").orElse(""))) {
            return true;
        }
        return error.getLong("code").map(c -> c == 429 || c >= 500).orElse(false);
    }

    /**
     * Whether an error says that the account's quota, credit or usage allowance is used up, which
     * waiting for seconds does not change: OpenAI's {@code insufficient_quota} and
     * {@code billing_not_active} (both sent with HTTP 429), Anthropic's {@code billing_error} and
     * "credit balance is too low", the "usage limit" of Ollama's cloud, the "insufficient credits" or
     * "balance" and "spending limit" of other OpenAI-compatible services. Google's "exceeded your
     * current quota" is not among them: Gemini sends it for per-minute limits that do pass.
     */
    public static boolean quotaExhausted(@Nullable JsonObject json, String body) {
        if (json != null) {
            JsonObject error = json.getObject("error").orElse(json);
            for (String field : new String[]{"type", "code", "status"}) {
                String kind = error.getString(field).orElse("");
                if (QUOTA_KINDS.contains(kind.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT))) {
                    return true;
                }
            }
        }
        return QUOTA_TEXT.matcher(json != null ? errorMessage(json, body) : body).find();
    }

    /**
     * An error object the provider sent with status 200 (as a stream event, or as the whole reply)
     * as a {@link ModelException}: {@code "<provider> <what>: <its message>"}, retryable when its kind
     * may pass.
     */
    public ModelException replyError(String what, JsonObject json, @Nullable String requestId) {
        boolean quota = quotaExhausted(json, "");
        String message = provider + " " + what + ": " + errorMessage(json, "") + (quota ? QUOTA_NOTE : "");
        return new ModelException(scrub(message), 200, requestId, retryableError(json), null);
    }

    private static String clip(String s) {
        return s.length() <= MAX_MESSAGE_CHARS ? s : s.substring(0, MAX_MESSAGE_CHARS) + "...";
    }

    /** {@code retry-after-ms}, else {@code Retry-After} in seconds or as an HTTP date; null when absent or unreadable. */
    static @Nullable Duration retryAfter(HttpResponse<?> response) {
        var ms = response.headers().firstValue("retry-after-ms");
        if (ms.isPresent()) {
            try {
                double value = Double.parseDouble(ms.get().strip());
                if (value >= 0 && Double.isFinite(value)) {
                    return Duration.ofNanos((long) (value * 1_000_000));
                }
            } catch (NumberFormatException unreadable) {
                // Fall through to Retry-After.
            }
        }
        var header = response.headers().firstValue("retry-after");
        return header.isEmpty() ? null : parseRetryAfter(header.get(), System.currentTimeMillis());
    }

    /** A {@code Retry-After} value relative to {@code nowMillis}: delta-seconds or an HTTP date. */
    public static @Nullable Duration parseRetryAfter(String value, long nowMillis) {
        String v = value.strip();
        try {
            double seconds = Double.parseDouble(v);
            if (seconds >= 0 && Double.isFinite(seconds)) {
                return Duration.ofMillis((long) (seconds * 1000));
            }
            return null;
        } catch (NumberFormatException notSeconds) {
            // An HTTP date.
        }
        try {
            long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
            return Duration.ofMillis(Math.max(0, at - nowMillis));
        } catch (DateTimeParseException unreadable) {
            return null;
        }
    }

    private ModelException connectFailure(URI uri, Throwable e) {
        String what = e instanceof HttpConnectTimeoutException
                ? "could not connect to " + origin(uri) + " within the connect timeout"
                : e instanceof HttpTimeoutException
                        ? "no response from " + origin(uri) + " within " + responseTimeout
                        : e instanceof ConnectException
                                ? "could not connect to " + origin(uri) + ": " + describe(e)
                                : "request to " + origin(uri) + " failed: " + describe(e);
        boolean retryable = e instanceof IOException;
        return new ModelException(scrub(provider + ": " + what), 0, null, retryable, e);
    }

    private Throwable streamFailure(Throwable e, @Nullable String requestId) {
        if (e instanceof ModelException) {
            return e;
        }
        if (e instanceof TimeoutException) {
            return broken("no data for " + inactivityTimeout.toMillis() + " ms; the stream was closed", requestId, e);
        }
        if (!(e instanceof IOException)) {
            return broken("could not read the reply: " + describe(e), requestId, e);
        }
        return broken("the connection broke during the reply: " + describe(e), requestId, e);
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getAuthority();
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    private static Mono<String> collect(Flow.Publisher<List<ByteBuffer>> body, long limit, boolean failWhenLarger) {
        return Mono.defer(() -> {
            var collector = new Collector(limit);
            // Reading stops at the limit (the connection is closed, not drained), so an endless body ends too.
            return JdkFlowAdapter.flowPublisherToFlux(quietAfterCancel(body))
                    .concatMapIterable(buffers -> buffers)
                    .takeUntil(collector::addUntilFull)
                    .then(Mono.fromCallable(() -> {
                        if (collector.overflow && failWhenLarger) {
                            throw new IllegalStateException("the reply is larger than " + limit + " bytes");
                        }
                        return collector.text();
                    }));
        });
    }

    /**
     * The JDK client reports a body subscription cancelled by us (an inactivity timeout, the caller
     * going away) as an error afterwards; nobody is listening by then, and Reactor would log it as
     * a dropped error. Signals after the cancel are ignored.
     */
    private static <T> Flow.Publisher<T> quietAfterCancel(Flow.Publisher<T> source) {
        return subscriber -> source.subscribe(new Flow.Subscriber<T>() {
            private volatile boolean cancelled;

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscriber.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {
                        subscription.request(n);
                    }

                    @Override
                    public void cancel() {
                        cancelled = true;
                        subscription.cancel();
                    }
                });
            }

            @Override
            public void onNext(T item) {
                if (!cancelled) {
                    subscriber.onNext(item);
                }
            }

            @Override
            public void onError(Throwable error) {
                if (!cancelled) {
                    subscriber.onError(error);
                }
            }

            @Override
            public void onComplete() {
                if (!cancelled) {
                    subscriber.onComplete();
                }
            }
        });
    }

    /** Collects a body up to a limit; what lies past it is dropped and flagged. */
    private static final class Collector {
        private final long limit;
        private byte[] bytes = new byte[1024];
        private int size;
        boolean overflow;

        Collector(long limit) {
            this.limit = limit;
        }

        /** Adds what fits; true once the body went past the limit. */
        boolean addUntilFull(ByteBuffer buffer) {
            int n = buffer.remaining();
            if (size + (long) n > limit) {
                overflow = true;
                n = (int) Math.max(0, limit - size);
            }
            if (size + n > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(size + n, bytes.length * 2));
            }
            buffer.get(bytes, size, n);
            size += n;
            return overflow;
        }

        String text() {
            return new String(bytes, 0, size, StandardCharsets.UTF_8);
        }
    }

    /** An error status; carries the server's requested wait for the retry loop. */
    static final class StatusException extends ModelException {
        final @Nullable Duration retryAfter;

        StatusException(String message, int status, @Nullable String requestId, boolean retryable,
                @Nullable Duration retryAfter) {
            super(message, status, requestId, retryable, null);
            this.retryAfter = retryAfter;
        }

        /** The exception the caller sees: a plain {@link ModelException}. */
        ModelException plain(String suffix) {
            return new ModelException(getMessage() + suffix, status(), requestId(), isRetryable(), null);
        }
    }
}
