package dev.agentrt.core.model;

import java.util.List;
import java.util.Objects;

/**
 * One entry of a conversation. A closed family: system instructions, a user turn, an assistant
 * turn (text and/or tool calls), and the result of one tool call.
 *
 * <pre>{@code
 * List<Message> history = List.of(Message.system("Be brief."), Message.user("What is 2+2?"));
 * }</pre>
 */
public sealed interface Message
        permits Message.System, Message.User, Message.Assistant, Message.ToolResult {

    static System system(String text) {
        return new System(text);
    }

    static User user(String text) {
        return new User(text);
    }

    /** A user turn with images or sounds after its text (see {@link Media}). */
    static User user(String text, List<Media> media) {
        return new User(text, media);
    }

    static Assistant assistant(String text) {
        return new Assistant(text, List.of());
    }

    static Assistant assistant(String text, List<ToolCall> toolCalls) {
        return new Assistant(text, toolCalls);
    }

    static Assistant assistant(String text, List<ToolCall> toolCalls, List<Reasoning> reasoning) {
        return new Assistant(text, toolCalls, reasoning);
    }

    static ToolResult toolResult(ToolCall call, String content, boolean error) {
        return new ToolResult(call.id(), call.name(), content, error);
    }

    /** A tool result with images or sounds after its text (see {@link Media}). */
    static ToolResult toolResult(ToolCall call, String content, boolean error, List<Media> media) {
        return new ToolResult(call.id(), call.name(), content, error, media);
    }

    record System(String text) implements Message {
        public System {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * A user turn: its text, and the images or sounds that go with it, in order ({@code media} is empty for plain
     * text).
     */
    record User(String text, List<Media> media) implements Message {
        public User {
            Objects.requireNonNull(text, "text");
            media = List.copyOf(media);
        }

        /** A text-only turn. */
        public User(String text) {
            this(text, List.of());
        }
    }

    /**
     * An assistant turn: {@code text} may be empty when the turn only calls tools. {@code reasoning}
     * holds the model's reasoning blocks in the order it wrote them, to be sent back with the turn
     * (see {@link Reasoning}); empty for models that do not think.
     */
    record Assistant(String text, List<ToolCall> toolCalls, List<Reasoning> reasoning) implements Message {
        public Assistant {
            Objects.requireNonNull(text, "text");
            toolCalls = List.copyOf(toolCalls);
            reasoning = List.copyOf(reasoning);
        }

        /** A turn without reasoning. */
        public Assistant(String text, List<ToolCall> toolCalls) {
            this(text, toolCalls, List.of());
        }

        /** The reasoning blocks {@code provider} made, which are the ones to send back to it. */
        public List<Reasoning> reasoningFrom(String provider) {
            if (reasoning.isEmpty()) {
                return reasoning;
            }
            return reasoning.stream().filter(r -> r.provider().equals(provider)).toList();
        }

        public boolean hasToolCalls() {
            return !toolCalls.isEmpty();
        }
    }

    /**
     * The answer to one tool call, matched by {@code callId}.
     *
     * @param error whether the call failed; {@code content} then explains why, for the model
     * @param media images or sounds the tool returned, after {@code content} (empty for a text result); a
     *     provider whose tool results take only text sends them in a user turn right after (see the codecs)
     */
    record ToolResult(String callId, String toolName, String content, boolean error, List<Media> media)
            implements
                Message {
        public ToolResult {
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(toolName, "toolName");
            Objects.requireNonNull(content, "content");
            media = List.copyOf(media);
        }

        /** A text-only result. */
        public ToolResult(String callId, String toolName, String content, boolean error) {
            this(callId, toolName, content, error, List.of());
        }
    }
}
