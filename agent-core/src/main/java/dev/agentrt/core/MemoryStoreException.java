package dev.agentrt.core;

/** A memory store could not read or write. */
public class MemoryStoreException extends AgentException {
    private final boolean retryable;

    public MemoryStoreException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    @Override
    public boolean isRetryable() {
        return retryable;
    }
}
