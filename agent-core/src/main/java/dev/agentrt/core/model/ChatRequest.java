package dev.agentrt.core.model;

import java.util.List;
import java.util.Objects;

/**
 * One request to a {@link ChatModel}: the conversation so far, the tools the model may call, and
 * generation options.
 */
public record ChatRequest(List<Message> messages, List<ToolSpec> tools, ChatOptions options) {
    public ChatRequest {
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
        Objects.requireNonNull(options, "options");
    }

    public static ChatRequest of(List<Message> messages) {
        return new ChatRequest(messages, List.of(), ChatOptions.DEFAULTS);
    }

    public static ChatRequest of(Message... messages) {
        return of(List.of(messages));
    }
}
