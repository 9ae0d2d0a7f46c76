package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.found;

import dev.agentrt.core.json.JsonValue;

/** {@code not}: the schema must not match the value. */
final class Not extends Node {
    private final Node[] negated;

    Not(Node negated) {
        this.negated = new Node[]{negated};
    }

    @Override
    boolean test(JsonValue value, int depth) {
        return !negated[0].test(value, depth);
    }

    @Override
    void collect(JsonValue value, int depth, Collector c) {
        if (negated[0].test(value, depth)) {
            c.add("expected a value not matching the \"not\" schema, got " + found(value));
        }
    }

    @Override
    Node[] sameValue() {
        return negated;
    }
}
