package dev.agentrt.inference.internal;

import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Guards native resources (an ONNX Runtime session, a tokenizer) that calls on many threads use and one close frees:
 * calls share a read lock, closing takes the write lock, so nothing is freed under a running call and nothing runs
 * on a freed resource.
 */
public final class NativeGuard {
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Supplier<RuntimeException> closedError;
    private boolean closed;

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
        }
    }

    /** Frees the resources with {@code release} once running calls finish; only the first call releases. */
    public void close(Runnable release) {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                release.run();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
