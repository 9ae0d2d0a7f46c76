package dev.agentrt.core.internal.fs;

import org.jspecify.annotations.Nullable;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * An open directory, reached without following any symbolic link. Every operation names a direct
 * entry of this directory and never follows a symbolic link at that entry.
 *
 * <p>Where the platform offers a {@link java.nio.file.SecureDirectoryStream} (Linux, macOS) the
 * directory is an open file descriptor and entries are reached relative to it ({@code openat} with
 * {@code O_NOFOLLOW}), so swapping a directory of the path for a link after it was opened changes
 * nothing. Elsewhere it is a path whose real location is checked again after each open.
 *
 * <p>Refusals are {@link ConfinementException}s. Every method blocks. Not thread-safe; {@link
 * #names()} may be called once.
 */
public interface Dir extends Closeable {
    /**
     * The path of this directory relative to where the walk started, with {@code /} separators; empty
     * there, or the absolute path for a walk from the file-system root.
     */
    String display();

    /** {@link #display()} of the entry {@code name}. */
    default String display(String name) {
        String here = display();
        return here.isEmpty() ? name : here.endsWith("/") ? here + name : here + "/" + name;
    }

    /** The attributes of the entry itself (a link is not followed), or {@code null} if it does not exist. */
    @Nullable
    BasicFileAttributes attributes(String name) throws IOException;

    /**
     * Opens the sub-directory {@code name}, creating it first when {@code create} is set. Refuses a
     * symbolic link, a missing entry and anything else that is not a directory.
     */
    Dir openDir(String name, boolean create) throws IOException;

    /** Opens the regular file {@code name} for reading, refusing a symbolic link or any other kind of file. */
    SeekableByteChannel openRead(String name) throws IOException;

    /** Creates the new file {@code name} for writing; fails if anything exists at that name. */
    SeekableByteChannel create(String name) throws IOException;

    /** Renames {@code from} to {@code to} in one atomic step, replacing whatever {@code to} was (a link is not followed). */
    void replace(String from, String to) throws IOException;

    /** Deletes the file {@code name}. */
    void delete(String name) throws IOException;

    /** Copies the POSIX permissions of {@code from} onto {@code to}, where the file system has them. */
    void copyPermissions(String from, String to) throws IOException;

    /** The file key ({@link BasicFileAttributes#fileKey()}) of this directory itself, if the platform has one. */
    @Nullable
    Object fileKey() throws IOException;

    /** The names of the entries, sorted. */
    List<String> names() throws IOException;

    @Override
    void close() throws IOException;
}
