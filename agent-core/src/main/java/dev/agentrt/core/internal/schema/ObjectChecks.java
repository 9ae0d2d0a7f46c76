package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.count;
import static dev.agentrt.core.internal.schema.Echo.quote;
import static dev.agentrt.core.internal.schema.Keywords.describe;
import static dev.agentrt.core.internal.schema.Keywords.escape;
import static dev.agentrt.core.internal.schema.Keywords.invalid;
import static dev.agentrt.core.internal.schema.Keywords.nonNegative;
import static dev.agentrt.core.internal.schema.Keywords.object;
import static dev.agentrt.core.internal.schema.Keywords.regex;
import static dev.agentrt.core.internal.schema.Limits.MAX_DEPTH;
import static dev.agentrt.core.internal.schema.Limits.MAX_LISTED;
import static dev.agentrt.core.internal.schema.Node.NO_NODES;
import static dev.agentrt.core.internal.schema.Patterns.FOUND;
import static dev.agentrt.core.internal.schema.Patterns.UNCHECKED;
import static dev.agentrt.core.internal.schema.Patterns.find;
import static dev.agentrt.core.internal.schema.Patterns.uncheckable;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.JsonValue.JsonString;
import org.jspecify.annotations.Nullable;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code properties}, {@code patternProperties}, {@code additionalProperties}, {@code required},
 * {@code minProperties}, {@code maxProperties}; other types pass.
 */
final class ObjectChecks extends Node {
    private static final String[] NO_STRINGS = {};
    private static final Pattern[] NO_PATTERNS = {};

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

    /** The checks of {@code s}'s object keywords, or null when it has none. */
    static @Nullable Node compile(JsonObject s, String at, int depth, Compiler compiler) {
        String[] names = NO_STRINGS;
        Node[] properties = NO_NODES;
        JsonValue value = s.get("properties");
        if (value != null) {
            JsonObject declared = object(value, "properties", at);
            names = declared.members().keySet().toArray(NO_STRINGS);
            properties = new Node[names.length];
            for (int i = 0; i < names.length; i++) {
                properties[i] = compiler.compile(declared.members().get(names[i]),
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
                patternProperties[i++] = compiler.compile(member.getValue(), where, depth + 1);
            }
        }
        Node additional = null;
        if ((value = s.get("additionalProperties")) != null) {
            additional = compiler.compile(value, at + "/additionalProperties", depth + 1);
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
}
