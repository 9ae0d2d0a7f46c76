package dev.agentrt.core;

/** How a task ended. */
public enum Outcome {
    /** The model gave a final answer. */
    COMPLETED,
    /** The model still wanted tools after {@code maxSteps} steps. */
    STEP_LIMIT,
    /** The token budget was used up. */
    TOKEN_LIMIT,
    /** The wall-time budget ran out. */
    TIME_LIMIT,
    /** The cost budget was used up. */
    COST_LIMIT,
    /** The answer did not match the type the task asked for, also after one correction. */
    INVALID_OUTPUT,
    /** The subscriber cancelled the task. */
    CANCELLED,
    /** Paused: a tool call awaits a person's approval (a run with a run store; resumed by {@code Agent.resume}). */
    AWAITING_APPROVAL,
    /** Paused: a tool asked the user a question (a run with a run store; resumed by {@code Agent.resume}). */
    AWAITING_INPUT,
    /** An error the model could not fix (a model failure, for example) ended the task. */
    FAILED;

    /** Whether the run paused for a person rather than ended. */
    public boolean isPaused() {
        return this == AWAITING_APPROVAL || this == AWAITING_INPUT;
    }

    /** Whether this outcome is a budget running out. */
    public boolean isLimit() {
        return this == STEP_LIMIT || this == TOKEN_LIMIT || this == TIME_LIMIT || this == COST_LIMIT;
    }
}
