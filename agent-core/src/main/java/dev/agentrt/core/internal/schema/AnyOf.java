package dev.agentrt.core.internal.schema;

import dev.agentrt.core.json.JsonValue;

/** {@code anyOf}: at least one alternative matches the value. */
final class AnyOf extends Node {
    private final Node[] alternatives;

    AnyOf(Node[] alternatives) {
        this.alternatives = alternatives;
    }

    @Override
    boolean test(JsonValue value, int depth) {
        for (Node node : alternatives) {
            if (node.test(value, depth)) {
                return true;
            }
        }
        return false;
    }

    @Override
    void collect(JsonValue value, int depth, Collector c) {
        if (!test(value, depth)) {
            NoMatchReport.report("anyOf", "at least one", alternatives, value, depth, c);
        }
    }

    @Override
    Node[] sameValue() {
        return alternatives;
    }
}
