package dev.agentrt.inference.internal.jinja;

/**
 * A template that cannot be parsed or fails while rendering, with the template line; or, when
 * {@link #raisedByTemplate()}, the template's own {@code raise_exception(message)}, whose message is
 * the template's words unchanged.
 */
public final class JinjaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final boolean raisedByTemplate;

    JinjaException(String message, int line) {
        this(message, line, false);
    }

    JinjaException(String message, int line, boolean raisedByTemplate) {
        super(message, null, false, false);
        this.line = line;
        this.raisedByTemplate = raisedByTemplate;
    }

    /** The template line the problem is on, 1-based; 0 when unknown. */
    public int line() {
        return line;
    }

    /** Whether the template refused by calling {@code raise_exception}. */
    public boolean raisedByTemplate() {
        return raisedByTemplate;
    }

    /** The message with the line, as a caller shows it. */
    public String describe() {
        return line > 0 ? getMessage() + " (template line " + line + ")" : getMessage();
    }
}
