package dev.agentrt.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits a task may not pass, enforced while it runs: token and cost totals are checked as usage
 * arrives (so a reply that pushes a task over stops it before its tool calls run), wall time by a
 * timer that cancels whatever is running. Steps are limited by {@code Agent.Builder#maxSteps}.
 *
 * @param maxTokens input plus output tokens over all steps; {@code Long.MAX_VALUE} for no limit
 * @param maxWallTime from subscription to the end; {@code null}-free, {@link #NO_TIME_LIMIT} for none
 * @param maxCost in the model's currency (US dollars for {@code dev.agentrt.core.model.ModelPrices}), over the
 *     replies' {@code Usage.cost()}: hosted models are priced from that table or their builder's
 *     {@code price(...)}, other models cost 0 unless they report a cost; {@code Double.POSITIVE_INFINITY} for none
 */
public record Budget(long maxTokens, Duration maxWallTime, double maxCost) {
    public static final Duration NO_TIME_LIMIT = Duration.ofSeconds(Long.MAX_VALUE);
    public static final Budget UNLIMITED = new Budget(Long.MAX_VALUE, NO_TIME_LIMIT, Double.POSITIVE_INFINITY);

    public Budget {
        Objects.requireNonNull(maxWallTime, "maxWallTime");
        if (maxTokens < 1) {
            throw new IllegalArgumentException("budget.maxTokens must be positive, was " + maxTokens);
        }
        if (maxWallTime.isNegative() || maxWallTime.isZero()) {
            throw new IllegalArgumentException("budget.maxWallTime must be positive, was " + maxWallTime);
        }
        if (!(maxCost > 0)) {
            throw new IllegalArgumentException("budget.maxCost must be positive, was " + maxCost);
        }
    }

    public Budget withMaxTokens(long value) {
        return new Budget(value, maxWallTime, maxCost);
    }

    public Budget withMaxWallTime(Duration value) {
        return new Budget(maxTokens, value, maxCost);
    }

    public Budget withMaxCost(double value) {
        return new Budget(maxTokens, maxWallTime, value);
    }

    boolean hasTimeLimit() {
        return !maxWallTime.equals(NO_TIME_LIMIT);
    }
}
