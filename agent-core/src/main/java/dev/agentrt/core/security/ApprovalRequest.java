package dev.agentrt.core.security;

import java.util.List;
import java.util.Objects;

/**
 * What an {@link ApprovalHandler} is asked.
 *
 * @param principal who the task runs for
 * @param toolName the tool the model called
 * @param callId the model's id for the call
 * @param arguments the call's arguments as JSON text
 * @param missing the capabilities the call needs and the task lacks (empty when {@code inDoubt})
 * @param inDoubt true when the question is not a capability but whether to run the call again: a durable run was
 *     interrupted while this call of a tool that is not idempotent was running, so it may or may not have taken
 *     effect. Approving runs it again; denying tells the model it is in doubt; deferring pauses the run for a person.
 *     A handler that approves capabilities without looking should deny (or defer) these.
 */
public record ApprovalRequest(Principal principal, String toolName, String callId, String arguments,
        List<Capability> missing, boolean inDoubt) {
    public ApprovalRequest {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(toolName, "toolName");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(arguments, "arguments");
        missing = List.copyOf(missing);
    }

    /** A request for capabilities the call lacks. */
    public ApprovalRequest(Principal principal, String toolName, String callId, String arguments,
            List<Capability> missing) {
        this(principal, toolName, callId, arguments, missing, false);
    }
}
