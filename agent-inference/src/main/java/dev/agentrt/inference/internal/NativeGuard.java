package dev.agentrt.inference.internal;

import org.jspecify.annotations.Nullable;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Guards native resources (an ONNX Runtime session, a tokenizer) that calls on many threads use and one close frees:
 * calls share a read lock, closing takes the write lock, so nothing is freed under a running call and nothing runs
 * on a freed resource.
 *
 * <p>A close from inside a call (a subscriber's callback, run on the generating thread while its step holds the read
 * lock, or {@code Mono.using}'s clean-up) cannot wait for the running calls, one of which is its own: it closes to
 * new calls at once and leaves the freeing to whichever running call ends last.
 */
public final class NativeGuard {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Supplier<RuntimeException> closedError;
    private volatile boolean closed;
    /** What a close from inside a call left for the last running call to free. */
    private volatile @Nullable Runnable pending;

    /** @param closedError what a call after {@link #close} fails with */
    public NativeGuard(Supplier<RuntimeException> closedError) {
        this.closedError = closedError;
    }

    /** Runs {@code action} while the resources stay open; fails with the closed error once they are freed. */
    public <T> T read(Supplier<T> action) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw closedError.get();
            }
            return action.get();
        } finally {
            lock.readLock().unlock();
            if (pending != null) {
                releasePending();
            }
        }
    }

    /**
     * Frees the resources with {@code release} once running calls finish; only the first call releases. Blocks until
     * then, except from inside a call (see the class comment), where it returns at once.
     */
    public void close(Runnable release) {
        if (lock.getReadHoldCount() > 0) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                pending = release;
            }
            return;
        }
        lock.writeLock().lock();
        try {
            Runnable freeing;
            synchronized (this) {
                // Closed already: by a close from inside a call, whose freeing may still be left to do.
                freeing = closed ? pending : release;
                pending = null;
                closed = true;
            }
            if (freeing != null) {
                freeing.run();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Frees what a close from inside a call left, if no call is running any more. */
    private void releasePending() {
        // Every call unlocks before it gets here, so the one that ends last takes the write lock (or a close
        // waiting for it does, and frees).
        if (lock.getReadHoldCount() > 0 || !lock.writeLock().tryLock()) {
            return;
        }
        try {
            Runnable release;
            synchronized (this) {
                release = pending;
                pending = null;
            }
            if (release != null) {
                release.run();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
