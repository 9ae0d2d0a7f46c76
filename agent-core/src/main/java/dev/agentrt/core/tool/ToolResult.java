package dev.agentrt.core.tool;

import dev.agentrt.core.json.JsonObject;
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
 * @param inputRequest for a question after whose answer the call runs again ({@link #inputRequired(InputRequest)}):
 *     the question, the answer's schema and the tool's resume state; null otherwise
 */
public record ToolResult(String content, @Nullable ToolErrorKind errorKind, List<Media> media,
        @Nullable InputRequest inputRequest) {
    /** Fails with {@code IllegalArgumentException} for an input request on a result that is not a question. */
    public ToolResult {
        Objects.requireNonNull(content, "content");
        media = List.copyOf(media);
        if (inputRequest != null && errorKind != ToolErrorKind.INPUT_REQUIRED) {
            throw new IllegalArgumentException("an inputRequest needs errorKind INPUT_REQUIRED, not " + errorKind);
        }
    }

    /** A result that is not a question to re-run after ({@link #inputRequest} null). */
    public ToolResult(String content, @Nullable ToolErrorKind errorKind, List<Media> media) {
        this(content, errorKind, media, null);
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
     * becomes the call's result (the tool does not run again: see {@link #inputRequired(InputRequest)} for a tool
     * that goes on with the answer); without one the model is told the question could not be asked.
     */
    public static ToolResult inputRequired(String question) {
        return new ToolResult(Objects.requireNonNull(question, "question"), ToolErrorKind.INPUT_REQUIRED);
    }

    /**
     * The tool needs the user's answer to go on: in a durable run the run pauses until
     * {@code agent.answer(runId, callId, text)}, and on resume the call runs again, the tool seeing the answer in
     * {@link ToolContext#answered()} (see {@link InputRequest}). Where the run cannot pause
     * ({@link ToolContext#canAwaitInput()} false) the model is told the question could not be asked.
     */
    public static ToolResult inputRequired(InputRequest request) {
        Objects.requireNonNull(request, "request");
        return new ToolResult(request.question(), ToolErrorKind.INPUT_REQUIRED, List.of(), request);
    }

    /** {@link #inputRequired(InputRequest)} with a new {@link InputRequest}. */
    public static ToolResult inputRequired(String question, @Nullable JsonObject answerSchema,
            @Nullable String resumeState) {
        return inputRequired(new InputRequest(question, answerSchema, resumeState));
    }

    /** Whether this is a question for the user ({@link #inputRequired}) rather than a result. */
    public boolean isInputRequired() {
        return errorKind == ToolErrorKind.INPUT_REQUIRED;
    }

    public boolean isError() {
        return errorKind != null;
    }
}
