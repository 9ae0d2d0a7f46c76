package dev.agentrt.core.json;

import org.jspecify.annotations.Nullable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** An immutable JSON object whose members keep their insertion order. */
public record JsonObject(Map<String, JsonValue> members) implements JsonValue {
    public static final JsonObject EMPTY = new JsonObject(Map.of());

    public JsonObject {
        Objects.requireNonNull(members, "members");
        if (!(members instanceof FrozenMap)) {
            members = members.isEmpty() ? Map.of() : FrozenMap.copyOf(members);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public @Nullable JsonValue get(String name) {
        return members.get(name);
    }

    public boolean has(String name) {
        return members.containsKey(name);
    }

    public int size() {
        return members.size();
    }

    public Optional<String> getString(String name) {
        return members.get(name) instanceof JsonString(String value) ? Optional.of(value) : Optional.empty();
    }

    public Optional<JsonObject> getObject(String name) {
        return members.get(name) instanceof JsonObject o ? Optional.of(o) : Optional.empty();
    }

    public Optional<JsonArray> getArray(String name) {
        return members.get(name) instanceof JsonArray a ? Optional.of(a) : Optional.empty();
    }

    public Optional<Long> getLong(String name) {
        if (members.get(name) instanceof JsonNumber n && n.isIntegral()) {
            try {
                return Optional.of(n.value().longValueExact());
            } catch (ArithmeticException outOfRange) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    public Optional<Double> getDouble(String name) {
        return members.get(name) instanceof JsonNumber n ? Optional.of(n.doubleValue()) : Optional.empty();
    }

    public Optional<Boolean> getBoolean(String name) {
        return members.get(name) instanceof JsonBoolean b ? Optional.of(b.value()) : Optional.empty();
    }

    @Override
    public String toString() {
        return toJson();
    }

    /** Builds a {@link JsonObject}; not thread-safe, {@link #build()} copies. */
    public static final class Builder {
        private final LinkedHashMap<String, JsonValue> members = new LinkedHashMap<>();

        private Builder() {}

        public Builder put(String name, JsonValue value) {
            members.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder put(String name, String value) {
            return put(name, JsonValue.of(value));
        }

        public Builder put(String name, long value) {
            return put(name, JsonValue.of(value));
        }

        public Builder put(String name, double value) {
            return put(name, JsonValue.of(value));
        }

        public Builder put(String name, boolean value) {
            return put(name, JsonValue.of(value));
        }

        public Builder put(String name, List<String> values) {
            return put(name, JsonValue.of(values));
        }

        public Builder putAll(JsonObject other) {
            members.putAll(other.members());
            return this;
        }

        public JsonObject build() {
            return new JsonObject(members);
        }
    }
}
