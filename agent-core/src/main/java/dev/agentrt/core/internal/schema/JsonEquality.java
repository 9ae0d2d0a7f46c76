package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Limits.MAX_DEPTH;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.JsonValue.JsonBoolean;
import dev.agentrt.core.json.JsonValue.JsonNull;
import dev.agentrt.core.json.JsonValue.JsonNumber;
import dev.agentrt.core.json.JsonValue.JsonString;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** JSON equality for {@code enum}, {@code const} and {@code uniqueItems}: numbers by value, bounded depth. */
final class JsonEquality {
    private JsonEquality() {}

    /** JSON equality (numbers by value), failing with {@link TooDeep} rather than recursing without end. */
    static boolean same(JsonValue a, JsonValue b, int depth) {
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
    static long firstDuplicate(List<JsonValue> items, int depth) {
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
}
