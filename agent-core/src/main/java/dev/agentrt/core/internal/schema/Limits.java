package dev.agentrt.core.internal.schema;

/** The bounds that keep validation of hostile values and schemas cheap. */
final class Limits {
    static final int MAX_DEPTH = 200;
    static final int MAX_VIOLATIONS = 20;
    static final int MAX_ECHO = 80;
    static final int MAX_PATTERN_INPUT = 10_000;
    static final int MAX_SCHEMA_DEPTH = 1_000;
    static final int MAX_LISTED = 20;

    private Limits() {}
}
