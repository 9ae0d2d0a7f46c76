package dev.agentrt.core.run;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import org.jspecify.annotations.Nullable;

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
 * @param answerSchema for a question with one ({@code InputRequest.answerSchema}), the JSON Schema the answer must
 *     match: {@code agent.answer} takes only JSON text that does, and a UI may render it as a form; null otherwise
 */
public record PendingCall(String runId, ToolCall call, Kind kind, List<Capability> missing, String text,
        @Nullable JsonObject answerSchema) {
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

    /** A pending call without an answer schema. */
    public PendingCall(String runId, ToolCall call, Kind kind, List<Capability> missing, String text) {
        this(runId, call, kind, missing, text, null);
    }
}
