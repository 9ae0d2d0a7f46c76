package dev.agentrt.core;

import org.jspecify.annotations.Nullable;

/**
 * A model provider failed: an HTTP error, a broken stream, an exhausted script. Carries the HTTP
 * status and the provider's request id where there was one.
 */
public class ModelException extends AgentException {
    private final int status;
    private final @Nullable String requestId;
    private final boolean retryable;

    public ModelException(String message) {
        this(message, 0, null, false, null);
    }

    public ModelException(String message, int status, @Nullable String requestId, boolean retryable,
            @Nullable Throwable cause) {
        super(message, cause);
        this.status = status;
        this.requestId = requestId;
        this.retryable = retryable;
    }

    /** The HTTP status, or 0 when the failure was not an HTTP response. */
    public int status() {
        return status;
    }

    public @Nullable String requestId() {
        return requestId;
    }

    @Override
    public boolean isRetryable() {
        return retryable;
    }
}
