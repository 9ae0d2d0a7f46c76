package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.count;
import static dev.agentrt.core.internal.schema.JsonEquality.firstDuplicate;
import static dev.agentrt.core.internal.schema.Keywords.describe;
import static dev.agentrt.core.internal.schema.Keywords.invalid;
import static dev.agentrt.core.internal.schema.Keywords.nonNegative;
import static dev.agentrt.core.internal.schema.Limits.MAX_DEPTH;
import static dev.agentrt.core.internal.schema.Node.NO_NODES;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.JsonValue.JsonBoolean;
import org.jspecify.annotations.Nullable;

import java.util.List;

/** {@code prefixItems}, {@code items}, {@code minItems}, {@code maxItems}, {@code uniqueItems}; other types pass. */
final class ArrayChecks extends Node {
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

    /** The checks of {@code s}'s array keywords, or null when it has none. */
    static @Nullable Node compile(JsonObject s, String at, int depth, Compiler compiler) {
        Node[] prefixItems = NO_NODES;
        Node items = null;
        JsonValue prefix = s.get("prefixItems");
        if (prefix != null) {
            prefixItems = compiler.schemas(prefix, "prefixItems", at, depth, true);
        }
        JsonValue value = s.get("items");
        if (value instanceof JsonArray) {
            // Draft 4 to 7 tuples: items is the prefix, additionalItems applies to the rest.
            if (prefix == null) {
                prefixItems = compiler.schemas(value, "items", at, depth, true);
            }
            JsonValue additionalItems = s.get("additionalItems");
            if (additionalItems != null) {
                items = compiler.compile(additionalItems, at + "/additionalItems", depth + 1);
            }
        } else if (value != null) {
            items = compiler.compile(value, at + "/items", depth + 1);
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
}
