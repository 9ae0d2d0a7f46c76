package dev.agentrt.core;

/**
 * A tool failed in a way it wants to report with a message written for the model. Thrown inside
 * a tool (or emitted as {@code Mono.error}), the registry turns it into an error result; it never
 * ends the task.
 */
public class ToolException extends AgentException {
    public ToolException(String message) {
        super(message);
    }

    public ToolException(String message, Throwable cause) {
        super(message, cause);
    }
}
