package dev.agentrt.tools.web;

import dev.agentrt.core.egress.EgressLimits;

import java.time.Duration;

/**
 * The bounds of one web tool call.
 *
 * @param maxResponseBytes the most body bytes read; the rest is never read and the connection dropped
 * @param timeout the longest a whole call may take, redirects included
 * @param maxRedirects how many redirects are followed, each checked like the first URL
 * @param maxTextChars the most characters of page text or response body handed to the model
 */
public record WebLimits(long maxResponseBytes, Duration timeout, int maxRedirects, int maxTextChars) {
    /** 2 MiB, 20 s, 5 redirects, 40,000 characters. */
    public static final WebLimits DEFAULT = new WebLimits(2L * 1024 * 1024, Duration.ofSeconds(20), 5, 40_000);

    public WebLimits {
        // The egress layer's bounds check themselves, with the same names.
        new EgressLimits(maxResponseBytes, timeout, maxRedirects);
        if (maxTextChars < 100) {
            throw new IllegalArgumentException("maxTextChars must be at least 100, was " + maxTextChars);
        }
    }

    /** The bounds the egress layer enforces for one call. */
    EgressLimits egress() {
        return new EgressLimits(maxResponseBytes, timeout, maxRedirects);
    }
}
