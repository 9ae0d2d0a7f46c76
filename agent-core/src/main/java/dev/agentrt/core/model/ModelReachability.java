package dev.agentrt.core.model;

import java.util.Objects;

/**
 * Whether a model can be reached, as {@link ChatModel#reachability()} found out without a paid call: a hosted model
 * by its provider's free model-listing endpoint, an in-process model by whether it is open.
 *
 * <pre>{@code
 * model.reachability().subscribe(r -> log.info("{} {}: {}", model, r.status(), r.detail()));
 * }</pre>
 *
 * @param status up, down, or unknown (the model has no free way to tell)
 * @param detail what was checked and what came back, for an operator; never a secret (an API key), never the
 *     provider's free text, which may quote one
 * @param httpStatus the HTTP status of the check's response, or 0 when there was none (no HTTP check, no
 *     connection, no answer in time)
 */
public record ModelReachability(Status status, String detail, int httpStatus) {
    /** What the check says. */
    public enum Status {
        /** The model answered (or, in process, is open). */
        UP,
        /** The check failed: no connection, no answer in time, an error status, or an answer that is no model list. */
        DOWN,
        /** The model has no free way to check (a custom {@code ChatModel}, a provider without a listing endpoint). */
        UNKNOWN
    }

    public ModelReachability {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
        if (httpStatus < 0 || httpStatus > 999) {
            throw new IllegalArgumentException("httpStatus must be 0 (none) or an HTTP status, was " + httpStatus);
        }
    }

    /** Reached; {@code detail} says how. */
    public static ModelReachability up(String detail) {
        return new ModelReachability(Status.UP, detail, 0);
    }

    /** Reached over HTTP, with {@code httpStatus}. */
    public static ModelReachability up(String detail, int httpStatus) {
        return new ModelReachability(Status.UP, detail, httpStatus);
    }

    /** Not reached; {@code httpStatus} is the error status, or 0 when nothing answered. */
    public static ModelReachability down(String detail, int httpStatus) {
        return new ModelReachability(Status.DOWN, detail, httpStatus);
    }

    /** No free way to tell. */
    public static ModelReachability unknown(String detail) {
        return new ModelReachability(Status.UNKNOWN, detail, 0);
    }
}
