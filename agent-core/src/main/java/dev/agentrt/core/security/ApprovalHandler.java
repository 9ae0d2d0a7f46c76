package dev.agentrt.core.security;

import reactor.core.publisher.Mono;

/**
 * Human-in-the-loop grants: asked when a tool call needs capabilities the task was not granted.
 * Return a {@link Decision} asynchronously (a UI prompt, a chat message, a ticket); an empty or
 * failed {@code Mono} counts as a denial. The call's tool timeout does not run while waiting.
 *
 * <pre>{@code
 * Agent.builder().approvals(req -> ui.ask("Allow " + req.missing() + "?")
 *         .map(yes -> yes ? Decision.approveForTask() : Decision.deny("user said no")))
 * }</pre>
 *
 * <p>Must not block: it runs on the task's thread.
 */
@FunctionalInterface
public interface ApprovalHandler {
    Mono<Decision> decide(ApprovalRequest request);
}
