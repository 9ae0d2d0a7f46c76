package dev.agentrt.tools.internal.fs;

import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Orders the writes of this process's file tools to one file: an edit reads, changes and replaces a file, and two
 * edits of one file in the same step (calls of a step run concurrently) must not both start from the old text, or
 * the later rename drops the earlier edit. A fixed set of lock stripes keyed by the target's path (the root's real
 * path and the checked names, so every spelling of a file in any tool set maps to one stripe). Writers in other
 * processes are not ordered by this. The tools run on virtual threads, which may wait on these locks.
 */
final class FileLocks {
    private static final int STRIPES = 64;
    private static final ReentrantLock[] LOCKS = new ReentrantLock[STRIPES];

    static {
        for (int i = 0; i < STRIPES; i++) {
            LOCKS[i] = new ReentrantLock();
        }
    }

    private FileLocks() {}

    /**
     * Takes the lock of the file at {@code absolute}, to hold around a read-modify-write or a replacement; an
     * interrupted wait is an {@link InterruptedIOException}, which the tools report as an interrupted call.
     */
    static ReentrantLock lock(Path absolute) throws InterruptedIOException {
        ReentrantLock lock = LOCKS[Math.floorMod(absolute.hashCode(), STRIPES)];
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for another write of the file");
        }
        return lock;
    }
}
