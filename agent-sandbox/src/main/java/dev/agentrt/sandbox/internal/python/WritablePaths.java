package dev.agentrt.sandbox.internal.python;

import org.jspecify.annotations.Nullable;
import run.endive.runtime.HostFunction;
import run.endive.runtime.Instance;
import run.endive.runtime.WasmFunctionHandle;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a Python run may change in its in-memory file system: {@code /guest/tmp} (scratch, dropped with
 * the run) and the files the call declared for writing; everything else (declared files read,
 * directories mounted read-only, the guest script) is read-only and a change gets {@code EROFS}. A
 * path's guest location is the path of the descriptor it is relative to joined with the path given,
 * resolved lexically: the tree holds no symbolic links (none are
 * copied in, and creating one gets {@code ENOTSUP}), so the lexical path is the real one. Descriptors
 * remember the path they were opened at; close and renumber keep the table exact.
 *
 * <p>Confined to the thread running the interpreter, like the WASI instance it wraps; {@link #allow}
 * is called on that thread before each run.
 */
final class WritablePaths {
    private static final long ENOTSUP = 58;
    private static final long EROFS = 69;
    private static final long OFLAGS_WRITING = 0x1 /* creat */ | 0x8 /* trunc */;
    private static final long RIGHTS_WRITING = (1L << 6) /* fd_write */ | (1L << 8) /* fd_allocate */
            | (1L << 22) /* fd_filestat_set_size */;
    private static final long FDFLAGS_APPEND = 0x1;
    static final String SCRATCH = PythonRun.GUEST_DIR + "/tmp";

    private final Map<Long, String> paths = new HashMap<>();
    private Set<String> writableFiles = Set.of();
    private Set<String> readOnly = Set.of();

    /** @param preopens the guest path of each preopen, in order (WASI numbers them from 3) */
    WritablePaths(List<String> preopens) {
        long fd = 3;
        for (String p : preopens) {
            paths.put(fd++, p);
        }
    }

    /**
     * What the next run may write besides {@code /guest/tmp}, and what stays read-only even below
     * {@code /guest/tmp}: absolute, normalised guest paths.
     */
    void allow(Set<String> files, Set<String> readOnly) {
        this.writableFiles = Set.copyOf(files);
        this.readOnly = Set.copyOf(readOnly);
    }

    boolean writable(String path) {
        if (writableFiles.contains(path)) {
            return true;
        }
        if (!path.startsWith(SCRATCH + "/")) {
            return false;
        }
        for (String r : readOnly) {
            if (path.equals(r) || path.startsWith(r + "/")) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code path} may be moved or removed: writable, and holding nothing read-only. */
    private boolean movable(String path) {
        if (!writable(path)) {
            return false;
        }
        for (String r : readOnly) {
            if (r.startsWith(path + "/")) {
                return false;
            }
        }
        return true;
    }

    List<HostFunction> wrap(HostFunction[] wasi) {
        var out = new ArrayList<HostFunction>(wasi.length);
        for (HostFunction f : wasi) {
            WasmFunctionHandle h = f.handle();
            WasmFunctionHandle guarded = switch (f.name()) {
                case "path_open" -> (inst, a) -> pathOpen(h, inst, a);
                case "path_create_directory" ->
                    (inst, a) -> writable(inst, a[0], a[1], a[2]) ? h.apply(inst, a) : errno(EROFS);
                case "path_unlink_file", "path_remove_directory" ->
                    (inst, a) -> movable(inst, a[0], a[1], a[2]) ? h.apply(inst, a) : errno(EROFS);
                case "path_filestat_set_times" ->
                    (inst, a) -> writable(inst, a[0], a[2], a[3]) ? h.apply(inst, a) : errno(EROFS);
                case "path_rename" -> (inst, a) -> movable(inst, a[0], a[1], a[2]) && movable(inst, a[3], a[4], a[5])
                        ? h.apply(inst, a)
                        : errno(EROFS);
                case "path_link" -> (inst, a) -> writable(inst, a[0], a[2], a[3]) && writable(inst, a[4], a[5], a[6])
                        ? h.apply(inst, a)
                        : errno(EROFS);
                case "path_symlink" -> (inst, a) -> errno(ENOTSUP);
                case "fd_write", "fd_pwrite", "fd_allocate", "fd_filestat_set_size", "fd_filestat_set_times" ->
                    (inst, a) -> writableFd(a[0]) ? h.apply(inst, a) : errno(EROFS);
                case "fd_close" -> (inst, a) -> {
                    long[] r = h.apply(inst, a);
                    if (r[0] == 0) {
                        paths.remove(a[0]);
                    }
                    return r;
                };
                case "fd_renumber" -> (inst, a) -> {
                    long[] r = h.apply(inst, a);
                    if (r[0] == 0) {
                        String from = paths.remove(a[0]);
                        paths.remove(a[1]);
                        if (from != null) {
                            paths.put(a[1], from);
                        }
                    }
                    return r;
                };
                default -> null;
            };
            out.add(guarded == null ? f : new HostFunction(f.module(), f.name(), f.functionType(), guarded));
        }
        return out;
    }

    private long[] pathOpen(WasmFunctionHandle h, Instance instance, long[] a) {
        String path = resolve(instance, a[0], a[2], a[3]);
        boolean writing = (a[4] & OFLAGS_WRITING) != 0 || (a[5] & RIGHTS_WRITING) != 0 || (a[7] & FDFLAGS_APPEND) != 0;
        if (path == null || (writing && !writable(path))) {
            return errno(EROFS);
        }
        long[] r = h.apply(instance, a);
        if (r[0] == 0) {
            paths.put((long) instance.memory().readInt((int) a[8]), path);
        }
        return r;
    }

    /** Whether the descriptor may be written: standard streams and descriptors of writable paths. */
    private boolean writableFd(long fd) {
        String path = paths.get(fd);
        return path == null ? fd < 3 : writable(path);
    }

    private boolean writable(Instance instance, long fd, long ptr, long len) {
        String path = resolve(instance, fd, ptr, len);
        return path != null && writable(path);
    }

    private boolean movable(Instance instance, long fd, long ptr, long len) {
        String path = resolve(instance, fd, ptr, len);
        return path != null && movable(path);
    }

    /** The guest path {@code (ptr, len)} names relative to {@code fd}, or null for a descriptor of no known path. */
    private @Nullable String resolve(Instance instance, long fd, long ptr, long len) {
        String base = paths.get(fd);
        if (base == null) {
            return null;
        }
        return normalize(base, instance.memory().readString((int) ptr, (int) len));
    }

    /** {@code base} joined with {@code path} ({@code path} absolute replaces it), {@code .} and {@code ..} resolved. */
    static String normalize(String base, String path) {
        Deque<String> parts = new ArrayDeque<>();
        String joined = path.startsWith("/") ? path : base + "/" + path;
        for (String p : joined.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(p);
            }
        }
        return "/" + String.join("/", parts);
    }

    private static long[] errno(long errno) {
        return new long[]{errno};
    }
}
