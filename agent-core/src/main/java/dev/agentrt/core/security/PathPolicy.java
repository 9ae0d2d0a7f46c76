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

    private static final int MAX_LINKS = 40;

    /**
     * The real location of {@code path}; a path that does not exist yet resolves through its deepest
     * existing ancestor. A symbolic link whose target is missing resolves to where its target would
     * be (that is where a write through it would land), so a dangling link inside a grant that points
     * outside is outside. Blocks.
     *
     * @throws IllegalArgumentException if symbolic links loop, or the path cannot be resolved at all
     */
    public static Path realPath(Path path) {
        Path abs = lexical(path);
        for (int hops = 0; hops <= MAX_LINKS; hops++) {
            Path existing = abs;
            while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
                existing = existing.getParent();
            }
            if (existing == null) {
                return abs;
            }
            Path rest = existing.relativize(abs);
            try {
                Path real = existing.toRealPath();
                return rest.toString().isEmpty() ? real : real.resolve(rest).normalize();
            } catch (IOException e) {
                // The deepest existing element is, or goes through, a link whose target is missing:
                // follow it by hand to where its target would be, never fall back to the lexical path.
                abs = throughDanglingLink(existing, e).resolve(rest).normalize();
            }
        }
        throw new IllegalArgumentException("too many levels of symbolic links: " + path);
    }

    /** Where {@code existing} leads when following its links ends at a missing target. */
    private static Path throughDanglingLink(Path existing, IOException failure) {
        Path parent = existing.getParent();
        if (!Files.isSymbolicLink(existing) || parent == null) {
            throw new IllegalArgumentException("cannot resolve " + existing + ": " + failure.getMessage(), failure);
        }
        try {
            Path target = Files.readSymbolicLink(existing);
            return parent.toRealPath().resolve(target);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot resolve " + existing + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether {@code requested} is {@code grant} or below it, comparing real paths; {@code false} when
     * either cannot be resolved (a loop of links). Blocks.
     */
    public static boolean within(Path requested, Path grant) {
        try {
            Path req = realPath(requested);
            Path root = realPath(grant);
            return req.startsWith(root);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
