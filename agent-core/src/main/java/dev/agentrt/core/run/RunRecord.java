package dev.agentrt.core.run;

import dev.agentrt.core.Outcome;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Principal;
import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A stored run as a store lists it.
 *
 * @param id the run's id
 * @param agentName the name of the agent that started it
 * @param agentVersion that agent's version
 * @param input the task's input
 * @param principal on whose behalf it acts
 * @param grants the capabilities granted to the task alone
 * @param sessionId the conversation it belongs to, or null
 * @param status where it stands
 * @param outcome how it ended; null until it has ({@link RunStatus#isTerminal()}), or paused
 * @param created when it was created, on the store's clock
 * @param updated when its status or journal last changed
 * @param lastSequence the sequence number of its last journal entry (0 for none)
 */
public record RunRecord(String id, String agentName, String agentVersion, String input, Principal principal,
        List<Capability> grants, @Nullable String sessionId, RunStatus status, @Nullable Outcome outcome,
        Instant created, Instant updated, long lastSequence) {
    /** The longest run or session id a store accepts. */
    public static final int MAX_ID_LENGTH = 200;

    public RunRecord {
        requireId(id, "id");
        Objects.requireNonNull(agentName, "agentName");
        Objects.requireNonNull(agentVersion, "agentVersion");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(principal, "principal");
        grants = List.copyOf(grants);
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(updated, "updated");
    }

    static void requireId(@Nullable String id, String what) {
        Objects.requireNonNull(id, what);
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException(what + " must have 1 to " + MAX_ID_LENGTH + " characters, had "
                    + id.length());
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(what + " must not contain control characters");
            }
        }
    }
}
