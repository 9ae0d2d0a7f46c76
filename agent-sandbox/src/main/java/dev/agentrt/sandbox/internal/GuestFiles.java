package dev.agentrt.sandbox.internal;

import dev.agentrt.core.CapabilityDeniedException;
import dev.agentrt.core.SandboxException;
import dev.agentrt.core.internal.fs.Confined;
import dev.agentrt.core.internal.fs.ConfinementException;
import dev.agentrt.core.internal.fs.Dir;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.sandbox.Mount;
import io.roastedroot.zerofs.Configuration;
import io.roastedroot.zerofs.ZeroFs;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
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
 * real-path resolution of the mount, file by file, in both directions, and every host file is then
 * reached through the confinement layer ({@code dev.agentrt.core.internal.fs}): one element at a time
 * from the opened mount, never following a link, so what is copied is what was checked. Host symbolic
 * links are not followed on the way in, guest symbolic links never leave on the way out.
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
                files.copyIn(m, maxBytes);
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

    private void copyIn(Mount m, long maxBytes) {
        Path guestRoot = fs.getPath(m.guestPath());
        Path host = hostRoot(m);
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
            // Walked from the opened mount without following links: every grant is checked against
            // the path that is then opened, and a link swapped in on the way is refused.
            try (Dir dir = Confined.openReal(host)) {
                copyIn(dir, host, guestRoot, maxBytes);
            }
        } catch (ConfinementException e) {
            throw new SandboxException("cannot copy " + host + " into the sandbox: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SandboxException("cannot copy " + host + " into the sandbox: " + e.getMessage(), e);
        }
    }

    private void copyIn(Dir dir, Path hostDir, Path guestDir, long maxBytes) throws IOException {
        for (String name : dir.names()) {
            BasicFileAttributes a = dir.attributes(name);
            Path host = hostDir.resolve(name);
            // Symbolic links, devices and pipes stay on the host; so does what no grant lets read.
            if (a == null || a.isSymbolicLink() || !grants.allows(Capability.fileRead(host))) {
                continue;
            }
            Path guest = guestDir.resolve(name);
            if (a.isDirectory()) {
                Dir child;
                try {
                    child = dir.openDir(name, false);
                } catch (AccessDeniedException e) {
                    continue;
                } catch (ConfinementException e) {
                    if (e.denied()) {
                        throw e;
                    }
                    continue;
                }
                try (child) {
                    Files.createDirectories(guest);
                    copyIn(child, host, guest, maxBytes);
                }
            } else if (a.isRegularFile()) {
                byte[] content;
                try {
                    content = Confined.readAll(dir, name, maxBytes);
                } catch (AccessDeniedException e) {
                    continue;
                } catch (ConfinementException e) {
                    if (e.denied()) {
                        throw e;
                    }
                    // Gone since it was listed, or too large for the guest's file system.
                    if (dir.attributes(name) == null) {
                        continue;
                    }
                    throw e;
                }
                Files.write(guest, content);
                copiedIn.put(guest.toString(), sha256(content));
            }
        }
    }

    private static Path hostRoot(Mount m) {
        try {
            return Confined.realPath(m.host());
        } catch (ConfinementException e) {
            throw new SandboxException("cannot mount " + m.host() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Copies what the guest created or changed in writable mounts back to the host, where a grant
     * covers the exact target. A target reached through a link (there before, or swapped in during
     * the copy) is refused, never written; other failures are {@link SandboxException}s.
     */
    CopyBack copyBack() {
        var written = new ArrayList<Path>();
        var refused = new ArrayList<String>();
        for (Mount m : mounts) {
            if (!m.writable()) {
                continue;
            }
            Path guestRoot = fs.getPath(m.guestPath());
            Path hostRoot = hostRoot(m);
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
                    var names = new ArrayList<String>();
                    for (Path element : guestRoot.relativize(p)) {
                        names.add(element.toString());
                    }
                    Path target = hostRoot.resolve(String.join("/", names));
                    if (!grants.allows(Capability.fileWrite(target))) {
                        refused.add(p.toString());
                        continue;
                    }
                    // The grant was checked for exactly this path, and exactly this path is written:
                    // every element is opened from the mount without following links.
                    try (Dir dir = Confined.openReal(hostRoot, names.subList(0, names.size() - 1), true)) {
                        Confined.writeAtomically(dir, names.getLast(), content);
                    } catch (ConfinementException e) {
                        if (!e.denied()) {
                            throw e;
                        }
                        refused.add(p.toString());
                        continue;
                    }
                    written.add(target);
                }
            } catch (IOException e) {
                throw new SandboxException("cannot copy the sandbox's files back to " + hostRoot + ": "
                        + e.getMessage(), e);
            }
        }
        return new CopyBack(written, refused);
    }

    record CopyBack(List<Path> written, List<String> refused) {
        static final CopyBack NONE = new CopyBack(List.of(), List.of());
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
