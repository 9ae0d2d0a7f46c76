package dev.agentrt.core.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How file capabilities compare paths. A requested path is within a granted one when, after
 * <em>both</em> are made absolute, normalised ({@code .} and {@code ..} removed) and resolved to
 * their real location (symbolic links followed, letter case as stored on case-insensitive file
 * systems), the request equals the grant or lies below it, compared element by element (so
 * {@code /srv/app2} is not within {@code /srv/app}).
 *
 * <p>For a path that does not exist yet (a file about to be written), the longest existing
 * ancestor is resolved and the rest appended, so a symlinked parent cannot smuggle a write out
 * of the grant. Relative paths are relative to the JVM's working directory; tools resolve their
 * own relative arguments against their root before asking.
 *
 * <p>{@link #realPath} touches the file system and so blocks: the runtime calls it on the blocking
 * scheduler.
 */
public final class PathPolicy {
    private PathPolicy() {}

    /** Absolute and normalised, without touching the file system. */
    public static Path lexical(Path path) {
        Objects.requireNonNull(path, "path");
        String s = path.toString();
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("path contains a NUL character");
        }
        return path.toAbsolutePath().normalize();
    }

    /** The real location of {@code path}; a path that does not exist yet resolves through its deepest existing ancestor. Blocks. */
    public static Path realPath(Path path) {
        Path abs = lexical(path);
        Path existing = abs;
        int depth = 0;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
            depth++;
        }
        if (existing == null) {
            return abs;
        }
        try {
            Path real = existing.toRealPath();
            if (depth == 0) {
                return real;
            }
            return real.resolve(existing.relativize(abs)).normalize();
        } catch (IOException e) {
            // A dangling symlink or a race with a delete: fall back to the lexical form, which a
            // grant still has to cover; nothing outside the lexical prefix is reachable this way.
            return abs;
        }
    }

    /** Whether {@code requested} is {@code grant} or below it, comparing real paths. Blocks. */
    public static boolean within(Path requested, Path grant) {
        Path req = realPath(requested);
        Path root = realPath(grant);
        return req.startsWith(root);
    }
}
