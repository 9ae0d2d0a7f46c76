package dev.agentrt.sandbox.internal;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

import java.time.Duration;
import java.util.Objects;

/**
 * The one guard of a run, whatever the runtime (a WASI module, a plugin, QuickJS, CPython): it
 * holds the thread executing the guest, arms the time limit, and records the first reason the host
 * stopped the guest — the deadline, a cancelled subscription, the output cap or the memory cap.
 * Stopping interrupts the guest's thread (Endive checks the interrupt flag at calls and backward
 * branches, in the interpreter and in compiled code), so every limit ends every runtime the same way;
 * {@link OutcomeClassifier} turns the recorded reason into the run's outcome.
 *
 * <p>Interrupts are only delivered while the guest runs, never to the pool thread that later serves
 * someone else. Thread-safe.
 */
public final class RunGuard {
    /** Why the host stopped the guest. */
    public enum Stop {
        /** The time limit passed. */
        TIMEOUT,
        /** The caller cancelled the run. */
        CANCELLED,
        /** The guest wrote past the output cap, or returned a result larger than it. */
        OUTPUT_LIMIT,
        /** The guest tried to grow its memory past the cap. */
        MEMORY_LIMIT
    }

    private final RunTimer timer;
    private final Duration timeout;
    private @Nullable Thread thread;
    private boolean finished;
    private @Nullable Stop stop;
    private @Nullable Disposable deadline;
    private volatile long startedNanos = System.nanoTime();

    public RunGuard(RunTimer timer, Duration timeout) {
        this.timer = Objects.requireNonNull(timer, "timer");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Marks the calling thread as running the guest; false if the run was cancelled before it began. */
    synchronized boolean enter() {
        if (stop == Stop.CANCELLED) {
            return false;
        }
        thread = Thread.currentThread();
        return true;
    }

    /**
     * Starts the time limit, when the guest is about to run: preparing it (compiling a module,
     * starting an interpreter) is not charged to the run.
     */
    public void startClock() {
        startedNanos = System.nanoTime();
        Disposable armed = timer.arm(timeout, () -> stop(Stop.TIMEOUT));
        boolean late;
        synchronized (this) {
            late = finished;
            if (!late) {
                deadline = armed;
            }
        }
        if (late) {
            armed.dispose();
        }
    }

    /** Time since the clock started (or since this guard was made, if it never did). */
    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /**
     * Stops the guest for {@code why}, unless it has returned; the first reason is the one reported.
     * Interrupts the guest's thread, which may be the calling one (a cap hit inside the guest's own
     * write or memory grow).
     */
    public synchronized void stop(Stop why) {
        if (finished) {
            return;
        }
        if (stop == null) {
            stop = why;
        }
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** The first reason the guest was stopped, or null if nothing stopped it. */
    public synchronized @Nullable Stop stopped() {
        return stop;
    }

    /**
     * The guest has returned: no interrupt is delivered from now on (copying files back must not be
     * cut short by a deadline that passed a moment after the guest ended), and a pending one is cleared.
     */
    public void leaveGuest() {
        @Nullable
        Disposable d;
        synchronized (this) {
            finished = true;
            d = deadline;
            deadline = null;
        }
        if (d != null) {
            d.dispose();
        }
        Thread.interrupted();
    }

    /** Ends the run: as {@link #leaveGuest()}, and the thread is no longer the guest's. */
    void exit() {
        leaveGuest();
        synchronized (this) {
            thread = null;
        }
        Thread.interrupted();
    }

    /** The caller cancelled: interrupts a running guest, or keeps one that has not begun from starting. */
    void cancel() {
        stop(Stop.CANCELLED);
    }
}
