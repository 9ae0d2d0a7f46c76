package dev.agentrt.sandbox.internal;

import dev.agentrt.core.CapabilityDeniedException;
import dev.agentrt.core.SandboxException;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.PathPolicy;
import dev.agentrt.sandbox.Mount;
import io.roastedroot.zerofs.Configuration;
import io.roastedroot.zerofs.ZeroFs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run's file system: an in-memory tree (nothing of the host is mounted) filled from the host
 * before the run and read back after it. Every host path is checked against the grants after
 * real-path resolution, file by file, in both directions; host symbolic links are not followed on
 * the way in, guest symbolic links never leave on the way out.
 */
final class GuestFiles implements AutoCloseable {
    private final FileSystem fs;
    private final Map<String, Path> preopens = new LinkedHashMap<>();
    private final List<Mount> mounts;
    private final Grants grants;
    private final Map<String, String> copiedIn = new HashMap<>();

    private GuestFiles(FileSystem fs, List<Mount> mounts, Grants grants) {
        this.fs = fs;
        this.mounts = mounts;
        this.grants = grants;
    }

    /** Creates the tree and copies in what the grants allow. Blocks on host file I/O. */
    static GuestFiles prepare(List<Mount> mounts, Grants grants, long maxBytes) {
        FileSystem fs = ZeroFs.newFileSystem(Configuration.unix()
                .toBuilder()
                .setAttributeViews("unix")
                .setMaxSize(maxBytes)
                .setMaxCacheSize(0)
                .build());
        var files = new GuestFiles(fs, mounts, grants);
        try {
            for (Mount m : mounts) {
                files.copyIn(m);
            }
            return files;
        } catch (RuntimeException e) {
            files.close();
            throw e;
        }
    }

    /** Guest path → directory in the in-memory tree, in mount order (WASI numbers preopens so). */
    Map<String, Path> preopens() {
        return preopens;
    }

    private void copyIn(Mount m) {
        Path guestRoot = fs.getPath(m.guestPath());
        Path host = PathPolicy.realPath(m.host());
        boolean readable = grants.allows(Capability.fileRead(host));
        boolean writable = m.writable() && grants.allows(Capability.fileWrite(host));
        if (!readable && !writable) {
            Capability needed = Capability.fileRead(host);
            throw new CapabilityDeniedException("The sandbox cannot mount " + host + " at " + m.guestPath()
                    + ": no grant allows reading it" + (m.writable() ? " or writing to it" : "") + ".",
                    List.of(needed));
        }
        try {
            Files.createDirectories(guestRoot);
            preopens.put(m.guestPath(), guestRoot);
            if (!readable || !Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            Files.walkFileTree(host, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (!dir.equals(host) && !grants.allows(Capability.fileRead(dir))) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    Files.createDirectories(guestOf(guestRoot, host, dir));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    // Symbolic links, devices and pipes stay on the host.
                    if (attrs.isRegularFile() && grants.allows(Capability.fileRead(file))) {
                        byte[] content = Files.readAllBytes(file);
                        Path target = guestOf(guestRoot, host, file);
                        Files.write(target, content);
                        copiedIn.put(target.toString(), sha256(content));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new SandboxException("cannot copy " + host + " into the sandbox: " + e.getMessage(), e);
        }
    }

    /** Copies what the guest created or changed in writable mounts back to the host, where a grant covers the exact target. */
    CopyBack copyBack() {
        var written = new ArrayList<Path>();
        var refused = new ArrayList<String>();
        for (Mount m : mounts) {
            if (!m.writable()) {
                continue;
            }
            Path guestRoot = fs.getPath(m.guestPath());
            Path hostRoot = PathPolicy.realPath(m.host());
            try (var walk = Files.walk(guestRoot)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    byte[] content = Files.readAllBytes(p);
                    String before = copiedIn.get(p.toString());
                    if (before != null && before.equals(sha256(content))) {
                        continue;
                    }
                    Path target = hostRoot;
                    for (Path element : guestRoot.relativize(p)) {
                        target = target.resolve(element.toString());
                    }
                    Path real = PathPolicy.realPath(target);
                    if (!real.startsWith(hostRoot) || !grants.allows(Capability.fileWrite(real))) {
                        refused.add(p.toString());
                        continue;
                    }
                    Files.createDirectories(real.getParent());
                    try (OutputStream out = Files.newOutputStream(real, StandardOpenOption.CREATE,
                            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE,
                            LinkOption.NOFOLLOW_LINKS)) {
                        out.write(content);
                    }
                    written.add(real);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy the sandbox's files back to " + hostRoot, e);
            }
        }
        return new CopyBack(written, refused);
    }

    record CopyBack(List<Path> written, List<String> refused) {
        static final CopyBack NONE = new CopyBack(List.of(), List.of());
    }

    private static Path guestOf(Path guestRoot, Path hostRoot, Path hostFile) {
        Path target = guestRoot;
        for (Path element : hostRoot.relativize(hostFile)) {
            target = target.resolve(element.toString());
        }
        return target;
    }

    private static String sha256(byte[] content) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            fs.close();
        } catch (IOException e) {
            // An in-memory file system has nothing left to release.
        }
    }
}
