package dev.agentrt.core.testing;

import dev.agentrt.core.AgentResult;
import dev.agentrt.core.model.Message;

/** Reading an agent's transcript in tests. */
public final class Transcripts {
    private Transcripts() {}

    /** The result of the tool call {@code callId} in {@code result}'s transcript; fails the test when there is none. */
    public static Message.ToolResult toolResult(AgentResult result, String callId) {
        return result.transcript()
                .stream()
                .filter(m -> m instanceof Message.ToolResult r && r.callId().equals(callId))
                .map(m -> (Message.ToolResult) m)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no result for " + callId + " in " + result.transcript()));
    }
}
