package dev.agentrt.core.egress;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds of one request through the {@link Egress}, redirects included.
 *
 * @param maxResponseBytes the most body bytes read; the rest is never read and the connection dropped
 * @param timeout the longest the whole request may take: every connection, TLS handshake and read of
 *        every hop ends at one deadline, however slowly the server trickles bytes
 * @param maxRedirects how many redirects are followed, each checked like the first URL
 */
public record EgressLimits(long maxResponseBytes, Duration timeout, int maxRedirects) {
    /** 2 MiB, 20 s, 5 redirects. */
    public static final EgressLimits DEFAULT = new EgressLimits(2L * 1024 * 1024, Duration.ofSeconds(20), 5);

    public EgressLimits {
        Objects.requireNonNull(timeout, "timeout");
        if (maxResponseBytes < 1) {
            throw new IllegalArgumentException("maxResponseBytes must be positive, was " + maxResponseBytes);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects must not be negative, was " + maxRedirects);
        }
    }

    public EgressLimits withMaxResponseBytes(long maxResponseBytes) {
        return new EgressLimits(maxResponseBytes, timeout, maxRedirects);
    }

    public EgressLimits withTimeout(Duration timeout) {
        return new EgressLimits(maxResponseBytes, timeout, maxRedirects);
    }

    public EgressLimits withMaxRedirects(int maxRedirects) {
        return new EgressLimits(maxResponseBytes, timeout, maxRedirects);
    }
}
