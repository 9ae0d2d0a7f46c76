package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.count;
import static dev.agentrt.core.internal.schema.Keywords.nonNegative;
import static dev.agentrt.core.internal.schema.Limits.MAX_DEPTH;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * {@code contains} with {@code minContains} (1 unless given) and {@code maxContains}: how many items
 * match the schema. Without {@code contains} the bounds mean nothing, as the specification says.
 * Other types pass.
 */
final class Contains extends Node {
    private final Node schema;
    private final long min;
    private final long max;

    private Contains(Node schema, long min, long max) {
        this.schema = schema;
        this.min = min;
        this.max = max;
    }

    /** The check of {@code s}'s {@code contains}, or null when it has none. */
    static @Nullable Node compile(JsonObject s, String at, int depth, Compiler compiler) {
        JsonValue value = s.get("contains");
        if (value == null) {
            return null;
        }
        Node schema = compiler.compile(value, at + "/contains", depth + 1);
        long min = nonNegative(s, "minContains", at, 1);
        long max = nonNegative(s, "maxContains", at, Long.MAX_VALUE);
        return new Contains(schema, min, max);
    }

    @Override
    boolean test(JsonValue value, int depth) {
        if (!(value instanceof JsonArray array)) {
            return true;
        }
        long matches = matches(array.items(), depth);
        return matches >= min && matches <= max;
    }

    @Override
    void collect(JsonValue value, int depth, Collector c) {
        if (!(value instanceof JsonArray array)) {
            return;
        }
        long matches = matches(array.items(), depth);
        if (matches < min) {
            c.add("expected at least " + count(min, "item") + " matching the \"contains\" schema, got " + matches);
        } else if (matches > max) {
            c.add("expected at most " + count(max, "item") + " matching the \"contains\" schema, got " + matches);
        }
    }

    /** Counts the matching items, stopping once the count is over {@link #max}: more cannot change the answer. */
    private long matches(List<JsonValue> items, int depth) {
        if (items.isEmpty()) {
            return 0;
        }
        if (depth >= MAX_DEPTH) {
            throw TooDeep.INSTANCE;
        }
        long matches = 0;
        for (int i = 0; i < items.size() && matches <= max; i++) {
            if (schema.test(items.get(i), depth + 1)) {
                matches++;
            }
        }
        return matches;
    }
}
