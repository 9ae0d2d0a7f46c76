package dev.agentrt.core;

/**
 * The root of agentrt's unchecked exceptions. Subclasses say what the caller can do about a
 * failure: {@link #isRetryable()} is true where the same request may succeed later.
 */
public class AgentException extends RuntimeException {
    public AgentException(String message) {
        super(message);
    }

    public AgentException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether repeating the same operation later may succeed. */
    public boolean isRetryable() {
        return false;
    }
}
