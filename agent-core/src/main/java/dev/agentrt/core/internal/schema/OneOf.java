package dev.agentrt.core.internal.schema;

import dev.agentrt.core.json.JsonValue;

import java.util.ArrayList;

/** {@code oneOf}: exactly one alternative matches the value. */
final class OneOf extends Node {
    private final Node[] alternatives;

    OneOf(Node[] alternatives) {
        this.alternatives = alternatives;
    }

    @Override
    boolean test(JsonValue value, int depth) {
        boolean matched = false;
        for (Node node : alternatives) {
            if (node.test(value, depth)) {
                if (matched) {
                    return false;
                }
                matched = true;
            }
        }
        return matched;
    }

    @Override
    void collect(JsonValue value, int depth, Collector c) {
        var matching = new ArrayList<Integer>();
        for (int i = 0; i < alternatives.length; i++) {
            if (alternatives[i].test(value, depth)) {
                matching.add(i);
            }
        }
        if (matching.isEmpty()) {
            NoMatchReport.report("oneOf", "exactly one", alternatives, value, depth, c);
        } else if (matching.size() > 1) {
            var which = new StringBuilder();
            for (int i = 0; i < matching.size(); i++) {
                which.append(i == 0 ? "" : ", ").append("oneOf[").append(matching.get(i)).append(']');
            }
            c.add("expected a value matching exactly one of the oneOf alternatives, got one matching "
                    + matching.size() + " (" + which + ")");
        }
    }

    @Override
    Node[] sameValue() {
        return alternatives;
    }
}
