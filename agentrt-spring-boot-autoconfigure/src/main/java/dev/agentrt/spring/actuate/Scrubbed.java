package dev.agentrt.spring.actuate;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text shown to an approver (tool arguments, a task's input) with what looks like a secret replaced by
 * {@code [REDACTED]} and cut to a length: the same patterns agent-otel applies before content becomes a span
 * attribute. Approvers see what a call will do, not the credentials it carries.
 */
final class Scrubbed {
    static final String REDACTED = "[REDACTED]";

    /** Whole matches that are secrets. */
    private static final List<Pattern> SECRETS = List.of(
            Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
            // Provider and forge keys: OpenAI/Anthropic (sk-, sk-ant-), GitHub (ghp_, gho_, github_pat_),
            // Slack (xox?-), AWS access key ids, Google API keys.
            Pattern.compile("\\b(?:sk-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"
                    + "|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35})"),
            // JSON Web Tokens.
            Pattern.compile("\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}"));

    /** A secret's value after its name: {@code Bearer x}, {@code "api_key": "x"}, {@code password=x}... */
    private static final Pattern NAMED = Pattern.compile(
            "(?i)(\\bbearer\\s+|\\bbasic\\s+|(?:api[_-]?key|secret|password|passwd|token|authorization)"
                    + "\"?\\s*[:=]\\s*\"?(?:(?:bearer|basic)\\s+)?)([^\\s\"',;&}]{4,})");

    private Scrubbed() {}

    /**
     * {@code content} scrubbed, then cut to {@code maxChars} with a note of how much was left out. Scrubbing comes
     * first, so that a cut never leaves the start of a secret too short to be recognised.
     */
    static String text(String content, int maxChars) {
        String text = content;
        for (Pattern p : SECRETS) {
            text = p.matcher(text).replaceAll(REDACTED);
        }
        Matcher m = NAMED.matcher(text);
        text = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + REDACTED));
        if (text.length() <= maxChars) {
            return text;
        }
        return text.substring(0, maxChars) + "...[" + (text.length() - maxChars) + " more characters]";
    }
}
