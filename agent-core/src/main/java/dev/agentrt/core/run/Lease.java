package dev.agentrt.core.run;

import java.time.Instant;
import java.util.Objects;

/**
 * The right of one owner to write a run's journal until {@link #expires()}. Each grant of a lease on a run carries
 * a larger {@link #token()} than every earlier one (a fencing token): a store refuses a write made under an older
 * token, so a process that lost its lease (it paused longer than the lease, and another process took the run
 * over) cannot add to the journal afterwards.
 *
 * @param runId the run
 * @param owner who holds it (a process and run identity, for the error a competing owner gets)
 * @param token the fencing token, increasing with every grant on this run
 * @param expires when the lease lapses unless renewed, on the store's clock
 */
public record Lease(String runId, String owner, long token, Instant expires) {
    public Lease {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(expires, "expires");
        if (token < 1) {
            throw new IllegalArgumentException("a lease token counts from 1, was " + token);
        }
    }
}
