package dev.agentrt.core.tool;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.Budget;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Optional;

/**
 * What a running tool call knows about the task it serves. Handed to {@link Tool#invoke}.
 *
 * <p>{@link #require} lets a tool check capabilities it only learns while running (a path behind
 * a redirect, a file found by a glob): it goes through the same grants, events and approval
 * handler as the check the registry made before the call.
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
     * What is left of the task's budget now: the tokens and cost it has not used yet, and the wall time until its
     * deadline; empty when one of them is used up (the task stops before its next step). Limits the task does not
     * have stay unlimited. A tool that spends on the task's behalf (a sub-agent, a model of its own) keeps within
     * this and reports what it spent with {@link #charge}. Outside an agent: {@link Budget#UNLIMITED}.
     */
    default Optional<Budget> budgetLeft() {
        return Optional.of(Budget.UNLIMITED);
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
}
