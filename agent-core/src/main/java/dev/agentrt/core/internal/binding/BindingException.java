package dev.agentrt.core.internal.binding;

/**
 * JSON that cannot be bound to the Java type it should hold. Its message is written for the model;
 * it carries no stack trace, being an expected outcome, not a bug.
 */
public final class BindingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with a message for the model. */
    public BindingException(String message) {
        super(message, null, false, false);
    }
}
