package dev.agentrt.inference.internal.jinja;

import org.jspecify.annotations.Nullable;

import java.util.List;

/** The parsed template: statements and expressions, each with the template line it came from. */
sealed interface Node {
    int line();

    /** Something that writes to the output. */
    sealed interface Stmt extends Node {}

    /** Something that has a value. */
    sealed interface Expr extends Node {}

    record Text(String text, int line) implements Stmt {}

    record Print(Expr expr, int line) implements Stmt {}

    record If(List<Expr> conditions, List<List<Stmt>> bodies, List<Stmt> otherwise, int line) implements Stmt {}

    record For(List<String> targets, Expr iterable, @Nullable Expr filter, List<Stmt> body, List<Stmt> otherwise,
            int line) implements Stmt {}

    /** {@code set a = x}, {@code set a, b = x} or {@code set ns.attr = x}. */
    record Set(List<String> targets, @Nullable String attribute, Expr value, int line) implements Stmt {}

    /** {@code set a %}...{% endset}: the rendered body, optionally filtered. */
    record SetBlock(String target, List<Stmt> body, @Nullable Expr filter, int line) implements Stmt {}

    record Macro(String name, List<String> params, List<@Nullable Expr> defaults, List<Stmt> body, int line)
            implements
                Stmt {}

    /** {@code filter name %}...{% endfilter}: the body's output through a filter. */
    record FilterBlock(Expr filter, List<Stmt> body, int line) implements Stmt {}

    /** The body of a {@code generation} block, which transformers renders unchanged. */
    record Block(List<Stmt> body, int line) implements Stmt {}

    record Break(int line) implements Stmt {}

    record Continue(int line) implements Stmt {}

    record Literal(@Nullable Object value, int line) implements Expr {}

    record Name(String name, int line) implements Expr {}

    /** A list, or a tuple ({@code (a, b)}, or {@code a, b} without brackets). */
    record ListLiteral(List<Expr> items, boolean tuple, int line) implements Expr {}

    record DictLiteral(List<Expr> keys, List<Expr> values, int line) implements Expr {}

    record Attribute(Expr target, String name, int line) implements Expr {}

    record Item(Expr target, Expr key, int line) implements Expr {}

    record Slice(Expr target, @Nullable Expr start, @Nullable Expr stop, @Nullable Expr step, int line)
            implements
                Expr {}

    record Call(Expr callee, List<Expr> args, List<String> keywords, List<Expr> keywordValues, int line)
            implements
                Expr {}

    /** {@code value | name(args)}; {@code target} is null inside a filter block or {@code set} block. */
    record Filter(@Nullable Expr target, String name, List<Expr> args, List<String> keywords,
            List<Expr> keywordValues, int line) implements Expr {}

    record Test(Expr target, String name, List<Expr> args, boolean negated, int line) implements Expr {}

    record Unary(String op, Expr operand, int line) implements Expr {}

    record Binary(String op, Expr left, Expr right, int line) implements Expr {}

    /** {@code a < b <= c}: Python's chained comparison. */
    record Compare(Expr first, List<String> ops, List<Expr> rest, int line) implements Expr {}

    record Conditional(Expr condition, Expr then, @Nullable Expr otherwise, int line) implements Expr {}
}
