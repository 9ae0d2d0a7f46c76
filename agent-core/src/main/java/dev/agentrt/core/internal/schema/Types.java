package dev.agentrt.core.internal.schema;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.JsonValue.JsonBoolean;
import dev.agentrt.core.json.JsonValue.JsonNull;
import dev.agentrt.core.json.JsonValue.JsonNumber;
import dev.agentrt.core.json.JsonValue.JsonString;

import java.util.ArrayList;
import java.util.List;

/** The JSON types a schema can name, as bits, and how messages list them. */
final class Types {
    static final int NULL = 1;
    static final int BOOLEAN = 1 << 1;
    static final int OBJECT = 1 << 2;
    static final int ARRAY = 1 << 3;
    static final int NUMBER = 1 << 4;
    static final int INTEGER = 1 << 5;
    static final int STRING = 1 << 6;
    static final int ALL_TYPES = (1 << 7) - 1;
    /** Type names in the order used to list them in messages. */
    static final String[] TYPE_NAMES = {"object", "array", "string", "number", "integer", "boolean", "null"};
    static final int[] TYPE_BITS = {OBJECT, ARRAY, STRING, NUMBER, INTEGER, BOOLEAN, NULL};

    private Types() {}

    static boolean hasType(int types, JsonValue value) {
        return switch (value) {
            case JsonObject o -> (types & OBJECT) != 0;
            case JsonArray a -> (types & ARRAY) != 0;
            case JsonString s -> (types & STRING) != 0;
            case JsonNumber n -> (types & NUMBER) != 0 || ((types & INTEGER) != 0 && n.isIntegral());
            case JsonBoolean b -> (types & BOOLEAN) != 0;
            case JsonNull n -> (types & NULL) != 0;
        };
    }

    static String typeList(int types) {
        var names = new ArrayList<String>();
        for (int i = 0; i < TYPE_BITS.length; i++) {
            boolean coveredByNumber = TYPE_BITS[i] == INTEGER && (types & NUMBER) != 0;
            if ((types & TYPE_BITS[i]) != 0 && !coveredByNumber) {
                names.add(TYPE_NAMES[i]);
            }
        }
        return alternatives(names);
    }

    /** {@code a}, {@code a or b}, {@code a, b or c}. */
    static String alternatives(List<String> names) {
        int n = names.size();
        if (n <= 1) {
            return n == 0 ? "nothing" : names.get(0);
        }
        return String.join(", ", names.subList(0, n - 1)) + " or " + names.get(n - 1);
    }
}
