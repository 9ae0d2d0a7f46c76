package dev.agentrt.tools.internal.fs;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;

/**
 * The limits every file-system tool of one set obeys.
 *
 * @param maxOutputChars longest result text; longer output ends with a truncation marker
 * @param maxFileBytes largest file written, edited or searched
 * @param maxEntries most entries {@code list_directory} and {@code glob} return
 * @param maxGrepMatches most matching lines {@code grep} returns
 * @param searchTimeout how long {@code glob} and {@code grep} may walk and match
 * @param clock what {@code searchTimeout} is measured on
 */
public record FsLimits(int maxOutputChars, long maxFileBytes, int maxEntries, int maxGrepMatches,
        Duration searchTimeout, InstantSource clock) {
    /** {@link System#nanoTime()} as an {@link InstantSource}: it never jumps, as the wall clock can. */
    public static final InstantSource MONOTONIC = () -> Instant.ofEpochSecond(0, System.nanoTime());

    public FsLimits {
        Objects.requireNonNull(searchTimeout, "searchTimeout");
        Objects.requireNonNull(clock, "clock");
    }
}
