package dev.agentrt.inference.internal.jinja;

import dev.agentrt.inference.internal.jinja.Node.Expr;
import dev.agentrt.inference.internal.jinja.Node.Stmt;
import dev.agentrt.inference.internal.jinja.Py.Callable;
import dev.agentrt.inference.internal.jinja.Py.Loop;
import dev.agentrt.inference.internal.jinja.Py.Namespace;
import dev.agentrt.inference.internal.jinja.Py.Undefined;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a parsed template once. Scopes follow jinja2: a for loop and a macro call open a scope whose
 * assignments do not leak out (which is why templates use {@code namespace}); {@code if} does not.
 * One instance per rendering; not thread-safe.
 */
final class Interpreter {
    /** A scope: its own variables, then the enclosing scope's. */
    static final class Frame {
        final Map<String, @Nullable Object> vars = new HashMap<>();
        final @Nullable Frame parent;

        Frame(@Nullable Frame parent) {
            this.parent = parent;
        }
    }

    private static final class LoopControl extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final boolean isBreak;

        LoopControl(boolean isBreak) {
            super(null, null, false, false);
            this.isBreak = isBreak;
        }
    }

    private static final int MAX_DEPTH = 200;

    private final Builtins builtins;
    private int depth;

    Interpreter(Builtins builtins) {
        this.builtins = builtins;
    }

    String render(List<Stmt> template, Frame root) {
        StringBuilder out = new StringBuilder();
        execute(template, root, out);
        return out.toString();
    }

    private void execute(List<Stmt> body, Frame frame, StringBuilder out) {
        for (Stmt stmt : body) {
            try {
                statement(stmt, frame, out);
            } catch (PyError e) {
                throw new JinjaException(e.getMessage(), stmt.line());
            } catch (JinjaException e) {
                // raise_exception does not know its line; the innermost statement around it does.
                throw e.line() > 0 ? e : new JinjaException(e.getMessage(), stmt.line(), e.raisedByTemplate());
            } catch (StackOverflowError e) {
                throw new JinjaException("maximum recursion depth exceeded", stmt.line());
            }
        }
    }

    private void statement(Stmt stmt, Frame frame, StringBuilder out) {
        switch (stmt) {
            case Node.Text t -> out.append(t.text());
            case Node.Print p -> out.append(Py.str(eval(p.expr(), frame)));
            case Node.If i -> {
                for (int k = 0; k < i.conditions().size(); k++) {
                    if (Py.truthy(eval(i.conditions().get(k), frame))) {
                        execute(i.bodies().get(k), frame, out);
                        return;
                    }
                }
                execute(i.otherwise(), frame, out);
            }
            case Node.For f -> loop(f, frame, out);
            case Node.Set s -> {
                Object value = eval(s.value(), frame);
                if (s.attribute() != null) {
                    Object target = lookup(s.targets().get(0), frame);
                    if (!(target instanceof Namespace ns)) {
                        throw new PyError("cannot assign attribute on non-namespace object");
                    }
                    ns.attributes.put(s.attribute(), value);
                } else {
                    bind(s.targets(), value, frame);
                }
            }
            case Node.SetBlock s -> {
                StringBuilder captured = new StringBuilder();
                execute(s.body(), frame, captured);
                Object value = captured.toString();
                if (s.filter() != null) {
                    value = applyFilters(s.filter(), value, frame);
                }
                frame.vars.put(s.target(), value);
            }
            case Node.FilterBlock f -> {
                StringBuilder captured = new StringBuilder();
                execute(f.body(), frame, captured);
                out.append(Py.str(applyFilters(f.filter(), captured.toString(), frame)));
            }
            case Node.Macro m -> frame.vars.put(m.name(), macro(m, frame));
            case Node.Block b -> execute(b.body(), frame, out);
            case Node.Break b -> throw new LoopControl(true);
            case Node.Continue c -> throw new LoopControl(false);
        }
    }

    private void loop(Node.For f, Frame frame, StringBuilder out) {
        List<@Nullable Object> items = Py.iterate(eval(f.iterable(), frame));
        Frame scope = new Frame(frame);
        if (f.filter() != null) {
            List<@Nullable Object> kept = new ArrayList<>();
            for (Object item : items) {
                bind(f.targets(), item, scope);
                if (Py.truthy(eval(f.filter(), scope))) {
                    kept.add(item);
                }
            }
            items = kept;
            scope = new Frame(frame);
        }
        if (items.isEmpty()) {
            execute(f.otherwise(), frame, out);
            return;
        }
        Loop loop = new Loop(items);
        for (int i = 0; i < items.size(); i++) {
            loop.index0 = i;
            // As in jinja2, what one iteration sets is gone in the next.
            scope = new Frame(frame);
            bind(f.targets(), items.get(i), scope);
            scope.vars.put("loop", loop);
            try {
                execute(f.body(), scope, out);
            } catch (LoopControl control) {
                if (control.isBreak) {
                    break;
                }
            }
        }
    }

    private static void bind(List<String> targets, @Nullable Object value, Frame frame) {
        if (targets.size() == 1) {
            frame.vars.put(targets.get(0), value);
            return;
        }
        List<@Nullable Object> items = Py.iterate(value);
        if (items.size() != targets.size()) {
            throw new PyError((items.size() < targets.size() ? "not enough" : "too many")
                    + " values to unpack (expected " + targets.size() + ", got " + items.size() + ")");
        }
        for (int i = 0; i < targets.size(); i++) {
            frame.vars.put(targets.get(i), items.get(i));
        }
    }

    private Callable macro(Node.Macro m, Frame defining) {
        return (args, kwargs) -> {
            Frame scope = new Frame(defining);
            Map<String, @Nullable Object> extra = new LinkedHashMap<>(kwargs);
            for (int i = 0; i < m.params().size(); i++) {
                String param = m.params().get(i);
                if (i < args.size()) {
                    scope.vars.put(param, args.get(i));
                } else if (extra.containsKey(param)) {
                    scope.vars.put(param, extra.remove(param));
                } else {
                    Expr fallback = m.defaults().get(i);
                    scope.vars.put(param, fallback == null
                            ? new Undefined("parameter '" + param + "' was not provided")
                            : eval(fallback, scope));
                }
            }
            scope.vars.put("varargs", new Py.Tuple(args.size() > m.params().size()
                    ? new ArrayList<>(args.subList(m.params().size(), args.size()))
                    : new ArrayList<>()));
            scope.vars.put("kwargs", extra);
            StringBuilder captured = new StringBuilder();
            if (++depth > MAX_DEPTH) {
                depth = 0;
                throw new PyError("maximum recursion depth exceeded");
            }
            try {
                execute(m.body(), scope, captured);
            } finally {
                depth--;
            }
            return captured.toString();
        };
    }

    private @Nullable Object lookup(String name, Frame frame) {
        for (Frame f = frame; f != null; f = f.parent) {
            if (f.vars.containsKey(name)) {
                return f.vars.get(name);
            }
        }
        return builtins.global(name);
    }

    @Nullable
    Object eval(Expr expr, Frame frame) {
        return switch (expr) {
            case Node.Literal l -> l.value();
            case Node.Name n -> lookup(n.name(), frame);
            case Node.ListLiteral l -> {
                List<@Nullable Object> items = new ArrayList<>(l.items().size());
                for (Expr item : l.items()) {
                    items.add(eval(item, frame));
                }
                yield l.tuple() ? new Py.Tuple(items) : items;
            }
            case Node.DictLiteral d -> {
                Map<Object, @Nullable Object> map = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    map.put(Builtins.key(eval(d.keys().get(i), frame)), eval(d.values().get(i), frame));
                }
                yield map;
            }
            case Node.Attribute a -> builtins.getattr(eval(a.target(), frame), a.name());
            case Node.Item i -> builtins.getitem(eval(i.target(), frame), eval(i.key(), frame));
            case Node.Slice s -> Builtins.slice(eval(s.target(), frame), optional(s.start(), frame),
                    optional(s.stop(), frame), optional(s.step(), frame));
            case Node.Call c -> {
                Object callee = eval(c.callee(), frame);
                List<@Nullable Object> args = evalAll(c.args(), frame);
                Map<String, @Nullable Object> kwargs = evalKeywords(c.keywords(), c.keywordValues(), frame);
                yield switch (callee) {
                    case Callable f -> f.call(args, kwargs);
                    case Undefined u -> throw u.error();
                    case null, default -> throw new PyError("'" + Py.typeName(callee) + "' object is not callable");
                };
            }
            case Node.Filter f -> applyFilters(f, null, frame);
            case Node.Test t -> {
                Object value = eval(t.target(), frame);
                boolean result = builtins.test(t.name(), value, evalAll(t.args(), frame));
                yield t.negated() != result;
            }
            case Node.Unary u -> {
                Object value = eval(u.operand(), frame);
                yield switch (u.op()) {
                    case "not" -> !Py.truthy(value);
                    case "-" -> Builtins.negate(value);
                    default -> Builtins.positive(value);
                };
            }
            case Node.Binary b -> switch (b.op()) {
                case "and" -> {
                    Object left = eval(b.left(), frame);
                    yield Py.truthy(left) ? eval(b.right(), frame) : left;
                }
                case "or" -> {
                    Object left = eval(b.left(), frame);
                    yield Py.truthy(left) ? left : eval(b.right(), frame);
                }
                default -> Builtins.binary(b.op(), eval(b.left(), frame), eval(b.right(), frame));
            };
            case Node.Compare c -> {
                Object left = eval(c.first(), frame);
                boolean result = true;
                for (int i = 0; i < c.ops().size() && result; i++) {
                    Object right = eval(c.rest().get(i), frame);
                    result = Builtins.compare(c.ops().get(i), left, right);
                    left = right;
                }
                yield result;
            }
            case Node.Conditional c -> Py.truthy(eval(c.condition(), frame))
                    ? eval(c.then(), frame)
                    : c.otherwise() == null
                            ? new Undefined("the inline if expression evaluated to false")
                            : eval(c.otherwise(), frame);
        };
    }

    private @Nullable Object optional(@Nullable Expr expr, Frame frame) {
        return expr == null ? null : eval(expr, frame);
    }

    /** A filter chain; the innermost filter with no target takes {@code input} (filter and set blocks). */
    private @Nullable Object applyFilters(Expr filter, @Nullable Object input, Frame frame) {
        if (!(filter instanceof Node.Filter f)) {
            throw new PyError("expected a filter");
        }
        Object value = f.target() == null
                ? input
                : f.target() instanceof Node.Filter inner && isHeadless(inner)
                        ? applyFilters(inner, input, frame)
                        : eval(f.target(), frame);
        return builtins.filter(f.name(), value, evalAll(f.args(), frame),
                evalKeywords(f.keywords(), f.keywordValues(), frame));
    }

    /** The values of {@code exprs}, in order: a call's, filter's or test's positional arguments. */
    private List<@Nullable Object> evalAll(List<Expr> exprs, Frame frame) {
        List<@Nullable Object> values = new ArrayList<>(exprs.size());
        for (Expr expr : exprs) {
            values.add(eval(expr, frame));
        }
        return values;
    }

    /** Keyword arguments: each name with its value, in the order written. */
    private Map<String, @Nullable Object> evalKeywords(List<String> names, List<Expr> values, Frame frame) {
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.put(names.get(i), eval(values.get(i), frame));
        }
        return out;
    }

    private static boolean isHeadless(Node.Filter f) {
        return f.target() == null || (f.target() instanceof Node.Filter inner && isHeadless(inner));
    }
}
