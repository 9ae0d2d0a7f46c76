package dev.agentrt.core.json;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable JSON value: agentrt's own small JSON type, used in public signatures (tool
 * arguments, JSON Schemas, structured results) so that no JSON library leaks into the API.
 *
 * <pre>{@code
 * JsonValue args = JsonValue.parse("{\"path\":\"src/Main.java\",\"lines\":[1,20]}");
 * String path = args.asObject().getString("path").orElseThrow();
 * JsonObject o = JsonObject.builder().put("ok", true).put("count", 3).build();
 * }</pre>
 *
 * <p>Values are thread-safe. Object members keep their insertion order; equality is structural
 * (numbers compare by numeric value, so {@code 1} equals {@code 1.0}).
 */
public sealed interface JsonValue
        permits JsonValue.JsonNull, JsonValue.JsonBoolean, JsonValue.JsonNumber, JsonValue.JsonString,
        JsonArray, JsonObject {

    /** Parses a JSON document. Throws {@link JsonParseException} for malformed input. */
    static JsonValue parse(String json) {
        return JsonCodec.parse(json);
    }

    static JsonValue of(@org.jspecify.annotations.Nullable Object value) {
        return JsonValues.from(value);
    }

    static JsonString of(String value) {
        return new JsonString(value);
    }

    static JsonNumber of(long value) {
        return new JsonNumber(BigDecimal.valueOf(value));
    }

    static JsonNumber of(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("JSON has no representation for " + value);
        }
        return new JsonNumber(BigDecimal.valueOf(value));
    }

    static JsonBoolean of(boolean value) {
        return value ? JsonBoolean.TRUE : JsonBoolean.FALSE;
    }

    static JsonNull nullValue() {
        return JsonNull.INSTANCE;
    }

    /** Compact JSON text of this value. */
    default String toJson() {
        return JsonCodec.write(this);
    }

    default JsonObject asObject() {
        if (this instanceof JsonObject o) {
            return o;
        }
        throw new IllegalStateException("not a JSON object: " + typeName());
    }

    default JsonArray asArray() {
        if (this instanceof JsonArray a) {
            return a;
        }
        throw new IllegalStateException("not a JSON array: " + typeName());
    }

    /** The JSON Schema type name of this value ({@code "object"}, {@code "integer"}, ...). */
    default String typeName() {
        return switch (this) {
            case JsonNull n -> "null";
            case JsonBoolean b -> "boolean";
            case JsonNumber n -> n.isIntegral() ? "integer" : "number";
            case JsonString s -> "string";
            case JsonArray a -> "array";
            case JsonObject o -> "object";
        };
    }

    /** JSON {@code null}. */
    enum JsonNull implements JsonValue {
        INSTANCE;

        @Override
        public String toString() {
            return "null";
        }
    }

    /** JSON {@code true} or {@code false}. */
    enum JsonBoolean implements JsonValue {
        TRUE, FALSE;

        public boolean value() {
            return this == TRUE;
        }

        @Override
        public String toString() {
            return value() ? "true" : "false";
        }
    }

    /** A JSON number, kept exactly as a {@link BigDecimal}. */
    record JsonNumber(BigDecimal value) implements JsonValue {
        public JsonNumber {
            Objects.requireNonNull(value, "value");
        }

        public boolean isIntegral() {
            return value.signum() == 0 || value.scale() <= 0 || value.stripTrailingZeros().scale() <= 0;
        }

        public long longValue() {
            return value.longValue();
        }

        public double doubleValue() {
            return value.doubleValue();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof JsonNumber n && value.compareTo(n.value) == 0;
        }

        @Override
        public int hashCode() {
            return Double.hashCode(value.doubleValue());
        }

        @Override
        public String toString() {
            return value.toString();
        }
    }

    /** A JSON string. */
    record JsonString(String value) implements JsonValue {
        public JsonString {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return toJson();
        }
    }

    /** Helpers shared by the value types. */
    final class JsonValues {
        private JsonValues() {}

        static JsonValue from(@org.jspecify.annotations.Nullable Object value) {
            return switch (value) {
                case null -> JsonNull.INSTANCE;
                case JsonValue v -> v;
                case String s -> new JsonString(s);
                case Boolean b -> JsonValue.of(b.booleanValue());
                case BigDecimal d -> new JsonNumber(d);
                case Integer i -> JsonValue.of(i.longValue());
                case Long l -> JsonValue.of(l.longValue());
                case Short s -> JsonValue.of(s.longValue());
                case Byte b -> JsonValue.of(b.longValue());
                case Number n -> JsonValue.of(n.doubleValue());
                case Enum<?> e -> new JsonString(e.name());
                case Map<?, ?> m -> {
                    var members = new LinkedHashMap<String, JsonValue>();
                    m.forEach((k, v) -> members.put(String.valueOf(k), from(v)));
                    yield new JsonObject(members);
                }
                case Iterable<?> it -> {
                    var items = new ArrayList<JsonValue>();
                    it.forEach(v -> items.add(from(v)));
                    yield new JsonArray(items);
                }
                case Optional<?> opt -> from(opt.orElse(null));
                default -> throw new IllegalArgumentException("no JSON mapping for " + value.getClass().getName());
            };
        }

        static <T> List<T> immutableList(List<T> list) {
            return Collections.unmodifiableList(new ArrayList<>(list));
        }
    }
}
