package dev.agentrt.core;

import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.Usage;

import java.util.List;
import java.util.Objects;

/**
 * What a task produced.
 *
 * @param taskId the task's id
 * @param text the final answer (the last assistant text)
 * @param transcript every message of the run, instructions and context included, in order
 * @param steps how many steps (model turns) the run made; a model call retried after a failure counts once
 * @param usage tokens and cost summed over every step
 * @param outcome how the run ended; {@link Outcome#COMPLETED} for a result of {@code execute()},
 *     another value in the partial result of a failed run
 */
public record AgentResult(String taskId, String text, List<Message> transcript, int steps, Usage usage,
        Outcome outcome) {
    public AgentResult {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(text, "text");
        transcript = List.copyOf(transcript);
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(outcome, "outcome");
    }

    /**
     * The run's id in the agent's run store ({@code Agent.resume(runId)}, {@code Agent.events}): the task id.
     */
    public String runId() {
        return taskId;
    }
}
