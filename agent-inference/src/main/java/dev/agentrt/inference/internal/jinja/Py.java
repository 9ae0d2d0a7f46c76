package dev.agentrt.inference.internal.jinja;

import org.jspecify.annotations.Nullable;

import java.math.BigDecimal;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's value semantics over the Java values templates see: {@code null} is None, {@link Boolean},
 * {@link Long} (int), {@link Double} (float), {@link String}, {@link List} (list and tuple),
 * {@link Map} (dict), plus {@link Undefined}, {@link Namespace}, {@link Callable} and {@link Loop}.
 */
final class Py {
    private Py() {}

    /** jinja2's default Undefined: prints as nothing, is falsy and empty, fails on any other use. */
    record Undefined(String hint) {
        PyError error() {
            return new PyError(hint);
        }
    }

    /** A Python tuple: a list that prints in parentheses ({@code dict.items()}, {@code (a, b)}). */
    static final class Tuple extends AbstractList<@Nullable Object> {
        private final List<@Nullable Object> items;

        Tuple(List<@Nullable Object> items) {
            this.items = items;
        }

        @Override
        public @Nullable Object get(int index) {
            return items.get(index);
        }

        @Override
        public int size() {
            return items.size();
        }
    }

    /** Something callable from a template: a global, a bound method or a macro. */
    @FunctionalInterface
    interface Callable {
        @Nullable
        Object call(List<@Nullable Object> args, Map<String, @Nullable Object> kwargs);
    }

    /** jinja2's {@code namespace(...)}: attributes that {@code set ns.x = ...} may change inside loops. */
    static final class Namespace {
        final Map<String, @Nullable Object> attributes;

        Namespace(Map<String, @Nullable Object> attributes) {
            this.attributes = attributes;
        }
    }

    /** The {@code loop} variable of a for loop. */
    static final class Loop {
        final List<@Nullable Object> items;
        int index0;

        Loop(List<@Nullable Object> items) {
            this.items = items;
        }

        @Nullable
        Object attribute(String name) {
            int length = items.size();
            return switch (name) {
                case "index" -> (long) index0 + 1;
                case "index0" -> (long) index0;
                case "revindex" -> (long) (length - index0);
                case "revindex0" -> (long) (length - index0 - 1);
                case "first" -> index0 == 0;
                case "last" -> index0 == length - 1;
                case "length" -> (long) length;
                case "depth" -> 1L;
                case "depth0" -> 0L;
                case "previtem" -> index0 > 0 ? items.get(index0 - 1) : new Undefined("there is no previous item");
                case "nextitem" -> index0 < length - 1
                        ? items.get(index0 + 1)
                        : new Undefined("there is no next item");
                case "cycle" -> (Callable) (args, kwargs) -> args.isEmpty()
                        ? new Undefined("no items for cycling given")
                        : args.get(index0 % args.size());
                default -> new Undefined("'LoopContext' object has no attribute '" + name + "'");
            };
        }
    }

    static boolean truthy(@Nullable Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0;
            case String s -> !s.isEmpty();
            case List<?> l -> !l.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case Undefined u -> false;
            default -> true;
        };
    }

    static boolean isNumber(@Nullable Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static boolean isInt(@Nullable Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static long toLong(@Nullable Object v) {
        return switch (v) {
            case Long l -> l;
            case Boolean b -> b ? 1 : 0;
            case Double d -> (long) (double) d;
            case null, default -> throw new PyError("an integer is required, not " + typeName(v));
        };
    }

    static double toDouble(@Nullable Object v) {
        return switch (v) {
            case Long l -> l;
            case Double d -> d;
            case Boolean b -> b ? 1 : 0;
            case null, default -> throw new PyError("a number is required, not " + typeName(v));
        };
    }

    static String typeName(@Nullable Object v) {
        return switch (v) {
            case null -> "NoneType";
            case Boolean b -> "bool";
            case Long l -> "int";
            case Double d -> "float";
            case String s -> "str";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case Undefined u -> "Undefined";
            case Namespace n -> "Namespace";
            case Loop l -> "LoopContext";
            default -> "function";
        };
    }

    /** Python's {@code str(v)}, as {@code {{ v }}} prints it (an undefined value prints as nothing). */
    static String str(@Nullable Object v) {
        return switch (v) {
            case String s -> s;
            case Undefined u -> "";
            case null, default -> repr(v);
        };
    }

    /** Python's {@code repr(v)}. */
    static String repr(@Nullable Object v) {
        return switch (v) {
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case Long l -> l.toString();
            case Double d -> floatRepr(d);
            case String s -> stringRepr(s);
            case Tuple t -> {
                StringBuilder out = new StringBuilder("(");
                for (int i = 0; i < t.size(); i++) {
                    out.append(i == 0 ? "" : ", ").append(repr(t.get(i)));
                }
                yield out.append(t.size() == 1 ? ",)" : ")").toString();
            }
            case List<?> l -> {
                StringBuilder out = new StringBuilder("[");
                for (int i = 0; i < l.size(); i++) {
                    out.append(i == 0 ? "" : ", ").append(repr(l.get(i)));
                }
                yield out.append(']').toString();
            }
            case Map<?, ?> m -> {
                StringBuilder out = new StringBuilder("{");
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    out.append(first ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                    first = false;
                }
                yield out.append('}').toString();
            }
            case Undefined u -> "Undefined";
            case Namespace n -> "<Namespace " + repr(n.attributes) + ">";
            case Loop l -> "<LoopContext " + (l.index0 + 1) + "/" + l.items.size() + ">";
            default -> "<function>";
        };
    }

    private static String stringRepr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder().append(quote);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c == quote) {
                        out.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append(quote).toString();
    }

    /**
     * Python's {@code repr(float)}: the shortest digits that read back as the same double (what Java's
     * {@code Double.toString} finds since JDK 19), in fixed notation for decimal exponents from -4 to 15
     * and as {@code 1e+16} / {@code 1e-05} beyond.
     */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int point = digits.length() - exact.scale();
        StringBuilder out = new StringBuilder(d < 0 ? "-" : "");
        if (point > 16 || point <= -4) {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            int exponent = point - 1;
            out.append('e').append(exponent < 0 ? '-' : '+');
            String e = Integer.toString(Math.abs(exponent));
            out.append(e.length() < 2 ? "0" + e : e);
        } else if (point <= 0) {
            out.append("0.").append("0".repeat(-point)).append(digits);
        } else if (point >= digits.length()) {
            out.append(digits).append("0".repeat(point - digits.length())).append(".0");
        } else {
            out.append(digits, 0, point).append('.').append(digits, point, digits.length());
        }
        return out.toString();
    }

    /** Python's {@code ==}. */
    static boolean eq(@Nullable Object a, @Nullable Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) {
                return toLong(a) == toLong(b);
            }
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size() || (x instanceof Tuple) != (y instanceof Tuple)) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !eq(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Undefined && b instanceof Undefined) {
            return true;
        }
        return a.equals(b);
    }

    /** Python's ordering ({@code <} is a negative result). */
    static int compare(@Nullable Object a, @Nullable Object b) {
        if (isNumber(a) && isNumber(b)) {
            return isInt(a) && isInt(b) ? Long.compare(toLong(a), toLong(b)) : Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return compare(x.get(i), y.get(i));
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        throw new PyError("'<' not supported between instances of '" + typeName(a) + "' and '" + typeName(b) + "'");
    }

    /** Python's {@code in}. */
    static boolean contains(@Nullable Object container, @Nullable Object item) {
        return switch (container) {
            case String s -> {
                if (!(item instanceof String sub)) {
                    throw new PyError("'in <string>' requires string as left operand, not " + typeName(item));
                }
                yield s.contains(sub);
            }
            case List<?> l -> l.stream().anyMatch(x -> eq(x, item));
            case Map<?, ?> m -> m.keySet().stream().anyMatch(k -> eq(k, item));
            case Undefined u -> false;
            case null, default -> throw new PyError("argument of type '" + typeName(container) + "' is not iterable");
        };
    }

    /** Python's {@code len}; an undefined value has length 0 as in jinja2. */
    static long len(@Nullable Object v) {
        return switch (v) {
            case String s -> s.codePointCount(0, s.length());
            case List<?> l -> l.size();
            case Map<?, ?> m -> m.size();
            case Undefined u -> 0;
            case null, default -> throw new PyError("object of type '" + typeName(v) + "' has no len()");
        };
    }

    /** What a for loop iterates: a list's items, a dict's keys, a string's characters. */
    static List<@Nullable Object> iterate(@Nullable Object v) {
        return switch (v) {
            case List<?> l -> new ArrayList<>(l);
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case String s -> {
                List<@Nullable Object> chars = new ArrayList<>();
                s.codePoints().forEach(c -> chars.add(Character.toString(c)));
                yield chars;
            }
            case Undefined u -> new ArrayList<>();
            case null, default -> throw new PyError("'" + typeName(v) + "' object is not iterable");
        };
    }

    static boolean isIterable(@Nullable Object v) {
        return v instanceof String || v instanceof List || v instanceof Map || v instanceof Undefined;
    }

    /** A Python index (negative counts from the end) into a size, or -1 when out of range. */
    static int index(long i, int size) {
        long at = i < 0 ? i + size : i;
        return at < 0 || at >= size ? -1 : (int) at;
    }
}
