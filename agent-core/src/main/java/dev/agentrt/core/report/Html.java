package dev.agentrt.core.report;

/**
 * Builds a page: {@link #raw} for the renderer's own markup (constants and numbers only), {@link #text} for anything
 * that came from events, escaped so that it can only ever be text, in an element or in a quoted attribute.
 */
final class Html {
    private static final char REPLACEMENT = '\uFFFD';

    private final StringBuilder out = new StringBuilder(32 * 1024);

    /** Markup of the renderer's own; never a value taken from an event. */
    Html raw(String markup) {
        out.append(markup);
        return this;
    }

    /** {@code value} as text: markup characters escaped, control characters and lone surrogates replaced. */
    Html text(CharSequence value) {
        escape(value, 0, value.length(), out);
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    static String escape(CharSequence value) {
        var sb = new StringBuilder(value.length() + 16);
        escape(value, 0, value.length(), sb);
        return sb.toString();
    }

    /**
     * Escapes the five characters that can end a text or an attribute value, so the same text is safe in both; the
     * characters HTML may not carry (C0 controls other than tab and line breaks, DEL, noncharacters) and unpaired
     * surrogates (which no encoder can write) become U+FFFD.
     */
    private static void escape(CharSequence value, int from, int to, StringBuilder sb) {
        for (int i = from; i < to; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                case '\t', '\n' -> sb.append(c);
                case '\r' -> {
                    if (i + 1 >= to || value.charAt(i + 1) != '\n') {
                        sb.append('\n');
                    }
                }
                default -> {
                    if (Character.isHighSurrogate(c)) {
                        if (i + 1 < to && Character.isLowSurrogate(value.charAt(i + 1))) {
                            sb.append(c).append(value.charAt(++i));
                        } else {
                            sb.append(REPLACEMENT);
                        }
                    } else if (Character.isLowSurrogate(c) || c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\uFFFE'
                            || c == '\uFFFF') {
                        sb.append(REPLACEMENT);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }

    /**
     * Where to cut {@code value} to show at most {@code max} characters: never between the two halves of a
     * surrogate pair.
     */
    static int cutAt(CharSequence value, int max) {
        if (value.length() <= max) {
            return value.length();
        }
        return Character.isHighSurrogate(value.charAt(max - 1)) && Character.isLowSurrogate(value.charAt(max))
                ? max - 1
                : max;
    }
}
