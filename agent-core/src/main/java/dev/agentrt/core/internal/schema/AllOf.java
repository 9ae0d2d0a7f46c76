package dev.agentrt.core.internal.schema;

import dev.agentrt.core.json.JsonValue;

/** {@code allOf}: every schema matches the value. */
final class AllOf extends Node {
    private final Node[] all;

    AllOf(Node[] all) {
        this.all = all;
    }

    @Override
    boolean test(JsonValue value, int depth) {
        for (Node node : all) {
            if (!node.test(value, depth)) {
                return false;
            }
        }
        return true;
    }

    @Override
    void collect(JsonValue value, int depth, Collector c) {
        for (Node node : all) {
            if (c.full()) {
                return;
            }
            node.collect(value, depth, c);
        }
    }

    @Override
    Node[] sameValue() {
        return all;
    }
}
