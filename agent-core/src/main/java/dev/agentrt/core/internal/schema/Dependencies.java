package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.quote;
import static dev.agentrt.core.internal.schema.Keywords.describe;
import static dev.agentrt.core.internal.schema.Keywords.escape;
import static dev.agentrt.core.internal.schema.Keywords.invalid;
import static dev.agentrt.core.internal.schema.Keywords.object;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.JsonValue.JsonString;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Map;

/**
 * {@code dependentRequired} and {@code dependentSchemas}, and the draft 4 to 7 {@code dependencies}
 * that spelled both: when a property is present, other properties are required, or the whole object
 * must match a schema. Other types pass.
 */
final class Dependencies extends Node {
    private static final String[] NO_STRINGS = {};

    private final String[] requiredIf;
    private final String[][] required;
    private final String[] schemaIf;
    private final Node[] schemas;

    private Dependencies(String[] requiredIf, String[][] required, String[] schemaIf, Node[] schemas) {
        this.requiredIf = requiredIf;
        this.required = required;
        this.schemaIf = schemaIf;
        this.schemas = schemas;
    }

    /** The checks of {@code s}'s dependency keywords, or null when it has none. */
    static @Nullable Node compile(JsonObject s, String at, int depth, Compiler compiler) {
        var requiredIf = new ArrayList<String>();
        var required = new ArrayList<String[]>();
        var schemaIf = new ArrayList<String>();
        var schemas = new ArrayList<Node>();
        for (String keyword : new String[]{"dependencies", "dependentRequired", "dependentSchemas"}) {
            JsonValue value = s.get(keyword);
            if (value == null) {
                continue;
            }
            for (Map.Entry<String, JsonValue> member : object(value, keyword, at).members().entrySet()) {
                String where = at + "/" + keyword + "/" + escape(member.getKey());
                boolean names = keyword.equals("dependentRequired")
                        || (keyword.equals("dependencies") && member.getValue() instanceof JsonArray);
                if (names) {
                    requiredIf.add(member.getKey());
                    required.add(names(member.getValue(), keyword, where));
                } else {
                    schemaIf.add(member.getKey());
                    schemas.add(compiler.compile(member.getValue(), where, depth + 1));
                }
            }
        }
        if (requiredIf.isEmpty() && schemaIf.isEmpty()) {
            return null;
        }
        return compiler.link(new Dependencies(requiredIf.toArray(NO_STRINGS), required.toArray(new String[0][]),
                schemaIf.toArray(NO_STRINGS), schemas.toArray(NO_NODES)));
    }

    private static String[] names(JsonValue value, String keyword, String at) {
        if (!(value instanceof JsonArray array)) {
            throw invalid(at, "\"" + keyword + "\" must map names to arrays of strings, got " + describe(value));
        }
        var unique = new LinkedHashSet<String>();
        for (JsonValue item : array.items()) {
            if (!(item instanceof JsonString(String name))) {
                throw invalid(at, "\"" + keyword + "\" must map names to arrays of strings, got an item "
                        + describe(item));
            }
            unique.add(name);
        }
        return unique.toArray(NO_STRINGS);
    }

    @Override
    boolean test(JsonValue value, int depth) {
        if (!(value instanceof JsonObject object)) {
            return true;
        }
        for (int i = 0; i < requiredIf.length; i++) {
            if (object.has(requiredIf[i])) {
                for (String name : required[i]) {
                    if (!object.has(name)) {
                        return false;
                    }
                }
            }
        }
        for (int i = 0; i < schemaIf.length; i++) {
            if (object.has(schemaIf[i]) && !schemas[i].test(value, depth)) {
                return false;
            }
        }
        return true;
    }

    @Override
    void collect(JsonValue value, int depth, Collector c) {
        if (!(value instanceof JsonObject object)) {
            return;
        }
        for (int i = 0; i < requiredIf.length; i++) {
            if (object.has(requiredIf[i])) {
                for (String name : required[i]) {
                    if (!object.has(name)) {
                        c.add("missing property " + quote(name) + ", required when " + quote(requiredIf[i])
                                + " is present");
                    }
                }
            }
        }
        for (int i = 0; i < schemaIf.length && !c.full(); i++) {
            if (object.has(schemaIf[i])) {
                schemas[i].collect(value, depth, c);
            }
        }
    }

    @Override
    Node[] sameValue() {
        return schemas;
    }
}
