package dev.agentrt.core;

import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Optional;

/**
 * A model provider failed: an HTTP error, a broken stream, an exhausted script. Carries the HTTP
 * status and the provider's request id where there was one, and whether the same request may pass
 * later ({@link #isRetryable()}).
 *
 * <p>When the failure ends a task ({@code execute()} or {@code stream()} fails with it), the agent
 * loop has already retried the step as the agent's {@code modelRetry} policy allows, and the
 * exception carries the run so far: {@link #partialResult()}. Its transcript is consistent (every tool
 * call answered), so the task can go on from where it stopped without running a tool twice:
 *
 * <pre>{@code
 * catch (ModelException e) {
 *     AgentResult partial = e.partialResult().orElseThrow();
 *     agent.task(input).withMessages(partial.transcript()).execute();   // asks the model again, runs no tool twice
 * }
 * }</pre>
 */
public class ModelException extends AgentException {
    private final int status;
    private final @Nullable String requestId;
    private final boolean retryable;
    private final boolean retriesExhausted;
    private final transient @Nullable AgentResult partialResult;

    public ModelException(String message) {
        this(message, 0, null, false, null);
    }

    public ModelException(String message, int status, @Nullable String requestId, boolean retryable,
            @Nullable Throwable cause) {
        this(message, status, requestId, retryable, false, cause);
    }

    /**
     * @param retriesExhausted whether the model client already retried this request under its own
     *        retry policy and gave up (see {@link #retriesExhausted()})
     */
    public ModelException(String message, int status, @Nullable String requestId, boolean retryable,
            boolean retriesExhausted, @Nullable Throwable cause) {
        super(message, cause);
        this.status = status;
        this.requestId = requestId;
        this.retryable = retryable;
        this.retriesExhausted = retriesExhausted;
        this.partialResult = null;
    }

    private ModelException(ModelException failure, String message, AgentResult partialResult) {
        super(message, failure.getCause());
        this.status = failure.status;
        this.requestId = failure.requestId;
        this.retryable = failure.retryable;
        this.retriesExhausted = failure.retriesExhausted;
        this.partialResult = partialResult;
        setStackTrace(failure.getStackTrace());
        for (Throwable t : failure.getSuppressed()) {
            addSuppressed(t);
        }
    }

    /** The HTTP status, or 0 when the failure was not an HTTP response. */
    public int status() {
        return status;
    }

    public @Nullable String requestId() {
        return requestId;
    }

    /**
     * Whether the same model request may pass later. On a failure that ended a task, the loop has used
     * its retries already; to try again, continue from {@link #partialResult()} rather than run the task
     * anew (which would run its tools again).
     */
    @Override
    public boolean isRetryable() {
        return retryable;
    }

    /**
     * Whether the model client already sent this request again as its own retry policy allows (a
     * hosted model's {@code RetryPolicy}: refused connections, 429 and 5xx answers before any byte of
     * a reply) and gave up. The agent loop does not retry such a failure once more, so that the two
     * policies do not multiply; it retries a retryable failure the client could not (a reply that broke
     * off after it had started).
     */
    public boolean retriesExhausted() {
        return retriesExhausted;
    }

    /**
     * The run so far when this failure ended a task, with outcome {@link Outcome#FAILED}; empty for a
     * failure of a model called directly.
     */
    public Optional<AgentResult> partialResult() {
        return Optional.ofNullable(partialResult);
    }

    /**
     * This failure as the end of a task: the same status, request id, cause and stack, the message
     * followed by {@code note}, the run so far, and the failures of earlier attempts as suppressed
     * exceptions. A copy, so that an exception a model hands out more than once is never changed.
     */
    ModelException endingTask(String note, AgentResult partial, List<? extends Throwable> earlierAttempts) {
        String message = getMessage();
        var ended = new ModelException(this, (message == null ? "" : message) + note, partial);
        for (Throwable t : earlierAttempts) {
            ended.addSuppressed(t);
        }
        return ended;
    }
}
