package dev.agentrt.inference.internal.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import org.jspecify.annotations.Nullable;

import java.util.Map;

/**
 * The {@code tojson} filter as Hugging Face transformers defines it for chat templates: Python's
 * {@code json.dumps} with {@code ensure_ascii=False}, so {@code ", "} and {@code ": "} between
 * items, or {@code indent=n} for one item per line, keys in their order. Models saw their tool
 * definitions in exactly this form during training; Jinjava's own {@code tojson} writes compact
 * JSON.
 */
final class PythonToJson implements AdvancedFilter {
    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(@Nullable Object var, JinjavaInterpreter interpreter, Object[] args,
            Map<String, Object> kwargs) {
        Object indentArg = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
        int indent = indentArg instanceof Number n ? n.intValue() : -1;
        StringBuilder out = new StringBuilder();
        write(out, var, indent, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, @Nullable Object value, int indent, int depth) {
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case Integer i -> out.append(i);
            case Long l -> out.append(l);
            case Double d when d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e16 ->
                out.append((long) (double) d).append(".0");
            case Number n -> out.append(n);
            case CharSequence s -> string(out, s.toString());
            case Map<?, ?> map -> {
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    separator(out, first, indent, depth + 1);
                    first = false;
                    string(out, String.valueOf(e.getKey()));
                    out.append(": ");
                    write(out, e.getValue(), indent, depth + 1);
                }
                close(out, first, indent, depth, '}');
            }
            case Iterable<?> items -> {
                out.append('[');
                boolean first = true;
                for (Object item : items) {
                    separator(out, first, indent, depth + 1);
                    first = false;
                    write(out, item, indent, depth + 1);
                }
                close(out, first, indent, depth, ']');
            }
            default -> string(out, value.toString());
        }
    }

    private static void separator(StringBuilder out, boolean first, int indent, int depth) {
        if (indent < 0) {
            out.append(first ? "" : ", ");
        } else {
            out.append(first ? "\n" : ",\n").append(" ".repeat(indent * depth));
        }
    }

    private static void close(StringBuilder out, boolean empty, int indent, int depth, char bracket) {
        if (indent >= 0 && !empty) {
            out.append('\n').append(" ".repeat(indent * depth));
        }
        out.append(bracket);
    }

    private static void string(StringBuilder out, String s) {
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
