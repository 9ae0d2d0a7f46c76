package dev.agentrt.tools.internal.fs;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
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
    public Dir openDir(String name, boolean create) throws IOException {
        BasicFileAttributes a = attributes(name);
        if (a == null && create) {
            // No mkdirat in the JDK: create by path, then open relative to this descriptor without
            // following links, so a directory swapped in elsewhere is never entered.
            try {
                Files.createDirectory(path.resolve(name));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // Created concurrently; the checks below decide whether it may be entered.
            }
            a = attributes(name);
        }
        Entries.requireDirectory(a, display(name));
        SecureDirectoryStream<Path> child;
        try {
            child = stream.newDirectoryStream(entry(name), NOFOLLOW);
        } catch (NoSuchFileException e) {
            throw FsException.invalid("no such directory: " + display(name));
        } catch (FileSystemException e) {
            throw Entries.swapped(display(name));
        }
        return new SecureDir(child, path.resolve(name), display(name));
    }

    @Override
    public SeekableByteChannel openRead(String name) throws IOException {
        Entries.requireFile(attributes(name), display(name));
        try {
            return stream.newByteChannel(entry(name), Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException e) {
            throw FsException.invalid("no such file: " + display(name));
        } catch (FileSystemException e) {
            throw Entries.swapped(display(name));
        }
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
