package dev.agentrt.core.tool;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Media;
import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Objects;

/**
 * What a tool call produced, as the model will read it.
 *
 * @param content the text given to the model (JSON text for structured results)
 * @param errorKind {@code null} for a success; otherwise why the call failed, {@code content} then
 *     being a message written for the model
 * @param media images or sounds for the model, after {@code content} (empty for a text result); {@code content}
 *     should say what they are
 */
public record ToolResult(String content, @Nullable ToolErrorKind errorKind, List<Media> media) {
    public ToolResult {
        Objects.requireNonNull(content, "content");
        media = List.copyOf(media);
    }

    /** A result without media. */
    public ToolResult(String content, @Nullable ToolErrorKind errorKind) {
        this(content, errorKind, List.of());
    }

    /** A successful result: {@code content} describes what {@code media} holds (see {@link Media}). */
    public static ToolResult withMedia(String content, List<Media> media) {
        return new ToolResult(content, null, media);
    }

    public static ToolResult text(String content) {
        return new ToolResult(content, null);
    }

    public static ToolResult json(JsonValue value) {
        return new ToolResult(value.toJson(), null);
    }

    public static ToolResult error(ToolErrorKind kind, String message) {
        return new ToolResult(message, Objects.requireNonNull(kind, "kind"));
    }

    /**
     * The tool needs the user's answer to {@code question} before it can give a result. With a run store the run
     * pauses ({@code RunStatus.AWAITING_INPUT}) until {@code agent.answer(runId, callId, text)}, and the answer
     * becomes the call's result; without one the model is told the question could not be asked.
     */
    public static ToolResult inputRequired(String question) {
        return new ToolResult(Objects.requireNonNull(question, "question"), ToolErrorKind.INPUT_REQUIRED);
    }

    /** Whether this is a question for the user ({@link #inputRequired}) rather than a result. */
    public boolean isInputRequired() {
        return errorKind == ToolErrorKind.INPUT_REQUIRED;
    }

    public boolean isError() {
        return errorKind != null;
    }
}
