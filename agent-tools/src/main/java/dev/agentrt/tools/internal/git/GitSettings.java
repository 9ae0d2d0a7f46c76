package dev.agentrt.tools.internal.git;

import org.jspecify.annotations.Nullable;

import java.nio.file.Path;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.Objects;

/**
 * What every git tool of one set shares.
 *
 * @param root the real path of the repository's work tree (its {@code .git} directory is inside)
 * @param authorName the commit author's name, or {@code null} for the repository's {@code user.name}
 * @param authorEmail the commit author's e-mail, or {@code null} for the repository's {@code user.email}
 * @param clock the time commits are made at
 * @param zone the time zone commits are recorded in
 * @param maxOutputChars longest result text
 * @param maxLogEntries most commits {@code git_log} lists
 * @param maxFileBytes largest file content a diff shows as text (larger ones count as binary)
 * @param pushRemote the real path of the one repository on this machine {@code git_push} may push to, or {@code null}
 * @param httpRemote the one smart-HTTP(S) repository {@code git_push} may push to, or {@code null}; at most one of
 *        {@code pushRemote} and {@code httpRemote} is set, and {@code git_push} exists only when one is
 */
public record GitSettings(Path root, @Nullable String authorName, @Nullable String authorEmail, InstantSource clock,
        ZoneId zone, int maxOutputChars, int maxLogEntries, int maxFileBytes, @Nullable Path pushRemote,
        @Nullable HttpRemote httpRemote) {
    public GitSettings {
        Objects.requireNonNull(root, "root");
        if (pushRemote != null && httpRemote != null) {
            throw new IllegalArgumentException("git_push has one remote: a path or a URL, not both");
        }
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(zone, "zone");
    }
}
