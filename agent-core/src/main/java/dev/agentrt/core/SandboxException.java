package dev.agentrt.core;

/** Sandboxed code hit a limit (time, memory, output) or trapped. */
public class SandboxException extends AgentException {
    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
