package dev.agentrt.tools.fs;

import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolSource;
import dev.agentrt.tools.internal.fs.FsLimits;
import dev.agentrt.tools.internal.fs.FsTools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Tools that read, write, edit, list and search files below one root directory:
 * {@code read_file}, {@code write_file}, {@code edit_file}, {@code list_directory}, {@code glob} and
 * {@code grep}.
 *
 * <pre>{@code
 * FileSystemTools fs = FileSystemTools.rootedAt(project);
 * Agent agent = Agent.builder()
 *     .model(model)
 *     .tools(fs.tools())
 *     .grant(Capability.fileRead(project), Capability.fileWrite(project.resolve("out")))
 *     .build();
 * }</pre>
 *
 * <h2>Security</h2>
 * The tools add no authority of their own: each call asks for {@code FileRead} (or {@code FileWrite};
 * {@code edit_file} both) of the exact absolute path it touches, and the registry checks that against
 * the task's grants before the call runs. On top of that every call is confined to the root:
 * <ul>
 *   <li>Paths are relative to the root, separated by {@code /}; an absolute path is accepted only
 *       inside the root; {@code ..} is resolved lexically and may not leave the root. A path with a
 *       backslash, a Windows drive ({@code C:}) or a NUL character is refused. These refusals are
 *       {@code INVALID_ARGUMENTS} results, made before any capability check.
 *   <li>Symbolic links are never followed. The file system is walked one directory at a time from
 *       the root, each step opened relative to the previous one without following a link (through a
 *       {@code SecureDirectoryStream} where the platform has one; elsewhere by re-checking the real path
 *       after each open). A path through a link, including a link swapped in after the capability
 *       check, is refused with a {@code PERMISSION_DENIED} result. A link that points out of the root
 *       is normally refused earlier, by the capability check, which resolves links.
 *   <li>{@code write_file} and {@code edit_file} write a temporary file in the target's directory and
 *       rename it over the target in one atomic step (never through a link at the target): readers see
 *       the old or the new content, and a failed write leaves the old content and no temporary file.
 *       {@code write_file} creates missing parent directories.
 * </ul>
 *
 * <h2>Limits</h2>
 * Text is UTF-8; files with NUL bytes or invalid UTF-8 in their first 8 KiB are binary and refused
 * (skipped by {@code grep}). Outputs longer than {@link Builder#maxOutputChars} end with
 * {@code [... truncated: N more characters]}; {@code read_file} instead says which {@code offset} to
 * continue from. {@code glob} and {@code grep} stop at {@link Builder#searchTimeout}, which also
 * bounds a regular expression that backtracks catastrophically.
 *
 * <p>Immutable and thread-safe. The tools block (file I/O) and say so through {@link Tool#blocking()},
 * so the registry runs them on {@code AgentSchedulers.blocking()}. {@link #rootedAt} and
 * {@link Builder#build()} resolve the root's real path and so block briefly.
 */
public final class FileSystemTools implements ToolSource {
    public static final String READ_FILE = "read_file";
    public static final String WRITE_FILE = "write_file";
    public static final String EDIT_FILE = "edit_file";
    public static final String LIST_DIRECTORY = "list_directory";
    public static final String GLOB = "glob";
    public static final String GREP = "grep";

    private final Path root;
    private final Path realRoot;
    private final boolean readOnly;
    private final int maxOutputChars;
    private final long maxFileBytes;
    private final int maxEntries;
    private final int maxGrepMatches;
    private final Duration searchTimeout;
    private final InstantSource clock;
    private final List<Tool> tools;

    private FileSystemTools(Builder b, Path realRoot) {
        this.root = b.root;
        this.realRoot = realRoot;
        this.readOnly = b.readOnly;
        this.maxOutputChars = b.maxOutputChars;
        this.maxFileBytes = b.maxFileBytes;
        this.maxEntries = b.maxEntries;
        this.maxGrepMatches = b.maxGrepMatches;
        this.searchTimeout = b.searchTimeout;
        this.clock = b.clock;
        this.tools = FsTools.create(root, realRoot,
                new FsLimits(maxOutputChars, maxFileBytes, maxEntries, maxGrepMatches, searchTimeout, clock), readOnly);
    }

    /** All six tools with the default limits, confined to {@code root} (an existing directory). */
    public static FileSystemTools rootedAt(Path root) {
        return builder(root).build();
    }

    /** A builder for tools confined to {@code root}, which must be an existing directory when built. */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** A builder holding these settings, to make a variant. */
    public Builder toBuilder() {
        Builder b = new Builder(root);
        b.readOnly = readOnly;
        b.maxOutputChars = maxOutputChars;
        b.maxFileBytes = maxFileBytes;
        b.maxEntries = maxEntries;
        b.maxGrepMatches = maxGrepMatches;
        b.searchTimeout = searchTimeout;
        b.clock = clock;
        return b;
    }

    /** The tools, for {@code Agent.builder().tools(...)} or a {@code ToolRegistry}. */
    @Override
    public List<Tool> tools() {
        return tools;
    }

    /** The tool named {@code name} ({@link #READ_FILE}, ...), if this set has it. */
    public Optional<Tool> tool(String name) {
        Objects.requireNonNull(name, "name");
        return tools.stream().filter(t -> t.spec().name().equals(name)).findFirst();
    }

    /** The real path of the root: what the tools' capability requests are below. */
    public Path root() {
        return realRoot;
    }

    /** Whether only the reading tools are included (no {@code write_file}, no {@code edit_file}). */
    public boolean readOnly() {
        return readOnly;
    }

    public int maxOutputChars() {
        return maxOutputChars;
    }

    public long maxFileBytes() {
        return maxFileBytes;
    }

    public int maxEntries() {
        return maxEntries;
    }

    public int maxGrepMatches() {
        return maxGrepMatches;
    }

    public Duration searchTimeout() {
        return searchTimeout;
    }

    @Override
    public String toString() {
        return "FileSystemTools[root=" + realRoot + (readOnly ? ", read-only" : "") + "]";
    }

    /** Settings of a {@link FileSystemTools}. Not thread-safe; {@link #build()} copies into an immutable set. */
    public static final class Builder {
        private final Path root;
        private boolean readOnly;
        private int maxOutputChars = 50_000;
        private long maxFileBytes = 10L * 1024 * 1024;
        private int maxEntries = 1_000;
        private int maxGrepMatches = 200;
        private Duration searchTimeout = Duration.ofSeconds(10);
        private InstantSource clock = FsLimits.MONOTONIC;

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        }

        /** Only {@code read_file}, {@code list_directory}, {@code glob} and {@code grep}. */
        public Builder readOnly() {
            return readOnly(true);
        }

        public Builder readOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        /** The longest result text (default 50,000 characters); longer output ends with a truncation marker. */
        public Builder maxOutputChars(int maxOutputChars) {
            this.maxOutputChars = maxOutputChars;
            return this;
        }

        /** The largest file written, edited or searched (default 10 MiB); {@code read_file} reads larger ones by line range. */
        public Builder maxFileBytes(long maxFileBytes) {
            this.maxFileBytes = maxFileBytes;
            return this;
        }

        /** The most entries {@code list_directory} and {@code glob} return (default 1,000). */
        public Builder maxEntries(int maxEntries) {
            this.maxEntries = maxEntries;
            return this;
        }

        /** The most matching lines {@code grep} returns (default 200). */
        public Builder maxGrepMatches(int maxGrepMatches) {
            this.maxGrepMatches = maxGrepMatches;
            return this;
        }

        /** How long one {@code glob} or {@code grep} may search (default 10 s); it then returns what it found. */
        public Builder searchTimeout(Duration searchTimeout) {
            this.searchTimeout = Objects.requireNonNull(searchTimeout, "searchTimeout");
            return this;
        }

        /**
         * The clock {@link #searchTimeout} is measured on: by default a monotonic one (not the wall
         * clock, which can jump). A test passes a clock it moves itself, so that the time limit is reached
         * after a known amount of work whatever the speed of the machine.
         */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Checks the settings and resolves the root's real path (blocking briefly). Fails with
         * {@code IllegalArgumentException} naming the setting that is out of range, or the root when it
         * is not an existing directory.
         */
        public FileSystemTools build() {
            positive("maxOutputChars", maxOutputChars);
            positive("maxFileBytes", maxFileBytes);
            positive("maxEntries", maxEntries);
            positive("maxGrepMatches", maxGrepMatches);
            if (searchTimeout.isNegative() || searchTimeout.isZero()) {
                throw new IllegalArgumentException("searchTimeout must be positive, was " + searchTimeout);
            }
            if (!Files.isDirectory(root)) {
                throw new IllegalArgumentException("root must be an existing directory: " + root);
            }
            Path real;
            try {
                real = root.toRealPath();
            } catch (IOException e) {
                throw new IllegalArgumentException("root must be an existing directory: " + root + " (" + e + ")", e);
            }
            return new FileSystemTools(this, real);
        }

        private static void positive(String setting, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(setting + " must be positive, was " + value);
            }
        }
    }
}
