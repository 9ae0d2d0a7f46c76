package dev.agentrt.sandbox.internal.python;

import dev.agentrt.core.internal.fs.Confined;
import dev.agentrt.core.internal.fs.ConfinementException;
import dev.agentrt.core.internal.fs.Dir;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.sandbox.internal.js.HostFiles;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The host files of one Python run, moved through the confinement layer ({@code
 * dev.agentrt.core.internal.fs}) at the run's edges, since CPython reads and writes its in-memory file
 * system, not the host's; the guest sees a host path {@code /p} at {@code /guest/p}. Before the run,
 * each declared file is copied in if a
 * {@code FileRead} grant covers its real path, and a declared directory (read access only) is copied
 * in whole, read-only: walked from the opened directory one element at a time, symbolic links skipped
 * (never followed, whether their target is inside, outside or missing), entries no grant covers left
 * out, at most {@link #MAX_ENTRIES} entries and {@link #MAX_DIRECTORY_BYTES} bytes. After a run that
 * ended on its own, each file declared for writing that the script created or changed is written back,
 * atomically, if a {@code FileWrite} grant covers that exact real path at that moment.
 *
 * <p>Every {@code Files} call here takes a path of the run's in-memory file system (the guest side); host
 * files are opened only through {@code Confined}, relative to an opened directory, never by name.
 *
 * <p>Blocks on host file I/O; one instance serves one run, on the run's thread.
 */
public final class PythonFiles {
    /** The most entries (files and directories) one declared directory may hold. */
    static final int MAX_ENTRIES = 10_000;
    /** The most bytes of file content one run copies in. */
    static final long MAX_DIRECTORY_BYTES = 32L << 20;

    private static final PythonFiles NONE = new PythonFiles(List.of(), Grants.none(), 0);

    private final List<HostFiles.Declared> declared;
    private final Grants grants;
    private final long maxFileBytes;
    /** Guest path of each file declared for writing → what was copied in (absent: nothing was). */
    private final Map<String, byte[]> copiedIn = new HashMap<>();
    private int entries;
    private long bytes;

    public PythonFiles(List<HostFiles.Declared> declared, Grants grants, long maxFileBytes) {
        this.declared = List.copyOf(declared);
        this.grants = Objects.requireNonNull(grants, "grants");
        this.maxFileBytes = maxFileBytes;
    }

    public static PythonFiles none() {
        return NONE;
    }

    /** A declared file or directory the run cannot have; the message is for the model. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean denied;

        Refused(String message, boolean denied) {
            super(message, null, false, false);
            this.denied = denied;
        }

        /** Whether a grant was missing (rather than the file being unusable). */
        public boolean denied() {
            return denied;
        }
    }

    /** The guest paths declared for reading: read-only wherever they are, {@code /guest/tmp} included. */
    Set<String> readOnly() {
        var out = new LinkedHashSet<String>();
        for (HostFiles.Declared d : declared) {
            if (!d.write()) {
                out.add(PythonRun.guestPath(d.path().toString()));
            }
        }
        return out;
    }

    /** The guest paths the run may write besides {@code /guest/tmp}. */
    Set<String> writable() {
        var out = new LinkedHashSet<String>();
        for (HostFiles.Declared d : declared) {
            if (d.write()) {
                out.add(PythonRun.guestPath(d.path().toString()));
            }
        }
        return out;
    }

    /** Copies the declared files and directories into {@code fs}; throws {@link Refused}. */
    void copyIn(FileSystem fs) {
        for (HostFiles.Declared d : declared) {
            Path path = d.path();
            try {
                Path real = Confined.realPath(path);
                Path parent = real.getParent();
                Path name = real.getFileName();
                Capability read = Capability.fileRead(real);
                if (!d.write() && !grants.allows(read)) {
                    throw new Refused("permission denied: file-read:" + real + " is not granted, so '" + path
                            + "' cannot be copied into the sandbox", true);
                }
                Path guest = fs.getPath(path.toString());
                if (guest.getParent() != null) {
                    Files.createDirectories(guest.getParent());
                }
                if (parent == null || name == null || (d.write() && !grants.allows(read))) {
                    continue;
                }
                try (Dir dir = Confined.openReal(parent)) {
                    BasicFileAttributes a = dir.attributes(name.toString());
                    if (a == null) {
                        continue;
                    }
                    if (a.isDirectory()) {
                        if (d.write()) {
                            throw new Refused("'" + path + "' is a directory: a directory can be declared for"
                                    + " reading only (it is mounted read-only); declare each file to write", false);
                        }
                        Files.createDirectories(guest);
                        try (Dir child = dir.openDir(name.toString(), false)) {
                            copyTree(child, real, guest);
                        }
                    } else if (a.isRegularFile()) {
                        byte[] content = Confined.readAll(dir, name.toString(), maxFileBytes);
                        count(path, content.length);
                        Files.write(guest, content);
                        if (d.write()) {
                            copiedIn.put(path.toString(), content);
                        }
                    }
                }
            } catch (NoSuchFileException e) {
                // A missing parent: the file is absent in the sandbox as on the host.
            } catch (ConfinementException e) {
                throw new Refused((e.denied() ? "permission denied: '" : "cannot copy '") + path
                        + "' into the sandbox: " + e.getMessage(), e.denied());
            } catch (IOException e) {
                throw new Refused("cannot copy '" + path + "' into the sandbox: " + e.getMessage(), false);
            }
        }
    }

    private void copyTree(Dir dir, Path hostDir, Path guestDir) throws IOException {
        for (String name : dir.names()) {
            BasicFileAttributes a = dir.attributes(name);
            Path host = hostDir.resolve(name);
            // Links stay on the host, inside or outside the tree, with or without a target; so do devices,
            // pipes and what no grant lets read.
            if (a == null || a.isSymbolicLink() || !grants.allows(Capability.fileRead(host))) {
                continue;
            }
            Path guest = guestDir.resolve(name);
            if (a.isDirectory()) {
                count(host, 0);
                Dir child;
                try {
                    child = dir.openDir(name, false);
                } catch (AccessDeniedException e) {
                    continue;
                }
                try (child) {
                    Files.createDirectories(guest);
                    copyTree(child, host, guest);
                }
            } else if (a.isRegularFile()) {
                byte[] content;
                try {
                    content = Confined.readAll(dir, name, maxFileBytes);
                } catch (AccessDeniedException e) {
                    continue;
                }
                count(host, content.length);
                Files.write(guest, content);
            }
        }
    }

    private void count(Path host, long size) {
        entries++;
        bytes += size;
        if (entries > MAX_ENTRIES || bytes > MAX_DIRECTORY_BYTES) {
            throw new Refused("the declared files are too large for the sandbox at '" + host + "': at most "
                    + MAX_ENTRIES + " entries and " + (MAX_DIRECTORY_BYTES >> 20) + " MiB; declare a smaller"
                    + " directory", false);
        }
    }

    /**
     * Writes back each file declared for writing that the run created or changed, where a grant
     * allows it now. Returns a line for each file that was not written, for the run's stderr.
     */
    List<String> copyBack(FileSystem fs) {
        var notes = new ArrayList<String>();
        for (HostFiles.Declared d : declared) {
            if (!d.write()) {
                continue;
            }
            Path path = d.path();
            @Nullable
            String note = copyBack(fs, path);
            if (note != null) {
                notes.add("agentrt: '" + path + "' was not written to the host: " + note);
            }
        }
        return notes;
    }

    private @Nullable String copyBack(FileSystem fs, Path path) {
        Path guest = fs.getPath(path.toString());
        try {
            if (!Files.isRegularFile(guest, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            byte[] content = Files.readAllBytes(guest);
            byte[] before = copiedIn.get(path.toString());
            if (before != null && Arrays.equals(before, content)) {
                return null;
            }
            // A link whose target is missing resolves to that target, which the grant must cover.
            Path real = Confined.realPath(path);
            Path parent = real.getParent();
            Path name = real.getFileName();
            if (!grants.allows(Capability.fileWrite(real)) || parent == null || name == null) {
                return "permission denied: file-write:" + real + " is not granted";
            }
            if (content.length > maxFileBytes) {
                return "it has " + content.length + " bytes, more than the limit of " + maxFileBytes;
            }
            try (Dir dir = Confined.openReal(parent)) {
                Confined.writeAtomically(dir, name.toString(), content);
            }
            return null;
        } catch (ConfinementException e) {
            return (e.denied() ? "permission denied: " : "") + e.getMessage();
        } catch (IOException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
