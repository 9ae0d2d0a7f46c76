package dev.agentrt.core.model;

/**
 * Tokens (and cost, where the model has a price) used by one model call or summed over a task.
 *
 * @param inputTokens prompt tokens, including cached ones
 * @param outputTokens generated tokens, reasoning tokens included
 * @param cacheReadTokens prompt tokens served from the provider's cache
 * @param cacheWriteTokens prompt tokens written to the provider's cache
 * @param reasoningTokens the part of {@code outputTokens} the model spent reasoning (as providers that
 *     report it count them: OpenAI's {@code reasoning_tokens}); 0 when not reported
 * @param cost the price in the model's currency (usually USD), from the hosted client's
 *     {@link ModelPrice}; 0 when the model has no price
 */
public record Usage(long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens,
        long reasoningTokens, double cost) {
    public static final Usage ZERO = new Usage(0, 0, 0, 0, 0, 0);

    public Usage {
        if (inputTokens < 0 || outputTokens < 0 || cacheReadTokens < 0 || cacheWriteTokens < 0 || reasoningTokens < 0
                || cost < 0 || !Double.isFinite(cost)) {
            throw new IllegalArgumentException("usage counts must not be negative and cost must be finite");
        }
        cost = cost + 0.0; // -0.0 becomes 0.0: JSON has no negative zero
    }

    /** Usage without a count of reasoning tokens. */
    public Usage(long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens, double cost) {
        this(inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, 0, cost);
    }

    public static Usage of(long inputTokens, long outputTokens) {
        return new Usage(inputTokens, outputTokens, 0, 0, 0, 0);
    }

    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    /** This usage with {@code value} as its cost. */
    public Usage withCost(double value) {
        return new Usage(inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, reasoningTokens, value);
    }

    public Usage plus(Usage other) {
        if (other == ZERO) {
            return this;
        }
        if (this == ZERO) {
            return other;
        }
        return new Usage(inputTokens + other.inputTokens, outputTokens + other.outputTokens,
                cacheReadTokens + other.cacheReadTokens, cacheWriteTokens + other.cacheWriteTokens,
                reasoningTokens + other.reasoningTokens, cost + other.cost);
    }
}
