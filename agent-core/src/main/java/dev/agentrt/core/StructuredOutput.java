package dev.agentrt.core;

import dev.agentrt.core.internal.binding.BindingException;
import dev.agentrt.core.internal.binding.TypeBinding;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.TypeSchema;
import dev.agentrt.core.model.ResponseFormat;
import org.jspecify.annotations.Nullable;

import java.lang.reflect.Type;
import java.util.List;

/**
 * What a structured task asks for: the strict JSON Schema of a Java type and the binding of a
 * validated answer to the type, both from the one type-binding service ({@link TypeBinding}, the
 * same as tools use). Immutable and thread-safe.
 */
final class StructuredOutput {
    final Type type;
    final JsonObject schema;
    final ResponseFormat format;
    private final TypeBinding binding;

    StructuredOutput(Type type) {
        this.type = type;
        this.binding = TypeBinding.of(type, TypeSchema.Mode.STRICT);
        this.schema = binding.schema();
        this.format = new ResponseFormat(formatName(type), schema);
    }

    /** The answer as a value of the type, or the problems with it. */
    Checked check(String text) {
        JsonValue json;
        try {
            json = JsonValue.parse(stripFence(text));
        } catch (JsonParseException e) {
            return new Checked(null, null, List.of("the answer is not JSON: " + e.getMessage()));
        }
        return check(json);
    }

    Checked check(JsonValue json) {
        List<String> violations = binding.validate(json);
        if (!violations.isEmpty()) {
            return new Checked(json, null, violations);
        }
        if (json == JsonValue.nullValue()) {
            return new Checked(json, null, List.of("$: the answer is null"));
        }
        try {
            return new Checked(json, binding.bind(json), List.of());
        } catch (BindingException e) {
            return new Checked(json, null, List.of("the answer does not map to " + type.getTypeName() + ": "
                    + e.getMessage()));
        }
    }

    /** Models often wrap JSON in a Markdown code fence even when asked not to. */
    static String stripFence(String text) {
        String t = text.strip();
        if (t.startsWith("```")) {
            int firstLine = t.indexOf('\n');
            int close = t.lastIndexOf("```");
            if (firstLine > 0 && close > firstLine) {
                return t.substring(firstLine + 1, close).strip();
            }
        }
        return t;
    }

    private static String formatName(Type type) {
        String name = type instanceof Class<?> c ? c.getSimpleName() : type.getTypeName();
        String cleaned = name.replaceAll("[^A-Za-z0-9_-]", "_");
        if (cleaned.isEmpty()) {
            return "answer";
        }
        return cleaned.length() > 64 ? cleaned.substring(0, 64) : cleaned;
    }

    /** A checked answer: the JSON (if it parsed), the mapped value (if valid) and the problems. */
    record Checked(@Nullable JsonValue json, @Nullable Object value, List<String> problems) {
        boolean valid() {
            return value != null;
        }
    }
}
