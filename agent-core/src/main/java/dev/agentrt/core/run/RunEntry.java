package dev.agentrt.core.run;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.tool.InputRequest;
import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Objects;

/**
 * What one journal entry of a run records. The agent loop writes them ahead of what they describe: a tool call
 * is {@link ToolStarted} before it runs, and its result is {@link Appended} when it ends, so that a process
 * resuming the run knows which calls finished, which never started, and which are in doubt.
 *
 * <p>{@link AgentJson#write(RunEntry)} and {@link AgentJson#readRunEntry(String)} give the stored form.
 */
public sealed interface RunEntry {
    /**
     * A message the loop put in the run's transcript: its system prompts, the prior messages it continues (which
     * may hold earlier assistant turns), the input, a tool result. The run's own model replies are {@link Reply}.
     */
    record Appended(int step, Message message) implements RunEntry {
        public Appended {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * A model reply, complete: what resuming the run uses instead of asking the model again.
     *
     * @param usage what the reply used
     * @param failedUsage what the step's failed attempts before it used
     */
    record Reply(int step, Message.Assistant message, FinishReason finishReason, Usage usage, Usage failedUsage)
            implements
                RunEntry {
        public Reply {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(finishReason, "finishReason");
            Objects.requireNonNull(usage, "usage");
            Objects.requireNonNull(failedUsage, "failedUsage");
        }
    }

    /** A tool call passed its permission check and is about to run. */
    record ToolStarted(int step, ToolCall call) implements RunEntry {
        public ToolStarted {
            Objects.requireNonNull(call, "call");
        }
    }

    /** The approval handler deferred the decision on a call: the run pauses until a person decides. */
    record AwaitingApproval(int step, ToolCall call, List<Capability> missing, String reason) implements RunEntry {
        public AwaitingApproval {
            Objects.requireNonNull(call, "call");
            missing = List.copyOf(missing);
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * A tool asked the user a question: the run pauses until it is answered.
     *
     * @param request for a question after whose answer the call runs again
     *     ({@code ToolResult.inputRequired(InputRequest)}); null for one whose answer is the call's result
     */
    record AwaitingInput(int step, ToolCall call, String question, @Nullable InputRequest request)
            implements
                RunEntry {
        public AwaitingInput {
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(question, "question");
        }

        /** A question whose answer is the call's result. */
        public AwaitingInput(int step, ToolCall call, String question) {
            this(step, call, question, null);
        }
    }

    /** A person's decision on a paused call ({@code agent.approve}). */
    record Decided(String callId, Decision decision) implements RunEntry {
        public Decided {
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(decision, "decision");
            if (decision.deferred()) {
                throw new IllegalArgumentException("a person's decision cannot be deferred again");
            }
        }
    }

    /** The user's answer to a tool's question ({@code agent.answer}). */
    record Answered(String callId, String text) implements RunEntry {
        public Answered {
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(text, "text");
        }
    }

    /** An event of the run (streamed deltas are not journaled), for {@code agent.events(runId, from)}. */
    record Event(AgentEvent event) implements RunEntry {
        public Event {
            Objects.requireNonNull(event, "event");
            if (event instanceof AgentEvent.TextDelta || event instanceof AgentEvent.ReasoningDelta) {
                throw new IllegalArgumentException("streamed deltas are not journaled");
            }
        }
    }
}
