package dev.agentrt.inference.internal.jinja;

import dev.agentrt.inference.internal.jinja.Node.Stmt;
import org.jspecify.annotations.Nullable;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A parsed Jinja template that renders as jinja2 does when Hugging Face transformers compiles a chat
 * template: {@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)} with loop
 * controls, the {@code generation} block, and the globals {@code raise_exception} and
 * {@code strftime_now}.
 *
 * <pre>{@code
 * JinjaTemplate t = JinjaTemplate.parse("{% for m in messages %}{{ m.content }}{% endfor %}");
 * String out = t.render(Map.of("messages", List.of(Map.of("content", "hi"))), LocalDateTime::now);
 * }</pre>
 *
 * <p>Variables are plain Java values: {@code null}, {@link Boolean}, integral numbers (as Python
 * int), {@link Double} and {@link Float} (as Python float), {@link CharSequence}, {@link List} and
 * {@link Map}. Immutable and thread-safe; rendering does not block.
 */
public final class JinjaTemplate {
    private final List<Stmt> body;

    private JinjaTemplate(List<Stmt> body) {
        this.body = body;
    }

    /**
     * Parses a template.
     *
     * @throws JinjaException when the template is not valid, naming the line
     */
    public static JinjaTemplate parse(String source) {
        return new JinjaTemplate(Parser.parse(source));
    }

    /**
     * Renders the template.
     *
     * @param clock what {@code strftime_now} reads
     * @throws JinjaException when rendering fails or the template calls {@code raise_exception}
     */
    public String render(Map<String, ?> variables, Supplier<LocalDateTime> clock) {
        Interpreter.Frame root = new Interpreter.Frame(null);
        variables.forEach((k, v) -> root.vars.put(k, python(v)));
        return new Interpreter(new Builtins(clock)).render(body, root);
    }

    /** Java values as the interpreter's Python values. */
    private static @Nullable Object python(@Nullable Object v) {
        return switch (v) {
            case null -> null;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Byte b -> (long) b;
            case Double d -> d;
            case Float f -> Double.parseDouble(f.toString());
            case CharSequence s -> s.toString();
            case List<?> l -> {
                List<@Nullable Object> out = new ArrayList<>(l.size());
                l.forEach(item -> out.add(python(item)));
                yield out;
            }
            case Map<?, ?> m -> {
                Map<Object, @Nullable Object> out = new LinkedHashMap<>();
                m.forEach((k, val) -> out.put(Builtins.key(python(k)), python(val)));
                yield out;
            }
            default -> throw new IllegalArgumentException("not a template value: " + v.getClass().getName());
        };
    }
}
