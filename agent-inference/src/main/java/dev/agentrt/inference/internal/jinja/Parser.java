package dev.agentrt.inference.internal.jinja;

import dev.agentrt.inference.internal.jinja.Node.Expr;
import dev.agentrt.inference.internal.jinja.Node.Stmt;
import dev.agentrt.inference.internal.jinja.Token.Kind;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Builds the tree with jinja2's grammar and operator precedence, loosest first: conditional
 * expression, {@code or}, {@code and}, {@code not}, comparisons (including {@code in}),
 * {@code + -}, {@code ~}, {@code * / // %}, {@code **}, unary {@code - +}, then a primary with its
 * postfix operators ({@code . [] ()}) and its filters and tests, so that {@code not a|length == 1}
 * is {@code not ((a|length) == 1)}.
 */
final class Parser {
    private static final Set<String> COMPARE = Set.of("==", "!=", "<", ">", "<=", ">=");

    private final List<Token> tokens;
    private int pos;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Stmt> parse(String source) {
        Parser parser = new Parser(Lexer.tokenize(source));
        List<Stmt> body = parser.statements(Set.of());
        if (parser.peek().kind() != Kind.EOF) {
            throw new JinjaException("unexpected '" + parser.peekTag() + "' tag", parser.peek().line());
        }
        return body;
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    private Token next() {
        return tokens.get(pos++);
    }

    private String peekTag() {
        return peek(1).text();
    }

    private boolean acceptOp(String op) {
        if (peek().isOp(op)) {
            pos++;
            return true;
        }
        return false;
    }

    private boolean acceptName(String name) {
        if (peek().isName(name)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expectOp(String op) {
        if (!acceptOp(op)) {
            throw unexpected("'" + op + "'");
        }
    }

    private void expectName(String name) {
        if (!acceptName(name)) {
            throw unexpected("'" + name + "'");
        }
    }

    private void expect(Kind kind) {
        if (peek().kind() != kind) {
            throw unexpected(describe(kind));
        }
        pos++;
    }

    private String identifier() {
        if (peek().kind() != Kind.NAME) {
            throw unexpected("a name");
        }
        return next().text();
    }

    private JinjaException unexpected(String wanted) {
        Token t = peek();
        String got = switch (t.kind()) {
            case EOF -> "end of template";
            case BLOCK_END, VAR_END -> "end of tag";
            case TEXT -> "text";
            default -> "'" + t.text() + "'";
        };
        return new JinjaException("expected " + wanted + ", found " + got, t.line());
    }

    private static String describe(Kind kind) {
        return switch (kind) {
            case BLOCK_END, VAR_END -> "end of tag";
            default -> kind.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** Statements up to (not including) a block tag whose name is in {@code ends}. */
    private List<Stmt> statements(Set<String> ends) {
        List<Stmt> out = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.kind()) {
                case EOF -> {
                    if (!ends.isEmpty()) {
                        throw new JinjaException("unexpected end of template, expected one of " + ends, t.line());
                    }
                    return out;
                }
                case TEXT -> out.add(new Node.Text(next().text(), t.line()));
                case VAR_BEGIN -> {
                    pos++;
                    Expr e = tuple();
                    expect(Kind.VAR_END);
                    out.add(new Node.Print(e, t.line()));
                }
                case BLOCK_BEGIN -> {
                    if (ends.contains(peekTag())) {
                        return out;
                    }
                    pos++;
                    out.add(block());
                }
                default -> throw unexpected("text or a tag");
            }
        }
    }

    /** Consumes {@code {% name %}} for an end or middle tag. */
    private void endTag(String name) {
        expect(Kind.BLOCK_BEGIN);
        expectName(name);
    }

    private Stmt block() {
        Token t = peek();
        int line = t.line();
        String keyword = identifier();
        switch (keyword) {
            case "if" -> {
                List<Expr> conditions = new ArrayList<>();
                List<List<Stmt>> bodies = new ArrayList<>();
                conditions.add(tuple());
                expect(Kind.BLOCK_END);
                List<Stmt> otherwise = List.of();
                while (true) {
                    bodies.add(statements(Set.of("elif", "else", "endif")));
                    expect(Kind.BLOCK_BEGIN);
                    String tag = identifier();
                    if (tag.equals("elif")) {
                        conditions.add(tuple());
                        expect(Kind.BLOCK_END);
                    } else if (tag.equals("else")) {
                        expect(Kind.BLOCK_END);
                        otherwise = statements(Set.of("endif"));
                        endTag("endif");
                        expect(Kind.BLOCK_END);
                        break;
                    } else {
                        expect(Kind.BLOCK_END);
                        break;
                    }
                }
                return new Node.If(conditions, bodies, otherwise, line);
            }
            case "for" -> {
                List<String> targets = new ArrayList<>();
                boolean parens = acceptOp("(");
                do {
                    targets.add(identifier());
                } while (acceptOp(","));
                if (parens) {
                    expectOp(")");
                }
                expectName("in");
                Expr iterable = tuple(false);
                Expr filter = null;
                if (acceptName("if")) {
                    filter = expression(true);
                }
                if (acceptName("recursive")) {
                    throw new JinjaException("recursive loops are not supported", line);
                }
                expect(Kind.BLOCK_END);
                List<Stmt> body = statements(Set.of("else", "endfor"));
                List<Stmt> otherwise = List.of();
                expect(Kind.BLOCK_BEGIN);
                if (acceptName("else")) {
                    expect(Kind.BLOCK_END);
                    otherwise = statements(Set.of("endfor"));
                    endTag("endfor");
                } else {
                    expectName("endfor");
                }
                expect(Kind.BLOCK_END);
                return new Node.For(List.copyOf(targets), iterable, filter, body, otherwise, line);
            }
            case "set" -> {
                String first = identifier();
                if (acceptOp(".")) {
                    String attribute = identifier();
                    expectOp("=");
                    Expr value = tuple();
                    expect(Kind.BLOCK_END);
                    return new Node.Set(List.of(first), attribute, value, line);
                }
                List<String> targets = new ArrayList<>(List.of(first));
                while (acceptOp(",")) {
                    targets.add(identifier());
                }
                if (acceptOp("=")) {
                    Expr value = tuple();
                    expect(Kind.BLOCK_END);
                    return new Node.Set(List.copyOf(targets), null, value, line);
                }
                Expr filter = null;
                if (peek().isOp("|")) {
                    filter = filters(null);
                }
                expect(Kind.BLOCK_END);
                List<Stmt> body = statements(Set.of("endset"));
                endTag("endset");
                expect(Kind.BLOCK_END);
                return new Node.SetBlock(first, body, filter, line);
            }
            case "macro" -> {
                String name = identifier();
                List<String> params = new ArrayList<>();
                List<@Nullable Expr> defaults = new ArrayList<>();
                expectOp("(");
                while (!acceptOp(")")) {
                    if (!params.isEmpty()) {
                        expectOp(",");
                        if (acceptOp(")")) {
                            break;
                        }
                    }
                    params.add(identifier());
                    defaults.add(acceptOp("=") ? expression(true) : null);
                }
                expect(Kind.BLOCK_END);
                List<Stmt> body = statements(Set.of("endmacro"));
                endTag("endmacro");
                if (peek().kind() == Kind.NAME) {
                    pos++;
                }
                expect(Kind.BLOCK_END);
                return new Node.Macro(name, List.copyOf(params), defaults, body, line);
            }
            case "filter" -> {
                Expr filter = filters(null);
                expect(Kind.BLOCK_END);
                List<Stmt> body = statements(Set.of("endfilter"));
                endTag("endfilter");
                expect(Kind.BLOCK_END);
                return new Node.FilterBlock(filter, body, line);
            }
            case "generation" -> {
                expect(Kind.BLOCK_END);
                List<Stmt> body = statements(Set.of("endgeneration"));
                endTag("endgeneration");
                expect(Kind.BLOCK_END);
                return new Node.Block(body, line);
            }
            case "break" -> {
                expect(Kind.BLOCK_END);
                return new Node.Break(line);
            }
            case "continue" -> {
                expect(Kind.BLOCK_END);
                return new Node.Continue(line);
            }
            default -> throw new JinjaException("unknown tag '" + keyword + "'", line);
        }
    }

    private Expr tuple() {
        return tuple(true);
    }

    /** jinja2's {@code parse_tuple}: {@code a, b} without brackets is a tuple. */
    private Expr tuple(boolean withConditional) {
        int line = peek().line();
        Expr first = expression(withConditional);
        if (!peek().isOp(",")) {
            return first;
        }
        List<Expr> items = new ArrayList<>(List.of(first));
        while (acceptOp(",")) {
            if (atExpressionEnd()) {
                break;
            }
            items.add(expression(withConditional));
        }
        return new Node.ListLiteral(items, true, line);
    }

    private boolean atExpressionEnd() {
        Token t = peek();
        return t.kind() == Kind.VAR_END || t.kind() == Kind.BLOCK_END || t.isOp(")") || t.isOp("]")
                || t.isOp("}") || t.isOp("=") || t.isName("in") || t.isName("if") || t.isName("recursive");
    }

    private Expr expression(boolean withConditional) {
        if (!withConditional) {
            return or();
        }
        Expr e = or();
        while (peek().isName("if")) {
            int line = next().line();
            Expr condition = or();
            Expr otherwise = acceptName("else") ? expression(true) : null;
            e = new Node.Conditional(condition, e, otherwise, line);
        }
        return e;
    }

    private Expr or() {
        Expr e = and();
        while (peek().isName("or")) {
            int line = next().line();
            e = new Node.Binary("or", e, and(), line);
        }
        return e;
    }

    private Expr and() {
        Expr e = not();
        while (peek().isName("and")) {
            int line = next().line();
            e = new Node.Binary("and", e, not(), line);
        }
        return e;
    }

    private Expr not() {
        if (peek().isName("not")) {
            int line = next().line();
            return new Node.Unary("not", not(), line);
        }
        return compare();
    }

    private Expr compare() {
        int line = peek().line();
        Expr first = math1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = peek();
            if (t.kind() == Kind.OPERATOR && COMPARE.contains(t.text())) {
                pos++;
                ops.add(t.text());
            } else if (t.isName("in")) {
                pos++;
                ops.add("in");
            } else if (t.isName("not") && peek(1).isName("in")) {
                pos += 2;
                ops.add("not in");
            } else {
                break;
            }
            rest.add(math1());
        }
        return ops.isEmpty() ? first : new Node.Compare(first, ops, rest, line);
    }

    private Expr math1() {
        Expr e = concat();
        while (peek().isOp("+") || peek().isOp("-")) {
            Token op = next();
            e = new Node.Binary(op.text(), e, concat(), op.line());
        }
        return e;
    }

    private Expr concat() {
        Expr e = math2();
        while (peek().isOp("~")) {
            Token op = next();
            e = new Node.Binary("~", e, math2(), op.line());
        }
        return e;
    }

    private Expr math2() {
        Expr e = pow();
        while (peek().isOp("*") || peek().isOp("/") || peek().isOp("//") || peek().isOp("%")) {
            Token op = next();
            e = new Node.Binary(op.text(), e, pow(), op.line());
        }
        return e;
    }

    private Expr pow() {
        Expr e = unary(true);
        while (peek().isOp("**")) {
            Token op = next();
            e = new Node.Binary("**", e, unary(true), op.line());
        }
        return e;
    }

    private Expr unary(boolean withFilter) {
        Token t = peek();
        Expr e;
        if (t.isOp("-") || t.isOp("+")) {
            pos++;
            e = new Node.Unary(t.text(), unary(false), t.line());
        } else {
            e = primary();
        }
        e = postfix(e);
        return withFilter ? filters(e) : e;
    }

    private Expr primary() {
        Token t = next();
        int line = t.line();
        switch (t.kind()) {
            case NAME -> {
                return switch (t.text()) {
                    case "true", "True" -> new Node.Literal(Boolean.TRUE, line);
                    case "false", "False" -> new Node.Literal(Boolean.FALSE, line);
                    case "none", "None" -> new Node.Literal(null, line);
                    default -> new Node.Name(t.text(), line);
                };
            }
            case STRING -> {
                StringBuilder s = new StringBuilder(t.text());
                while (peek().kind() == Kind.STRING) {
                    s.append(next().text());
                }
                return new Node.Literal(s.toString(), line);
            }
            case INTEGER -> {
                return new Node.Literal(Long.parseLong(t.text()), line);
            }
            case FLOAT -> {
                return new Node.Literal(Double.parseDouble(t.text()), line);
            }
            case OPERATOR -> {
                switch (t.text()) {
                    case "(" -> {
                        if (acceptOp(")")) {
                            return new Node.ListLiteral(List.of(), true, line);
                        }
                        Expr e = expression(true);
                        if (peek().isOp(",")) {
                            List<Expr> items = new ArrayList<>(List.of(e));
                            while (acceptOp(",")) {
                                if (peek().isOp(")")) {
                                    break;
                                }
                                items.add(expression(true));
                            }
                            e = new Node.ListLiteral(items, true, line);
                        }
                        expectOp(")");
                        return e;
                    }
                    case "[" -> {
                        List<Expr> items = new ArrayList<>();
                        while (!acceptOp("]")) {
                            if (!items.isEmpty()) {
                                expectOp(",");
                                if (acceptOp("]")) {
                                    break;
                                }
                            }
                            items.add(expression(true));
                        }
                        return new Node.ListLiteral(items, false, line);
                    }
                    case "{" -> {
                        List<Expr> keys = new ArrayList<>();
                        List<Expr> values = new ArrayList<>();
                        while (!acceptOp("}")) {
                            if (!keys.isEmpty()) {
                                expectOp(",");
                                if (acceptOp("}")) {
                                    break;
                                }
                            }
                            keys.add(expression(true));
                            expectOp(":");
                            values.add(expression(true));
                        }
                        return new Node.DictLiteral(keys, values, line);
                    }
                    default -> {
                    }
                }
            }
            default -> {
            }
        }
        pos--;
        throw unexpected("an expression");
    }

    private Expr postfix(Expr target) {
        Expr e = target;
        while (true) {
            Token t = peek();
            if (t.isOp(".")) {
                pos++;
                Token name = next();
                if (name.kind() == Kind.NAME) {
                    e = new Node.Attribute(e, name.text(), t.line());
                } else if (name.kind() == Kind.INTEGER) {
                    e = new Node.Item(e, new Node.Literal(Long.parseLong(name.text()), t.line()), t.line());
                } else {
                    pos--;
                    throw unexpected("an attribute name");
                }
            } else if (t.isOp("[")) {
                pos++;
                e = subscript(e, t.line());
            } else if (t.isOp("(")) {
                e = call(e);
            } else {
                return e;
            }
        }
    }

    private Expr subscript(Expr target, int line) {
        Expr start = null;
        if (!peek().isOp(":")) {
            start = expression(true);
            if (acceptOp("]")) {
                return new Node.Item(target, start, line);
            }
        }
        expectOp(":");
        Expr stop = peek().isOp(":") || peek().isOp("]") ? null : expression(true);
        Expr step = null;
        if (acceptOp(":")) {
            step = peek().isOp("]") ? null : expression(true);
        }
        expectOp("]");
        return new Node.Slice(target, start, stop, step, line);
    }

    private record Args(List<Expr> args, List<String> keywords, List<Expr> keywordValues) {}

    private Args arguments() {
        expectOp("(");
        List<Expr> args = new ArrayList<>();
        List<String> keywords = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        boolean first = true;
        while (!acceptOp(")")) {
            if (!first) {
                expectOp(",");
                if (acceptOp(")")) {
                    break;
                }
            }
            first = false;
            if (peek().kind() == Kind.NAME && peek(1).isOp("=")) {
                keywords.add(next().text());
                pos++;
                values.add(expression(true));
            } else {
                if (!keywords.isEmpty()) {
                    throw new JinjaException("positional argument after keyword argument", peek().line());
                }
                args.add(expression(true));
            }
        }
        return new Args(args, keywords, values);
    }

    private Expr call(Expr callee) {
        int line = peek().line();
        Args a = arguments();
        return new Node.Call(callee, a.args(), a.keywords(), a.keywordValues(), line);
    }

    /** Filters ({@code |name(args)}) and tests ({@code is [not] name args}) after a value, in any order. */
    private Expr filters(@Nullable Expr target) {
        Expr e = target;
        while (true) {
            Token t = peek();
            if (t.isOp("|") || (e == null && t.kind() == Kind.NAME)) {
                acceptOp("|");
                String name = dottedName();
                Args a = peek().isOp("(") ? arguments() : new Args(List.of(), List.of(), List.of());
                e = new Node.Filter(e, name, a.args(), a.keywords(), a.keywordValues(), t.line());
            } else if (e != null && t.isName("is")) {
                pos++;
                boolean negated = acceptName("not");
                String name = dottedName();
                List<Expr> args = List.of();
                Token n = peek();
                if (n.isOp("(")) {
                    args = arguments().args();
                } else if ((n.kind() == Kind.NAME || n.kind() == Kind.STRING || n.kind() == Kind.INTEGER
                        || n.kind() == Kind.FLOAT || n.isOp("(") || n.isOp("[") || n.isOp("{"))
                        && !n.isName("else") && !n.isName("or") && !n.isName("and")) {
                    args = List.of(postfix(primary()));
                }
                e = new Node.Test(e, name, args, negated, t.line());
            } else if (e != null && t.isOp("(")) {
                e = call(e);
            } else {
                if (e == null) {
                    throw unexpected("a filter");
                }
                return e;
            }
        }
    }

    private String dottedName() {
        StringBuilder name = new StringBuilder(identifier());
        while (peek().isOp(".") && peek(1).kind() == Kind.NAME) {
            pos++;
            name.append('.').append(next().text());
        }
        return name.toString();
    }
}
