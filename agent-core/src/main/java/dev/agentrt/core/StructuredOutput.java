package dev.agentrt.core;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonSchema;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.TypeSchema;
import dev.agentrt.core.model.ResponseFormat;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

import java.lang.reflect.Type;
import java.util.List;

/**
 * What a structured task asks for: the JSON Schema of a Java type, compiled once, and the Jackson
 * mapping from a validated answer to the type. Immutable and thread-safe.
 */
final class StructuredOutput {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    final Type type;
    final JsonObject schema;
    final JsonSchema compiled;
    final ResponseFormat format;
    private final JavaType javaType;

    StructuredOutput(Type type) {
        this.type = type;
        this.schema = TypeSchema.of(type);
        this.compiled = JsonSchema.compile(schema);
        this.format = new ResponseFormat(formatName(type), schema);
        this.javaType = MAPPER.constructType(type);
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
        List<String> violations = compiled.validate(json);
        if (!violations.isEmpty()) {
            return new Checked(json, null, violations);
        }
        try {
            Object value = MAPPER.readValue(json.toJson(), javaType);
            if (value == null) {
                return new Checked(json, null, List.of("$: the answer is null"));
            }
            return new Checked(json, value, List.of());
        } catch (JacksonException e) {
            return new Checked(json, null, List.of("the answer does not map to " + type.getTypeName() + ": "
                    + e.getOriginalMessage()));
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
