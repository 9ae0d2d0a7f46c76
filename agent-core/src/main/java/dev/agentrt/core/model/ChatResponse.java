package dev.agentrt.core.model;

import java.util.Objects;

/** A complete model reply: the assistant message, what it cost and why it ended. */
public record ChatResponse(Message.Assistant message, Usage usage, FinishReason finishReason) {
    public ChatResponse {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(finishReason, "finishReason");
    }
}
