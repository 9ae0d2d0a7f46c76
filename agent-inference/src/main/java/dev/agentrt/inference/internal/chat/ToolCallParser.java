package dev.agentrt.inference.internal.chat;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds tool calls in the text a local model generated: {@code <tool_call>{json}</tool_call>}
 * blocks (Hermes, Qwen and the many models trained on their format; the closing tag may be
 * missing at the end of a reply) and a reply that is nothing but a JSON object, or array of
 * objects, with {@code name} and {@code arguments} (or {@code parameters}). Whitespace and code
 * fences around the JSON are allowed. Anything that is not a complete call stays text: parsing
 * never throws.
 */
public final class ToolCallParser {
    static final String OPEN = "<tool_call>";
    static final String CLOSE = "</tool_call>";

    private ToolCallParser() {}

    /** A call found in the text: the tool's name and its arguments as JSON text. */
    public record Call(String name, String arguments) {}

    /** The reply split into its text (trimmed) and its calls, in order. */
    public record Parsed(String text, List<Call> calls) {}

    public static Parsed parse(String text) {
        try {
            return text.contains(OPEN) ? tagged(text) : bare(text);
        } catch (RuntimeException e) {
            return new Parsed(text, List.of());
        }
    }

    private static Parsed tagged(String text) {
        StringBuilder rest = new StringBuilder();
        List<Call> calls = new ArrayList<>();
        int pos = 0;
        int start;
        while ((start = text.indexOf(OPEN, pos)) >= 0) {
            rest.append(text, pos, start);
            int bodyStart = start + OPEN.length();
            int end = text.indexOf(CLOSE, bodyStart);
            int next = end < 0 ? text.length() : end + CLOSE.length();
            List<Call> found = callsIn(text.substring(bodyStart, end < 0 ? text.length() : end));
            if (found.isEmpty()) {
                rest.append(text, start, next);
            } else {
                calls.addAll(found);
            }
            pos = next;
        }
        rest.append(text.substring(pos));
        return calls.isEmpty() ? new Parsed(text, List.of()) : new Parsed(rest.toString().strip(), calls);
    }

    private static Parsed bare(String text) {
        String body = unfence(text.strip());
        if (!body.startsWith("{") && !body.startsWith("[")) {
            return new Parsed(text, List.of());
        }
        List<Call> calls = callsIn(body);
        return calls.isEmpty() ? new Parsed(text, List.of()) : new Parsed("", calls);
    }

    /** The calls of a block holding only JSON values separated by whitespace; empty if anything else. */
    private static List<Call> callsIn(String block) {
        String body = unfence(block.strip());
        List<Call> calls = new ArrayList<>();
        int pos = 0;
        while (pos < body.length()) {
            int end = endOfValue(body, pos);
            if (end < 0) {
                return List.of();
            }
            JsonValue value = JsonValue.parse(body.substring(pos, end));
            List<JsonValue> items = value instanceof JsonArray a ? a.items() : List.of(value);
            for (JsonValue item : items) {
                Optional<Call> call = call(item);
                if (call.isEmpty()) {
                    return List.of();
                }
                calls.add(call.get());
            }
            pos = end;
            while (pos < body.length() && Character.isWhitespace(body.charAt(pos))) {
                pos++;
            }
        }
        return calls;
    }

    private static Optional<Call> call(JsonValue value) {
        if (!(value instanceof JsonObject o)) {
            return Optional.empty();
        }
        if (o.get("function") instanceof JsonObject function && !o.has("name")) {
            return call(function);
        }
        if (!(o.get("name") instanceof JsonValue.JsonString name) || name.value().isBlank()) {
            return Optional.empty();
        }
        JsonValue arguments = o.has("arguments") ? o.get("arguments") : o.get("parameters");
        if (arguments == null || arguments instanceof JsonValue.JsonNull) {
            return Optional.of(new Call(name.value(), "{}"));
        }
        if (arguments instanceof JsonValue.JsonString s) {
            // Some models emit the arguments as a JSON string, the way OpenAI's API carries them.
            return Optional.of(new Call(name.value(), s.value()));
        }
        if (arguments instanceof JsonObject) {
            return Optional.of(new Call(name.value(), arguments.toJson()));
        }
        return Optional.empty();
    }

    /** The end of the JSON object or array starting at {@code start}, or -1 if it does not close. */
    private static int endOfValue(String s, int start) {
        char open = s.charAt(start);
        if (open != '{' && open != '[') {
            return -1;
        }
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            }
        }
        return -1;
    }

    private static String unfence(String s) {
        if (!s.startsWith("```")) {
            return s;
        }
        int firstLine = s.indexOf('\n');
        int close = s.lastIndexOf("```");
        if (firstLine < 0 || close <= firstLine) {
            return s;
        }
        return s.substring(firstLine + 1, close).strip();
    }
}
