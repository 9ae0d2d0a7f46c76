package dev.agentrt.core.tool;

/** Why a tool call produced an error result. Stable names: applications and tests may match on them. */
public enum ToolErrorKind {
    /** The model called a tool that does not exist or that the caller may not use. */
    UNKNOWN_TOOL(false),
    /** The arguments were not JSON, not an object, or did not match the tool's schema. */
    INVALID_ARGUMENTS(false),
    /** A capability the call needs was not granted (or an approver said no). */
    PERMISSION_DENIED(false),
    /** The call did not finish within the tool timeout and was cancelled. */
    TIMEOUT(true),
    /**
     * The model's reply hit its output token limit while writing this call, so the arguments may be
     * cut short; the tool was not run.
     */
    TRUNCATED(true),
    /** The tool itself failed. */
    EXECUTION_FAILED(true),
    /**
     * Not a failure: the tool needs the user's answer to a question ({@link ToolResult#inputRequired}). A run with
     * a run store pauses for it; one without tells the model the question could not be asked.
     */
    INPUT_REQUIRED(false);

    private final boolean retryable;

    ToolErrorKind(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether the same call may succeed if the model tries again. */
    public boolean retryable() {
        return retryable;
    }
}
