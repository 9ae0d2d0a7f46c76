package dev.agentrt.sandbox.internal.js;

import dev.agentrt.core.internal.fs.Confined;
import dev.agentrt.core.internal.fs.ConfinementException;
import dev.agentrt.core.internal.fs.Dir;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.PathPolicy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The host files one run may touch: those its call declared, and of those only the ones the task's
 * grants cover at the moment of access (read needs {@code FileRead} covering the file, write needs
 * {@code FileWrite} covering the exact path). Every failure is a message for the script, never an
 * exception: an exception inside a host function would leave the engine unusable.
 *
 * <p>Called on the thread that runs the guest, which may block; one instance serves one run at a
 * time, and the runner calls {@link #release()} when the run ends.
 */
public final class HostFiles {
    /** One file a call declared, with the access it asked for. */
    public record Declared(Path path, boolean write) {
        public Declared {
            path = PathPolicy.lexical(path);
        }

        public Capability capability() {
            return write ? Capability.fileWrite(path) : Capability.fileRead(path);
        }
    }

    private static final HostFiles NONE = new HostFiles(List.of(), Grants.none(), 0);

    private final Map<Path, Declared> declared;
    private final Grants grants;
    private final long maxBytes;
    /** Directories opened by this run's reads and writes; only the guest's thread touches them. */
    private final Map<Path, Dir> opened = new HashMap<>();

    public HostFiles(List<Declared> declared, Grants grants, long maxBytes) {
        this.declared = declared.stream()
                .collect(
                        Collectors.toUnmodifiableMap(Declared::path, Function.identity(), (a, b) -> a.write() ? a : b));
        this.grants = Objects.requireNonNull(grants, "grants");
        this.maxBytes = maxBytes;
    }

    public static HostFiles none() {
        return NONE;
    }

    /** The content of a declared, readable file, or throws {@link Denied} with a message for the script. */
    String read(String name) {
        Path path = resolve(name);
        Declared d = declared.get(path);
        if (d == null) {
            throw new Denied("'" + name + "' is not declared in the call's files");
        }
        try {
            // The grant is checked against the real path, and exactly that path is then opened, one
            // element at a time without following links: a link swapped in after the check is refused.
            Path real = Confined.realPath(path);
            Path parent = real.getParent();
            if (!grants.allows(Capability.fileRead(real)) || parent == null) {
                throw new Denied("permission denied: file-read:" + path + " is not granted");
            }
            Dir dir = opened(parent);
            var attributes = dir.attributes(real.getFileName().toString());
            if (attributes == null) {
                throw new Denied("'" + name + "' does not exist");
            }
            if (attributes.isDirectory()) {
                throw new Denied("'" + name + "' is a directory: readFile reads single files; declare each file"
                        + " to read, or use python, which mounts a declared directory read-only");
            }
            byte[] bytes = Confined.readAll(dir, real.getFileName().toString(), maxBytes);
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (ConfinementException e) {
            throw refused(name, e);
        } catch (CharacterCodingException e) {
            throw new Denied("'" + name + "' is not UTF-8 text");
        } catch (IOException e) {
            throw new Denied("cannot read '" + name + "': " + e.getMessage());
        }
    }

    /** Writes a declared, writable file, or throws {@link Denied}; nothing reaches the disk when denied. */
    void write(String name, String content) {
        Path path = resolve(name);
        Declared d = declared.get(path);
        if (d == null || !d.write()) {
            throw new Denied("'" + name + "' is not declared for writing in the call's files");
        }
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        try {
            // A link whose target is missing resolves to that target, which the grant must cover.
            Path real = Confined.realPath(path);
            Path parent = real.getParent();
            if (!grants.allows(Capability.fileWrite(real)) || parent == null) {
                throw new Denied("permission denied: file-write:" + path + " is not granted");
            }
            if (bytes.length > maxBytes) {
                throw new Denied("the content has " + bytes.length + " bytes, more than the limit of " + maxBytes);
            }
            Confined.writeAtomically(opened(parent), real.getFileName().toString(), bytes);
        } catch (ConfinementException e) {
            throw refused(name, e);
        } catch (IOException e) {
            throw new Denied("cannot write '" + name + "': " + e.getMessage());
        }
    }

    /**
     * The directory at the real path {@code parent}, opened from the file-system root without links.
     * Kept open for the rest of the run and used again while the directory at {@code parent} is still
     * the one held (same file key): a script reading one file in a loop walks the path once.
     */
    private Dir opened(Path parent) throws IOException {
        Dir dir = opened.get(parent);
        if (dir != null) {
            if (Confined.stillAt(dir, parent)) {
                return dir;
            }
            opened.remove(parent);
            dir.close();
        }
        dir = Confined.openReal(parent);
        opened.put(parent, dir);
        return dir;
    }

    /** Closes the directories this run opened; called by the runner when the run ends. */
    void release() {
        if (opened.isEmpty()) {
            return;
        }
        for (Dir dir : opened.values()) {
            try {
                dir.close();
            } catch (IOException e) {
                // A directory descriptor that fails to close holds nothing the run could still use.
            }
        }
        opened.clear();
    }

    private static Denied refused(String name, ConfinementException e) {
        return new Denied((e.denied() ? "permission denied: '" : "cannot access '") + name + "': " + e.getMessage());
    }

    private static Path resolve(String name) {
        try {
            return PathPolicy.lexical(Path.of(name));
        } catch (IllegalArgumentException e) {
            throw new Denied("not a valid path: '" + name + "'");
        }
    }

    /** A refused or failed file operation; its message goes to the script as an Error. */
    static final class Denied extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Denied(String message) {
            super(message, null, false, false);
        }
    }
}
