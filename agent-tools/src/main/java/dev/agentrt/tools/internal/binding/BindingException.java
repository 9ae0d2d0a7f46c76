package dev.agentrt.tools.internal.binding;

/**
 * Arguments that passed the schema but cannot be bound to a parameter. Its message is written for
 * the model; it carries no stack trace, being an expected outcome, not a bug.
 */
final class BindingException extends RuntimeException {
    BindingException(String message) {
        super(message, null, false, false);
    }
}
