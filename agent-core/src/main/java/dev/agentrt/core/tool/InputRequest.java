package dev.agentrt.core.tool;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonSchema;
import org.jspecify.annotations.Nullable;

import java.util.Objects;

/**
 * A question a tool asks the user in order to go on ({@link ToolResult#inputRequired(InputRequest)}): in a durable
 * run the run pauses ({@code RunStatus.AWAITING_INPUT}) until {@code agent.answer(runId, callId, text)}, and on
 * {@code agent.resume(runId)} the call runs <em>again</em>, with the same arguments, the tool seeing the answer in
 * {@link ToolContext#answered()}. The re-run may ask again; a call that asks more than {@value #MAX_ROUNDS} times
 * ends with an error result. A tool learns whether its question can pause the run from
 * {@link ToolContext#canAwaitInput()}; where it cannot (no run store, a sub-agent's run) the model is told the
 * question could not be asked, as for {@link ToolResult#inputRequired(String)}.
 *
 * <pre>{@code
 * Mono<ToolResult> invoke(JsonObject args, ToolContext ctx) {
 *     return ctx.answered()
 *             .map(a -> book(args, a.json()))                       // the re-run, with the user's answer
 *             .orElseGet(() -> Mono.just(ToolResult.inputRequired(new InputRequest("Which seat?",
 *                     SEAT_SCHEMA, null))));
 * }
 * }</pre>
 *
 * @param question what the user is asked, in words for a person (also what {@code agent.pending} shows)
 * @param answerSchema the JSON Schema the answer must match, for a UI to render a form; with one,
 *     {@code agent.answer} takes only JSON text matching it (anything else is refused and nothing recorded); null
 *     for a free-text answer
 * @param resumeState what the tool wants back on its re-run ({@link ToolContext.Answer#request()}), journaled
 *     with the question; null for nothing. It is stored as given: keep it small and free of secrets
 */
public record InputRequest(String question, @Nullable JsonObject answerSchema, @Nullable String resumeState) {
    /** The most questions one call may ask, counting every re-run; one more ends the call with an error result. */
    public static final int MAX_ROUNDS = 10;

    /** Fails with {@code IllegalArgumentException} for a schema that does not compile. */
    public InputRequest {
        Objects.requireNonNull(question, "question");
        if (answerSchema != null) {
            JsonSchema.compile(answerSchema);
        }
    }
}
