package dev.agentrt.core.json;

import dev.agentrt.core.json.JsonValue.JsonBoolean;
import dev.agentrt.core.json.JsonValue.JsonNull;
import dev.agentrt.core.json.JsonValue.JsonNumber;
import dev.agentrt.core.json.JsonValue.JsonString;
import org.jspecify.annotations.Nullable;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A JSON Schema compiled once into a tree of validators, then used to check {@link JsonValue}s,
 * typically the arguments a model passes to a tool.
 *
 * <pre>{@code
 * JsonSchema schema = JsonSchema.compile(JsonValue.parse("""
 *         {"type": "object",
 *          "properties": {"path": {"type": "string"}, "lines": {"type": "integer", "minimum": 1}},
 *          "required": ["path"],
 *          "additionalProperties": false}
 *         """).asObject());
 * schema.isValid(JsonValue.parse("{\"path\": \"src/Main.java\"}"));  // true
 * schema.validate(JsonValue.parse("{\"lines\": 0}"));
 * // [$: missing required property "path", $.lines: expected a number >= 1, got 0]
 * }</pre>
 *
 * <p>Supported keywords: {@code type}, {@code enum}, {@code const}; {@code minimum},
 * {@code maximum}, {@code exclusiveMinimum}, {@code exclusiveMaximum}, {@code multipleOf};
 * {@code minLength}, {@code maxLength} (in code points), {@code pattern} ({@link Pattern},
 * searched with {@code find()}); {@code items}, {@code prefixItems}, {@code minItems},
 * {@code maxItems}, {@code uniqueItems}; {@code properties}, {@code patternProperties},
 * {@code additionalProperties}, {@code required}, {@code minProperties}, {@code maxProperties};
 * {@code allOf}, {@code anyOf}, {@code oneOf}, {@code not}; {@code $ref} to {@code #} or to a JSON
 * pointer inside the schema such as {@code #/$defs/name} (recursive schemas work); boolean schemas.
 * The draft 4 to 7 forms {@code items: [...]} with {@code additionalItems} and boolean
 * {@code exclusiveMinimum}/{@code exclusiveMaximum} are understood too. Annotations
 * ({@code title}, {@code description}, {@code format}, ...) and keywords not listed here are
 * ignored, as lenient validators do.
 *
 * <p>Validation never throws for any value: whatever is wrong is a violation. Each violation
 * starts with the location as a JSON path ({@code $}, {@code $.items[2].name}), then says what was
 * expected and what was found. At most 20 violations are reported, and no value is echoed beyond
 * 80 characters. A value is inspected only as deep as the schema reaches; where that is deeper
 * than 200 levels of nesting, the value is rejected. {@code pattern} is not run on strings longer
 * than 10,000 characters; such a string is a violation. Checking a valid value allocates (almost)
 * nothing.
 *
 * <p>Instances are immutable and thread-safe; validation is CPU-only and never blocks.
 * {@link #equals} and {@link #hashCode} compare the schema JSON.
 */
public final class JsonSchema {
    private static final int MAX_DEPTH = 200;
    private static final int MAX_VIOLATIONS = 20;
    private static final int MAX_ECHO = 80;
    private static final int MAX_PATTERN_INPUT = 10_000;
    private static final int MAX_SCHEMA_DEPTH = 1_000;
    private static final int MAX_LISTED = 20;

    private static final int NULL = 1;
    private static final int BOOLEAN = 1 << 1;
    private static final int OBJECT = 1 << 2;
    private static final int ARRAY = 1 << 3;
    private static final int NUMBER = 1 << 4;
    private static final int INTEGER = 1 << 5;
    private static final int STRING = 1 << 6;
    private static final int ALL_TYPES = (1 << 7) - 1;
    /** Type names in the order used to list them in messages. */
    private static final String[] TYPE_NAMES = {"object", "array", "string", "number", "integer", "boolean", "null"};
    private static final int[] TYPE_BITS = {OBJECT, ARRAY, STRING, NUMBER, INTEGER, BOOLEAN, NULL};

    private static final Node[] NO_NODES = {};
    private static final String[] NO_STRINGS = {};
    private static final Pattern[] NO_PATTERNS = {};
    private static final String TOO_DEEP = "$: value nested deeper than " + MAX_DEPTH + " levels";

    private static final JsonSchema ANY = new JsonSchema(JsonObject.EMPTY, Always.ACCEPT);

    private final JsonObject json;
    /**
     * Final, so that everything reachable from it, including the targets that {@link Ref}s receive
     * after construction of the node tree but before this object is built, is safely published.
     */
    private final Node root;

    private JsonSchema(JsonObject json, Node root) {
        this.json = json;
        this.root = root;
    }

    /**
     * Compiles {@code schema}.
     *
     * @throws IllegalArgumentException if the schema is invalid or uses something unsupported (an
     *         unknown {@code type}, a {@code $ref} that does not resolve or leaves the document, a
     *         {@code pattern} that is not a regular expression, ...); the message names the keyword
     *         and its location as a JSON pointer such as {@code #/properties/count}
     */
    public static JsonSchema compile(JsonObject schema) {
        Objects.requireNonNull(schema, "schema");
        return new Compiler(schema).compileRoot();
    }

    /** The schema {@code {}}, which accepts every value. */
    public static JsonSchema any() {
        return ANY;
    }

    /** The schema this was compiled from. */
    public JsonObject json() {
        return json;
    }

    /**
     * Checks {@code value}; returns the violations, or an empty list when the value is valid. Each
     * violation reads like {@code $.count: expected integer, got string "3"}; at most 20 are reported.
     */
    public List<String> validate(JsonValue value) {
        Objects.requireNonNull(value, "value");
        try {
            if (root.test(value, 0)) {
                return List.of();
            }
        } catch (TooDeep e) {
            // The collecting pass below reports it, with anything else that is wrong.
        }
        var collector = new Collector(MAX_VIOLATIONS);
        try {
            root.collect(value, 0, collector);
        } catch (TooDeep e) {
            collector.addComplete(TOO_DEEP);
        }
        if (collector.isEmpty()) {
            collector.addComplete("$: value does not match the schema");
        }
        return collector.violations();
    }

    /** Whether {@code value} is valid; the fast path of {@link #validate}, allocating nothing. */
    public boolean isValid(JsonValue value) {
        Objects.requireNonNull(value, "value");
        try {
            return root.test(value, 0);
        } catch (TooDeep e) {
            return false;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonSchema other && json.equals(other.json);
    }

    @Override
    public int hashCode() {
        return json.hashCode();
    }

    @Override
    public String toString() {
        return "JsonSchema" + json.toJson();
    }

    // ---------------------------------------------------------------------------------------------
    // Validator nodes. test() is the allocation-free fast path; collect() runs only for an invalid
    // value and must report a violation exactly where test() would return false.

    private abstract static class Node {
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

    /** The boolean schemas {@code true} (and {@code {}}) and {@code false}. */
    private static final class Always extends Node {
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

    /** A schema object: its {@code type}, then the checks of its other keywords. */
    private static final class SchemaNode extends Node {
        private final int types;
        private final String expected;
        private final Node[] checks;

        SchemaNode(int types, String expected, Node[] checks) {
            this.types = types;
            this.expected = expected;
            this.checks = checks;
        }

        @Override
        boolean test(JsonValue value, int depth) {
            if (!hasType(types, value)) {
                return false;
            }
            for (Node check : checks) {
                if (!check.test(value, depth)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        void collect(JsonValue value, int depth, Collector c) {
            if (!hasType(types, value)) {
                // The other keywords would only add noise about a value of the wrong type.
                c.add("expected " + expected + ", got " + found(value));
                return;
            }
            for (Node check : checks) {
                if (c.full()) {
                    return;
                }
                check.collect(value, depth, c);
            }
        }

        @Override
        int types() {
            return types;
        }

        @Override
        Node[] sameValue() {
            return checks;
        }
    }

    /** {@code enum}, and {@code const} as an enum of one. */
    private static final class EnumCheck extends Node {
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
    }

    private static final class NumberChecks extends Node {
        private final @Nullable BigDecimal minimum;
        private final @Nullable BigDecimal exclusiveMinimum;
        private final @Nullable BigDecimal maximum;
        private final @Nullable BigDecimal exclusiveMaximum;
        private final @Nullable BigDecimal multipleOf;

        NumberChecks(@Nullable BigDecimal minimum, @Nullable BigDecimal exclusiveMinimum, @Nullable BigDecimal maximum,
                @Nullable BigDecimal exclusiveMaximum, @Nullable BigDecimal multipleOf) {
            this.minimum = minimum;
            this.exclusiveMinimum = exclusiveMinimum;
            this.maximum = maximum;
            this.exclusiveMaximum = exclusiveMaximum;
            this.multipleOf = multipleOf;
        }

        @Override
        boolean test(JsonValue value, int depth) {
            if (!(value instanceof JsonNumber(BigDecimal x))) {
                return true;
            }
            try {
                return (minimum == null || x.compareTo(minimum) >= 0)
                        && (exclusiveMinimum == null || x.compareTo(exclusiveMinimum) > 0)
                        && (maximum == null || x.compareTo(maximum) <= 0)
                        && (exclusiveMaximum == null || x.compareTo(exclusiveMaximum) < 0)
                        && (multipleOf == null || isMultipleOf(x, multipleOf));
            } catch (ArithmeticException e) {
                return false;
            }
        }

        @Override
        void collect(JsonValue value, int depth, Collector c) {
            if (!(value instanceof JsonNumber(BigDecimal x))) {
                return;
            }
            String got = ", got " + echo(value);
            if (minimum != null && x.compareTo(minimum) < 0) {
                c.add("expected a number >= " + number(minimum) + got);
            }
            if (exclusiveMinimum != null && x.compareTo(exclusiveMinimum) <= 0) {
                c.add("expected a number > " + number(exclusiveMinimum) + got);
            }
            if (maximum != null && x.compareTo(maximum) > 0) {
                c.add("expected a number <= " + number(maximum) + got);
            }
            if (exclusiveMaximum != null && x.compareTo(exclusiveMaximum) >= 0) {
                c.add("expected a number < " + number(exclusiveMaximum) + got);
            }
            if (multipleOf != null) {
                try {
                    if (!isMultipleOf(x, multipleOf)) {
                        c.add("expected a multiple of " + number(multipleOf) + got);
                    }
                } catch (ArithmeticException e) {
                    c.add("expected a multiple of " + number(multipleOf) + got + ", which is out of range");
                }
            }
        }
    }

    private static final class StringChecks extends Node {
        private final long minLength;
        private final long maxLength;
        private final @Nullable Pattern pattern;

        StringChecks(long minLength, long maxLength, @Nullable Pattern pattern) {
            this.minLength = minLength;
            this.maxLength = maxLength;
            this.pattern = pattern;
        }

        @Override
        boolean test(JsonValue value, int depth) {
            if (!(value instanceof JsonString(String s))) {
                return true;
            }
            return lengthOk(s) && (pattern == null || find(pattern, s) == FOUND);
        }

        /** Counts code points only when the UTF-16 length cannot decide. */
        private boolean lengthOk(String s) {
            int units = s.length();
            if (units < minLength) {
                return false; // a string never has more code points than chars
            }
            if (units > maxLength || units / 2 < minLength) {
                long codePoints = s.codePointCount(0, units);
                return codePoints >= minLength && codePoints <= maxLength;
            }
            return true;
        }

        @Override
        void collect(JsonValue value, int depth, Collector c) {
            if (!(value instanceof JsonString(String s))) {
                return;
            }
            if (!lengthOk(s)) {
                long codePoints = s.codePointCount(0, s.length());
                if (codePoints < minLength) {
                    c.add("expected at least " + count(minLength, "character") + ", got " + codePoints);
                } else {
                    c.add("expected at most " + count(maxLength, "character") + ", got " + codePoints);
                }
            }
            if (pattern != null) {
                int found = find(pattern, s);
                if (found == NOT_FOUND) {
                    c.add("expected a string matching the pattern " + quote(pattern.pattern()) + ", got "
                            + echo(value));
                } else if (found == UNCHECKED) {
                    c.add(uncheckable("string", s, "the pattern " + quote(pattern.pattern())));
                }
            }
        }
    }

    private static final class ArrayChecks extends Node {
        private final Node[] prefixItems;
        /** Applies to the items after {@link #prefixItems}; null when they may be anything. */
        private final @Nullable Node items;
        private final long minItems;
        private final long maxItems;
        private final boolean uniqueItems;
        private final boolean descends;

        ArrayChecks(Node[] prefixItems, @Nullable Node items, long minItems, long maxItems, boolean uniqueItems) {
            this.prefixItems = prefixItems;
            this.items = items;
            this.minItems = minItems;
            this.maxItems = maxItems;
            this.uniqueItems = uniqueItems;
            this.descends = prefixItems.length > 0 || items != null || uniqueItems;
        }

        @Override
        boolean test(JsonValue value, int depth) {
            if (!(value instanceof JsonArray array)) {
                return true;
            }
            List<JsonValue> list = array.items();
            int n = list.size();
            if (n < minItems || n > maxItems) {
                return false;
            }
            if (!descends) {
                return true;
            }
            if (depth >= MAX_DEPTH) {
                throw TooDeep.INSTANCE;
            }
            int prefix = Math.min(prefixItems.length, n);
            for (int i = 0; i < prefix; i++) {
                if (!prefixItems[i].test(list.get(i), depth + 1)) {
                    return false;
                }
            }
            Node rest = items;
            if (rest != null) {
                for (int i = prefix; i < n; i++) {
                    if (!rest.test(list.get(i), depth + 1)) {
                        return false;
                    }
                }
            }
            return !uniqueItems || firstDuplicate(list, depth + 1) < 0;
        }

        @Override
        void collect(JsonValue value, int depth, Collector c) {
            if (!(value instanceof JsonArray array)) {
                return;
            }
            List<JsonValue> list = array.items();
            int n = list.size();
            if (n < minItems) {
                c.add("expected at least " + count(minItems, "item") + ", got " + n);
            }
            if (n > maxItems) {
                c.add("expected at most " + count(maxItems, "item") + ", got " + n);
            }
            if (!descends) {
                return;
            }
            if (depth >= MAX_DEPTH) {
                throw TooDeep.INSTANCE;
            }
            int prefix = Math.min(prefixItems.length, n);
            for (int i = 0; i < prefix && !c.full(); i++) {
                c.enter(i);
                prefixItems[i].collect(list.get(i), depth + 1, c);
                c.exit();
            }
            Node rest = items;
            if (rest == Always.REJECT && prefixItems.length > 0) {
                // A closed tuple: one message about the length beats one per extra item.
                if (n > prefixItems.length && (n <= maxItems || maxItems > prefixItems.length)) {
                    c.add("expected at most " + count(prefixItems.length, "item") + ", got " + n);
                }
            } else if (rest != null) {
                for (int i = prefix; i < n && !c.full(); i++) {
                    c.enter(i);
                    rest.collect(list.get(i), depth + 1, c);
                    c.exit();
                }
            }
            if (uniqueItems && !c.full()) {
                long duplicate = firstDuplicate(list, depth + 1);
                if (duplicate >= 0) {
                    c.add("expected unique items, got duplicates at [" + (duplicate >>> 32) + "] and ["
                            + (int) duplicate + "]");
                }
            }
        }
    }

    private static final class ObjectChecks extends Node {
        private final String[] names;
        private final Node[] properties;
        private final Set<String> declared;
        private final String[] required;
        private final Pattern[] patterns;
        private final Node[] patternProperties;
        /** Applies to the members neither declared nor matched by a pattern; null when unconstrained. */
        private final @Nullable Node additional;
        private final String allowed;
        private final long minProperties;
        private final long maxProperties;
        private final boolean descends;

        ObjectChecks(String[] names, Node[] properties, String[] required, Pattern[] patterns,
                Node[] patternProperties, @Nullable Node additional, long minProperties, long maxProperties) {
            this.names = names;
            this.properties = properties;
            this.declared = Set.of(names);
            this.required = required;
            this.patterns = patterns;
            this.patternProperties = patternProperties;
            this.additional = additional;
            this.allowed = allowedText(names, patterns);
            this.minProperties = minProperties;
            this.maxProperties = maxProperties;
            this.descends = names.length > 0 || patterns.length > 0 || additional != null;
        }

        @Override
        boolean test(JsonValue value, int depth) {
            if (!(value instanceof JsonObject object)) {
                return true;
            }
            int size = object.size();
            if (size < minProperties || size > maxProperties) {
                return false;
            }
            for (String name : required) {
                if (!object.has(name)) {
                    return false;
                }
            }
            if (!descends) {
                return true;
            }
            if (depth >= MAX_DEPTH) {
                throw TooDeep.INSTANCE;
            }
            int present = 0;
            for (int i = 0; i < names.length; i++) {
                JsonValue member = object.get(names[i]);
                if (member != null) {
                    present++;
                    if (!properties[i].test(member, depth + 1)) {
                        return false;
                    }
                }
            }
            // The common case: no patterns and every member declared; no need to iterate the members.
            if (patterns.length == 0 && (additional == null || present == size)) {
                return true;
            }
            for (Map.Entry<String, JsonValue> member : object.members().entrySet()) {
                String name = member.getKey();
                boolean matched = declared.contains(name);
                for (int p = 0; p < patterns.length; p++) {
                    int found = find(patterns[p], name);
                    if (found == UNCHECKED) {
                        return false;
                    }
                    if (found == FOUND) {
                        matched = true;
                        if (!patternProperties[p].test(member.getValue(), depth + 1)) {
                            return false;
                        }
                    }
                }
                Node rest = additional;
                if (!matched && rest != null && !rest.test(member.getValue(), depth + 1)) {
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
            int size = object.size();
            if (size < minProperties) {
                c.add("expected at least " + count(minProperties, "property", "properties") + ", got " + size);
            }
            if (size > maxProperties) {
                c.add("expected at most " + count(maxProperties, "property", "properties") + ", got " + size);
            }
            for (String name : required) {
                if (!object.has(name)) {
                    c.add("missing required property " + quote(name));
                }
            }
            if (!descends || c.full()) {
                return;
            }
            if (depth >= MAX_DEPTH) {
                throw TooDeep.INSTANCE;
            }
            int present = 0;
            for (int i = 0; i < names.length && !c.full(); i++) {
                JsonValue member = object.get(names[i]);
                if (member != null) {
                    present++;
                    c.enter(names[i]);
                    properties[i].collect(member, depth + 1, c);
                    c.exit();
                }
            }
            if (c.full() || (patterns.length == 0 && (additional == null || present == size))) {
                return;
            }
            for (Map.Entry<String, JsonValue> member : object.members().entrySet()) {
                if (c.full()) {
                    return;
                }
                String name = member.getKey();
                boolean matched = declared.contains(name);
                for (int p = 0; p < patterns.length; p++) {
                    int found = find(patterns[p], name);
                    if (found == UNCHECKED) {
                        matched = true;
                        c.add(uncheckable("property name", name, "patternProperties " + quote(patterns[p].pattern())));
                    } else if (found == FOUND) {
                        matched = true;
                        c.enter(name);
                        patternProperties[p].collect(member.getValue(), depth + 1, c);
                        c.exit();
                    }
                }
                Node rest = additional;
                if (matched || rest == null) {
                    continue;
                }
                if (rest == Always.REJECT) {
                    c.add("unexpected property " + quote(name) + " (" + allowed + ")");
                } else {
                    c.enter(name);
                    rest.collect(member.getValue(), depth + 1, c);
                    c.exit();
                }
            }
        }

        private static String allowedText(String[] names, Pattern[] patterns) {
            if (names.length == 0 && patterns.length == 0) {
                return "no properties are allowed";
            }
            var text = new StringBuilder("allowed: ");
            for (int i = 0; i < names.length && i < MAX_LISTED; i++) {
                text.append(i == 0 ? "" : ", ").append(names[i]);
            }
            if (names.length > MAX_LISTED) {
                text.append(", ...");
            }
            for (int p = 0; p < patterns.length && p < MAX_LISTED; p++) {
                text.append(names.length == 0 && p == 0 ? "names matching " : p == 0 ? " or names matching " : ", ")
                        .append(quote(patterns[p].pattern()));
            }
            return text.toString();
        }
    }

    private static final class AllOf extends Node {
        private final Node[] all;

        AllOf(Node[] all) {
            this.all = all;
        }

        @Override
        boolean test(JsonValue value, int depth) {
            for (Node node : all) {
                if (!node.test(value, depth)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        void collect(JsonValue value, int depth, Collector c) {
            for (Node node : all) {
                if (c.full()) {
                    return;
                }
                node.collect(value, depth, c);
            }
        }

        @Override
        Node[] sameValue() {
            return all;
        }
    }

    private static final class AnyOf extends Node {
        private final Node[] alternatives;

        AnyOf(Node[] alternatives) {
            this.alternatives = alternatives;
        }

        @Override
        boolean test(JsonValue value, int depth) {
            for (Node node : alternatives) {
                if (node.test(value, depth)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        void collect(JsonValue value, int depth, Collector c) {
            if (!test(value, depth)) {
                reportNoMatch("anyOf", "at least one", alternatives, value, depth, c);
            }
        }

        @Override
        Node[] sameValue() {
            return alternatives;
        }
    }

    private static final class OneOf extends Node {
        private final Node[] alternatives;

        OneOf(Node[] alternatives) {
            this.alternatives = alternatives;
        }

        @Override
        boolean test(JsonValue value, int depth) {
            boolean matched = false;
            for (Node node : alternatives) {
                if (node.test(value, depth)) {
                    if (matched) {
                        return false;
                    }
                    matched = true;
                }
            }
            return matched;
        }

        @Override
        void collect(JsonValue value, int depth, Collector c) {
            var matching = new ArrayList<Integer>();
            for (int i = 0; i < alternatives.length; i++) {
                if (alternatives[i].test(value, depth)) {
                    matching.add(i);
                }
            }
            if (matching.isEmpty()) {
                reportNoMatch("oneOf", "exactly one", alternatives, value, depth, c);
            } else if (matching.size() > 1) {
                var which = new StringBuilder();
                for (int i = 0; i < matching.size(); i++) {
                    which.append(i == 0 ? "" : ", ").append("oneOf[").append(matching.get(i)).append(']');
                }
                c.add("expected a value matching exactly one of the oneOf alternatives, got one matching "
                        + matching.size() + " (" + which + ")");
            }
        }

        @Override
        Node[] sameValue() {
            return alternatives;
        }
    }

    private static final class Not extends Node {
        private final Node[] negated;

        Not(Node negated) {
            this.negated = new Node[]{negated};
        }

        @Override
        boolean test(JsonValue value, int depth) {
            return !negated[0].test(value, depth);
        }

        @Override
        void collect(JsonValue value, int depth, Collector c) {
            if (negated[0].test(value, depth)) {
                c.add("expected a value not matching the \"not\" schema, got " + found(value));
            }
        }

        @Override
        Node[] sameValue() {
            return negated;
        }
    }

    /** A {@code $ref}; its target is set once, before the schema is published, so cycles are possible. */
    private static final class Ref extends Node {
        private final String ref;
        private final String at;
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

    /**
     * Reports a value that matches none of the {@code keyword} alternatives: as a type mismatch when
     * no alternative accepts its type, with the problems of the one alternative for its type when
     * there is one (so {@code anyOf: [{object}, {null}]} explains what is wrong with the object),
     * and otherwise with the first problem of each alternative.
     */
    private static void reportNoMatch(String keyword, String howMany, Node[] alternatives, JsonValue value,
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

    /** Thrown, preallocated and without a stack trace, when validation reaches too deep into a value. */
    private static final class TooDeep extends RuntimeException {
        static final TooDeep INSTANCE = new TooDeep();

        private TooDeep() {
            super("value nested deeper than " + MAX_DEPTH + " levels", null, false, false);
        }
    }

    /**
     * Gathers violations for one invalid value, tracking the path to the current part of it in
     * arrays rather than as objects, so that descending costs nothing until a message is written.
     */
    private static final class Collector {
        private final List<String> violations = new ArrayList<>();
        private final int limit;
        private final @Nullable String[] names;
        private final int[] indices;
        private int depth;

        Collector(int limit) {
            this(limit, new String[MAX_DEPTH + 1], new int[MAX_DEPTH + 1], 0);
        }

        private Collector(int limit, @Nullable String[] names, int[] indices, int depth) {
            this.limit = limit;
            this.names = names;
            this.indices = indices;
            this.depth = depth;
        }

        /** A collector for the same position, with its own violations; shares the path arrays. */
        Collector fork(int limit) {
            return new Collector(limit, names, indices, depth);
        }

        void enter(String name) {
            names[depth++] = name;
        }

        void enter(int index) {
            names[depth] = null;
            indices[depth++] = index;
        }

        void exit() {
            depth--;
        }

        boolean full() {
            return violations.size() >= limit;
        }

        boolean isEmpty() {
            return violations.isEmpty();
        }

        void add(String problem) {
            if (!full()) {
                violations.add(path() + ": " + problem);
            }
        }

        void addComplete(String violation) {
            if (!full()) {
                violations.add(violation);
            }
        }

        int size() {
            return violations.size();
        }

        List<String> violations() {
            return List.copyOf(violations);
        }

        private String path() {
            var path = new StringBuilder("$");
            for (int i = 0; i < depth; i++) {
                String name = names[i];
                if (name == null) {
                    path.append('[').append(indices[i]).append(']');
                } else if (isIdentifier(name)) {
                    path.append('.').append(name);
                } else {
                    path.append('[').append(quote(name)).append(']');
                }
            }
            return path.toString();
        }

        private static boolean isIdentifier(String name) {
            if (name.isEmpty() || name.length() > MAX_ECHO) {
                return false;
            }
            for (int i = 0; i < name.length(); i++) {
                char ch = name.charAt(i);
                boolean letter = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
                if (!letter && !(i > 0 && ch >= '0' && ch <= '9')) {
                    return false;
                }
            }
            return true;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers shared by the nodes.

    private static boolean hasType(int types, JsonValue value) {
        return switch (value) {
            case JsonObject o -> (types & OBJECT) != 0;
            case JsonArray a -> (types & ARRAY) != 0;
            case JsonString s -> (types & STRING) != 0;
            case JsonNumber n -> (types & NUMBER) != 0 || ((types & INTEGER) != 0 && n.isIntegral());
            case JsonBoolean b -> (types & BOOLEAN) != 0;
            case JsonNull n -> (types & NULL) != 0;
        };
    }

    private static String typeList(int types) {
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
    private static String alternatives(List<String> names) {
        int n = names.size();
        if (n <= 1) {
            return n == 0 ? "nothing" : names.get(0);
        }
        return String.join(", ", names.subList(0, n - 1)) + " or " + names.get(n - 1);
    }

    private static final int FOUND = 1;
    private static final int NOT_FOUND = 0;
    private static final int UNCHECKED = -1;

    /** Whether {@code pattern} occurs in {@code s}, or {@link #UNCHECKED} when that is not safe to find out. */
    private static int find(Pattern pattern, String s) {
        if (s.length() > MAX_PATTERN_INPUT) {
            return UNCHECKED;
        }
        try {
            return pattern.matcher(s).find() ? FOUND : NOT_FOUND;
        } catch (StackOverflowError e) {
            // java.util.regex recurses per repetition of some constructs; a long input must not kill the caller.
            return UNCHECKED;
        }
    }

    private static String uncheckable(String what, String s, String against) {
        return s.length() > MAX_PATTERN_INPUT
                ? what + " of " + s.length() + " characters is too long to check against " + against + " (limit "
                        + MAX_PATTERN_INPUT + ")"
                : what + " " + quote(s) + " is too complex to check against " + against;
    }

    /** Exact: {@code x / d} is an integer. The work is bounded by the digits of the operands, never by exponents. */
    private static boolean isMultipleOf(BigDecimal x, BigDecimal d) {
        if (x.signum() == 0) {
            return true;
        }
        if (x.scale() == 0 && d.scale() == 0 && x.precision() < 19 && d.precision() < 19) {
            return x.longValue() % d.longValue() == 0;
        }
        BigDecimal xs = x.stripTrailingZeros();
        BigDecimal ds = d.stripTrailingZeros();
        // x / d = (ux / ud) * 10^k with ux, ud the unscaled values; ux has no factor 10 left.
        long k = (long) ds.scale() - xs.scale();
        if (k < 0) {
            return false; // would need 10^-k to divide ux
        }
        BigInteger ud = ds.unscaledValue().abs();
        // Beyond ud's count of factors 2 and 5, more powers of ten change nothing.
        int powers = (int) Math.min(k, ud.bitLength() + 1L);
        return xs.unscaledValue().multiply(BigInteger.TEN.pow(powers)).mod(ud).signum() == 0;
    }

    /** JSON equality (numbers by value), failing with {@link TooDeep} rather than recursing without end. */
    private static boolean same(JsonValue a, JsonValue b, int depth) {
        if (a == b) {
            return true;
        }
        if (a instanceof JsonString(String s)) {
            return b instanceof JsonString(String t) && s.equals(t);
        }
        if (a instanceof JsonNumber(BigDecimal x)) {
            return b instanceof JsonNumber(BigDecimal y) && x.compareTo(y) == 0;
        }
        if (a instanceof JsonArray x) {
            if (!(b instanceof JsonArray y) || x.size() != y.size()) {
                return false;
            }
            if (x.size() > 0 && depth >= MAX_DEPTH) {
                throw TooDeep.INSTANCE;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!same(x.get(i), y.get(i), depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof JsonObject x) {
            if (!(b instanceof JsonObject y) || x.size() != y.size()) {
                return false;
            }
            if (x.size() > 0 && depth >= MAX_DEPTH) {
                throw TooDeep.INSTANCE;
            }
            for (Map.Entry<String, JsonValue> member : x.members().entrySet()) {
                JsonValue other = y.get(member.getKey());
                if (other == null || !same(member.getValue(), other, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        return false; // true, false and null are singletons, handled by a == b
    }

    /** A hash consistent with {@link #same}. */
    private static int hash(JsonValue value, int depth) {
        return switch (value) {
            case JsonString s -> s.value().hashCode();
            case JsonNumber n -> n.value().signum() == 0 ? 0 : n.value().stripTrailingZeros().hashCode();
            case JsonArray a -> {
                if (a.size() > 0 && depth >= MAX_DEPTH) {
                    throw TooDeep.INSTANCE;
                }
                int h = 1;
                for (int i = 0; i < a.size(); i++) {
                    h = 31 * h + hash(a.get(i), depth + 1);
                }
                yield h;
            }
            case JsonObject o -> {
                if (o.size() > 0 && depth >= MAX_DEPTH) {
                    throw TooDeep.INSTANCE;
                }
                int h = 7;
                for (Map.Entry<String, JsonValue> member : o.members().entrySet()) {
                    h += member.getKey().hashCode() ^ hash(member.getValue(), depth + 1);
                }
                yield h;
            }
            case JsonBoolean b -> b.value() ? 1231 : 1237;
            case JsonNull n -> 17;
        };
    }

    /**
     * The indices of the first two equal items packed as {@code (i << 32) | j}, or -1. Small arrays
     * are compared pairwise without allocating; large ones are grouped by hash first.
     */
    private static long firstDuplicate(List<JsonValue> items, int depth) {
        int n = items.size();
        if (n <= 32) {
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    if (same(items.get(i), items.get(j), depth)) {
                        return ((long) i << 32) | j;
                    }
                }
            }
            return -1;
        }
        long[] keyed = new long[n];
        for (int i = 0; i < n; i++) {
            keyed[i] = ((long) hash(items.get(i), depth) << 32) | i;
        }
        Arrays.sort(keyed);
        long best = -1;
        for (int start = 0; start < n;) {
            int end = start + 1;
            while (end < n && (keyed[end] >>> 32) == (keyed[start] >>> 32)) {
                end++;
            }
            // Within a group the indices ascend, so the first match of each item is its nearest duplicate.
            for (int a = start; a < end; a++) {
                int i = (int) keyed[a];
                if (best >= 0 && i >= (int) (best >>> 32)) {
                    break;
                }
                for (int b = a + 1; b < end; b++) {
                    int j = (int) keyed[b];
                    if (same(items.get(i), items.get(j), depth)) {
                        best = ((long) i << 32) | j;
                        break;
                    }
                }
            }
            start = end;
        }
        return best;
    }

    /** The type of a value, with the value itself when it is a scalar: {@code string "abc"}. */
    private static String found(JsonValue value) {
        return switch (value) {
            case JsonNull n -> "null";
            case JsonBoolean b -> "boolean " + b;
            case JsonString s -> "string " + echo(value);
            case JsonNumber n -> value.typeName() + " " + echo(value);
            case JsonArray a -> "array";
            case JsonObject o -> "object";
        };
    }

    /** Compact JSON of a value, cut at about 80 characters; a long string also says its length. */
    private static String echo(JsonValue value) {
        if (value instanceof JsonString(String s)) {
            return quote(s);
        }
        var out = new StringBuilder();
        appendEcho(out, value);
        if (out.length() > MAX_ECHO) {
            out.setLength(MAX_ECHO - 3);
            out.append("...");
        }
        return out.toString();
    }

    /** Stops descending once the text is over the limit, so that the work is bounded too. */
    private static void appendEcho(StringBuilder out, JsonValue value) {
        if (out.length() > MAX_ECHO) {
            return;
        }
        switch (value) {
            case JsonString s -> appendQuoted(out, s.value(), MAX_ECHO);
            case JsonNumber n -> out.append(number(n.value()));
            case JsonArray a -> {
                out.append('[');
                for (int i = 0; i < a.size() && out.length() <= MAX_ECHO; i++) {
                    out.append(i == 0 ? "" : ",");
                    appendEcho(out, a.get(i));
                }
                out.append(']');
            }
            case JsonObject o -> {
                out.append('{');
                for (Map.Entry<String, JsonValue> member : o.members().entrySet()) {
                    if (out.length() > MAX_ECHO) {
                        break;
                    }
                    out.append(out.charAt(out.length() - 1) == '{' ? "" : ",");
                    appendQuoted(out, member.getKey(), MAX_ECHO);
                    out.append(':');
                    appendEcho(out, member.getValue());
                }
                out.append('}');
            }
            case JsonBoolean b -> out.append(b);
            case JsonNull n -> out.append("null");
        }
    }

    private static String number(BigDecimal value) {
        // Huge numbers come only from hostile or broken input; printing all their digits is pointless.
        return value.precision() > 40 ? value.round(new MathContext(20)) + "..." : value.toString();
    }

    /** A JSON string literal of {@code s}, cut to about 80 characters. */
    private static String quote(String s) {
        var out = new StringBuilder(Math.min(s.length(), MAX_ECHO) + 24);
        appendQuoted(out, s, MAX_ECHO);
        return out.toString();
    }

    private static void appendQuoted(StringBuilder out, String s, int limit) {
        int start = out.length();
        out.append('"');
        int i = 0;
        for (; i < s.length() && out.length() - start < limit; i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        out.append(String.format("\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        if (i < s.length()) {
            if (Character.isHighSurrogate(s.charAt(i - 1))) {
                out.setLength(out.length() - 1); // never split a surrogate pair
            }
            out.append("...\" (").append(s.length()).append(" characters)");
        } else {
            out.append('"');
        }
    }

    private static String count(long n, String singular) {
        return count(n, singular, singular + "s");
    }

    private static String count(long n, String singular, String plural) {
        return n + " " + (n == 1 ? singular : plural);
    }

    // ---------------------------------------------------------------------------------------------
    // Compilation.

    /** Compiles one schema document; not thread-safe, used once. */
    private static final class Compiler {
        private final JsonObject document;
        private final Map<String, Ref> refs = new HashMap<>();
        private final ArrayDeque<Ref> unresolved = new ArrayDeque<>();
        /** Nodes with {@link Node#sameValue} edges, checked for cycles at the end. */
        private final List<Node> linked = new ArrayList<>();

        Compiler(JsonObject document) {
            this.document = document;
        }

        JsonSchema compileRoot() {
            Node root = compile(document, "#", 0);
            while (!unresolved.isEmpty()) {
                Ref ref = unresolved.remove();
                ref.resolve(ref.ref.equals("#") ? root : compile(lookUp(ref), ref.ref, 0));
            }
            checkNoEndlessCycle();
            return new JsonSchema(document, root);
        }

        private Node compile(JsonValue schema, String at, int depth) {
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
                checks.add(new EnumCheck(new JsonValue[]{value}, echo(value)));
            }
            if ((value = s.get("enum")) != null) {
                checks.add(enumCheck(value, at));
            }
            addIfPresent(checks, numberChecks(s, at));
            addIfPresent(checks, stringChecks(s, at));
            addIfPresent(checks, arrayChecks(s, at, depth));
            addIfPresent(checks, objectChecks(s, at, depth));
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

        private int types(JsonValue type, String at, Set<String> names) {
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

        private Node enumCheck(JsonValue value, String at) {
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

        private @Nullable Node numberChecks(JsonObject s, String at) {
            BigDecimal minimum = decimal(s, "minimum", at);
            BigDecimal maximum = decimal(s, "maximum", at);
            BigDecimal exclusiveMinimum = null;
            BigDecimal exclusiveMaximum = null;
            // Draft 4 spelled exclusive bounds as a boolean next to minimum and maximum.
            if (s.get("exclusiveMinimum") instanceof JsonBoolean exclusive) {
                if (exclusive.value()) {
                    exclusiveMinimum = minimum;
                    minimum = null;
                }
            } else {
                exclusiveMinimum = decimal(s, "exclusiveMinimum", at);
            }
            if (s.get("exclusiveMaximum") instanceof JsonBoolean exclusive) {
                if (exclusive.value()) {
                    exclusiveMaximum = maximum;
                    maximum = null;
                }
            } else {
                exclusiveMaximum = decimal(s, "exclusiveMaximum", at);
            }
            BigDecimal multipleOf = decimal(s, "multipleOf", at);
            if (multipleOf != null && multipleOf.signum() <= 0) {
                throw invalid(at, "\"multipleOf\" must be greater than 0, got " + number(multipleOf));
            }
            if (minimum == null && maximum == null && exclusiveMinimum == null && exclusiveMaximum == null
                    && multipleOf == null) {
                return null;
            }
            return new NumberChecks(minimum, exclusiveMinimum, maximum, exclusiveMaximum, multipleOf);
        }

        private @Nullable Node stringChecks(JsonObject s, String at) {
            long minLength = nonNegative(s, "minLength", at, 0);
            long maxLength = nonNegative(s, "maxLength", at, Long.MAX_VALUE);
            Pattern pattern = null;
            JsonValue value = s.get("pattern");
            if (value != null) {
                if (!(value instanceof JsonString(String regex))) {
                    throw invalid(at, "\"pattern\" must be a string, got " + describe(value));
                }
                pattern = regex(regex, "pattern", at);
            }
            if (minLength == 0 && maxLength == Long.MAX_VALUE && pattern == null) {
                return null;
            }
            return new StringChecks(minLength, maxLength, pattern);
        }

        private @Nullable Node arrayChecks(JsonObject s, String at, int depth) {
            Node[] prefixItems = NO_NODES;
            Node items = null;
            JsonValue prefix = s.get("prefixItems");
            if (prefix != null) {
                prefixItems = schemas(prefix, "prefixItems", at, depth, true);
            }
            JsonValue value = s.get("items");
            if (value instanceof JsonArray) {
                // Draft 4 to 7 tuples: items is the prefix, additionalItems applies to the rest.
                if (prefix == null) {
                    prefixItems = schemas(value, "items", at, depth, true);
                }
                JsonValue additionalItems = s.get("additionalItems");
                if (additionalItems != null) {
                    items = compile(additionalItems, at + "/additionalItems", depth + 1);
                }
            } else if (value != null) {
                items = compile(value, at + "/items", depth + 1);
            }
            if (items == Always.ACCEPT) {
                items = null;
            }
            long minItems = nonNegative(s, "minItems", at, 0);
            long maxItems = nonNegative(s, "maxItems", at, Long.MAX_VALUE);
            boolean uniqueItems = false;
            if ((value = s.get("uniqueItems")) != null) {
                if (!(value instanceof JsonBoolean unique)) {
                    throw invalid(at, "\"uniqueItems\" must be a boolean, got " + describe(value));
                }
                uniqueItems = unique.value();
            }
            if (prefixItems.length == 0 && items == null && minItems == 0 && maxItems == Long.MAX_VALUE
                    && !uniqueItems) {
                return null;
            }
            return new ArrayChecks(prefixItems, items, minItems, maxItems, uniqueItems);
        }

        private @Nullable Node objectChecks(JsonObject s, String at, int depth) {
            String[] names = NO_STRINGS;
            Node[] properties = NO_NODES;
            JsonValue value = s.get("properties");
            if (value != null) {
                JsonObject declared = object(value, "properties", at);
                names = declared.members().keySet().toArray(NO_STRINGS);
                properties = new Node[names.length];
                for (int i = 0; i < names.length; i++) {
                    properties[i] = compile(declared.members().get(names[i]),
                            at + "/properties/" + escape(names[i]), depth + 1);
                }
            }
            String[] required = NO_STRINGS;
            if ((value = s.get("required")) != null) {
                if (!(value instanceof JsonArray array)) {
                    throw invalid(at, "\"required\" must be an array of strings, got " + describe(value));
                }
                var unique = new LinkedHashSet<String>();
                for (JsonValue item : array.items()) {
                    if (!(item instanceof JsonString(String name))) {
                        throw invalid(at, "\"required\" must be an array of strings, got an item " + describe(item));
                    }
                    unique.add(name);
                }
                required = unique.toArray(NO_STRINGS);
            }
            Pattern[] patterns = NO_PATTERNS;
            Node[] patternProperties = NO_NODES;
            if ((value = s.get("patternProperties")) != null) {
                JsonObject declared = object(value, "patternProperties", at);
                patterns = new Pattern[declared.size()];
                patternProperties = new Node[declared.size()];
                int i = 0;
                for (Map.Entry<String, JsonValue> member : declared.members().entrySet()) {
                    String where = at + "/patternProperties/" + escape(member.getKey());
                    patterns[i] = regex(member.getKey(), "patternProperties", at);
                    patternProperties[i++] = compile(member.getValue(), where, depth + 1);
                }
            }
            Node additional = null;
            if ((value = s.get("additionalProperties")) != null) {
                additional = compile(value, at + "/additionalProperties", depth + 1);
                if (additional == Always.ACCEPT) {
                    additional = null;
                }
            }
            long minProperties = nonNegative(s, "minProperties", at, 0);
            long maxProperties = nonNegative(s, "maxProperties", at, Long.MAX_VALUE);
            if (names.length == 0 && required.length == 0 && patterns.length == 0 && additional == null
                    && minProperties == 0 && maxProperties == Long.MAX_VALUE) {
                return null;
            }
            return new ObjectChecks(names, properties, required, patterns, patternProperties, additional,
                    minProperties, maxProperties);
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

        /** Follows the JSON pointer of a {@code $ref} through the document. */
        private JsonValue lookUp(Ref ref) {
            JsonValue current = document;
            String where = "#";
            for (String token : ref.ref.substring(2).split("/", -1)) {
                String name = unescape(percentDecode(token, ref), ref);
                JsonValue next = null;
                if (current instanceof JsonObject object) {
                    next = object.get(name);
                } else if (current instanceof JsonArray array && name.matches("0|[1-9][0-9]{0,8}")
                        && Integer.parseInt(name) < array.size()) {
                    next = array.get(Integer.parseInt(name));
                }
                if (next == null) {
                    throw invalid(ref.at, "\"$ref\" " + quote(ref.ref) + " does not resolve: " + where + " has no "
                            + quote(name));
                }
                current = next;
                where = where + "/" + token;
            }
            if (!(current instanceof JsonObject) && !(current instanceof JsonBoolean)) {
                throw invalid(ref.at, "\"$ref\" " + quote(ref.ref) + " points to " + describe(current)
                        + ", not to a schema");
            }
            return current;
        }

        private static String unescape(String token, Ref ref) {
            for (int i = token.indexOf('~'); i >= 0; i = token.indexOf('~', i + 1)) {
                if (i + 1 == token.length() || (token.charAt(i + 1) != '0' && token.charAt(i + 1) != '1')) {
                    throw invalid(ref.at, "\"$ref\" " + quote(ref.ref)
                            + " is not a valid JSON pointer: \"~\" must be followed by 0 or 1");
                }
            }
            return token.replace("~1", "/").replace("~0", "~");
        }

        /** A {@code $ref} is a URI fragment, so its pointer may be percent-encoded. */
        private static String percentDecode(String token, Ref ref) {
            if (token.indexOf('%') < 0) {
                return token;
            }
            byte[] utf8 = token.getBytes(StandardCharsets.UTF_8);
            var decoded = new ByteArrayOutputStream(utf8.length);
            for (int i = 0; i < utf8.length; i++) {
                if (utf8[i] != '%') {
                    decoded.write(utf8[i]);
                    continue;
                }
                int high = i + 2 < utf8.length ? Character.digit(utf8[i + 1], 16) : -1;
                int low = high < 0 ? -1 : Character.digit(utf8[i + 2], 16);
                if (low < 0) {
                    throw invalid(ref.at, "\"$ref\" " + quote(ref.ref) + " has an invalid percent escape");
                }
                decoded.write(high * 16 + low);
                i += 2;
            }
            return decoded.toString(StandardCharsets.UTF_8);
        }

        /**
         * Rejects a loop of references that come back to the same value without descending into
         * it, such as {@code {"$ref": "#"}} or {@code {"anyOf": [{"$ref": "#"}]}}: validating with
         * it would never end. Loops through properties or items are fine: the value is finite.
         */
        private void checkNoEndlessCycle() {
            Set<Node> done = Collections.newSetFromMap(new IdentityHashMap<>());
            var path = new ArrayList<Node>();
            for (Node node : linked) {
                visit(node, done, path);
            }
        }

        private static void visit(Node node, Set<Node> done, List<Node> path) {
            if (done.contains(node)) {
                return;
            }
            int onPath = path.lastIndexOf(node);
            if (onPath >= 0) {
                for (Node step : path.subList(onPath, path.size())) {
                    if (step instanceof Ref ref) {
                        throw invalid(ref.at, "\"$ref\" " + quote(ref.ref) + " leads back to the same schema without"
                                + " descending into the value, so validation would never end");
                    }
                }
                throw new IllegalStateException("a schema cycle without a $ref"); // cannot happen: only refs loop
            }
            path.add(node);
            for (Node next : node.sameValue()) {
                visit(next, done, path);
            }
            path.remove(path.size() - 1);
            done.add(node);
        }

        private Node[] schemas(JsonValue value, String keyword, String at, int depth, boolean mayBeEmpty) {
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

        private static JsonObject object(JsonValue value, String keyword, String at) {
            if (!(value instanceof JsonObject object)) {
                throw invalid(at, "\"" + keyword + "\" must be an object, got " + describe(value));
            }
            return object;
        }

        private static @Nullable BigDecimal decimal(JsonObject s, String keyword, String at) {
            JsonValue value = s.get(keyword);
            if (value == null) {
                return null;
            }
            if (!(value instanceof JsonNumber(BigDecimal number))) {
                throw invalid(at, "\"" + keyword + "\" must be a number, got " + describe(value));
            }
            return number;
        }

        /** A non-negative integer keyword, saturated at {@link Long#MAX_VALUE}. */
        private static long nonNegative(JsonObject s, String keyword, String at, long absent) {
            JsonValue value = s.get(keyword);
            if (value == null) {
                return absent;
            }
            if (!(value instanceof JsonNumber number) || !number.isIntegral() || number.value().signum() < 0) {
                throw invalid(at, "\"" + keyword + "\" must be a non-negative integer, got " + describe(value));
            }
            return number.value().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0
                    ? Long.MAX_VALUE
                    : number.value().longValue();
        }

        private static Pattern regex(String regex, String keyword, String at) {
            try {
                return Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw invalid(at, "\"" + keyword + "\" " + quote(regex) + " is not a valid regular expression: "
                        + e.getDescription());
            }
        }

        private <N extends Node> N link(N node) {
            linked.add(node);
            return node;
        }

        private static void addIfPresent(List<Node> checks, @Nullable Node check) {
            if (check != null) {
                checks.add(check);
            }
        }

        /** A value in a compile error: its type, and itself when short. */
        private static String describe(JsonValue value) {
            return value instanceof JsonObject || value instanceof JsonArray ? value.typeName() : found(value);
        }

        /** A property name as a JSON pointer token. */
        private static String escape(String name) {
            return name.replace("~", "~0").replace("/", "~1");
        }

        private static IllegalArgumentException invalid(String at, String problem) {
            return new IllegalArgumentException("invalid JSON Schema at " + at + ": " + problem);
        }
    }
}
