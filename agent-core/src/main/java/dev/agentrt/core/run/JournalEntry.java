package dev.agentrt.core.run;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of a run's journal as stored.
 *
 * @param runId the run
 * @param sequence its place in the run's journal, from 1, without gaps
 * @param time when it was written, on the store's clock
 * @param entry what it records
 */
public record JournalEntry(String runId, long sequence, Instant time, RunEntry entry) {
    public JournalEntry {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(entry, "entry");
        if (sequence < 1) {
            throw new IllegalArgumentException("journal sequence numbers count from 1, was " + sequence);
        }
    }
}
