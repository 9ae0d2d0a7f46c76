package dev.agentrt.inference.internal.jinja;

/** One lexical token: template text, a tag delimiter, or a token of an expression inside a tag. */
record Token(Kind kind, String text, int line) {
    enum Kind {
        TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF
    }

    boolean is(Kind k, String value) {
        return kind == k && text.equals(value);
    }

    boolean isOp(String value) {
        return is(Kind.OPERATOR, value);
    }

    boolean isName(String value) {
        return is(Kind.NAME, value);
    }
}
