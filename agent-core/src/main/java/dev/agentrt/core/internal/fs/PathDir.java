package dev.agentrt.core.internal.fs;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Dir} for platforms without {@code SecureDirectoryStream}: a path with no link in it. The
 * last element of every open is not followed, and after each open the real path of what was opened
 * is compared with the path that was checked, so a link swapped in before the open is refused.
 */
final class PathDir implements Dir {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Path path;
    private final String display;

    PathDir(Path path, String display) {
        this.path = path;
        this.display = display;
    }

    @Override
    public String display() {
        return display;
    }

    @Override
    public @Nullable BasicFileAttributes attributes(String name) throws IOException {
        try {
            return Files.readAttributes(path.resolve(name), BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Fails unless {@code p} is still reached without any link, as the same file that was checked. */
    private void recheck(Path p, BasicFileAttributes checked, String shown) throws IOException {
        BasicFileAttributes now;
        try {
            now = Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            throw Entries.swapped(shown);
        }
        if (!p.toRealPath().equals(p) || now.isSymbolicLink()
                || !Objects.equals(now.fileKey(), checked.fileKey())) {
            throw Entries.swapped(shown);
        }
    }

    @Override
    public Dir openDir(String name, boolean create) throws IOException {
        Path child = path.resolve(name);
        BasicFileAttributes a = attributes(name);
        if (a == null && create) {
            if (!path.toRealPath().equals(path)) {
                throw Entries.swapped(display.isEmpty() ? "." : display);
            }
            Confined.beforeCreateDirectory(child);
            try {
                Files.createDirectory(child);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // Created concurrently; the checks below decide whether it may be entered.
            }
            if (!path.toRealPath().equals(path)) {
                throw Entries.swapped(display.isEmpty() ? "." : display);
            }
            a = attributes(name);
        }
        Entries.requireDirectory(a, display(name));
        Confined.beforeOpen(child);
        recheck(child, Objects.requireNonNull(a), display(name));
        return new PathDir(child, display(name));
    }

    @Override
    public SeekableByteChannel openRead(String name) throws IOException {
        Path file = path.resolve(name);
        BasicFileAttributes a = attributes(name);
        Entries.requireFile(a, display(name));
        Confined.beforeOpen(file);
        SeekableByteChannel channel;
        try {
            channel = Files.newByteChannel(file, StandardOpenOption.READ, NOFOLLOW);
        } catch (NoSuchFileException e) {
            throw ConfinementException.invalid("no such file: " + display(name));
        } catch (AccessDeniedException e) {
            throw e;
        } catch (IOException e) {
            throw Entries.swapped(display(name));
        }
        try {
            recheck(file, Objects.requireNonNull(a), display(name));
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public SeekableByteChannel create(String name) throws IOException {
        return Files.newByteChannel(path.resolve(name), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                NOFOLLOW);
    }

    @Override
    public void replace(String from, String to) throws IOException {
        if (!path.toRealPath().equals(path)) {
            throw Entries.swapped(display);
        }
        Files.move(path.resolve(from), path.resolve(to), StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void delete(String name) throws IOException {
        Files.delete(path.resolve(name));
    }

    @Override
    public void copyPermissions(String from, String to) throws IOException {
        PosixFileAttributeView source = Files.getFileAttributeView(path.resolve(from), PosixFileAttributeView.class,
                NOFOLLOW);
        PosixFileAttributeView target = Files.getFileAttributeView(path.resolve(to), PosixFileAttributeView.class,
                NOFOLLOW);
        if (source != null && target != null) {
            target.setPermissions(source.readAttributes().permissions());
        }
    }

    @Override
    public @Nullable Object fileKey() throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW).fileKey();
    }

    @Override
    public List<String> names() throws IOException {
        var names = new ArrayList<String>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
            for (Path p : entries) {
                names.add(p.getFileName().toString());
            }
        }
        names.sort(null);
        return names;
    }

    @Override
    public void close() {
        // Nothing is held open.
    }
}
