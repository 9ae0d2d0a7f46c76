package dev.agentrt.inference.internal.jinja;

import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii=False, indent=..., separators=..., sort_keys=...)}, the
 * {@code tojson} filter transformers installs: {@code ", "} and {@code ": "} between items (just
 * {@code ","} at line ends when indenting), floats as Python's repr, only quotes, backslashes and
 * control characters escaped.
 */
final class PyJson {
    private final @Nullable String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;

    PyJson(@Nullable Object indent, @Nullable Object separators, boolean sortKeys) {
        this.indent = switch (indent) {
            case null -> null;
            case String s -> s;
            case Py.Undefined u -> null;
            default -> " ".repeat((int) Math.max(0, Py.toLong(indent)));
        };
        if (separators instanceof List<?> pair && pair.size() == 2) {
            this.itemSeparator = Py.str(pair.get(0));
            this.keySeparator = Py.str(pair.get(1));
        } else {
            this.itemSeparator = this.indent == null ? ", " : ",";
            this.keySeparator = ": ";
        }
        this.sortKeys = sortKeys;
    }

    String dumps(@Nullable Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, 0);
        return out.toString();
    }

    private void write(@Nullable Object value, StringBuilder out, int depth) {
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case Long l -> out.append(l);
            case Double d -> out.append(Double.isNaN(d)
                    ? "NaN"
                    : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : Py.floatRepr(d));
            case String s -> string(s, out);
            case List<?> l -> {
                if (l.isEmpty()) {
                    out.append("[]");
                    return;
                }
                out.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        out.append(itemSeparator);
                    }
                    newline(out, depth + 1);
                    write(l.get(i), out, depth + 1);
                }
                newline(out, depth);
                out.append(']');
            }
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    out.append("{}");
                    return;
                }
                List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
                if (sortKeys) {
                    entries.sort((a, b) -> Py.compare(a.getKey(), b.getKey()));
                }
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : entries) {
                    if (!first) {
                        out.append(itemSeparator);
                    }
                    first = false;
                    newline(out, depth + 1);
                    Object key = e.getKey();
                    string(key instanceof String s ? s : key == null ? "null" : jsonKey(key), out);
                    out.append(keySeparator);
                    write(e.getValue(), out, depth + 1);
                }
                newline(out, depth);
                out.append('}');
            }
            case Py.Namespace n -> throw new PyError("Object of type Namespace is not JSON serializable");
            default -> throw new PyError("Object of type " + Py.typeName(value) + " is not JSON serializable");
        }
    }

    private static String jsonKey(Object key) {
        return key instanceof Boolean b ? (b ? "true" : "false") : Py.str(key);
    }

    private void newline(StringBuilder out, int depth) {
        if (indent != null) {
            out.append('\n').append(indent.repeat(depth));
        }
    }

    static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
