package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Limits.MAX_ECHO;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.JsonValue.JsonBoolean;
import dev.agentrt.core.json.JsonValue.JsonNull;
import dev.agentrt.core.json.JsonValue.JsonNumber;
import dev.agentrt.core.json.JsonValue.JsonString;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Map;

/** How values appear in violations: short, quoted, never echoing more than about 80 characters. */
final class Echo {
    private Echo() {}

    /** The type of a value, with the value itself when it is a scalar: {@code string "abc"}. */
    static String found(JsonValue value) {
        return switch (value) {
            case JsonNull n -> "null";
            case JsonBoolean b -> "boolean " + b;
            case JsonString s -> "string " + echo(value);
            case JsonNumber n -> value.typeName() + " " + echo(value);
            case JsonArray a -> "array";
            case JsonObject o -> "object";
        };
    }

    /** Compact JSON of a value, cut at about 80 characters; a long string also says its length. */
    static String echo(JsonValue value) {
        if (value instanceof JsonString(String s)) {
            return quote(s);
        }
        var out = new StringBuilder();
        appendEcho(out, value);
        if (out.length() > MAX_ECHO) {
            out.setLength(MAX_ECHO - 3);
            out.append("...");
        }
        return out.toString();
    }

    /** Stops descending once the text is over the limit, so that the work is bounded too. */
    private static void appendEcho(StringBuilder out, JsonValue value) {
        if (out.length() > MAX_ECHO) {
            return;
        }
        switch (value) {
            case JsonString s -> appendQuoted(out, s.value(), MAX_ECHO);
            case JsonNumber n -> out.append(number(n.value()));
            case JsonArray a -> {
                out.append('[');
                for (int i = 0; i < a.size() && out.length() <= MAX_ECHO; i++) {
                    out.append(i == 0 ? "" : ",");
                    appendEcho(out, a.get(i));
                }
                out.append(']');
            }
            case JsonObject o -> {
                out.append('{');
                for (Map.Entry<String, JsonValue> member : o.members().entrySet()) {
                    if (out.length() > MAX_ECHO) {
                        break;
                    }
                    out.append(out.charAt(out.length() - 1) == '{' ? "" : ",");
                    appendQuoted(out, member.getKey(), MAX_ECHO);
                    out.append(':');
                    appendEcho(out, member.getValue());
                }
                out.append('}');
            }
            case JsonBoolean b -> out.append(b);
            case JsonNull n -> out.append("null");
        }
    }

    static String number(BigDecimal value) {
        // Huge numbers come only from hostile or broken input; printing all their digits is pointless.
        return value.precision() > 40 ? value.round(new MathContext(20)) + "..." : value.toString();
    }

    /** A JSON string literal of {@code s}, cut to about 80 characters. */
    static String quote(String s) {
        var out = new StringBuilder(Math.min(s.length(), MAX_ECHO) + 24);
        appendQuoted(out, s, MAX_ECHO);
        return out.toString();
    }

    private static void appendQuoted(StringBuilder out, String s, int limit) {
        int start = out.length();
        out.append('"');
        int i = 0;
        for (; i < s.length() && out.length() - start < limit; i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        out.append(String.format("\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        if (i < s.length()) {
            if (Character.isHighSurrogate(s.charAt(i - 1))) {
                out.setLength(out.length() - 1); // never split a surrogate pair
            }
            out.append("...\" (").append(s.length()).append(" characters)");
        } else {
            out.append('"');
        }
    }

    static String count(long n, String singular) {
        return count(n, singular, singular + "s");
    }

    static String count(long n, String singular, String plural) {
        return n + " " + (n == 1 ? singular : plural);
    }
}
