package dev.agentrt.core.context;

import java.util.List;
import java.util.Objects;

/**
 * How {@link TaskContext#fromDirectory(java.nio.file.Path, DirectoryOptions)} walks a directory.
 *
 * <pre>{@code
 * DirectoryOptions options = DirectoryOptions.defaults()
 *         .withMaxFiles(500)
 *         .withExtraIgnorePatterns(List.of("*.min.js", "/docs/generated/"));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param maxFileBytes files larger than this many bytes are skipped; positive
 * @param maxFiles the walk stops after this many files; positive
 * @param respectGitignore whether {@code .gitignore} files (at the root and in every subdirectory) and
 *     {@code .git/info/exclude} are honoured; the {@code .git} directory is skipped either way
 * @param extraIgnorePatterns further patterns in gitignore syntax, relative to the root; they take precedence over
 *     every ignore file, as git's command-line excludes do, and apply even when {@code respectGitignore} is false
 */
public record DirectoryOptions(
        long maxFileBytes, int maxFiles, boolean respectGitignore, List<String> extraIgnorePatterns) {
    /** Default {@link #maxFileBytes()}: 1 MiB. */
    public static final long DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

    /** Default {@link #maxFiles()}: 10,000. */
    public static final int DEFAULT_MAX_FILES = 10_000;

    private static final DirectoryOptions DEFAULTS = new DirectoryOptions(DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_FILES,
            true, List.of());

    public DirectoryOptions {
        if (maxFileBytes <= 0) {
            throw new IllegalArgumentException("maxFileBytes must be positive: " + maxFileBytes);
        }
        if (maxFiles <= 0) {
            throw new IllegalArgumentException("maxFiles must be positive: " + maxFiles);
        }
        extraIgnorePatterns = List.copyOf(Objects.requireNonNull(extraIgnorePatterns, "extraIgnorePatterns"));
    }

    /** Files up to 1 MiB, at most 10,000 files, {@code .gitignore} honoured, no extra patterns. */
    public static DirectoryOptions defaults() {
        return DEFAULTS;
    }

    public DirectoryOptions withMaxFileBytes(long maxFileBytes) {
        return new DirectoryOptions(maxFileBytes, maxFiles, respectGitignore, extraIgnorePatterns);
    }

    public DirectoryOptions withMaxFiles(int maxFiles) {
        return new DirectoryOptions(maxFileBytes, maxFiles, respectGitignore, extraIgnorePatterns);
    }

    public DirectoryOptions withRespectGitignore(boolean respectGitignore) {
        return new DirectoryOptions(maxFileBytes, maxFiles, respectGitignore, extraIgnorePatterns);
    }

    public DirectoryOptions withExtraIgnorePatterns(List<String> extraIgnorePatterns) {
        return new DirectoryOptions(maxFileBytes, maxFiles, respectGitignore, extraIgnorePatterns);
    }
}
