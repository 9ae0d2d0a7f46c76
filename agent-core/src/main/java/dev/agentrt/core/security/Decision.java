package dev.agentrt.core.security;

import java.util.Objects;

/**
 * An {@link ApprovalHandler}'s answer.
 *
 * @param kind approve this call only, approve the missing capabilities for the rest of the task, deny, or defer
 *     the decision to a person later
 * @param reason why (shown to the model on a denial)
 */
public record Decision(Kind kind, String reason) {
    public enum Kind {
        APPROVE_ONCE, APPROVE_FOR_TASK, DENY,
        /**
         * Decide later: with a run store the run pauses ({@code RunStatus.AWAITING_APPROVAL}) and the call waits
         * for {@code agent.approve(runId, callId, decision)}; without one the call is denied, since nothing could
         * keep the run until then.
         */
        DEFER
    }

    public Decision {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
    }

    public static Decision approveOnce() {
        return new Decision(Kind.APPROVE_ONCE, "approved");
    }

    public static Decision approveForTask() {
        return new Decision(Kind.APPROVE_FOR_TASK, "approved for the task");
    }

    public static Decision deny(String reason) {
        return new Decision(Kind.DENY, reason);
    }

    /** A person decides later: the run pauses until {@code agent.approve}. */
    public static Decision defer() {
        return defer("awaiting a person's approval");
    }

    /** A person decides later; {@code reason} says who or what is awaited (kept with the paused call). */
    public static Decision defer(String reason) {
        return new Decision(Kind.DEFER, reason);
    }

    /** Whether the call may run: approved once or for the task. */
    public boolean approved() {
        return kind == Kind.APPROVE_ONCE || kind == Kind.APPROVE_FOR_TASK;
    }

    /** Whether the decision was deferred to a person. */
    public boolean deferred() {
        return kind == Kind.DEFER;
    }
}
