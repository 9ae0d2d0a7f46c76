package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Types.ALL_TYPES;

import dev.agentrt.core.json.JsonValue;

/**
 * A compiled validator. {@link #test} is the allocation-free fast path; {@link #collect} runs only
 * for an invalid value and must report a violation exactly where {@code test} would return false.
 */
abstract class Node {
    static final Node[] NO_NODES = {};

    /** Whether {@code value}, nested {@code depth} levels deep, is valid. */
    abstract boolean test(JsonValue value, int depth);

    /** Adds a violation to {@code c} for each problem of {@code value}; nothing if it is valid. */
    abstract void collect(JsonValue value, int depth, Collector c);

    /** The types this node can accept at all; picks the relevant alternative in anyOf messages. */
    int types() {
        return ALL_TYPES;
    }

    /** Nodes applied to the same value, not to a part of it: a cycle of these never ends. */
    Node[] sameValue() {
        return NO_NODES;
    }
}
