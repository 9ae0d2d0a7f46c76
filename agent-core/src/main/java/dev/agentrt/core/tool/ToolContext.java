package dev.agentrt.core.tool;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.Budget;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a running tool call knows about the task it serves. Handed to {@link Tool#invoke}.
 *
 * <p>{@link #require} lets a tool check capabilities it only learns while running (a path behind
 * a redirect, a file found by a glob): it goes through the same grants, events and approval
 * handler as the check the registry made before the call.
 *
 * <p>{@link #callTool} lets a tool call the task's other tools (code mode: a script calling
 * {@code tools.read_file(...)}) through the same registry path as a call of the model: schema
 * validation, capability checks, approvals, events and the timeout. It adds no authority.
 */
public interface ToolContext {
    /** The task's id. */
    String taskId();

    /** The model's id for this call. */
    String callId();

    /** Who the task runs for. */
    Principal principal();

    /**
     * Completes empty when every capability is granted (perhaps after approval), or fails with
     * {@code CapabilityDeniedException}, which the registry turns into a permission-denied result.
     */
    Mono<Void> require(List<Capability> capabilities);

    default Mono<Void> require(Capability capability) {
        return require(List.of(capability));
    }

    /**
     * What the task was granted, for tools whose decision depends on the exact grant rather than on
     * coverage (the URL guard lets a private address through only when a grant names it). Prefer
     * {@link #require} for access checks: it also consults the approval handler and emits events.
     */
    default Grants grants() {
        return Grants.none();
    }

    /**
     * Reports how far the call got, as an {@link dev.agentrt.core.AgentEvent.ToolProgress} event. A
     * report whose {@code progress} does not exceed the call's previous one, or that is not a finite
     * number, is dropped, and so is every report after the first
     * {@value dev.agentrt.core.tool.ToolRegistry#MAX_PROGRESS_REPORTS} of a call: a chatty or hostile
     * source cannot flood the event stream. Never blocks; does nothing where nobody listens.
     *
     * @param total the amount {@code progress} counts towards, or null when unknown
     * @param message what is happening, or null
     */
    default void progress(double progress, @Nullable Double total, @Nullable String message) {}

    /**
     * The tools {@link #callTool} may call: the task's tools this caller may see, less the calling tool
     * itself; empty where calls from tools are not possible (a call made by another tool, a context that
     * is not the registry's).
     */
    default List<ToolSpec> tools() {
        return List.of();
    }

    /**
     * Calls another tool of the task, as the model would: the registry validates {@code arguments}
     * against its schema, checks its capabilities against the task's grants (asking the approval handler
     * for what is missing), emits its events (its {@link dev.agentrt.core.AgentEvent.ToolCallRequested}
     * names this call as {@code parentCallId}; its id is this call's id, {@code /} and a number) and runs
     * it with the tool timeout. Never errors: every failure is an error result, as for the model. Cold;
     * cancelling the subscription cancels the call.
     *
     * <p>Refused with an error result, without running anything: the calling tool itself, any call from a
     * tool that was itself called this way (one level only, so no recursion), and every call past the
     * policy's {@link ToolExecution#maxNestedCalls()} for this call. A deferred approval cannot pause the
     * run here and counts as a denial. In a durable run these calls are not journaled as calls of their
     * own (their events are): the calling tool is what an interrupted run re-runs or reports in doubt.
     *
     * <p>The default refuses every call, for contexts that are not the registry's.
     */
    default Mono<ToolResult> callTool(String name, JsonObject arguments) {
        return Mono.just(ToolResult.error(ToolErrorKind.UNKNOWN_TOOL,
                "Tool \"" + name + "\" cannot be called from here: this tool context does not call other tools."));
    }

    /**
     * What is left of the task's budget now: the tokens and cost it has not used yet, and the wall time until its
     * deadline; empty when one of them is used up (the task stops before its next step). Limits the task does not
     * have stay unlimited. A tool that spends on the task's behalf (a sub-agent, a model of its own) keeps within
     * this and reports what it spent with {@link #charge}. Outside an agent: {@link Budget#UNLIMITED}.
     */
    default Optional<Budget> budgetLeft() {
        return Optional.of(Budget.UNLIMITED);
    }

    /**
     * Holds up to {@code wanted}'s tokens and cost of the task's budget for work this call runs on the task's behalf
     * (a sub-agent), so that the task's other calls, running at the same time, no longer see it in
     * {@link #budgetLeft()}: calls that each carve a budget out of what is left can then not together spend more than
     * the task has. Returns what is held (each limit at most what is left; the time limit the smaller of the two), or
     * empty when a limit is used up. What the call then {@link #charge charges} is drawn from what it holds; what it
     * holds when it ends is given back. Limits the task does not have are not held. Never blocks. The default holds
     * nothing and returns {@code wanted} within {@link #budgetLeft()}.
     */
    default Optional<Budget> reserve(Budget wanted) {
        return budgetLeft().map(left -> new Budget(Math.min(wanted.maxTokens(), left.maxTokens()),
                wanted.maxWallTime().compareTo(left.maxWallTime()) <= 0 ? wanted.maxWallTime() : left.maxWallTime(),
                Math.min(wanted.maxCost(), left.maxCost())));
    }

    /**
     * Adds what the tool spent on the task's behalf (the tokens and cost of a model it called) to the task's usage,
     * so that the task's budget counts it: a task pushed past a limit stops before its next step. Never blocks.
     */
    default void charge(Usage usage) {}

    /**
     * Passes on an event of an agent this call runs on the task's behalf (a sub-agent, see
     * {@code Agent.asTool}): the task's listeners and stream receive it as an
     * {@link AgentEvent.SubAgentEvent} under this call, so a UI can show the sub-agent's run as a branch of
     * the call. Never blocks; does nothing where nobody listens.
     *
     * @param agent the name of the agent whose event this is
     */
    default void subAgentEvent(String agent, AgentEvent event) {}

    /**
     * The call's trace, for a tool that carries the call to another process: attributes describing the hop for the
     * call's record, and the trace context to pass on (an MCP client tool puts it in the request's
     * {@code params._meta}). {@link ToolTrace#NONE} where no telemetry follows the call (the default).
     */
    default ToolTrace trace() {
        return ToolTrace.NONE;
    }

    /**
     * Whether a question this call returns with {@link ToolResult#inputRequired(InputRequest)} pauses the run until
     * the user answers, the call then running again: true in a durable run (the agent has a run store) of the task
     * itself; false without a run store, in a sub-agent's run, for a call made by another tool ({@link #callTool})
     * and outside an agent. A tool that could also ask in another way (a handler that waits in process) asks that
     * way when this is false.
     */
    default boolean canAwaitInput() {
        return false;
    }

    /**
     * The user's answer, when this run of the call is the re-run after its question
     * ({@link ToolResult#inputRequired(InputRequest)}) was answered; empty otherwise (the call's first run, a call
     * whose question was never answered, outside an agent).
     */
    default Optional<Answer> answered() {
        return Optional.empty();
    }

    /**
     * The user's answer to the question the call asked before this run of it.
     *
     * @param text the answer as given to {@code agent.answer}
     * @param json the answer parsed, when the question had an {@linkplain InputRequest#answerSchema() answer schema}
     *     (it then matches it); null for a free-text answer
     * @param request the question the call asked, with the {@linkplain InputRequest#resumeState() state} it kept
     * @param round which answer of this call this is: 1 for the first
     */
    record Answer(String text, @Nullable JsonValue json, InputRequest request, int round) {
        public Answer {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(request, "request");
            if (round < 1) {
                throw new IllegalArgumentException("round must be at least 1, was " + round);
            }
        }

        /** The state the tool kept with its question, or null. */
        public @Nullable String resumeState() {
            return request.resumeState();
        }
    }
}
