package dev.agentrt.otel;

import dev.agentrt.core.security.Secrets;

/**
 * Bounds content before it becomes a span attribute and removes what looks like a secret ({@link Secrets#redact}).
 */
final class Scrubber {
    static final String REDACTED = Secrets.REDACTED;
    static final int MAX_CHARS = 16 * 1024;

    private Scrubber() {}

    static String scrub(String content) {
        String text = content.length() > MAX_CHARS
                ? content.substring(0, MAX_CHARS) + "…[truncated " + (content.length() - MAX_CHARS) + " characters]"
                : content;
        return Secrets.redact(text);
    }
}
