package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.quote;
import static dev.agentrt.core.internal.schema.Limits.MAX_PATTERN_INPUT;

import java.util.regex.Pattern;

/** Runs {@code pattern} and {@code patternProperties} regular expressions with bounded cost. */
final class Patterns {
    static final int FOUND = 1;
    static final int NOT_FOUND = 0;
    static final int UNCHECKED = -1;

    private Patterns() {}

    /** Whether {@code pattern} occurs in {@code s}, or {@link #UNCHECKED} when that is not safe to find out. */
    static int find(Pattern pattern, String s) {
        if (s.length() > MAX_PATTERN_INPUT) {
            return UNCHECKED;
        }
        try {
            return pattern.matcher(s).find() ? FOUND : NOT_FOUND;
        } catch (StackOverflowError e) {
            // java.util.regex recurses per repetition of some constructs; a long input must not kill the caller.
            return UNCHECKED;
        }
    }

    /** The violation for a string {@link #find} could not check. */
    static String uncheckable(String what, String s, String against) {
        return s.length() > MAX_PATTERN_INPUT
                ? what + " of " + s.length() + " characters is too long to check against " + against + " (limit "
                        + MAX_PATTERN_INPUT + ")"
                : what + " " + quote(s) + " is too complex to check against " + against;
    }
}
