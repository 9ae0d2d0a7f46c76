package dev.agentrt.core.run;

import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;

import java.util.List;
import java.util.Objects;

/**
 * A tool call a paused run waits on ({@code agent.pending(runId)}).
 *
 * @param runId the run
 * @param call the call, with its arguments
 * @param kind an approval to give ({@code agent.approve}) or a question to answer ({@code agent.answer})
 * @param missing the capabilities the call needs and the task lacks (approvals; empty for questions)
 * @param text why the approval was deferred, or the tool's question
 */
public record PendingCall(String runId, ToolCall call, Kind kind, List<Capability> missing, String text) {
    public enum Kind {
        APPROVAL, INPUT
    }

    public PendingCall {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(kind, "kind");
        missing = List.copyOf(missing);
        Objects.requireNonNull(text, "text");
    }
}
