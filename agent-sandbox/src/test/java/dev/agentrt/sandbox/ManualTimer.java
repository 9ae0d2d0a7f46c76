package dev.agentrt.sandbox;

import dev.agentrt.sandbox.internal.RunTimer;
import reactor.core.Disposable;
import reactor.core.Disposables;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A run timer that never fires on its own: the test fires it, so a run reaches its time limit
 * exactly when the test says, and a run that should not time out never does, whatever the machine's
 * speed. One timer may serve many runs one after another: {@link #fireWhenArmed()} fires the time limit
 * of the run whose clock is running now (runs that ended disarmed theirs).
 */
final class ManualTimer implements RunTimer {
    private record Armed(Duration after, Runnable alarm, Disposable handle) {}

    private final LinkedBlockingQueue<Armed> armed = new LinkedBlockingQueue<>();
    private volatile Duration armedFor = Duration.ZERO;
    private final java.util.concurrent.atomic.AtomicInteger arms = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int armsWhenFired;

    @Override
    public Disposable arm(Duration after, Runnable alarm) {
        Disposable handle = Disposables.single();
        arms.incrementAndGet();
        armed.add(new Armed(after, alarm, handle));
        return handle;
    }

    /** Waits until a run has started its clock (and not ended), then makes its time limit pass. */
    void fireWhenArmed() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            Armed a = armed.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (a == null) {
                throw new TimeoutException("no run started its clock within 2 minutes");
            }
            if (!a.handle().isDisposed()) {
                armedFor = a.after();
                armsWhenFired = arms.get();
                a.alarm().run();
                return;
            }
        }
    }

    /** How many runs had started their clocks when {@link #fireWhenArmed()} fired. */
    int armsWhenFired() {
        return armsWhenFired;
    }

    /** The time limit of the run {@link #fireWhenArmed()} stopped. */
    Duration armedFor() {
        return armedFor;
    }
}
