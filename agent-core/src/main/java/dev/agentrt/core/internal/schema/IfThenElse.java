package dev.agentrt.core.internal.schema;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.jspecify.annotations.Nullable;

/**
 * {@code if}, {@code then} and {@code else}: a value that matches {@code if} must match {@code then},
 * any other must match {@code else}; a missing branch accepts. {@code if} alone, or {@code then} and
 * {@code else} without it, check nothing, as the specification says.
 */
final class IfThenElse extends Node {
    private final Node[] branches;

    private IfThenElse(Node condition, Node then, Node otherwise) {
        this.branches = new Node[]{condition, then, otherwise};
    }

    /** The check of {@code s}'s {@code if}, or null when it checks nothing. */
    static @Nullable Node compile(JsonObject s, String at, int depth, Compiler compiler) {
        JsonValue condition = s.get("if");
        JsonValue then = s.get("then");
        JsonValue otherwise = s.get("else");
        if (condition == null || (then == null && otherwise == null)) {
            return null;
        }
        return compiler.link(new IfThenElse(compiler.compile(condition, at + "/if", depth + 1),
                then == null ? Always.ACCEPT : compiler.compile(then, at + "/then", depth + 1),
                otherwise == null ? Always.ACCEPT : compiler.compile(otherwise, at + "/else", depth + 1)));
    }

    @Override
    boolean test(JsonValue value, int depth) {
        return branches[branches[0].test(value, depth) ? 1 : 2].test(value, depth);
    }

    @Override
    void collect(JsonValue value, int depth, Collector c) {
        branches[branches[0].test(value, depth) ? 1 : 2].collect(value, depth, c);
    }

    @Override
    Node[] sameValue() {
        return branches;
    }
}
