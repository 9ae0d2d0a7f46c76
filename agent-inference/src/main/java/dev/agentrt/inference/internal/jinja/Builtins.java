package dev.agentrt.inference.internal.jinja;

import dev.agentrt.inference.internal.jinja.Py.Callable;
import dev.agentrt.inference.internal.jinja.Py.Loop;
import dev.agentrt.inference.internal.jinja.Py.Namespace;
import dev.agentrt.inference.internal.jinja.Py.Undefined;
import org.jspecify.annotations.Nullable;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * jinja2's filters, tests and globals, Python's string, dict and list methods, and Python's operators,
 * as chat templates use them, with transformers' additions ({@code tojson} as {@code json.dumps},
 * {@code raise_exception}, {@code strftime_now}). Attribute access follows the immutable sandbox:
 * methods that would change a dict or list are not reachable.
 */
final class Builtins {
    private static final Set<String> STRING_METHODS = Set.of("strip", "lstrip", "rstrip", "split", "rsplit",
            "splitlines", "startswith", "endswith", "lower", "upper", "title", "capitalize", "replace", "find",
            "rfind", "index", "count", "join", "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper",
            "format", "swapcase", "casefold", "center", "ljust", "rjust", "zfill", "partition", "rpartition",
            "removeprefix", "removesuffix", "encode", "expandtabs", "isdecimal", "isnumeric", "istitle",
            "isidentifier", "isprintable", "translate", "maketrans", "rindex", "format_map");
    private static final Set<String> DICT_METHODS = Set.of("get", "items", "keys", "values", "copy");
    private static final Set<String> DICT_UNSAFE = Set.of("clear", "pop", "popitem", "setdefault", "update",
            "fromkeys");
    private static final Set<String> LIST_METHODS = Set.of("index", "count", "copy");
    private static final Set<String> LIST_UNSAFE = Set.of("append", "extend", "insert", "pop", "remove",
            "reverse", "sort", "clear");
    private static final Pattern WORD_BEGINNING = Pattern.compile("([-\\s({\\[<]+)");

    private final Supplier<LocalDateTime> clock;

    Builtins(Supplier<LocalDateTime> clock) {
        this.clock = clock;
    }

    // ---- globals ----

    @Nullable
    Object global(String name) {
        return switch (name) {
            case "range" -> (Callable) (args, kwargs) -> range(args);
            case "dict" -> (Callable) (args, kwargs) -> {
                Map<Object, @Nullable Object> out = new LinkedHashMap<>();
                if (!args.isEmpty() && args.get(0) instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> out.put(key(k), v));
                }
                out.putAll(kwargs);
                return out;
            };
            case "namespace" -> (Callable) (args, kwargs) -> {
                Map<String, @Nullable Object> attributes = new LinkedHashMap<>();
                if (!args.isEmpty() && args.get(0) instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> attributes.put(Py.str(k), v));
                }
                attributes.putAll(kwargs);
                return new Namespace(attributes);
            };
            case "raise_exception" -> (Callable) (args, kwargs) -> {
                throw new JinjaException(args.isEmpty() ? "" : Py.str(args.get(0)), 0, true);
            };
            case "strftime_now" -> (Callable) (args, kwargs) -> strftime(Py.str(args.isEmpty() ? "" : args.get(0)),
                    clock.get());
            default -> new Undefined("'" + name + "' is undefined");
        };
    }

    private static List<@Nullable Object> range(List<@Nullable Object> args) {
        long start = 0;
        long stop;
        long step = 1;
        if (args.size() == 1) {
            stop = Py.toLong(args.get(0));
        } else if (args.size() >= 2) {
            start = Py.toLong(args.get(0));
            stop = Py.toLong(args.get(1));
            if (args.size() > 2) {
                step = Py.toLong(args.get(2));
            }
        } else {
            throw new PyError("range expected at least 1 argument, got 0");
        }
        if (step == 0) {
            throw new PyError("range() arg 3 must not be zero");
        }
        List<@Nullable Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            if (out.size() > 100_000) {
                throw new PyError("range too big, maximum length is 100000");
            }
            out.add(i);
        }
        return out;
    }

    /** Python's strftime for the directives templates use, in the C locale. */
    static String strftime(String format, LocalDateTime now) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            boolean noPad = false;
            if (d == '-' && i + 1 < format.length()) {
                noPad = true;
                d = format.charAt(++i);
            }
            String value = switch (d) {
                case 'Y' -> Integer.toString(now.getYear());
                case 'y' -> pad(now.getYear() % 100, 2, noPad);
                case 'm' -> pad(now.getMonthValue(), 2, noPad);
                case 'd' -> pad(now.getDayOfMonth(), 2, noPad);
                case 'e' -> noPad
                        ? Integer.toString(now.getDayOfMonth())
                        : String.format("%2d", now.getDayOfMonth());
                case 'j' -> pad(now.getDayOfYear(), 3, noPad);
                case 'H' -> pad(now.getHour(), 2, noPad);
                case 'I' -> pad(now.getHour() % 12 == 0 ? 12 : now.getHour() % 12, 2, noPad);
                case 'M' -> pad(now.getMinute(), 2, noPad);
                case 'S' -> pad(now.getSecond(), 2, noPad);
                case 'p' -> now.getHour() < 12 ? "AM" : "PM";
                case 'B' -> now.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'b', 'h' -> now.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'A' -> now.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'a' -> now.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'w' -> Integer.toString(now.getDayOfWeek().getValue() % 7);
                case 'u' -> Integer.toString(now.getDayOfWeek().getValue());
                case 'F' -> strftime("%Y-%m-%d", now);
                case 'T' -> strftime("%H:%M:%S", now);
                case 'D' -> strftime("%m/%d/%y", now);
                case '%' -> "%";
                default -> "%" + (noPad ? "-" : "") + d;
            };
            out.append(value);
        }
        return out.toString();
    }

    private static String pad(int value, int width, boolean noPad) {
        String s = Integer.toString(value);
        return noPad || s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }

    // ---- attribute and item access ----

    /** A dict key as stored: ints as Long, so that {@code 1} and {@code 1.0} find the same entry. */
    static @Nullable Object key(@Nullable Object k) {
        if (k instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
            return (long) (double) d;
        }
        if (k instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        return k;
    }

    @Nullable
    Object getattr(@Nullable Object obj, String name) {
        return switch (obj) {
            case Undefined u -> throw u.error();
            case Map<?, ?> m -> {
                if (DICT_METHODS.contains(name)) {
                    yield method(m, name);
                }
                if (DICT_UNSAFE.contains(name)) {
                    yield new Undefined("access to attribute '" + name + "' of 'dict' object is unsafe.");
                }
                yield m.containsKey(name)
                        ? m.get(name)
                        : new Undefined("'dict object' has no attribute '" + name + "'");
            }
            case String s -> STRING_METHODS.contains(name)
                    ? method(s, name)
                    : new Undefined("'str object' has no attribute '" + name + "'");
            case List<?> l -> LIST_METHODS.contains(name)
                    ? method(l, name)
                    : LIST_UNSAFE.contains(name)
                            ? new Undefined("access to attribute '" + name + "' of 'list' object is unsafe.")
                            : new Undefined("'list object' has no attribute '" + name + "'");
            case Namespace n -> n.attributes.containsKey(name)
                    ? n.attributes.get(name)
                    : new Undefined("'Namespace object' has no attribute '" + name + "'");
            case Loop l -> l.attribute(name);
            case null -> new Undefined("'None' has no attribute '" + name + "'");
            default -> new Undefined("'" + Py.typeName(obj) + " object' has no attribute '" + name + "'");
        };
    }

    @Nullable
    Object getitem(@Nullable Object obj, @Nullable Object key) {
        return switch (obj) {
            case Undefined u -> throw u.error();
            case Map<?, ?> m -> {
                Object k = key(key);
                if (m.containsKey(k)) {
                    yield m.get(k);
                }
                yield key instanceof String s
                        ? getattr(m, s)
                        : new Undefined("'dict object' has no attribute " + Py.repr(key));
            }
            case List<?> l -> {
                if (key instanceof String s) {
                    yield getattr(l, s);
                }
                if (!Py.isInt(key)) {
                    yield new Undefined("'list object' has no attribute " + Py.repr(key));
                }
                int at = Py.index(Py.toLong(key), l.size());
                yield at < 0 ? new Undefined("'list object' has no element " + Py.repr(key)) : l.get(at);
            }
            case String s -> {
                if (key instanceof String name) {
                    yield getattr(s, name);
                }
                if (!Py.isInt(key)) {
                    yield new Undefined("'str object' has no attribute " + Py.repr(key));
                }
                int[] cps = s.codePoints().toArray();
                int at = Py.index(Py.toLong(key), cps.length);
                yield at < 0
                        ? new Undefined("'str object' has no element " + Py.repr(key))
                        : Character.toString(cps[at]);
            }
            case Namespace n -> key instanceof String s
                    ? getattr(n, s)
                    : new Undefined("'Namespace object' has no element " + Py.repr(key));
            case Loop l -> key instanceof String s
                    ? l.attribute(s)
                    : new Undefined("'LoopContext object' has no element " + Py.repr(key));
            case null -> new Undefined("'None' has no attribute " + Py.repr(key));
            default -> new Undefined("'" + Py.typeName(obj) + " object' has no element " + Py.repr(key));
        };
    }

    /** Python's {@code seq[start:stop:step]} for lists and strings. */
    static @Nullable Object slice(@Nullable Object target, @Nullable Object start, @Nullable Object stop,
            @Nullable Object step) {
        if (target instanceof Undefined u) {
            throw u.error();
        }
        List<@Nullable Object> items;
        boolean isString = target instanceof String;
        if (target instanceof String s) {
            items = Py.iterate(s);
        } else if (target instanceof List<?> l) {
            items = new ArrayList<>(l);
        } else {
            throw new PyError("'" + Py.typeName(target) + "' object is not subscriptable");
        }
        int n = items.size();
        long st = step == null ? 1 : Py.toLong(step);
        if (st == 0) {
            throw new PyError("slice step cannot be zero");
        }
        long lower = st > 0 ? 0 : -1;
        long upper = st > 0 ? n : n - 1;
        long from = start == null ? (st > 0 ? lower : upper) : clamp(Py.toLong(start), n, lower, upper);
        long to = stop == null ? (st > 0 ? upper : lower) : clamp(Py.toLong(stop), n, lower, upper);
        List<@Nullable Object> out = new ArrayList<>();
        for (long i = from; st > 0 ? i < to : i > to; i += st) {
            out.add(items.get((int) i));
        }
        if (isString) {
            StringBuilder s = new StringBuilder();
            out.forEach(c -> s.append((String) c));
            return s.toString();
        }
        return out;
    }

    private static long clamp(long i, int n, long lower, long upper) {
        if (i < 0) {
            return Math.max(i + n, lower);
        }
        return Math.min(i, upper);
    }

    // ---- operators ----

    static @Nullable Object negate(@Nullable Object v) {
        return switch (v) {
            case Long l -> -l;
            case Double d -> -d;
            case Boolean b -> b ? -1L : 0L;
            case Undefined u -> throw u.error();
            case null, default -> throw new PyError("bad operand type for unary -: '" + Py.typeName(v) + "'");
        };
    }

    static @Nullable Object positive(@Nullable Object v) {
        if (v instanceof Undefined u) {
            throw u.error();
        }
        if (!Py.isNumber(v)) {
            throw new PyError("bad operand type for unary +: '" + Py.typeName(v) + "'");
        }
        return v instanceof Boolean b ? (b ? 1L : 0L) : v;
    }

    static @Nullable Object binary(String op, @Nullable Object a, @Nullable Object b) {
        if (op.equals("~")) {
            return Py.str(a) + Py.str(b);
        }
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        boolean numbers = Py.isNumber(a) && Py.isNumber(b);
        boolean ints = Py.isInt(a) && Py.isInt(b);
        switch (op) {
            case "+" -> {
                if (numbers) {
                    return ints ? (Object) (Py.toLong(a) + Py.toLong(b)) : (Object) (Py.toDouble(a) + Py.toDouble(b));
                }
                if (a instanceof String x && b instanceof String y) {
                    return x + y;
                }
                if (a instanceof List<?> x && b instanceof List<?> y) {
                    List<@Nullable Object> out = new ArrayList<>(x);
                    out.addAll(y);
                    return out;
                }
            }
            case "-" -> {
                if (numbers) {
                    return ints ? (Object) (Py.toLong(a) - Py.toLong(b)) : (Object) (Py.toDouble(a) - Py.toDouble(b));
                }
            }
            case "*" -> {
                if (numbers) {
                    return ints ? (Object) (Py.toLong(a) * Py.toLong(b)) : (Object) (Py.toDouble(a) * Py.toDouble(b));
                }
                if (a instanceof String s && Py.isInt(b)) {
                    return s.repeat((int) Math.max(0, Py.toLong(b)));
                }
                if (a instanceof List<?> l && Py.isInt(b)) {
                    List<@Nullable Object> out = new ArrayList<>();
                    for (long i = 0; i < Py.toLong(b); i++) {
                        out.addAll(l);
                    }
                    return out;
                }
            }
            case "/" -> {
                if (numbers) {
                    if (Py.toDouble(b) == 0) {
                        throw new PyError("division by zero");
                    }
                    return Py.toDouble(a) / Py.toDouble(b);
                }
            }
            case "//" -> {
                if (numbers) {
                    if (Py.toDouble(b) == 0) {
                        throw new PyError("integer division or modulo by zero");
                    }
                    return ints
                            ? (Object) Math.floorDiv(Py.toLong(a), Py.toLong(b))
                            : (Object) Math.floor(Py.toDouble(a) / Py.toDouble(b));
                }
            }
            case "%" -> {
                if (numbers) {
                    if (Py.toDouble(b) == 0) {
                        throw new PyError("integer division or modulo by zero");
                    }
                    if (ints) {
                        return Math.floorMod(Py.toLong(a), Py.toLong(b));
                    }
                    double x = Py.toDouble(a);
                    double y = Py.toDouble(b);
                    double r = x % y;
                    return r != 0 && (r < 0) != (y < 0) ? r + y : r;
                }
                if (a instanceof String format) {
                    return percentFormat(format, b instanceof List<?> l ? new ArrayList<>(l) : listOf(b));
                }
            }
            case "**" -> {
                if (numbers) {
                    if (ints && Py.toLong(b) >= 0) {
                        return BigDecimal.valueOf(Py.toLong(a)).pow((int) Py.toLong(b)).longValue();
                    }
                    return Math.pow(Py.toDouble(a), Py.toDouble(b));
                }
            }
            default -> throw new PyError("unknown operator " + op);
        }
        throw new PyError("unsupported operand type(s) for " + op + ": '" + Py.typeName(a) + "' and '"
                + Py.typeName(b) + "'");
    }

    private static List<@Nullable Object> listOf(@Nullable Object v) {
        List<@Nullable Object> out = new ArrayList<>();
        out.add(v);
        return out;
    }

    /** Python's {@code "%s" % args} for %s, %r, %d, %i, %f and %%. */
    private static String percentFormat(String format, List<@Nullable Object> args) {
        StringBuilder out = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            if (d == '%') {
                out.append('%');
                continue;
            }
            if (next >= args.size()) {
                throw new PyError("not enough arguments for format string");
            }
            Object arg = args.get(next++);
            out.append(switch (d) {
                case 's' -> Py.str(arg);
                case 'r' -> Py.repr(arg);
                case 'd', 'i' -> Long.toString(Py.toLong(arg));
                case 'f' -> String.format(Locale.ROOT, "%f", Py.toDouble(arg));
                default -> throw new PyError("unsupported format character '" + d + "'");
            });
        }
        return out.toString();
    }

    static boolean compare(String op, @Nullable Object a, @Nullable Object b) {
        return switch (op) {
            case "==" -> Py.eq(a, b);
            case "!=" -> !Py.eq(a, b);
            case "<" -> Py.compare(a, b) < 0;
            case "<=" -> Py.compare(a, b) <= 0;
            case ">" -> Py.compare(a, b) > 0;
            case ">=" -> Py.compare(a, b) >= 0;
            case "in" -> Py.contains(b, a);
            case "not in" -> !Py.contains(b, a);
            default -> throw new PyError("unknown comparison " + op);
        };
    }

    // ---- tests ----

    boolean test(String name, @Nullable Object v, List<@Nullable Object> args) {
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "number" -> Py.isNumber(v);
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "mapping" -> v instanceof Map;
            case "iterable" -> Py.isIterable(v);
            case "sequence" -> v instanceof String || v instanceof List || v instanceof Map;
            case "callable" -> v instanceof Callable;
            case "lower" -> v instanceof String s && s.equals(s.toLowerCase(Locale.ROOT));
            case "upper" -> v instanceof String s && s.equals(s.toUpperCase(Locale.ROOT));
            case "odd" -> Py.toLong(v) % 2 != 0;
            case "even" -> Py.toLong(v) % 2 == 0;
            case "divisibleby" -> Py.toLong(v) % Py.toLong(arg(args, 0)) == 0;
            case "in" -> Py.contains(arg(args, 0), v);
            case "eq", "equalto", "==" -> Py.eq(v, arg(args, 0));
            case "ne", "!=" -> !Py.eq(v, arg(args, 0));
            case "lt", "lessthan", "<" -> Py.compare(v, arg(args, 0)) < 0;
            case "le", "<=" -> Py.compare(v, arg(args, 0)) <= 0;
            case "gt", "greaterthan", ">" -> Py.compare(v, arg(args, 0)) > 0;
            case "ge", ">=" -> Py.compare(v, arg(args, 0)) >= 0;
            case "sameas" -> v == arg(args, 0) || (v instanceof Boolean && v.equals(arg(args, 0)));
            case "escaped" -> false;
            case "filter" -> FILTERS.contains(Py.str(v));
            case "test" -> TESTS.contains(Py.str(v));
            default -> throw new PyError("No test named '" + name + "'.");
        };
    }

    private static final Set<String> FILTERS = Set.of("abs", "attr", "capitalize", "count", "d", "default",
            "dictsort", "e", "escape", "first", "float", "indent", "int", "items", "join", "last", "length", "list",
            "lower", "map", "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select",
            "selectattr", "sort", "string", "sum", "title", "tojson", "trim", "unique", "upper", "wordcount");
    private static final Set<String> TESTS = Set.of("defined", "undefined", "none", "string", "number", "integer",
            "float", "boolean", "true", "false", "mapping", "iterable", "sequence", "callable", "lower", "upper",
            "odd", "even", "divisibleby", "in", "eq", "equalto", "ne", "lt", "le", "gt", "ge", "sameas");

    private static @Nullable Object arg(List<@Nullable Object> args, int i) {
        if (i >= args.size()) {
            throw new PyError("missing argument " + (i + 1));
        }
        return args.get(i);
    }

    private static @Nullable Object arg(List<@Nullable Object> args, Map<String, @Nullable Object> kwargs, int i,
            String name, @Nullable Object fallback) {
        if (i < args.size()) {
            return args.get(i);
        }
        return kwargs.containsKey(name) ? kwargs.get(name) : fallback;
    }

    // ---- filters ----

    @Nullable
    Object filter(String name, @Nullable Object v, List<@Nullable Object> args,
            Map<String, @Nullable Object> kwargs) {
        switch (name) {
            case "default", "d" -> {
                Object fallback = arg(args, kwargs, 0, "default_value", "");
                boolean bool = Py.truthy(arg(args, kwargs, 1, "boolean", false));
                return v instanceof Undefined || (bool && !Py.truthy(v)) ? fallback : v;
            }
            case "length", "count" -> {
                return Py.len(v);
            }
            case "safe" -> {
                return v;
            }
            case "string" -> {
                return Py.str(v);
            }
            case "tojson" -> {
                return new PyJson(arg(args, kwargs, 0, "indent", null), kwargs.get("separators"),
                        Py.truthy(kwargs.get("sort_keys"))).dumps(undefinedFails(v));
            }
            case "items" -> {
                if (v instanceof Undefined) {
                    return new ArrayList<>();
                }
                if (!(v instanceof Map<?, ?> m)) {
                    throw new PyError("Can only get item pairs from a mapping.");
                }
                return items(m);
            }
            case "list" -> {
                return Py.iterate(v);
            }
            case "first" -> {
                List<@Nullable Object> l = Py.iterate(v);
                return l.isEmpty() ? new Undefined("No first item, sequence was empty.") : l.get(0);
            }
            case "last" -> {
                List<@Nullable Object> l = Py.iterate(v);
                return l.isEmpty() ? new Undefined("No last item, sequence was empty.") : l.get(l.size() - 1);
            }
            case "reverse" -> {
                if (v instanceof String s) {
                    return new StringBuilder(s).reverse().toString();
                }
                List<@Nullable Object> l = Py.iterate(v);
                java.util.Collections.reverse(l);
                return l;
            }
            case "join" -> {
                String sep = Py.str(arg(args, kwargs, 0, "d", ""));
                Object attribute = arg(args, kwargs, 1, "attribute", null);
                StringBuilder out = new StringBuilder();
                boolean first = true;
                for (Object item : Py.iterate(v)) {
                    out.append(first ? "" : sep).append(Py.str(attribute == null ? item : attribute(item, attribute)));
                    first = false;
                }
                return out.toString();
            }
            case "trim" -> {
                Object chars = arg(args, kwargs, 0, "chars", null);
                return strip(Py.str(v), chars, true, true);
            }
            case "upper" -> {
                return Py.str(v).toUpperCase(Locale.ROOT);
            }
            case "lower" -> {
                return Py.str(v).toLowerCase(Locale.ROOT);
            }
            case "capitalize" -> {
                return capitalize(Py.str(v));
            }
            case "title" -> {
                StringBuilder out = new StringBuilder();
                for (String part : splitKeeping(WORD_BEGINNING, Py.str(v))) {
                    if (!part.isEmpty()) {
                        out.append(part.substring(0, 1).toUpperCase(Locale.ROOT))
                                .append(part.substring(1).toLowerCase(Locale.ROOT));
                    }
                }
                return out.toString();
            }
            case "replace" -> {
                Object count = arg(args, kwargs, 2, "count", null);
                return replace(Py.str(v), Py.str(arg(args, 0)), Py.str(arg(args, 1)),
                        count == null ? -1 : Py.toLong(count));
            }
            case "int" -> {
                return toInt(v, arg(args, kwargs, 0, "default", 0L));
            }
            case "float" -> {
                return toFloat(v, arg(args, kwargs, 0, "default", 0.0));
            }
            case "abs" -> {
                return v instanceof Double d ? (Object) Math.abs(d) : (Object) Math.abs(Py.toLong(v));
            }
            case "round" -> {
                long precision = Py.toLong(arg(args, kwargs, 0, "precision", 0L));
                String method = Py.str(arg(args, kwargs, 1, "method", "common"));
                RoundingMode mode = switch (method) {
                    case "ceil" -> RoundingMode.CEILING;
                    case "floor" -> RoundingMode.FLOOR;
                    default -> RoundingMode.HALF_EVEN;
                };
                if (mode == RoundingMode.HALF_EVEN && Py.isInt(v)) {
                    return Py.toLong(v); // Python's round(int, n) is the int
                }
                return new BigDecimal(Py.toDouble(v)).setScale((int) precision, mode).doubleValue();
            }
            case "indent" -> {
                return indent(Py.str(v), arg(args, kwargs, 0, "width", 4L),
                        Py.truthy(arg(args, kwargs, 1, "first", false)),
                        Py.truthy(arg(args, kwargs, 2, "blank", false)));
            }
            case "selectattr", "rejectattr", "select", "reject" -> {
                boolean attr = name.endsWith("attr");
                boolean keep = name.startsWith("select");
                int testAt = attr ? 1 : 0;
                String test = args.size() > testAt ? Py.str(args.get(testAt)) : null;
                List<@Nullable Object> testArgs = args.size() > testAt + 1
                        ? new ArrayList<>(args.subList(testAt + 1, args.size()))
                        : new ArrayList<>();
                List<@Nullable Object> out = new ArrayList<>();
                for (Object item : Py.iterate(v)) {
                    Object value = attr ? attribute(item, arg(args, 0)) : item;
                    boolean passes = test == null ? Py.truthy(value) : test(test, value, testArgs);
                    if (passes == keep) {
                        out.add(item);
                    }
                }
                return out;
            }
            case "map" -> {
                List<@Nullable Object> out = new ArrayList<>();
                if (kwargs.containsKey("attribute")) {
                    Object fallback = kwargs.get("default");
                    for (Object item : Py.iterate(v)) {
                        Object value = attribute(item, kwargs.get("attribute"));
                        out.add(value instanceof Undefined && kwargs.containsKey("default") ? fallback : value);
                    }
                    return out;
                }
                String filter = Py.str(arg(args, 0));
                List<@Nullable Object> rest = new ArrayList<>(args.subList(1, args.size()));
                for (Object item : Py.iterate(v)) {
                    out.add(filter(filter, item, rest, Map.of()));
                }
                return out;
            }
            case "attr" -> {
                return getattr(v, Py.str(arg(args, 0)));
            }
            case "unique" -> {
                List<@Nullable Object> out = new ArrayList<>();
                for (Object item : Py.iterate(v)) {
                    if (out.stream().noneMatch(x -> Py.eq(x, item))) {
                        out.add(item);
                    }
                }
                return out;
            }
            case "sort" -> {
                boolean reverse = Py.truthy(arg(args, kwargs, 0, "reverse", false));
                boolean caseSensitive = Py.truthy(arg(args, kwargs, 1, "case_sensitive", false));
                Object attribute = arg(args, kwargs, 2, "attribute", null);
                List<@Nullable Object> out = Py.iterate(v);
                Comparator<@Nullable Object> order = (a, b) -> Py.compare(
                        sortKey(attribute == null ? a : attribute(a, attribute), caseSensitive),
                        sortKey(attribute == null ? b : attribute(b, attribute), caseSensitive));
                out.sort(reverse ? order.reversed() : order);
                return out;
            }
            case "dictsort" -> {
                if (!(v instanceof Map<?, ?> m)) {
                    throw new PyError("You can only sort by either \"key\" or \"value\"");
                }
                boolean caseSensitive = Py.truthy(arg(args, kwargs, 0, "case_sensitive", false));
                int by = "value".equals(arg(args, kwargs, 1, "by", "key")) ? 1 : 0;
                boolean reverse = Py.truthy(arg(args, kwargs, 2, "reverse", false));
                List<@Nullable Object> out = items(m);
                Comparator<@Nullable Object> order = (a, b) -> Py.compare(
                        sortKey(((List<?>) a).get(by), caseSensitive), sortKey(((List<?>) b).get(by), caseSensitive));
                out.sort(reverse ? order.reversed() : order);
                return out;
            }
            case "sum" -> {
                Object attribute = arg(args, kwargs, 0, "attribute", null);
                Object total = arg(args, kwargs, 1, "start", 0L);
                for (Object item : Py.iterate(v)) {
                    total = binary("+", total, attribute == null ? item : attribute(item, attribute));
                }
                return total;
            }
            case "min", "max" -> {
                List<@Nullable Object> l = Py.iterate(v);
                if (l.isEmpty()) {
                    return new Undefined("No aggregated item, sequence was empty.");
                }
                Object best = l.get(0);
                for (Object item : l) {
                    int c = Py.compare(sortKey(item, false), sortKey(best, false));
                    if (name.equals("min") ? c < 0 : c > 0) {
                        best = item;
                    }
                }
                return best;
            }
            case "wordcount" -> {
                String s = Py.str(v).strip();
                return s.isEmpty() ? 0L : (long) s.split("\\W+").length;
            }
            case "escape", "e" -> {
                return Py.str(v)
                        .replace("&", "&amp;")
                        .replace("<", "&lt;")
                        .replace(">", "&gt;")
                        .replace("\"", "&#34;")
                        .replace("'", "&#39;");
            }
            default -> throw new PyError("No filter named '" + name + "'.");
        }
    }

    private static @Nullable Object undefinedFails(@Nullable Object v) {
        if (v instanceof Undefined) {
            throw new PyError("Object of type Undefined is not JSON serializable");
        }
        return v;
    }

    private static @Nullable Object sortKey(@Nullable Object v, boolean caseSensitive) {
        return !caseSensitive && v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
    }

    /** jinja2's attribute lookup for filters: dotted paths, integer parts as indexes. */
    private @Nullable Object attribute(@Nullable Object item, @Nullable Object path) {
        if (Py.isInt(path)) {
            return getitem(item, path);
        }
        Object value = item;
        for (String part : Py.str(path).split("\\.")) {
            value = part.chars().allMatch(Character::isDigit) && !part.isEmpty()
                    ? getitem(value, Long.parseLong(part))
                    : getitem(value, part);
        }
        return value;
    }

    private static List<@Nullable Object> items(Map<?, ?> m) {
        List<@Nullable Object> out = new ArrayList<>();
        m.forEach((k, val) -> {
            List<@Nullable Object> pair = new ArrayList<>(2);
            pair.add(k);
            pair.add(val);
            out.add(new Py.Tuple(pair));
        });
        return out;
    }

    private static @Nullable Object toInt(@Nullable Object v, @Nullable Object fallback) {
        return switch (v) {
            case Long l -> l;
            case Boolean b -> b ? 1L : 0L;
            case Double d -> (long) (double) d;
            case String s -> {
                try {
                    yield Long.parseLong(s.strip().replace("_", ""));
                } catch (NumberFormatException e) {
                    try {
                        yield (long) Double.parseDouble(s.strip());
                    } catch (NumberFormatException e2) {
                        yield fallback;
                    }
                }
            }
            case null, default -> fallback;
        };
    }

    private static @Nullable Object toFloat(@Nullable Object v, @Nullable Object fallback) {
        return switch (v) {
            case Long l -> (double) l;
            case Boolean b -> b ? 1.0 : 0.0;
            case Double d -> d;
            case String s -> {
                try {
                    yield Double.parseDouble(s.strip());
                } catch (NumberFormatException e) {
                    yield fallback;
                }
            }
            case null, default -> fallback;
        };
    }

    private static String indent(String s, @Nullable Object width, boolean first, boolean blank) {
        String pad = width instanceof String w ? w : " ".repeat((int) Py.toLong(width));
        List<String> lines = splitlines(s + "\n");
        StringBuilder out = new StringBuilder();
        if (blank) {
            out.append(String.join("\n" + pad, lines));
        } else {
            out.append(lines.get(0));
            for (int i = 1; i < lines.size(); i++) {
                out.append('\n');
                if (!lines.get(i).isEmpty()) {
                    out.append(pad);
                }
                out.append(lines.get(i));
            }
        }
        return first ? pad + out : out.toString();
    }

    private static List<String> splitlines(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u000b' || c == '\f' || c == '\u001c' || c == '\u001d'
                    || c == '\u001e' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                out.add(s.substring(start, i));
                if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }

    /** Python's {@code re.split} with a capturing group: the separators stay in the result. */
    private static List<String> splitKeeping(Pattern pattern, String s) {
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = pattern.matcher(s);
        int last = 0;
        while (m.find()) {
            out.add(s.substring(last, m.start()));
            out.add(m.group());
            last = m.end();
        }
        out.add(s.substring(last));
        return out;
    }

    private static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        int len = Character.charCount(first);
        return Character.toString(Character.toTitleCase(first)) + s.substring(len).toLowerCase(Locale.ROOT);
    }

    // ---- methods ----

    private Callable method(Object self, String name) {
        return (args, kwargs) -> switch (self) {
            case String s -> stringMethod(s, name, args, kwargs);
            case Map<?, ?> m -> dictMethod(m, name, args);
            case List<?> l -> listMethod(l, name, args);
            default -> throw new PyError("no method " + name);
        };
    }

    private static @Nullable Object dictMethod(Map<?, ?> m, String name, List<@Nullable Object> args) {
        return switch (name) {
            case "get" -> {
                Object k = key(arg(args, 0));
                yield m.containsKey(k) ? m.get(k) : args.size() > 1 ? args.get(1) : null;
            }
            case "items" -> items(m);
            case "keys" -> new ArrayList<@Nullable Object>(m.keySet());
            case "values" -> new ArrayList<@Nullable Object>(m.values());
            case "copy" -> new LinkedHashMap<>(m);
            default -> throw new PyError("'dict' object has no attribute '" + name + "'");
        };
    }

    private static @Nullable Object listMethod(List<?> l, String name, List<@Nullable Object> args) {
        return switch (name) {
            case "index" -> {
                for (int i = 0; i < l.size(); i++) {
                    if (Py.eq(l.get(i), arg(args, 0))) {
                        yield (long) i;
                    }
                }
                throw new PyError(Py.repr(args.get(0)) + " is not in list");
            }
            case "count" -> l.stream().filter(x -> Py.eq(x, arg(args, 0))).count();
            case "copy" -> new ArrayList<>(l);
            default -> throw new PyError("'list' object has no attribute '" + name + "'");
        };
    }

    private static @Nullable Object stringMethod(String s, String name, List<@Nullable Object> args,
            Map<String, @Nullable Object> kwargs) {
        return switch (name) {
            case "strip" -> strip(s, arg(args, kwargs, 0, "chars", null), true, true);
            case "lstrip" -> strip(s, arg(args, kwargs, 0, "chars", null), true, false);
            case "rstrip" -> strip(s, arg(args, kwargs, 0, "chars", null), false, true);
            case "split" -> split(s, arg(args, kwargs, 0, "sep", null),
                    Py.toLong(arg(args, kwargs, 1, "maxsplit", -1L)));
            case "rsplit" -> rsplit(s, arg(args, kwargs, 0, "sep", null),
                    Py.toLong(arg(args, kwargs, 1, "maxsplit", -1L)));
            case "splitlines" -> new ArrayList<@Nullable Object>(splitlines(s));
            case "startswith", "endswith" -> {
                Object affix = arg(args, 0);
                List<?> options = affix instanceof List<?> l ? l : List.of(Py.str(affix));
                boolean start = name.equals("startswith");
                yield options.stream().anyMatch(o -> start ? s.startsWith(Py.str(o)) : s.endsWith(Py.str(o)));
            }
            case "lower", "casefold" -> s.toLowerCase(Locale.ROOT);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "swapcase" -> {
                StringBuilder out = new StringBuilder();
                s.codePoints()
                        .forEach(c -> out.appendCodePoint(Character.isUpperCase(c)
                                ? Character.toLowerCase(c)
                                : Character.toUpperCase(c)));
                yield out.toString();
            }
            case "title" -> {
                StringBuilder out = new StringBuilder();
                boolean previousCased = false;
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    boolean cased = Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
                    out.append(cased ? (previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c)) : c);
                    previousCased = cased;
                }
                yield out.toString();
            }
            case "capitalize" -> capitalize(s);
            case "replace" -> {
                Object count = arg(args, kwargs, 2, "count", -1L);
                yield replace(s, Py.str(arg(args, 0)), Py.str(arg(args, 1)), Py.toLong(count));
            }
            case "find", "index" -> {
                int at = s.indexOf(Py.str(arg(args, 0)));
                if (at < 0 && name.equals("index")) {
                    throw new PyError("substring not found");
                }
                yield at < 0 ? -1L : (long) s.codePointCount(0, at);
            }
            case "rfind", "rindex" -> {
                int at = s.lastIndexOf(Py.str(arg(args, 0)));
                if (at < 0 && name.equals("rindex")) {
                    throw new PyError("substring not found");
                }
                yield at < 0 ? -1L : (long) s.codePointCount(0, at);
            }
            case "count" -> {
                String sub = Py.str(arg(args, 0));
                if (sub.isEmpty()) {
                    yield Py.len(s) + 1;
                }
                long n = 0;
                for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
                    n++;
                }
                yield n;
            }
            case "join" -> {
                StringBuilder out = new StringBuilder();
                boolean first = true;
                for (Object item : Py.iterate(arg(args, 0))) {
                    if (!(item instanceof String str)) {
                        throw new PyError("sequence item: expected str instance, " + Py.typeName(item) + " found");
                    }
                    out.append(first ? "" : s).append(str);
                    first = false;
                }
                yield out.toString();
            }
            case "isdigit", "isdecimal", "isnumeric" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isalpha" -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
            case "isalnum" -> !s.isEmpty() && s.chars().allMatch(Character::isLetterOrDigit);
            case "isspace" -> !s.isEmpty() && s.chars().allMatch(Character::isWhitespace);
            case "islower" -> s.chars().anyMatch(Character::isLowerCase) && !s.chars().anyMatch(Character::isUpperCase);
            case "isupper" -> s.chars().anyMatch(Character::isUpperCase) && !s.chars().anyMatch(Character::isLowerCase);
            case "removeprefix" -> s.startsWith(Py.str(arg(args, 0))) ? s.substring(Py.str(arg(args, 0)).length()) : s;
            case "removesuffix" -> {
                String suffix = Py.str(arg(args, 0));
                yield !suffix.isEmpty() && s.endsWith(suffix) ? s.substring(0, s.length() - suffix.length()) : s;
            }
            case "center", "ljust", "rjust" -> {
                int width = (int) Py.toLong(arg(args, 0));
                String fill = args.size() > 1 ? Py.str(args.get(1)) : " ";
                int missing = Math.max(0, width - (int) Py.len(s));
                int left = switch (name) {
                    case "ljust" -> 0;
                    case "rjust" -> missing;
                    default -> missing / 2 + (missing & width & 1);
                };
                yield fill.repeat(left) + s + fill.repeat(missing - left);
            }
            case "zfill" -> {
                int width = (int) Py.toLong(arg(args, 0));
                int missing = Math.max(0, width - (int) Py.len(s));
                boolean sign = s.startsWith("-") || s.startsWith("+");
                yield sign ? s.charAt(0) + "0".repeat(missing) + s.substring(1) : "0".repeat(missing) + s;
            }
            case "partition", "rpartition" -> {
                String sep = Py.str(arg(args, 0));
                int at = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                List<@Nullable Object> out = new ArrayList<>();
                if (at < 0) {
                    out.addAll(name.equals("partition") ? List.of(s, "", "") : List.of("", "", s));
                } else {
                    out.addAll(List.of(s.substring(0, at), sep, s.substring(at + sep.length())));
                }
                yield out;
            }
            case "format" -> format(s, args, kwargs);
            default -> throw new PyError("'str' object method '" + name + "' is not supported");
        };
    }

    /** Python's {@code str.format} for {@code {}}, {@code {0}} and {@code {name}} without format specs. */
    private static String format(String s, List<@Nullable Object> args, Map<String, @Nullable Object> kwargs) {
        StringBuilder out = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                out.append('{');
                i++;
            } else if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
                out.append('}');
                i++;
            } else if (c == '{') {
                int end = s.indexOf('}', i);
                if (end < 0) {
                    throw new PyError("Single '{' encountered in format string");
                }
                String field = s.substring(i + 1, end);
                Object value;
                if (field.isEmpty()) {
                    value = arg(args, auto++);
                } else if (field.chars().allMatch(Character::isDigit)) {
                    value = arg(args, Integer.parseInt(field));
                } else {
                    if (!kwargs.containsKey(field)) {
                        throw new PyError("KeyError: '" + field + "'");
                    }
                    value = kwargs.get(field);
                }
                out.append(Py.str(value));
                i = end;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String replace(String s, String old, String replacement, long count) {
        if (count < 0) {
            if (old.isEmpty()) {
                StringBuilder out = new StringBuilder(replacement);
                s.codePoints().forEach(c -> out.appendCodePoint(c).append(replacement));
                return out.toString();
            }
            return s.replace(old, replacement);
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (long n = 0; n < count; n++) {
            int at = s.indexOf(old, from);
            if (at < 0 || old.isEmpty()) {
                break;
            }
            out.append(s, from, at).append(replacement);
            from = at + old.length();
        }
        return out.append(s.substring(from)).toString();
    }

    private static boolean isPyWhitespace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x1c || c == 0x1d || c == 0x1e
                || c == 0x1f || c == 0x85;
    }

    private static String strip(String s, @Nullable Object chars, boolean left, boolean right) {
        String set = chars == null || chars instanceof Undefined ? null : Py.str(chars);
        int start = 0;
        int end = s.length();
        if (left) {
            while (start < end && (set == null ? isPyWhitespace(s.charAt(start)) : set.indexOf(s.charAt(start)) >= 0)) {
                start++;
            }
        }
        if (right) {
            while (end > start
                    && (set == null ? isPyWhitespace(s.charAt(end - 1)) : set.indexOf(s.charAt(end - 1)) >= 0)) {
                end--;
            }
        }
        return s.substring(start, end);
    }

    private static List<@Nullable Object> split(String s, @Nullable Object sep, long maxsplit) {
        List<@Nullable Object> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isPyWhitespace(s.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                if (maxsplit >= 0 && out.size() == maxsplit) {
                    out.add(s.substring(i));
                    break;
                }
                int j = i;
                while (j < n && !isPyWhitespace(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        String separator = Py.str(sep);
        if (separator.isEmpty()) {
            throw new PyError("empty separator");
        }
        int from = 0;
        while (maxsplit < 0 || out.size() < maxsplit) {
            int at = s.indexOf(separator, from);
            if (at < 0) {
                break;
            }
            out.add(s.substring(from, at));
            from = at + separator.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static List<@Nullable Object> rsplit(String s, @Nullable Object sep, long maxsplit) {
        if (maxsplit < 0 || sep == null) {
            return split(s, sep, maxsplit);
        }
        String separator = Py.str(sep);
        List<@Nullable Object> out = new ArrayList<>();
        int end = s.length();
        while (out.size() < maxsplit) {
            int at = s.lastIndexOf(separator, end - separator.length());
            if (at < 0) {
                break;
            }
            out.add(0, s.substring(at + separator.length(), end));
            end = at;
        }
        out.add(0, s.substring(0, end));
        return out;
    }
}
