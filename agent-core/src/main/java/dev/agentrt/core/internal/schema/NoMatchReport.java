package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.found;
import static dev.agentrt.core.internal.schema.Types.hasType;
import static dev.agentrt.core.internal.schema.Types.typeList;

import dev.agentrt.core.json.JsonValue;

/** Explains why a value matches none of the alternatives of {@code anyOf} or {@code oneOf}. */
final class NoMatchReport {
    private NoMatchReport() {}

    /**
     * Reports a value that matches none of the {@code keyword} alternatives: as a type mismatch when
     * no alternative accepts its type, with the problems of the one alternative for its type when
     * there is one (so {@code anyOf: [{object}, {null}]} explains what is wrong with the object),
     * and otherwise with the first problem of each alternative.
     */
    static void report(String keyword, String howMany, Node[] alternatives, JsonValue value,
            int depth, Collector c) {
        int union = 0;
        int candidates = 0;
        Node candidate = Always.REJECT;
        for (Node node : alternatives) {
            union |= node.types();
            if (hasType(node.types(), value)) {
                candidates++;
                candidate = node;
            }
        }
        if (candidates == 0) {
            c.add(union == 0
                    ? "no value is allowed here, got " + found(value)
                    : "expected " + typeList(union) + ", got " + found(value));
            return;
        }
        if (candidates == 1) {
            int before = c.size();
            candidate.collect(value, depth, c);
            if (c.size() > before || c.full()) {
                return;
            }
        }
        var message = new StringBuilder("expected a value matching ").append(howMany)
                .append(" of the ")
                .append(keyword)
                .append(" alternatives, but none matched: ");
        int listed = 0;
        for (int i = 0; i < alternatives.length && listed < 5; i++) {
            if (!hasType(alternatives[i].types(), value)) {
                continue;
            }
            Collector first = c.fork(1);
            alternatives[i].collect(value, depth, first);
            message.append(listed++ == 0 ? "" : "; ").append(keyword).append('[').append(i).append("]: ");
            message.append(first.isEmpty() ? "does not match" : first.violations().get(0));
        }
        if (candidates > listed) {
            message.append("; ...");
        }
        c.add(message.toString());
    }
}
