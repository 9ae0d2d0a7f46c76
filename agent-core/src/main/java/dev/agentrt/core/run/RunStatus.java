package dev.agentrt.core.run;

/**
 * Where a stored run stands. A run is {@link #RUNNING} from its creation until it pauses or ends; a run whose
 * process died stays {@code RUNNING} with an expired lease until some process resumes it.
 */
public enum RunStatus {
    /** Started and not ended; running now if its lease is live, abandoned (and resumable) if not. */
    RUNNING,
    /** Paused: an approval handler deferred a tool call's decision to a person ({@code Decision.defer()}). */
    AWAITING_APPROVAL,
    /** Paused: a tool asked the user a question ({@code ToolResult.inputRequired}). */
    AWAITING_INPUT,
    /** Ended with {@code Outcome.COMPLETED}. */
    COMPLETED,
    /** Ended with any other outcome: a limit, invalid output, cancellation or a failure. */
    FAILED;

    /** Whether the run has ended and can no longer be resumed. */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED;
    }

    /** Whether the run waits for a person ({@code agent.approve} or {@code agent.answer}). */
    public boolean isPaused() {
        return this == AWAITING_APPROVAL || this == AWAITING_INPUT;
    }
}
