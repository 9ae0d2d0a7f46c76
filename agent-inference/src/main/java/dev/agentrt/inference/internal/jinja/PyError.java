package dev.agentrt.inference.internal.jinja;

/** A Python-level error (TypeError, UndefinedError…) raised while evaluating; the renderer adds the line. */
final class PyError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PyError(String message) {
        super(message, null, false, false);
    }
}
