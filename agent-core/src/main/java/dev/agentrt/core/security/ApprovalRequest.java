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
 * @param missing the capabilities the call needs and the task lacks
 */
public record ApprovalRequest(Principal principal, String toolName, String callId, String arguments,
        List<Capability> missing) {
    public ApprovalRequest {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(toolName, "toolName");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(arguments, "arguments");
        missing = List.copyOf(missing);
    }
}
