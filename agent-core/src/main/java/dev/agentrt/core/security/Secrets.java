package dev.agentrt.core.security;

import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What looks like a credential in text a person or a telemetry backend will see (tool arguments, a task's input, a
 * model's reply), replaced by {@value #REDACTED}: private keys in PEM form; provider and forge keys (OpenAI and
 * Anthropic {@code sk-}, GitHub {@code ghp_}/{@code github_pat_}, Slack {@code xox?-}, AWS access key ids, Google API
 * keys); JSON Web Tokens; and the value after a secret's name ({@code Bearer x}, {@code Basic x},
 * {@code "api_key": "x"}, {@code password=x}, {@code token: x}...). A heuristic for what is shown, not a control:
 * a secret in no known shape goes through. Thread-safe.
 */
public final class Secrets {
    /** What stands in for a secret. */
    public static final String REDACTED = "[REDACTED]";

    /** Whole matches that are secrets. */
    private static final List<Pattern> SECRETS = List.of(
            Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
            Pattern.compile("\\b(?:sk-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"
                    + "|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35})"),
            Pattern.compile("\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}"));

    /** A secret's value after its name. */
    private static final Pattern NAMED = Pattern.compile(
            "(?i)(\\bbearer\\s+|\\bbasic\\s+|(?:api[_-]?key|secret|password|passwd|token|authorization)"
                    + "\"?\\s*[:=]\\s*\"?(?:(?:bearer|basic)\\s+)?)([^\\s\"',;&}]{4,})");

    private Secrets() {}

    /** {@code text} with each credential-looking part replaced by {@value #REDACTED}. */
    public static String redact(String text) {
        String out = Objects.requireNonNull(text, "text");
        for (Pattern p : SECRETS) {
            out = p.matcher(out).replaceAll(REDACTED);
        }
        return NAMED.matcher(out).replaceAll(r -> Matcher.quoteReplacement(r.group(1) + REDACTED));
    }
}
