package dev.agentrt.core.security;

import java.util.Objects;

/**
 * An {@link ApprovalHandler}'s answer.
 *
 * @param kind approve this call only, approve the missing capabilities for the rest of the task, or deny
 * @param reason why (shown to the model on a denial)
 */
public record Decision(Kind kind, String reason) {
    public enum Kind {
        APPROVE_ONCE, APPROVE_FOR_TASK, DENY
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

    public boolean approved() {
        return kind != Kind.DENY;
    }
}
