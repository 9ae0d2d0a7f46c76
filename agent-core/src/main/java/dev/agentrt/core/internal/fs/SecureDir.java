package dev.agentrt.core.internal.fs;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A {@link Dir} held as an open directory descriptor: every entry is reached relative to it, never through a link. */
final class SecureDir implements Dir {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final SecureDirectoryStream<Path> stream;
    private final Path path;
    private final String display;

    SecureDir(SecureDirectoryStream<Path> stream, Path path, String display) {
        this.stream = stream;
        this.path = path;
        this.display = display;
    }

    @Override
    public String display() {
        return display;
    }

    private Path entry(String name) {
        return path.getFileSystem().getPath(name);
    }

    @Override
    public @Nullable BasicFileAttributes attributes(String name) throws IOException {
        try {
            return stream.getFileAttributeView(entry(name), BasicFileAttributeView.class, NOFOLLOW)
                    .readAttributes();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public @Nullable Object fileKey() throws IOException {
        return ownKey();
    }

    private @Nullable Object ownKey() throws IOException {
        return stream.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey();
    }

    /** Whether {@link #path} still leads, without any link, to this open directory. */
    private boolean pathLeadsHere() throws IOException {
        try {
            Object key = ownKey();
            return key != null && path.toRealPath().equals(path)
                    && key.equals(Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW).fileKey());
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public Dir openDir(String name, boolean create) throws IOException {
        BasicFileAttributes a = attributes(name);
        if (a == null && create) {
            // No mkdirat in the JDK: create by path, with the path verified to lead here before and
            // after, then enter it relative to this descriptor (see the package comment).
            if (!pathLeadsHere()) {
                throw Entries.swapped(display.isEmpty() ? "." : display);
            }
            Confined.beforeCreateDirectory(path.resolve(name));
            try {
                Files.createDirectory(path.resolve(name));
            } catch (FileAlreadyExistsException e) {
                // Created concurrently; the checks below decide whether it may be entered.
            }
            if (!pathLeadsHere()) {
                throw Entries.swapped(display.isEmpty() ? "." : display);
            }
            a = attributes(name);
        }
        Entries.requireDirectory(a, display(name));
        Confined.beforeOpen(path, name);
        SecureDirectoryStream<Path> child;
        try {
            child = stream.newDirectoryStream(entry(name), NOFOLLOW);
        } catch (AccessDeniedException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw ConfinementException.invalid("no such directory: " + display(name));
        } catch (IOException e) {
            // O_NOFOLLOW met a link (the JDK reports ELOOP as a plain I/O error) or a file replaced the
            // directory: whatever it is now, it is not what was checked.
            throw Entries.swapped(display(name));
        }
        // Opened relative to this descriptor without following a link: whatever directory it is now,
        // it is an entry of this one, so no further check is needed to stay inside.
        return new SecureDir(child, path.resolve(name), display(name));
    }

    @Override
    public SeekableByteChannel openRead(String name) throws IOException {
        Entries.requireFile(attributes(name), display(name));
        Confined.beforeOpen(path, name);
        SeekableByteChannel channel;
        try {
            channel = stream.newByteChannel(entry(name), Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
        } catch (AccessDeniedException e) {
            throw e;
        } catch (NoSuchFileException e) {
            throw ConfinementException.invalid("no such file: " + display(name));
        } catch (IOException e) {
            throw Entries.swapped(display(name));
        }
        return channel;
    }

    @Override
    public SeekableByteChannel create(String name) throws IOException {
        return stream.newByteChannel(entry(name),
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
    }

    @Override
    public void replace(String from, String to) throws IOException {
        // renameat(2): atomic, and it replaces a link at the target instead of following it.
        stream.move(entry(from), stream, entry(to));
    }

    @Override
    public void delete(String name) throws IOException {
        stream.deleteFile(entry(name));
    }

    @Override
    public void copyPermissions(String from, String to) throws IOException {
        PosixFileAttributeView source = stream.getFileAttributeView(entry(from), PosixFileAttributeView.class,
                NOFOLLOW);
        PosixFileAttributeView target = stream.getFileAttributeView(entry(to), PosixFileAttributeView.class, NOFOLLOW);
        if (source != null && target != null) {
            target.setPermissions(source.readAttributes().permissions());
        }
    }

    @Override
    public List<String> names() throws IOException {
        var names = new ArrayList<String>();
        for (Path p : stream) {
            names.add(p.getFileName().toString());
        }
        names.sort(null);
        return names;
    }

    @Override
    public void close() throws IOException {
        stream.close();
    }
}
