package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.echo;
import static dev.agentrt.core.internal.schema.JsonEquality.same;
import static dev.agentrt.core.internal.schema.Keywords.describe;
import static dev.agentrt.core.internal.schema.Keywords.invalid;
import static dev.agentrt.core.internal.schema.Limits.MAX_LISTED;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonValue;

/** {@code enum}, and {@code const} as an enum of one. */
final class EnumCheck extends Node {
    private final JsonValue[] allowed;
    private final String expected;

    EnumCheck(JsonValue[] allowed, String expected) {
        this.allowed = allowed;
        this.expected = expected;
    }

    @Override
    boolean test(JsonValue value, int depth) {
        for (JsonValue candidate : allowed) {
            if (same(candidate, value, depth)) {
                return true;
            }
        }
        return false;
    }

    @Override
    void collect(JsonValue value, int depth, Collector c) {
        if (!test(value, depth)) {
            c.add("expected " + expected + ", got " + echo(value));
        }
    }

    /** {@code const}: the one value allowed. */
    static Node constant(JsonValue value) {
        return new EnumCheck(new JsonValue[]{value}, echo(value));
    }

    /** {@code enum}: the values allowed; none when the array is empty. */
    static Node of(JsonValue value, String at) {
        if (!(value instanceof JsonArray array)) {
            throw invalid(at, "\"enum\" must be an array, got " + describe(value));
        }
        if (array.size() == 0) {
            return Always.REJECT;
        }
        var text = new StringBuilder("one of ");
        for (int i = 0; i < array.size() && i < MAX_LISTED; i++) {
            text.append(i == 0 ? "" : ", ").append(echo(array.get(i)));
        }
        if (array.size() > MAX_LISTED) {
            text.append(", ...");
        }
        return new EnumCheck(array.items().toArray(new JsonValue[0]), text.toString());
    }
}
