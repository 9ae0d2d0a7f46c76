package dev.agentrt.inference.internal.jinja;

import dev.agentrt.inference.internal.jinja.Token.Kind;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a template into tokens the way jinja2's lexer does with {@code trim_blocks=True} and
 * {@code lstrip_blocks=True}: newlines normalised to {@code \n} and one trailing newline dropped
 * ({@code keep_trailing_newline=False}); {@code -} on a tag strips all whitespace on that side;
 * {@code +} keeps it; otherwise indentation before a block or comment tag that starts its line goes,
 * and so does the single newline after a block or comment tag.
 */
final class Lexer {
    private static final String[] OPERATORS2 = {"//", "**", "==", "!=", "<=", ">="};
    private static final String OPERATORS1 = "+-*/%~()[]{},.:|=<>";

    private static final Pattern RAW_BEGIN = Pattern.compile("\\{%[-+]?\\s*raw\\s*(?:-%}\\s*|%})");
    private static final Pattern RAW_END = Pattern
            .compile("\\{%([-+]?)\\s*endraw\\s*(?:\\+%}|-%}\\s*|%}\\n?)");

    private final String src;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private int line = 1;
    /** jinja2's {@code line_starting}: the previous tag ended with a newline (or nothing came before). */
    private boolean lineStarting = true;

    private Lexer(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        this.src = s;
    }

    static List<Token> tokenize(String source) {
        Lexer lexer = new Lexer(source);
        lexer.run();
        return lexer.tokens;
    }

    private void run() {
        while (pos < src.length()) {
            int tag = nextTag(pos);
            if (tag < 0) {
                text(src.substring(pos));
                pos = src.length();
                break;
            }
            char kind = src.charAt(tag + 1);
            char sign = tag + 2 < src.length() ? src.charAt(tag + 2) : ' ';
            text(strippedBefore(src.substring(pos, tag), sign, kind != '{'));
            line += count(src, pos, tag);
            Matcher raw = RAW_BEGIN.matcher(src).region(tag, src.length());
            if (kind == '%' && raw.lookingAt()) {
                pos = tag;
                raw(raw.end());
                continue;
            }
            pos = tag + 2 + (sign == '-' || sign == '+' ? 1 : 0);
            switch (kind) {
                case '#' -> comment();
                case '{' -> tag(Kind.VAR_BEGIN, Kind.VAR_END, '}');
                default -> tag(Kind.BLOCK_BEGIN, Kind.BLOCK_END, '%');
            }
        }
        tokens.add(new Token(Kind.EOF, "", line));
    }

    /**
     * The text before a tag: all trailing whitespace goes for {@code -}; for {@code lstrip_blocks}, the
     * indentation before a block or comment tag that starts its line (unless {@code +}).
     */
    private String strippedBefore(String text, char sign, boolean lstrip) {
        if (sign == '-') {
            return rstrip(text);
        }
        if (sign != '+' && lstrip) {
            int lineStart = text.lastIndexOf('\n') + 1;
            if ((lineStart > 0 || lineStarting) && lineStart < text.length() && isBlank(text, lineStart)) {
                return text.substring(0, lineStart);
            }
        }
        return text;
    }

    /**
     * {@code {% raw %}...{% endraw %}}: the content is text. As in jinja2, no newline is trimmed after
     * {@code raw %}; the content before {@code endraw} is stripped like text before any block tag.
     */
    private void raw(int contentStart) {
        String opening = src.substring(pos, contentStart);
        lineStarting = opening.endsWith("\n");
        line += count(src, pos, contentStart);
        Matcher end = RAW_END.matcher(src).region(contentStart, src.length());
        if (!end.find()) {
            throw new JinjaException("missing end of raw directive", line);
        }
        String sign = end.group(1);
        text(strippedBefore(src.substring(contentStart, end.start()), sign.isEmpty() ? ' ' : sign.charAt(0), true));
        line += count(src, contentStart, end.end());
        pos = end.end();
        lineStarting = end.group().endsWith("\n");
    }

    private int nextTag(int from) {
        int i = from;
        while (true) {
            int at = src.indexOf('{', i);
            if (at < 0 || at + 1 >= src.length()) {
                return -1;
            }
            char next = src.charAt(at + 1);
            if (next == '{' || next == '%' || next == '#') {
                return at;
            }
            i = at + 1;
        }
    }

    private void text(String text) {
        if (!text.isEmpty()) {
            tokens.add(new Token(Kind.TEXT, text, line));
        }
    }

    private void comment() {
        int end = src.indexOf("#}", pos);
        if (end < 0) {
            throw new JinjaException("missing end of comment tag", line);
        }
        boolean strip = end > pos && src.charAt(end - 1) == '-';
        boolean keep = end > pos && src.charAt(end - 1) == '+';
        line += count(src, pos, end);
        pos = end + 2;
        afterTag(strip, keep, true);
    }

    /** After a tag's closing delimiter: {@code -} eats all whitespace, trim_blocks one newline. */
    private void afterTag(boolean strip, boolean keep, boolean trim) {
        if (strip) {
            int start = pos;
            while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
                pos++;
            }
            line += count(src, start, pos);
            lineStarting = pos > start && src.charAt(pos - 1) == '\n';
        } else if (trim && !keep && pos < src.length() && src.charAt(pos) == '\n') {
            pos++;
            line++;
            lineStarting = true;
        } else {
            lineStarting = false;
        }
    }

    private void tag(Kind begin, Kind end, char closer) {
        tokens.add(new Token(begin, "", line));
        int depth = 0;
        while (true) {
            if (pos >= src.length()) {
                throw new JinjaException("unexpected end of template inside a tag", line);
            }
            char c = src.charAt(pos);
            if (depth == 0) {
                boolean strip = c == '-' && src.startsWith(closer + "}", pos + 1);
                boolean keep = c == '+' && closer == '%' && src.startsWith("%}", pos + 1);
                if (strip || keep || (c == closer && src.startsWith("}", pos + 1))) {
                    pos += strip || keep ? 3 : 2;
                    tokens.add(new Token(end, "", line));
                    afterTag(strip, keep, closer == '%');
                    return;
                }
            }
            if (c == '\n') {
                line++;
                pos++;
            } else if (Character.isWhitespace(c)) {
                pos++;
            } else if (c == '\'' || c == '"') {
                string(c);
            } else if (Character.isDigit(c)) {
                number();
            } else if (Character.isLetter(c) || c == '_') {
                int start = pos;
                while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                    pos++;
                }
                tokens.add(new Token(Kind.NAME, src.substring(start, pos), line));
            } else {
                String op = null;
                for (String two : OPERATORS2) {
                    if (src.startsWith(two, pos)) {
                        op = two;
                        break;
                    }
                }
                if (op == null && OPERATORS1.indexOf(c) >= 0) {
                    op = String.valueOf(c);
                }
                if (op == null) {
                    throw new JinjaException("unexpected character '" + c + "'", line);
                }
                if (op.equals("(") || op.equals("[") || op.equals("{")) {
                    depth++;
                } else if (op.equals(")") || op.equals("]") || op.equals("}")) {
                    depth--;
                }
                pos += op.length();
                tokens.add(new Token(Kind.OPERATOR, op, line));
            }
        }
    }

    private void number() {
        int start = pos;
        boolean isFloat = false;
        while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
            pos++;
        }
        if (pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
            isFloat = true;
            pos++;
            while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                pos++;
            }
        }
        if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int save = pos;
            pos++;
            if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
                pos++;
            }
            if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                isFloat = true;
                while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                    pos++;
                }
            } else {
                pos = save;
            }
        }
        tokens.add(new Token(isFloat ? Kind.FLOAT : Kind.INTEGER, src.substring(start, pos).replace("_", ""),
                line));
    }

    /** A string literal with Python's escapes. */
    private void string(char quote) {
        int startLine = line;
        StringBuilder out = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= src.length()) {
                throw new JinjaException("unterminated string literal", startLine);
            }
            char c = src.charAt(pos++);
            if (c == quote) {
                break;
            }
            if (c == '\n') {
                line++;
            }
            if (c != '\\' || pos >= src.length()) {
                out.append(c);
                continue;
            }
            char e = src.charAt(pos++);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case '0' -> out.append('\0');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'v' -> out.append('\u000b');
                case 'a' -> out.append('\u0007');
                case '\\', '\'', '"' -> out.append(e);
                case '\n' -> line++;
                case 'x' -> out.append(hex(2));
                case 'u' -> out.append(hex(4));
                case 'U' -> out.appendCodePoint(Integer.parseInt(src.substring(pos, pos += 8), 16));
                default -> out.append('\\').append(e);
            }
        }
        tokens.add(new Token(Kind.STRING, out.toString(), startLine));
    }

    private char hex(int digits) {
        char c = (char) Integer.parseInt(src.substring(pos, pos + digits), 16);
        pos += digits;
        return c;
    }

    private static String rstrip(String s) {
        int end = s.length();
        while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }

    private static boolean isBlank(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static int count(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }
}
