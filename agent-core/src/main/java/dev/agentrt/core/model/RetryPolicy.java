package dev.agentrt.core.model;

import java.time.Duration;
import java.util.Objects;

/**
 * How a hosted model client retries a request that failed in a way that may pass: HTTP 429, 500,
 * 502, 503, 504 and 529 (Anthropic's "overloaded"), and connections that could not be made or broke
 * before the reply started. A reply that already streamed part of its answer is never retried.
 *
 * <p>Backoff is exponential with jitter: attempt {@code n} (from 1) waits a random time between
 * {@code (1 - jitter)} and 1 times {@code min(maxBackoff, initialBackoff * 2^(n-1))}. A server's
 * {@code Retry-After} (seconds or an HTTP date) or {@code retry-after-ms} header replaces the
 * computed wait; a server that asks for longer than {@code maxRetryAfter} fails the request at once
 * instead of holding it.
 *
 * <pre>{@code
 * OpenAiChatModel.builder().retryPolicy(RetryPolicy.DEFAULT.withMaxRetries(5))...
 * }</pre>
 *
 * @param maxRetries retries after the first attempt; 0 disables retrying
 * @param initialBackoff the wait before the first retry
 * @param maxBackoff the longest computed wait
 * @param jitter the fraction of each wait that is random, in [0, 1]
 * @param maxRetryAfter the longest server-requested wait that is honoured
 */
public record RetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff, double jitter,
        Duration maxRetryAfter) {
    /** 3 retries from 500 ms, doubling up to 30 s, 25% jitter, server waits up to 60 s honoured. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(30), 0.25,
            Duration.ofSeconds(60));

    /** No retries at all. */
    public static final RetryPolicy NONE = new RetryPolicy(0, Duration.ZERO, Duration.ZERO, 0, Duration.ZERO);

    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative, was " + maxRetries);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative() || maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("backoff durations must not be negative");
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException(
                    "maxBackoff (" + maxBackoff + ") must not be shorter than initialBackoff (" + initialBackoff + ")");
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1], was " + jitter);
        }
    }

    public RetryPolicy withMaxRetries(int value) {
        return new RetryPolicy(value, initialBackoff, maxBackoff, jitter, maxRetryAfter);
    }

    public RetryPolicy withBackoff(Duration initial, Duration max) {
        return new RetryPolicy(maxRetries, initial, max, jitter, maxRetryAfter);
    }

    public RetryPolicy withMaxRetryAfter(Duration value) {
        return new RetryPolicy(maxRetries, initialBackoff, maxBackoff, jitter, value);
    }

    /**
     * The computed wait before retry number {@code retry} (from 1), given a uniform random number
     * {@code random} in [0, 1).
     */
    public Duration backoff(int retry, double random) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry counts from 1, was " + retry);
        }
        long initial = initialBackoff.toNanos();
        long cap = maxBackoff.toNanos();
        long base = retry > 62 ? cap : initial > (cap >> (retry - 1)) ? cap : Math.min(cap, initial << (retry - 1));
        long wait = base - (long) (base * jitter * random);
        return Duration.ofNanos(Math.max(0, wait));
    }
}
