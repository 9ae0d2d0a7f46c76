package dev.agentrt.sandbox.internal;

import run.endive.runtime.HostFunction;
import run.endive.runtime.Instance;
import run.endive.runtime.WasmFunctionHandle;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Read-only mounts. WASI preview 1 preopens carry no read-only flag, so the WASI functions that
 * change a file system are wrapped: a call through a descriptor of a read-only mount (or one opened
 * below it) that would create, truncate, write, rename, link or delete gets {@code EROFS}.
 * Descriptors opened below a read-only one inherit the mark; close and renumber keep the set exact.
 *
 * <p>Confined to the run's thread, like the WASI instance it wraps.
 */
final class ReadOnlyGuard {
    private static final long EROFS = 69;
    private static final long OFLAGS_WRITING = 0x1 /* creat */ | 0x8 /* trunc */;
    private static final long RIGHTS_WRITING = (1L << 6) /* fd_write */ | (1L << 8) /* fd_allocate */
            | (1L << 22) /* fd_filestat_set_size */;
    private static final long FDFLAGS_APPEND = 0x1;

    private final Set<Long> readOnly = new HashSet<>();

    ReadOnlyGuard(List<Integer> readOnlyPreopens) {
        for (int fd : readOnlyPreopens) {
            readOnly.add((long) fd);
        }
    }

    List<HostFunction> wrap(HostFunction[] wasi) {
        var out = new ArrayList<HostFunction>(wasi.length);
        for (HostFunction f : wasi) {
            WasmFunctionHandle h = f.handle();
            WasmFunctionHandle guarded = switch (f.name()) {
                case "path_open" -> (inst, a) -> pathOpen(h, inst, a);
                case "path_create_directory", "path_unlink_file", "path_remove_directory", "path_filestat_set_times",
                        "fd_write", "fd_pwrite", "fd_allocate", "fd_filestat_set_size", "fd_filestat_set_times" ->
                    (inst, a) -> readOnly.contains(a[0]) ? errno(EROFS) : h.apply(inst, a);
                case "path_symlink" -> (inst, a) -> readOnly.contains(a[2]) ? errno(EROFS) : h.apply(inst, a);
                case "path_rename" -> (inst, a) -> readOnly.contains(a[0]) || readOnly.contains(a[3])
                        ? errno(EROFS)
                        : h.apply(inst, a);
                case "path_link" -> (inst, a) -> readOnly.contains(a[0]) || readOnly.contains(a[4])
                        ? errno(EROFS)
                        : h.apply(inst, a);
                case "fd_close" -> (inst, a) -> {
                    long[] r = h.apply(inst, a);
                    if (r[0] == 0) {
                        readOnly.remove(a[0]);
                    }
                    return r;
                };
                case "fd_renumber" -> (inst, a) -> {
                    long[] r = h.apply(inst, a);
                    if (r[0] == 0) {
                        boolean from = readOnly.remove(a[0]);
                        readOnly.remove(a[1]);
                        if (from) {
                            readOnly.add(a[1]);
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
        boolean fromReadOnly = readOnly.contains(a[0]);
        if (fromReadOnly && ((a[4] & OFLAGS_WRITING) != 0 || (a[5] & RIGHTS_WRITING) != 0
                || (a[7] & FDFLAGS_APPEND) != 0)) {
            return errno(EROFS);
        }
        long[] r = h.apply(instance, a);
        if (fromReadOnly && r[0] == 0) {
            readOnly.add((long) instance.memory().readInt((int) a[8]));
        }
        return r;
    }

    private static long[] errno(long errno) {
        return new long[]{errno};
    }
}
