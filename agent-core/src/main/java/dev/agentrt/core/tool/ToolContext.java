package dev.agentrt.core.tool;

import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.util.List;

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
}
