package dev.agentrt.tools.mcp;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.PatternSyntaxException;

/**
 * Files of one directory an {@link McpServer} serves as {@code file://} resources: the regular files
 * below {@code directory} whose path relative to it matches one of {@code globs} ({@link
 * java.nio.file.FileSystem#getPathMatcher glob syntax}, {@code /}-separated: {@code **} for every file,
 * {@code *.md} for the Markdown files at the top, {@code docs/**} for those below {@code docs}).
 *
 * <pre>{@code
 * McpServer.builder(tools)
 *     .resources(McpFileResources.of(Path.of("/srv/docs"), "**.md", "**.txt").withMaxFileBytes(1 << 20))
 *     .grant(Capability.fileRead(Path.of("/srv/docs")))
 *     .build();
 * }</pre>
 *
 * <p>Reads go through agent-core's confinement layer: walked from the opened directory one element at
 * a time, never following a symbolic link (a link, dangling or not, is refused and never listed), and
 * each file is checked against the server's grants ({@code file-read}) before it is opened.
 *
 * @param directory the directory; its real path is what the resources' URIs name
 * @param globs which files below it are served; at least one
 * @param maxFileBytes a larger file is not listed and is refused when read (4 MiB by default); the
 *     content travels in one message, base64 for a binary file
 * @param maxFiles at most this many files are listed, in path order (10,000 by default); a file past
 *     that can still be read
 */
public record McpFileResources(Path directory, List<String> globs, long maxFileBytes, int maxFiles) {
    /** The default of {@link #maxFileBytes()}: 4 MiB. */
    public static final long DEFAULT_MAX_FILE_BYTES = 4L * 1024 * 1024;

    /** The default of {@link #maxFiles()}. */
    public static final int DEFAULT_MAX_FILES = 10_000;

    public McpFileResources {
        Objects.requireNonNull(directory, "directory");
        globs = List.copyOf(globs);
        if (globs.isEmpty()) {
            throw new IllegalArgumentException("globs must name at least one pattern, such as \"**\" for every file");
        }
        for (String glob : globs) {
            try {
                FileSystems.getDefault().getPathMatcher("glob:" + glob);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("not a valid glob: \"" + glob + "\" (" + e.getDescription() + ")",
                        e);
            }
        }
        if (maxFileBytes < 1) {
            throw new IllegalArgumentException("maxFileBytes must be positive, was " + maxFileBytes);
        }
        if (maxFiles < 1) {
            throw new IllegalArgumentException("maxFiles must be positive, was " + maxFiles);
        }
    }

    /** The files of {@code directory} matching {@code globs} ({@code **} when none are given), with the default limits. */
    public static McpFileResources of(Path directory, String... globs) {
        return new McpFileResources(directory, globs.length == 0 ? List.of("**") : List.of(globs),
                DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_FILES);
    }

    public McpFileResources withMaxFileBytes(long maxFileBytes) {
        return new McpFileResources(directory, globs, maxFileBytes, maxFiles);
    }

    public McpFileResources withMaxFiles(int maxFiles) {
        return new McpFileResources(directory, globs, maxFileBytes, maxFiles);
    }
}
