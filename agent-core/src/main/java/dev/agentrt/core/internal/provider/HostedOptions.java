package dev.agentrt.core.internal.provider;

import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.HostedModelBuilder;
import dev.agentrt.core.model.ModelPrice;
import dev.agentrt.core.model.RetryPolicy;
import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The state behind a {@link HostedModelBuilder}: every shared setting, validated as it is set, and
 * resolved into {@link HostedSettings} at {@code build()} (environment variables read then). The
 * public builder holds one and forwards its setters here; a provider's {@code build()} reaches it
 * through {@link #of}, so that no public or protected member of the builder names this class.
 *
 * <p>Mutable and not thread-safe, like the builder that holds it.
 */
public final class HostedOptions {
    // Set once, by HostedModelBuilder's class initializer: every builder instance exists after it ran.
    private static volatile @Nullable Function<HostedModelBuilder<?>, HostedOptions> ofBuilder;

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
    private @Nullable ModelPrice price;
    private boolean describeUnsupportedMedia;

    /**
     * Called by {@code HostedModelBuilder} (only) with the way to its options.
     *
     * @throws IllegalStateException when called a second time
     */
    public static synchronized void bind(Function<HostedModelBuilder<?>, HostedOptions> accessor) {
        if (ofBuilder != null) {
            throw new IllegalStateException("the builder's options are bound already");
        }
        ofBuilder = Objects.requireNonNull(accessor, "accessor");
    }

    /** The options a builder holds (the same object, not a copy). */
    public static HostedOptions of(HostedModelBuilder<?> builder) {
        return Objects.requireNonNull(ofBuilder, "HostedModelBuilder is not initialised").apply(builder);
    }

    public void model(String name) {
        this.model = requireText(name, "model");
    }

    public void apiKey(String key) {
        this.apiKey = requireText(key, "apiKey");
    }

    public void baseUrl(String url) {
        this.baseUrl = parseBaseUrl(url);
    }

    public void connectTimeout(Duration value) {
        this.connectTimeout = positive(value, "connectTimeout");
    }

    public void timeout(Duration value) {
        this.timeout = positive(value, "timeout");
    }

    public void inactivityTimeout(Duration value) {
        this.inactivityTimeout = positive(value, "inactivityTimeout");
    }

    public void maxTokens(int value) {
        this.defaults = defaults.withMaxTokens(value);
    }

    public void temperature(double value) {
        this.defaults = defaults.withTemperature(value);
    }

    public void topP(double value) {
        this.defaults = defaults.withTopP(value);
    }

    public void header(String name, String value) {
        requireText(name, "header name");
        Objects.requireNonNull(value, "header value");
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.equals("content-type") || lower.equals("accept") || lower.equals("content-length")
                || lower.equals("host") || lower.equals("connection")) {
            throw new IllegalArgumentException("header " + name + " is set by the client itself");
        }
        headers.put(name, value);
    }

    public void retryPolicy(RetryPolicy value) {
        this.retryPolicy = Objects.requireNonNull(value, "retryPolicy");
    }

    public void httpClient(HttpClient client) {
        this.httpClient = Objects.requireNonNull(client, "httpClient");
    }

    public void nativeStructuredOutput(boolean value) {
        this.nativeStructuredOutput = value;
    }

    public void maxResponseBytes(long value) {
        if (value < 1024) {
            throw new IllegalArgumentException("maxResponseBytes must be at least 1024, was " + value);
        }
        this.maxResponseBytes = value;
    }

    public void price(@Nullable ModelPrice value) {
        this.price = value;
    }

    public void describeUnsupportedMedia(boolean value) {
        this.describeUnsupportedMedia = value;
    }

    public void environment(UnaryOperator<@Nullable String> lookup) {
        this.environment = Objects.requireNonNull(lookup, "environment");
    }

    /**
     * The settings resolved for a provider: the key from {@code keyVariable} when none was set, the
     * base URL from {@code urlVariable} or {@code defaultUrl}.
     *
     * @throws IllegalArgumentException when no model name was set
     */
    public HostedSettings resolve(String keyVariable, String urlVariable, String defaultUrl, String example) {
        String name = model;
        if (name == null) {
            throw new IllegalArgumentException("model is required: the provider's model name, e.g. " + example);
        }
        String key = apiKey;
        // A key from the environment goes only to the provider's own API or to the base URL the
        // environment names beside it, never to a server the code pointed the client at.
        boolean urlFromCode = baseUrl != null && !baseUrl.equals(URI.create(defaultUrl));
        if (key == null && !urlFromCode) {
            key = env(keyVariable);
        }
        URI url = baseUrl;
        if (url == null) {
            String fromEnv = env(urlVariable);
            url = parseBaseUrl(fromEnv == null ? defaultUrl : fromEnv);
        }
        return new HostedSettings(name, key, url, connectTimeout, timeout, inactivityTimeout, defaults,
                Map.copyOf(headers), retryPolicy, httpClient, nativeStructuredOutput, maxResponseBytes, price,
                describeUnsupportedMedia);
    }

    /** The value of an environment variable through the {@code environment} lookup; null when unset or blank. */
    public @Nullable String env(String name) {
        String value = environment.apply(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** Whether a base URL was set. */
    public boolean hasBaseUrl() {
        return baseUrl != null;
    }

    /** Copies every setting of {@code other} into these options (for {@code toBuilder()} and snapshots). */
    public void copyFrom(HostedOptions other) {
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
        this.price = other.price;
        this.describeUnsupportedMedia = other.describeUnsupportedMedia;
    }

    /** A copy of these options that later changes to either do not reach. */
    public HostedOptions copy() {
        var copy = new HostedOptions();
        copy.copyFrom(this);
        return copy;
    }

    private static URI parseBaseUrl(String url) {
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
        return uri;
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

    @Override
    public String toString() {
        return "HostedOptions[model=" + model + ", baseUrl=" + baseUrl + ", apiKey="
                + (apiKey == null ? "none" : "[redacted]") + "]";
    }
}
