package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.quote;
import static dev.agentrt.core.internal.schema.Keywords.describe;
import static dev.agentrt.core.internal.schema.Keywords.invalid;
import static dev.agentrt.core.internal.schema.Limits.MAX_SCHEMA_DEPTH;
import static dev.agentrt.core.internal.schema.Node.NO_NODES;
import static dev.agentrt.core.internal.schema.Types.ALL_TYPES;
import static dev.agentrt.core.internal.schema.Types.TYPE_BITS;
import static dev.agentrt.core.internal.schema.Types.TYPE_NAMES;
import static dev.agentrt.core.internal.schema.Types.alternatives;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.JsonValue.JsonBoolean;
import dev.agentrt.core.json.JsonValue.JsonString;
import org.jspecify.annotations.Nullable;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles one schema document into a tree of {@link Node}s. Each keyword family builds its own
 * node ({@link NumberChecks#compile}, {@link ObjectChecks#compile}, ...); this class walks the
 * schema, keeps the order in which a schema object's checks run (and so the order of violations),
 * and resolves {@code $ref}s once the tree exists, so that recursive schemas work. Not
 * thread-safe; used once.
 */
final class Compiler {
    private final JsonObject document;
    private final Map<String, Ref> refs = new HashMap<>();
    private final ArrayDeque<Ref> unresolved = new ArrayDeque<>();
    /** Nodes with {@link Node#sameValue} edges, checked for cycles at the end. */
    private final List<Node> linked = new ArrayList<>();

    Compiler(JsonObject document) {
        this.document = document;
    }

    /** The root node; every {@code $ref} resolved and checked not to loop without descending. */
    Node compileRoot() {
        Node root = compile(document, "#", 0);
        while (!unresolved.isEmpty()) {
            Ref ref = unresolved.remove();
            ref.resolve(ref.ref.equals("#") ? root : compile(Pointers.resolve(document, ref), ref.ref, 0));
        }
        CycleCheck.check(linked);
        return root;
    }

    /** Compiles the schema {@code schema} found at {@code at}, {@code depth} schemas below the root. */
    Node compile(JsonValue schema, String at, int depth) {
        if (schema instanceof JsonBoolean b) {
            return b.value() ? Always.ACCEPT : Always.REJECT;
        }
        if (!(schema instanceof JsonObject s)) {
            throw invalid(at, "a schema must be an object or a boolean, got " + schema.typeName());
        }
        if (depth > MAX_SCHEMA_DEPTH) {
            throw invalid(at, "the schema is nested deeper than " + MAX_SCHEMA_DEPTH + " levels");
        }
        var checks = new ArrayList<Node>();
        JsonValue type = s.get("type");
        JsonValue value;
        if ((value = s.get("const")) != null) {
            checks.add(EnumCheck.constant(value));
        }
        if ((value = s.get("enum")) != null) {
            checks.add(EnumCheck.of(value, at));
        }
        addIfPresent(checks, NumberChecks.compile(s, at));
        addIfPresent(checks, StringChecks.compile(s, at));
        addIfPresent(checks, ArrayChecks.compile(s, at, depth, this));
        addIfPresent(checks, Contains.compile(s, at, depth, this));
        addIfPresent(checks, ObjectChecks.compile(s, at, depth, this));
        addIfPresent(checks, PropertyNames.compile(s, at, depth, this));
        addIfPresent(checks, Dependencies.compile(s, at, depth, this));
        if ((value = s.get("$ref")) != null) {
            checks.add(ref(value, at));
        }
        if ((value = s.get("allOf")) != null) {
            checks.add(link(new AllOf(schemas(value, "allOf", at, depth, false))));
        }
        if ((value = s.get("anyOf")) != null) {
            checks.add(link(new AnyOf(schemas(value, "anyOf", at, depth, false))));
        }
        if ((value = s.get("oneOf")) != null) {
            checks.add(link(new OneOf(schemas(value, "oneOf", at, depth, false))));
        }
        if ((value = s.get("not")) != null) {
            checks.add(link(new Not(compile(value, at + "/not", depth + 1))));
        }
        addIfPresent(checks, IfThenElse.compile(s, at, depth, this));
        if (type == null) {
            if (checks.isEmpty()) {
                return Always.ACCEPT;
            }
            if (checks.size() == 1) {
                return checks.get(0);
            }
        }
        int types = ALL_TYPES;
        String expected = "";
        if (type != null) {
            var names = new LinkedHashSet<String>();
            types = types(type, at, names);
            expected = alternatives(List.copyOf(names));
        }
        return link(new SchemaNode(types, expected, checks.toArray(NO_NODES)));
    }

    /** The schemas of an array-valued keyword such as {@code allOf}. */
    Node[] schemas(JsonValue value, String keyword, String at, int depth, boolean mayBeEmpty) {
        if (!(value instanceof JsonArray array) || (!mayBeEmpty && array.size() == 0)) {
            throw invalid(at, "\"" + keyword + "\" must be a " + (mayBeEmpty ? "" : "non-empty ")
                    + "array of schemas, got " + describe(value));
        }
        var nodes = new Node[array.size()];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = compile(array.get(i), at + "/" + keyword + "/" + i, depth + 1);
        }
        return nodes;
    }

    /** Records a node that applies other nodes to the same value, for the cycle check. */
    <N extends Node> N link(N node) {
        linked.add(node);
        return node;
    }

    private static int types(JsonValue type, String at, Set<String> names) {
        List<JsonValue> listed = type instanceof JsonArray a ? a.items() : List.of(type);
        int types = 0;
        for (JsonValue item : listed) {
            if (!(item instanceof JsonString(String name))) {
                throw invalid(at, "\"type\" must be a string or an array of strings, got " + describe(type));
            }
            int i = Arrays.asList(TYPE_NAMES).indexOf(name);
            if (i < 0) {
                throw invalid(at, "\"type\" has an unknown type " + quote(name)
                        + " (known: null, boolean, object, array, number, integer, string)");
            }
            types |= TYPE_BITS[i];
            names.add(name);
        }
        return types;
    }

    private Node ref(JsonValue value, String at) {
        if (!(value instanceof JsonString(String ref))) {
            throw invalid(at, "\"$ref\" must be a string, got " + describe(value));
        }
        if (!ref.equals("#") && !ref.startsWith("#/")) {
            throw invalid(at, "\"$ref\" " + quote(ref) + " is not supported: only references inside the schema"
                    + " are, such as \"#\", \"#/$defs/name\" or \"#/definitions/name\"");
        }
        Ref node = refs.get(ref);
        if (node == null) {
            node = link(new Ref(ref, at));
            refs.put(ref, node);
            unresolved.add(node);
        }
        return node;
    }

    private static void addIfPresent(List<Node> checks, @Nullable Node check) {
        if (check != null) {
            checks.add(check);
        }
    }
}
