package dev.agentrt.core.model;

import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * Per-request generation settings; {@code null} leaves the model's default.
 *
 * @param maxTokens output token limit
 * @param temperature sampling temperature
 * @param topP nucleus sampling
 * @param stopSequences sequences that end the reply
 * @param responseFormat a JSON Schema the reply must match (structured output), or {@code null} for free text
 */
public record ChatOptions(@Nullable Integer maxTokens, @Nullable Double temperature, @Nullable Double topP,
        List<String> stopSequences, @Nullable ResponseFormat responseFormat) {
    public static final ChatOptions DEFAULTS = new ChatOptions(null, null, null, List.of(), null);

    public ChatOptions {
        stopSequences = List.copyOf(stopSequences);
        if (maxTokens != null && maxTokens <= 0) {
            throw new IllegalArgumentException("maxTokens must be positive, was " + maxTokens);
        }
        if (temperature != null && (temperature < 0 || !Double.isFinite(temperature))) {
            throw new IllegalArgumentException("temperature must be finite and not negative, was " + temperature);
        }
        if (temperature != null && temperature == 0.0) {
            temperature = 0.0; // -0.0 becomes 0.0: JSON has no negative zero
        }
        if (topP != null && (topP <= 0 || topP > 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], was " + topP);
        }
    }

    /** Options without a response format. */
    public ChatOptions(@Nullable Integer maxTokens, @Nullable Double temperature, @Nullable Double topP,
            List<String> stopSequences) {
        this(maxTokens, temperature, topP, stopSequences, null);
    }

    public ChatOptions withMaxTokens(@Nullable Integer value) {
        return new ChatOptions(value, temperature, topP, stopSequences, responseFormat);
    }

    public ChatOptions withTemperature(@Nullable Double value) {
        return new ChatOptions(maxTokens, value, topP, stopSequences, responseFormat);
    }

    public ChatOptions withTopP(@Nullable Double value) {
        return new ChatOptions(maxTokens, temperature, value, stopSequences, responseFormat);
    }

    public ChatOptions withStopSequences(List<String> value) {
        return new ChatOptions(maxTokens, temperature, topP, value, responseFormat);
    }

    /** These options, each unset one ({@code null}, or no stop sequences) taken from {@code defaults}. */
    public ChatOptions orElse(ChatOptions defaults) {
        if (defaults == DEFAULTS || this == defaults) {
            return this;
        }
        return new ChatOptions(maxTokens != null ? maxTokens : defaults.maxTokens,
                temperature != null ? temperature : defaults.temperature, topP != null ? topP : defaults.topP,
                stopSequences.isEmpty() ? defaults.stopSequences : stopSequences,
                responseFormat != null ? responseFormat : defaults.responseFormat);
    }

    public ChatOptions withResponseFormat(@Nullable ResponseFormat value) {
        return new ChatOptions(maxTokens, temperature, topP, stopSequences, value);
    }
}
