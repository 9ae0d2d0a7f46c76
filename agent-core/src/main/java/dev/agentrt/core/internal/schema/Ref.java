package dev.agentrt.core.internal.schema;

import dev.agentrt.core.json.JsonValue;

/** A {@code $ref}; its target is set once, before the schema is published, so cycles are possible. */
final class Ref extends Node {
    /** The reference as written, such as {@code #/$defs/node}. */
    final String ref;
    /** Where the {@code $ref} is, as a JSON pointer, for compile errors. */
    final String at;
    private final Node[] target = {Always.REJECT};

    Ref(String ref, String at) {
        this.ref = ref;
        this.at = at;
    }

    void resolve(Node node) {
        target[0] = node;
    }

    @Override
    boolean test(JsonValue value, int depth) {
        return target[0].test(value, depth);
    }

    @Override
    void collect(JsonValue value, int depth, Collector c) {
        target[0].collect(value, depth, c);
    }

    @Override
    int types() {
        return target[0].types();
    }

    @Override
    Node[] sameValue() {
        return target;
    }
}
