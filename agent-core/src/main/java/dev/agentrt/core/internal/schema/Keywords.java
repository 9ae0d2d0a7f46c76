package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.found;
import static dev.agentrt.core.internal.schema.Echo.quote;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.JsonValue.JsonNumber;
import org.jspecify.annotations.Nullable;

import java.math.BigDecimal;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads keyword values while compiling, and words compile errors: "invalid JSON Schema at #/...: ...". */
final class Keywords {
    private Keywords() {}

    static JsonObject object(JsonValue value, String keyword, String at) {
        if (!(value instanceof JsonObject object)) {
            throw invalid(at, "\"" + keyword + "\" must be an object, got " + describe(value));
        }
        return object;
    }

    static @Nullable BigDecimal decimal(JsonObject s, String keyword, String at) {
        JsonValue value = s.get(keyword);
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonNumber(BigDecimal number))) {
            throw invalid(at, "\"" + keyword + "\" must be a number, got " + describe(value));
        }
        return number;
    }

    /** A non-negative integer keyword, saturated at {@link Long#MAX_VALUE}. */
    static long nonNegative(JsonObject s, String keyword, String at, long absent) {
        JsonValue value = s.get(keyword);
        if (value == null) {
            return absent;
        }
        if (!(value instanceof JsonNumber number) || !number.isIntegral() || number.value().signum() < 0) {
            throw invalid(at, "\"" + keyword + "\" must be a non-negative integer, got " + describe(value));
        }
        return number.value().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0
                ? Long.MAX_VALUE
                : number.value().longValue();
    }

    static Pattern regex(String regex, String keyword, String at) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw invalid(at, "\"" + keyword + "\" " + quote(regex) + " is not a valid regular expression: "
                    + e.getDescription());
        }
    }

    /** A value in a compile error: its type, and itself when short. */
    static String describe(JsonValue value) {
        return value instanceof JsonObject || value instanceof JsonArray ? value.typeName() : found(value);
    }

    /** A property name as a JSON pointer token. */
    static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    static IllegalArgumentException invalid(String at, String problem) {
        return new IllegalArgumentException("invalid JSON Schema at " + at + ": " + problem);
    }
}
