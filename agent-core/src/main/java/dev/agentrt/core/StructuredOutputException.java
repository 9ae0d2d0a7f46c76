package dev.agentrt.core;

import java.util.List;

/**
 * The model's answer did not match the output type a task asked for ({@code task.returning(...)}),
 * also after it was shown what was wrong once. Carries the last raw answer, what was wrong with it,
 * and the run so far (its transcript is consistent, every tool call answered).
 */
public final class StructuredOutputException extends AgentException {
    private final String rawOutput;
    private final List<String> problems;
    private final transient AgentResult partialResult;

    public StructuredOutputException(String message, String rawOutput, List<String> problems,
            AgentResult partialResult) {
        super(message);
        this.rawOutput = rawOutput;
        this.problems = List.copyOf(problems);
        this.partialResult = partialResult;
    }

    /** The model's last answer, exactly as it came. */
    public String rawOutput() {
        return rawOutput;
    }

    /** Why the answer was refused: JSON errors, schema violations or mapping errors. */
    public List<String> problems() {
        return problems;
    }

    public AgentResult partialResult() {
        return partialResult;
    }
}
