package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Limits.MAX_DEPTH;

/** Thrown, preallocated and without a stack trace, when validation reaches too deep into a value. */
final class TooDeep extends RuntimeException {
    static final TooDeep INSTANCE = new TooDeep();

    private TooDeep() {
        super("value nested deeper than " + MAX_DEPTH + " levels", null, false, false);
    }
}
