package dev.agentrt.tools.internal.fs;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits every file-system tool of one set obeys.
 *
 * @param maxOutputChars longest result text; longer output ends with a truncation marker
 * @param maxFileBytes largest file written, edited or searched
 * @param maxEntries most entries {@code list_directory} and {@code glob} return
 * @param maxGrepMatches most matching lines {@code grep} returns
 * @param searchTimeout how long {@code glob} and {@code grep} may walk and match
 */
public record FsLimits(int maxOutputChars, long maxFileBytes, int maxEntries, int maxGrepMatches,
        Duration searchTimeout) {
    public FsLimits {
        Objects.requireNonNull(searchTimeout, "searchTimeout");
    }
}
