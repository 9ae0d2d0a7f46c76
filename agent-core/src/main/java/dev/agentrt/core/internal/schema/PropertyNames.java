package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.quote;
import static dev.agentrt.core.internal.schema.Limits.MAX_DEPTH;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.JsonValue.JsonString;
import org.jspecify.annotations.Nullable;

/** {@code propertyNames}: every member name, as a string, matches the schema. Other types pass. */
final class PropertyNames extends Node {
    private final Node schema;

    private PropertyNames(Node schema) {
        this.schema = schema;
    }

    /** The check of {@code s}'s {@code propertyNames}, or null when it has none. */
    static @Nullable Node compile(JsonObject s, String at, int depth, Compiler compiler) {
        JsonValue value = s.get("propertyNames");
        if (value == null) {
            return null;
        }
        Node schema = compiler.compile(value, at + "/propertyNames", depth + 1);
        return schema == Always.ACCEPT ? null : new PropertyNames(schema);
    }

    @Override
    boolean test(JsonValue value, int depth) {
        if (!(value instanceof JsonObject object) || object.size() == 0) {
            return true;
        }
        if (depth >= MAX_DEPTH) {
            throw TooDeep.INSTANCE;
        }
        for (String name : object.members().keySet()) {
            if (!schema.test(new JsonString(name), depth + 1)) {
                return false;
            }
        }
        return true;
    }

    @Override
    void collect(JsonValue value, int depth, Collector c) {
        if (!(value instanceof JsonObject object) || object.size() == 0) {
            return;
        }
        if (depth >= MAX_DEPTH) {
            throw TooDeep.INSTANCE;
        }
        for (String name : object.members().keySet()) {
            if (c.full()) {
                return;
            }
            // A name is a string, so the checks of the schema stay at this position: the problem reads well here.
            Collector first = c.fork(1);
            schema.collect(new JsonString(name), depth + 1, first);
            if (!first.isEmpty()) {
                c.add("property name " + quote(name) + " does not match the \"propertyNames\" schema: "
                        + first.firstProblem());
            }
        }
    }
}
