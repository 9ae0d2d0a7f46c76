package dev.agentrt.sandbox.internal;

import org.jspecify.annotations.Nullable;

/**
 * Stops one run from outside: the deadline and a cancelled subscription both interrupt the thread
 * executing the guest (the engine checks the interrupt flag at calls and backward branches, in the
 * interpreter and in compiled code). Interrupts are only delivered while the run is in progress,
 * never to the pool thread that later serves someone else.
 */
public final class RunGuard {
    private @Nullable Thread thread;
    private boolean finished;
    private boolean timedOut;
    private boolean cancelled;
    private volatile long startedNanos = System.nanoTime();

    /** Marks when the run's time limit starts, so that the run's elapsed time is measured from the same moment. */
    void start() {
        startedNanos = System.nanoTime();
    }

    /** {@link System#nanoTime()} when the time limit started (or when this guard was made, if it never did). */
    public long startedNanos() {
        return startedNanos;
    }

    /** Marks the calling thread as running the guest; false if the run was cancelled before it began. */
    public synchronized boolean enter() {
        if (cancelled) {
            return false;
        }
        thread = Thread.currentThread();
        return true;
    }

    /** Ends the run: no interrupt is delivered after this, and a pending one is cleared. */
    public void exit() {
        synchronized (this) {
            finished = true;
            thread = null;
        }
        Thread.interrupted();
    }

    /**
     * The guest has returned: no interrupt is delivered from now on (copying files back must not be
     * cut short by a deadline that passed a moment after the guest ended), and a pending one is cleared.
     */
    void leaveGuest() {
        synchronized (this) {
            finished = true;
        }
        Thread.interrupted();
    }

    public synchronized void timeout() {
        if (!finished && thread != null) {
            timedOut = true;
            thread.interrupt();
        }
    }

    public synchronized void cancel() {
        cancelled = true;
        if (!finished && thread != null) {
            thread.interrupt();
        }
    }

    synchronized boolean stopped() {
        return timedOut || cancelled;
    }
}
