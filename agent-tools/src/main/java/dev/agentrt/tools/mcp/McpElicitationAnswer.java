package dev.agentrt.tools.mcp;

import dev.agentrt.core.json.JsonObject;

import java.util.Objects;

/**
 * The user's answer to an {@link McpElicitationRequest}: accepted with content, declined, or cancelled
 * (dismissed without a choice), as the protocol's three actions.
 */
public sealed interface McpElicitationAnswer
        permits McpElicitationAnswer.Accept, McpElicitationAnswer.Decline, McpElicitationAnswer.Cancel {

    /** The user gave {@code content}, which must match the requested schema. */
    static Accept accept(JsonObject content) {
        return new Accept(content);
    }

    /** The user said no. */
    static Decline decline() {
        return Decline.INSTANCE;
    }

    /** The user dismissed the question without choosing. */
    static Cancel cancel() {
        return Cancel.INSTANCE;
    }

    /** Accepted, with the user's content. */
    record Accept(JsonObject content) implements McpElicitationAnswer {
        public Accept {
            Objects.requireNonNull(content, "content");
        }
    }

    /** Declined. */
    record Decline() implements McpElicitationAnswer {
        static final Decline INSTANCE = new Decline();
    }

    /** Cancelled. */
    record Cancel() implements McpElicitationAnswer {
        static final Cancel INSTANCE = new Cancel();
    }
}
