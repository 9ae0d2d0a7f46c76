package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.found;
import static dev.agentrt.core.internal.schema.Types.hasType;

import dev.agentrt.core.json.JsonValue;

/** A schema object: its {@code type}, then the checks of its other keywords. */
final class SchemaNode extends Node {
    private final int types;
    private final String expected;
    private final Node[] checks;

    SchemaNode(int types, String expected, Node[] checks) {
        this.types = types;
        this.expected = expected;
        this.checks = checks;
    }

    @Override
    boolean test(JsonValue value, int depth) {
        if (!hasType(types, value)) {
            return false;
        }
        for (Node check : checks) {
            if (!check.test(value, depth)) {
                return false;
            }
        }
        return true;
    }

    @Override
    void collect(JsonValue value, int depth, Collector c) {
        if (!hasType(types, value)) {
            // The other keywords would only add noise about a value of the wrong type.
            c.add("expected " + expected + ", got " + found(value));
            return;
        }
        for (Node check : checks) {
            if (c.full()) {
                return;
            }
            check.collect(value, depth, c);
        }
    }

    @Override
    int types() {
        return types;
    }

    @Override
    Node[] sameValue() {
        return checks;
    }
}
