package dev.agentrt.core.run;

import dev.agentrt.core.AgentException;

/**
 * A run store could not do what was asked. The subclasses are the cases a caller handles:
 * {@link UnknownRun}, {@link RunLeased}, {@link LeaseLost} and {@link InvalidState}; this class itself is a
 * failure of the store (its file, its database), {@linkplain #isRetryable() retryable} where the store says so.
 */
public class RunStoreException extends AgentException {
    private final boolean retryable;

    public RunStoreException(String message) {
        this(message, null, false);
    }

    public RunStoreException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public RunStoreException(String message, @org.jspecify.annotations.Nullable Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    @Override
    public boolean isRetryable() {
        return retryable;
    }

    /** No run has this id. */
    public static final class UnknownRun extends RunStoreException {
        private final String runId;

        public UnknownRun(String runId) {
            super("no run with id \"" + runId + "\" is in the run store");
            this.runId = runId;
        }

        public String runId() {
            return runId;
        }
    }

    /** Another owner holds a live lease on the run: it is running in another process (or task) now. */
    public static final class RunLeased extends RunStoreException {
        private final String runId;
        private final String owner;

        public RunLeased(String runId, String owner, java.time.Instant expires) {
            super("run \"" + runId + "\" is being run by " + owner + " (its lease is live until " + expires
                    + "); resume it after that owner ends or its lease expires");
            this.runId = runId;
            this.owner = owner;
        }

        public String runId() {
            return runId;
        }

        /** The owner holding the lease. */
        public String owner() {
            return owner;
        }
    }

    /** A write under a lease that is no longer the run's: another process took the run over (fencing). */
    public static final class LeaseLost extends RunStoreException {
        public LeaseLost(Lease lease, String why) {
            super("lease " + lease.token() + " of " + lease.owner() + " on run \"" + lease.runId()
                    + "\" is no longer valid (" + why + "): the write was refused");
        }
    }

    /** The run is not in a state that allows the operation: a decision for a call that is not pending, say. */
    public static final class InvalidState extends RunStoreException {
        public InvalidState(String message) {
            super(message);
        }
    }
}
