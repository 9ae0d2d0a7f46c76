package dev.agentrt.otel;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Removes what looks like a secret from content before it becomes a span attribute, and bounds its size. */
final class Scrubber {
    static final String REDACTED = "[REDACTED]";
    static final int MAX_CHARS = 16 * 1024;

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

    private Scrubber() {}

    static String scrub(String content) {
        String text = content.length() > MAX_CHARS
                ? content.substring(0, MAX_CHARS) + "…[truncated " + (content.length() - MAX_CHARS) + " characters]"
                : content;
        for (Pattern p : SECRETS) {
            text = p.matcher(text).replaceAll(REDACTED);
        }
        Matcher m = NAMED.matcher(text);
        return m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + REDACTED));
    }
}
