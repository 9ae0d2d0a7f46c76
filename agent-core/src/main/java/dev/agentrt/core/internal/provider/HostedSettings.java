package dev.agentrt.core.internal.provider;

import dev.agentrt.core.internal.http.SharedHttpClient;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ModelPrice;
import dev.agentrt.core.model.RetryPolicy;
import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;

/** The resolved settings of a hosted model client (see {@code HostedModelBuilder}); the key is never printed. */
public record HostedSettings(String model, @Nullable String apiKey, URI baseUrl, Duration connectTimeout,
        Duration timeout, Duration inactivityTimeout, ChatOptions defaults, Map<String, String> headers,
        RetryPolicy retryPolicy, @Nullable HttpClient httpClient, boolean nativeStructuredOutput,
        long maxResponseBytes, @Nullable ModelPrice price, boolean describeUnsupportedMedia) {

    /** These settings with {@code price} as the price the builder set. */
    public HostedSettings withPrice(@Nullable ModelPrice price) {
        return new HostedSettings(model, apiKey, baseUrl, connectTimeout, timeout, inactivityTimeout, defaults,
                headers, retryPolicy, httpClient, nativeStructuredOutput, maxResponseBytes, price,
                describeUnsupportedMedia);
    }

    /** These settings with {@code headers} as the builder's extra headers. */
    public HostedSettings withHeaders(Map<String, String> headers) {
        return new HostedSettings(model, apiKey, baseUrl, connectTimeout, timeout, inactivityTimeout, defaults,
                Map.copyOf(headers), retryPolicy, httpClient, nativeStructuredOutput, maxResponseBytes, price,
                describeUnsupportedMedia);
    }

    /** The given client, or the process's shared one for the connect timeout (see {@code SharedHttpClient}). */
    public HttpClient client() {
        return httpClient != null ? httpClient : SharedHttpClient.forConnectTimeout(connectTimeout);
    }

    /** How this model's codec treats media it cannot send (see {@code HostedModelBuilder.describeUnsupportedMedia}). */
    public ProviderMedia media(String provider) {
        return new ProviderMedia(provider, model, describeUnsupportedMedia);
    }

    @Override
    public String toString() {
        return "HostedSettings[model=" + model + ", baseUrl=" + baseUrl + ", apiKey="
                + (apiKey == null ? "none" : "[redacted]") + "]";
    }
}
