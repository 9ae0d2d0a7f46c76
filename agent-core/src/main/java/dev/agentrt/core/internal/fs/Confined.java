package dev.agentrt.core.internal.fs;

import dev.agentrt.core.security.PathPolicy;
import org.jspecify.annotations.Nullable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Opens, reads and writes files confined to a directory: the entry points of the confinement layer.
 * A path is walked one element at a time from an opened directory ({@link Dir}), never following a
 * symbolic link, and files are opened, created and renamed relative to their opened parent, so what
 * is used is what was checked. All methods block; they are stateless and thread-safe.
 */
public final class Confined {
    /** Test seam between a check and the use it guards; does nothing in production. */
    interface Hook {
        default void beforeOpen(Path path) throws IOException {}

        default void beforeCreateDirectory(Path path) throws IOException {}
    }

    static final Hook NO_HOOK = new Hook() {};

    static volatile Hook hook = NO_HOOK;

    private Confined() {}

    static void beforeOpen(Path path) throws IOException {
        Hook h = hook;
        if (h != NO_HOOK) {
            h.beforeOpen(path);
        }
    }

    static void beforeOpen(Path dir, String name) throws IOException {
        Hook h = hook;
        if (h != NO_HOOK) {
            h.beforeOpen(dir.resolve(name));
        }
    }

    static void beforeCreateDirectory(Path path) throws IOException {
        Hook h = hook;
        if (h != NO_HOOK) {
            h.beforeCreateDirectory(path);
        }
    }

    /**
     * Opens the directory {@code root} (its real path, which the caller trusts) as a {@link Dir}
     * displayed as the empty path: a descriptor where the platform allows.
     */
    public static Dir openRoot(Path root) throws IOException {
        return openRoot(root, "");
    }

    private static Dir openRoot(Path root, String display) throws IOException {
        DirectoryStream<Path> stream = Files.newDirectoryStream(root);
        if (stream instanceof SecureDirectoryStream<Path> secure) {
            return new SecureDir(secure, root, display);
        }
        stream.close();
        return new PathDir(root, display);
    }

    /** Opens the directory {@code names} below {@code root} without following links, creating missing ones if asked. */
    public static Dir open(Path root, List<String> names, boolean create) throws IOException {
        return walk(openRoot(root), names, create);
    }

    /**
     * Opens the directory at the absolute, real path {@code real} by walking from the file-system root
     * without following any link: a link anywhere on the way is refused as {@linkplain
     * ConfinementException#denied() denied}, so what is opened is exactly the path a grant was checked
     * against.
     */
    public static Dir openReal(Path real) throws IOException {
        Path top = real.getRoot();
        if (top == null) {
            throw ConfinementException.invalid("not an absolute path: " + real);
        }
        var names = new ArrayList<String>();
        for (Path name : real) {
            names.add(name.toString());
        }
        return walk(openRoot(top, top.toString()), names, false);
    }

    /**
     * Opens the directory {@code below} the absolute, real path {@code real}, both walked without
     * following any link ({@link #openReal(Path)}), creating missing directories below {@code real}
     * if asked.
     */
    public static Dir openReal(Path real, List<String> below, boolean create) throws IOException {
        return walk(openReal(real), below, create);
    }

    /**
     * Whether the directory now at the absolute, real path {@code real} is {@code dir} itself (same
     * file key): then using {@code dir} is using {@code real}, whatever happens to the path next. A
     * directory without a file key is never the same.
     */
    public static boolean stillAt(Dir dir, Path real) throws IOException {
        Object key = dir.fileKey();
        try {
            return key != null && key.equals(
                    Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey());
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static Dir walk(Dir start, List<String> names, boolean create) throws IOException {
        Dir dir = start;
        try {
            for (String name : names) {
                Dir next = dir.openDir(name, create);
                dir.close();
                dir = next;
            }
            return dir;
        } catch (IOException | RuntimeException e) {
            closeQuietly(dir, e);
            throw e;
        }
    }

    /**
     * The real path of {@code path} for a grant check, where a link whose target is missing leads to
     * that target ({@link PathPolicy#realPath}); a loop of links is {@linkplain
     * ConfinementException#denied() denied}.
     */
    public static Path realPath(Path path) throws ConfinementException {
        try {
            return PathPolicy.realPath(path);
        } catch (IllegalArgumentException e) {
            throw ConfinementException.denied("cannot resolve " + path + ": " + e.getMessage());
        }
    }

    /**
     * The whole content of the regular file {@code name} in {@code dir}, refusing a link; fails with
     * an invalid {@link ConfinementException} when it is larger than {@code maxBytes}.
     */
    public static byte[] readAll(Dir dir, String name, long maxBytes) throws IOException {
        try (SeekableByteChannel in = dir.openRead(name)) {
            long size = in.size();
            if (size > maxBytes) {
                throw tooLarge(dir.display(name), size, maxBytes);
            }
            var out = new ByteArrayOutputStream((int) size);
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(8192, size + 1));
            while (in.read(buffer.clear()) >= 0) {
                out.write(buffer.array(), 0, buffer.position());
                if (out.size() > maxBytes) {
                    throw tooLarge(dir.display(name), out.size(), maxBytes);
                }
            }
            return out.toByteArray();
        }
    }

    private static ConfinementException tooLarge(String shown, long size, long maxBytes) {
        return ConfinementException.invalid(shown + " has " + size + " bytes, more than the limit of " + maxBytes);
    }

    /**
     * Replaces (or creates) {@code name} in {@code dir} with {@code content}: written to a new temporary
     * file in the same directory, forced to disk, then renamed over the target in one atomic step (a
     * link at the target is replaced, never followed). A reader sees the old content or the new, never a
     * part; on any failure the temporary file is deleted and the old content stays.
     *
     * @return whether the file existed before
     */
    public static boolean writeAtomically(Dir dir, String name, byte[] content) throws IOException {
        BasicFileAttributes existing = dir.attributes(name);
        if (existing != null) {
            Entries.requireFile(existing, dir.display(name));
        }
        String temp = "." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp";
        boolean created = false;
        boolean done = false;
        try {
            try (SeekableByteChannel out = dir.create(temp)) {
                created = true;
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                if (out instanceof FileChannel file) {
                    file.force(true);
                }
            }
            if (existing != null) {
                dir.copyPermissions(name, temp);
            }
            BasicFileAttributes now = dir.attributes(name);
            if (now != null) {
                Entries.requireFile(now, dir.display(name));
            }
            dir.replace(temp, name);
            done = true;
            return existing != null;
        } finally {
            if (created && !done) {
                try {
                    dir.delete(temp);
                } catch (IOException e) {
                    // Nothing was created, or it is gone already: nothing is left behind either way.
                }
            }
        }
    }

    /** Closes {@code dir}, recording a failure to close on {@code failure}. */
    public static void closeQuietly(@Nullable Dir dir, Throwable failure) {
        if (dir == null) {
            return;
        }
        try {
            dir.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
