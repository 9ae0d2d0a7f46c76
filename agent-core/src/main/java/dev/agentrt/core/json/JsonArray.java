package dev.agentrt.core.json;

import java.util.List;
import java.util.Objects;

/** An immutable JSON array. */
public record JsonArray(List<JsonValue> items) implements JsonValue {
    public static final JsonArray EMPTY = new JsonArray(List.of());

    public JsonArray {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
    }

    public static JsonArray of(JsonValue... items) {
        return new JsonArray(List.of(items));
    }

    public int size() {
        return items.size();
    }

    public JsonValue get(int index) {
        return items.get(index);
    }

    @Override
    public String toString() {
        return toJson();
    }
}
