package dev.agentrt.core.model;

import org.jspecify.annotations.Nullable;

import java.util.Objects;

/**
 * A complete model reply: the assistant message, what it cost and why it ended, and, when the provider said,
 * the id it gave the reply and the model that actually answered (see {@link ChatEvent.Finish}).
 */
public record ChatResponse(Message.Assistant message, Usage usage, FinishReason finishReason,
        @Nullable String responseId, @Nullable String responseModel) {
    public ChatResponse {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(finishReason, "finishReason");
    }

    /** A reply whose provider named neither the reply nor its model. */
    public ChatResponse(Message.Assistant message, Usage usage, FinishReason finishReason) {
        this(message, usage, finishReason, null, null);
    }
}
