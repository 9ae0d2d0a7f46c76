package dev.agentrt.core.model;

import dev.agentrt.core.internal.http.HostedSettings;
import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The settings every hosted model client shares: model name, API key, base URL, timeouts,
 * generation defaults, extra headers and retry policy. Each provider's builder extends it.
 *
 * <p>Timeouts: {@code connectTimeout} bounds opening a connection; {@code timeout} bounds the wait
 * for the response headers of one attempt; {@code inactivityTimeout} bounds the silence between two
 * pieces of a body (the JDK's request timeout does not cover a streamed body).
 *
 * @param <B> the provider's builder
 */
public abstract class HostedModelBuilder<B extends HostedModelBuilder<B>> {
    private @Nullable String model;
    private @Nullable String apiKey;
    private @Nullable URI baseUrl;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration timeout = Duration.ofSeconds(120);
    private Duration inactivityTimeout = Duration.ofSeconds(120);
    private ChatOptions defaults = ChatOptions.DEFAULTS;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private RetryPolicy retryPolicy = RetryPolicy.DEFAULT;
    private @Nullable HttpClient httpClient;
    private UnaryOperator<@Nullable String> environment = System::getenv;
    private boolean nativeStructuredOutput = true;
    private long maxResponseBytes = 64L * 1024 * 1024;

    protected HostedModelBuilder() {}

    protected abstract B self();

    /** The provider's model name, for example {@code claude-sonnet-4-5} or {@code gpt-4.1-mini}. */
    public B model(String name) {
        this.model = requireText(name, "model");
        return self();
    }

    /**
     * The API key. Without one, the provider's conventional environment variable is read at
     * {@code build()}, unless {@link #baseUrl} pointed the client at another server in code: a key
     * from the environment is sent only to the provider's API or to the base URL the environment
     * names.
     */
    public B apiKey(String key) {
        this.apiKey = requireText(key, "apiKey");
        return self();
    }

    /** Where the API lives; each provider has a default (and reads its conventional environment variable). */
    public B baseUrl(String url) {
        Objects.requireNonNull(url, "baseUrl");
        URI uri;
        try {
            uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("baseUrl is not a URL: " + e.getMessage(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("baseUrl must be an http:// or https:// URL with a host");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("baseUrl must not carry credentials, a query or a fragment: "
                    + uri.getScheme() + "://" + uri.getHost());
        }
        this.baseUrl = uri;
        return self();
    }

    public B connectTimeout(Duration value) {
        this.connectTimeout = positive(value, "connectTimeout");
        return self();
    }

    /** The longest wait for the response headers of one attempt. */
    public B timeout(Duration value) {
        this.timeout = positive(value, "timeout");
        return self();
    }

    /** The longest silence between two pieces of a streamed (or collected) body. */
    public B inactivityTimeout(Duration value) {
        this.inactivityTimeout = positive(value, "inactivityTimeout");
        return self();
    }

    /** Output token limit for requests whose options set none. */
    public B maxTokens(int value) {
        this.defaults = defaults.withMaxTokens(value);
        return self();
    }

    /** Sampling temperature for requests whose options set none. */
    public B temperature(double value) {
        this.defaults = defaults.withTemperature(value);
        return self();
    }

    /** Nucleus sampling for requests whose options set none. */
    public B topP(double value) {
        this.defaults = defaults.withTopP(value);
        return self();
    }

    /** A header sent with every request (an organisation id, a gateway's routing key...). */
    public B header(String name, String value) {
        requireText(name, "header name");
        Objects.requireNonNull(value, "header value");
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals("content-type") || lower.equals("accept") || lower.equals("content-length")
                || lower.equals("host") || lower.equals("connection")) {
            throw new IllegalArgumentException("header " + name + " is set by the client itself");
        }
        headers.put(name, value);
        return self();
    }

    public B retryPolicy(RetryPolicy value) {
        this.retryPolicy = Objects.requireNonNull(value, "retryPolicy");
        return self();
    }

    /**
     * A JDK client to use instead of the one shared by every model built without one (for a proxy,
     * an executor or TLS settings of your choice). Its executor then reads and decodes the replies;
     * the subscriber's code still runs on Reactor's parallel scheduler, never there.
     */
    public B httpClient(HttpClient client) {
        this.httpClient = Objects.requireNonNull(client, "httpClient");
        return self();
    }

    /**
     * Whether structured output ({@code task.returning(...)}) uses the provider's native JSON
     * Schema mode (the default) or, for models and servers without it, a final-answer tool run by
     * the agent loop.
     */
    public B nativeStructuredOutput(boolean value) {
        this.nativeStructuredOutput = value;
        return self();
    }

    /** The largest response body accepted, streamed or not (64 MiB unless set); a larger one is an error. */
    public B maxResponseBytes(long value) {
        if (value < 1024) {
            throw new IllegalArgumentException("maxResponseBytes must be at least 1024, was " + value);
        }
        this.maxResponseBytes = value;
        return self();
    }

    /** Where environment variables are read from ({@link System#getenv} unless set; for tests and configuration layers). */
    public B environment(UnaryOperator<@Nullable String> lookup) {
        this.environment = Objects.requireNonNull(lookup, "environment");
        return self();
    }

    /**
     * The settings resolved for a provider: the key from {@code keyVariable} when none was set, the
     * base URL from {@code urlVariable} or {@code defaultUrl}.
     *
     * @throws IllegalArgumentException when no model name was set
     */
    protected HostedSettings settings(String keyVariable, String urlVariable, String defaultUrl, String example) {
        if (model == null) {
            throw new IllegalArgumentException("model is required: the provider's model name, e.g. " + example);
        }
        String key = apiKey;
        // A key from the environment goes only to the provider's own API or to the base URL the
        // environment names beside it, never to a server the code pointed the client at.
        boolean urlFromCode = baseUrl != null && !baseUrl.equals(URI.create(defaultUrl));
        if (key == null && !urlFromCode) {
            String fromEnv = environment.apply(keyVariable);
            key = fromEnv == null || fromEnv.isBlank() ? null : fromEnv.strip();
        }
        URI url = baseUrl;
        if (url == null) {
            String fromEnv = environment.apply(urlVariable);
            baseUrl(fromEnv == null || fromEnv.isBlank() ? defaultUrl : fromEnv.strip());
            url = Objects.requireNonNull(baseUrl);
            baseUrl = null;
        }
        return new HostedSettings(model, key, url, connectTimeout, timeout, inactivityTimeout, defaults,
                Map.copyOf(headers), retryPolicy, httpClient, nativeStructuredOutput, maxResponseBytes);
    }

    /** The value of an environment variable through the builder's {@link #environment} lookup. */
    protected @Nullable String env(String name) {
        String value = environment.apply(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** Whether a base URL was set on this builder. */
    protected boolean hasBaseUrl() {
        return baseUrl != null;
    }

    /** Copies every shared setting of {@code other} into this builder (for {@code toBuilder()}). */
    protected B from(HostedModelBuilder<?> other) {
        this.model = other.model;
        this.apiKey = other.apiKey;
        this.baseUrl = other.baseUrl;
        this.connectTimeout = other.connectTimeout;
        this.timeout = other.timeout;
        this.inactivityTimeout = other.inactivityTimeout;
        this.defaults = other.defaults;
        this.headers.clear();
        this.headers.putAll(other.headers);
        this.retryPolicy = other.retryPolicy;
        this.httpClient = other.httpClient;
        this.environment = other.environment;
        this.nativeStructuredOutput = other.nativeStructuredOutput;
        this.maxResponseBytes = other.maxResponseBytes;
        return self();
    }

    private static String requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }

    private static Duration positive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }
}
