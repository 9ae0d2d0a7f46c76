package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.count;
import static dev.agentrt.core.internal.schema.Echo.echo;
import static dev.agentrt.core.internal.schema.Echo.quote;
import static dev.agentrt.core.internal.schema.Keywords.describe;
import static dev.agentrt.core.internal.schema.Keywords.invalid;
import static dev.agentrt.core.internal.schema.Keywords.nonNegative;
import static dev.agentrt.core.internal.schema.Keywords.regex;
import static dev.agentrt.core.internal.schema.Patterns.FOUND;
import static dev.agentrt.core.internal.schema.Patterns.NOT_FOUND;
import static dev.agentrt.core.internal.schema.Patterns.UNCHECKED;
import static dev.agentrt.core.internal.schema.Patterns.find;
import static dev.agentrt.core.internal.schema.Patterns.uncheckable;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.JsonValue.JsonString;
import org.jspecify.annotations.Nullable;

import java.util.regex.Pattern;

/** {@code minLength}, {@code maxLength} (in code points) and {@code pattern}; other types pass. */
final class StringChecks extends Node {
    private final long minLength;
    private final long maxLength;
    private final @Nullable Pattern pattern;

    StringChecks(long minLength, long maxLength, @Nullable Pattern pattern) {
        this.minLength = minLength;
        this.maxLength = maxLength;
        this.pattern = pattern;
    }

    @Override
    boolean test(JsonValue value, int depth) {
        if (!(value instanceof JsonString(String s))) {
            return true;
        }
        return lengthOk(s) && (pattern == null || find(pattern, s) == FOUND);
    }

    /** Counts code points only when the UTF-16 length cannot decide. */
    private boolean lengthOk(String s) {
        int units = s.length();
        if (units < minLength) {
            return false; // a string never has more code points than chars
        }
        if (units > maxLength || units / 2 < minLength) {
            long codePoints = s.codePointCount(0, units);
            return codePoints >= minLength && codePoints <= maxLength;
        }
        return true;
    }

    @Override
    void collect(JsonValue value, int depth, Collector c) {
        if (!(value instanceof JsonString(String s))) {
            return;
        }
        if (!lengthOk(s)) {
            long codePoints = s.codePointCount(0, s.length());
            if (codePoints < minLength) {
                c.add("expected at least " + count(minLength, "character") + ", got " + codePoints);
            } else {
                c.add("expected at most " + count(maxLength, "character") + ", got " + codePoints);
            }
        }
        if (pattern != null) {
            int found = find(pattern, s);
            if (found == NOT_FOUND) {
                c.add("expected a string matching the pattern " + quote(pattern.pattern()) + ", got "
                        + echo(value));
            } else if (found == UNCHECKED) {
                c.add(uncheckable("string", s, "the pattern " + quote(pattern.pattern())));
            }
        }
    }

    /** The checks of {@code s}'s string keywords, or null when it has none. */
    static @Nullable Node compile(JsonObject s, String at) {
        long minLength = nonNegative(s, "minLength", at, 0);
        long maxLength = nonNegative(s, "maxLength", at, Long.MAX_VALUE);
        Pattern pattern = null;
        JsonValue value = s.get("pattern");
        if (value != null) {
            if (!(value instanceof JsonString(String regex))) {
                throw invalid(at, "\"pattern\" must be a string, got " + describe(value));
            }
            pattern = regex(regex, "pattern", at);
        }
        if (minLength == 0 && maxLength == Long.MAX_VALUE && pattern == null) {
            return null;
        }
        return new StringChecks(minLength, maxLength, pattern);
    }
}
