package dev.agentrt.core.run;

import dev.agentrt.core.AgentEvent;

import java.time.Instant;
import java.util.Objects;

/**
 * An event of a stored run, with its place in the run's journal ({@code agent.events(runId, from)}).
 *
 * @param runId the run
 * @param sequence its journal sequence number: ask from {@code sequence + 1} to continue after it
 * @param time when it was journaled, on the store's clock
 * @param event the event
 */
public record RunEvent(String runId, long sequence, Instant time, AgentEvent event) {
    public RunEvent {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(event, "event");
    }
}
