package dev.agentrt.spring.actuate;

import dev.agentrt.core.security.Secrets;

/**
 * Text shown to an approver (tool arguments, a task's input) with what looks like a secret replaced by
 * {@code [REDACTED]} ({@link Secrets#redact}, as agent-otel does before content becomes a span attribute) and cut to
 * a length. Approvers see what a call will do, not the credentials it carries.
 */
final class Scrubbed {
    static final String REDACTED = Secrets.REDACTED;

    private Scrubbed() {}

    /**
     * {@code content} scrubbed, then cut to {@code maxChars} with a note of how much was left out. Scrubbing comes
     * first, so that a cut never leaves the start of a secret too short to be recognised.
     */
    static String text(String content, int maxChars) {
        String text = Secrets.redact(content);
        if (text.length() <= maxChars) {
            return text;
        }
        return text.substring(0, maxChars) + "...[" + (text.length() - maxChars) + " more characters]";
    }
}
