package dev.agentrt.core;

/**
 * A task ran out of a budget (steps, tokens, wall time, cost) before a final answer. Carries the
 * run so far: its transcript is consistent (every tool call answered), so it can be resumed with
 * {@code agent.task(...).withMessages(partial.transcript())}.
 */
public final class BudgetExceededException extends AgentException {
    private final transient AgentResult partialResult;

    public BudgetExceededException(String message, AgentResult partialResult) {
        super(message);
        this.partialResult = partialResult;
    }

    public AgentResult partialResult() {
        return partialResult;
    }

    public Outcome outcome() {
        return partialResult.outcome();
    }
}
