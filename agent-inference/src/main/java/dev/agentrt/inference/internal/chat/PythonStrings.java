package dev.agentrt.inference.internal.chat;

import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;
import org.jspecify.annotations.Nullable;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Python's {@code str} methods for chat templates ({@code content.startswith('<think>')},
 * {@code content.split('</think>')[-1].lstrip('\n')}, ...), which Hugging Face templates call and
 * Jinjava, resolving methods on the Java {@code String}, does not have or has with other meanings
 * (Java's {@code split} takes a regular expression). Only method calls on strings are resolved
 * here; everything else falls through to Jinjava's resolvers.
 */
final class PythonStrings extends ELResolver {
    @Override
    public @Nullable Object invoke(ELContext context, @Nullable Object base, @Nullable Object method,
            Class<?> @Nullable [] paramTypes, @Nullable Object @Nullable [] params) {
        if (!(base instanceof String s) || !(method instanceof String name)) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result = call(s, name, args);
        if (result != NOT_HANDLED) {
            context.setPropertyResolved(true);
            return result;
        }
        return null;
    }

    private static final Object NOT_HANDLED = new Object();

    private static Object call(String s, String name, Object[] args) {
        return switch (name) {
            case "startswith" -> args.length == 1 ? anyMatch(args[0], p -> s.startsWith(p)) : NOT_HANDLED;
            case "endswith" -> args.length == 1 ? anyMatch(args[0], p -> s.endsWith(p)) : NOT_HANDLED;
            case "strip" ->
                args.length == 0 || args[0] == null ? s.strip() : rstrip(lstrip(s, str(args[0])), str(args[0]));
            case "lstrip" -> args.length == 0 || args[0] == null ? s.stripLeading() : lstrip(s, str(args[0]));
            case "rstrip" -> args.length == 0 || args[0] == null ? s.stripTrailing() : rstrip(s, str(args[0]));
            case "split" -> args.length == 0 || args[0] == null
                    ? whitespaceSplit(s)
                    : split(s, str(args[0]),
                            args.length > 1 && args[1] instanceof Number n ? n.intValue() : -1);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty()
                    ? s
                    : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "find" -> args.length == 1 ? (Object) (long) s.indexOf(str(args[0])) : NOT_HANDLED;
            case "count" -> args.length == 1 ? (Object) count(s, str(args[0])) : NOT_HANDLED;
            case "splitlines" -> List.of(s.split("\\r?\\n", -1))
                    .stream()
                    .limit(s.endsWith("\n")
                            ? Math.max(0, s.split("\\r?\\n", -1).length - 1)
                            : Long.MAX_VALUE)
                    .toList();
            default -> NOT_HANDLED;
        };
    }

    private static boolean anyMatch(Object prefixes, java.util.function.Predicate<String> test) {
        if (prefixes instanceof Iterable<?> many) {
            for (Object p : many) {
                if (test.test(str(p))) {
                    return true;
                }
            }
            return false;
        }
        return test.test(str(prefixes));
    }

    private static String str(@Nullable Object o) {
        return String.valueOf(o);
    }

    private static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        return s.substring(i);
    }

    private static String rstrip(String s, String chars) {
        int i = s.length();
        while (i > 0 && chars.indexOf(s.charAt(i - 1)) >= 0) {
            i--;
        }
        return s.substring(0, i);
    }

    /** Python's {@code str.split(sep, maxsplit)}: a literal separator, empty pieces kept. */
    private static List<String> split(String s, String sep, int maxSplit) {
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        List<String> out = new ArrayList<>();
        int from = 0;
        int at;
        while ((maxSplit < 0 || out.size() < maxSplit) && (at = s.indexOf(sep, from)) >= 0) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static List<String> whitespaceSplit(String s) {
        String stripped = s.strip();
        return stripped.isEmpty() ? List.of() : List.of(stripped.split("\\s+"));
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1L;
        }
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean start = true;
        for (char c : s.toCharArray()) {
            out.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
            start = !Character.isLetter(c);
        }
        return out.toString();
    }

    @Override
    public @Nullable Object getValue(ELContext context, @Nullable Object base, @Nullable Object property) {
        return null;
    }

    @Override
    public @Nullable Class<?> getType(ELContext context, @Nullable Object base, @Nullable Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, @Nullable Object base, @Nullable Object property,
            @Nullable Object value) {
        // Strings are read-only; nothing to set.
    }

    @Override
    public boolean isReadOnly(ELContext context, @Nullable Object base, @Nullable Object property) {
        return false;
    }

    @Override
    public @Nullable Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, @Nullable Object base) {
        return null;
    }

    @Override
    public @Nullable Class<?> getCommonPropertyType(ELContext context, @Nullable Object base) {
        return null;
    }
}
