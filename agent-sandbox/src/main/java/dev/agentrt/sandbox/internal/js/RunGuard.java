package dev.agentrt.sandbox.internal.js;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The wall-clock limit of one run: interrupts the running thread when the time is up. Endive checks
 * {@link Thread#interrupted()} in the running guest, so the guest stops within a loop iteration.
 *
 * <p>{@link #close} and the timer synchronise so that no interrupt reaches the thread after the run
 * has ended (the thread goes back to a shared pool), and the interrupt status is cleared.
 */
public final class RunGuard implements AutoCloseable {
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final Thread thread;
    private final ScheduledFuture<?> alarm;
    private boolean running = true;
    private volatile boolean fired;

    private RunGuard(Thread thread, Duration timeout) {
        this.thread = thread;
        this.alarm = TIMER.schedule(this::fire, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Starts the clock for the calling thread. */
    public static RunGuard arm(Duration timeout) {
        return new RunGuard(Thread.currentThread(), timeout);
    }

    private synchronized void fire() {
        if (running) {
            fired = true;
            thread.interrupt();
        }
    }

    /** Whether the time ran out. */
    public boolean fired() {
        return fired;
    }

    @Override
    public void close() {
        alarm.cancel(false);
        synchronized (this) {
            running = false;
        }
        // Clears an interrupt from the alarm, the output cap or a cancellation, so that the pooled
        // thread starts its next task clean.
        Thread.interrupted();
    }

    private static ScheduledThreadPoolExecutor timer() {
        var timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("agentrt-sandbox-timer").factory());
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
