package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.found;
import static dev.agentrt.core.internal.schema.Types.ALL_TYPES;

import dev.agentrt.core.json.JsonValue;

/** The boolean schemas {@code true} (and {@code {}}) and {@code false}. */
final class Always extends Node {
    static final Always ACCEPT = new Always(true);
    static final Always REJECT = new Always(false);

    private final boolean accept;

    private Always(boolean accept) {
        this.accept = accept;
    }

    @Override
    boolean test(JsonValue value, int depth) {
        return accept;
    }

    @Override
    void collect(JsonValue value, int depth, Collector c) {
        if (!accept) {
            c.add("no value is allowed here, got " + found(value));
        }
    }

    @Override
    int types() {
        return accept ? ALL_TYPES : 0;
    }
}
