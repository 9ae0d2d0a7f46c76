package dev.agentrt.sandbox;

import dev.agentrt.sandbox.internal.RunTimer;
import reactor.core.Disposable;
import reactor.core.Disposables;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A run timer that never fires on its own: the test fires it, so a run reaches its time limit
 * exactly when the test says, and a run that should not time out never does, whatever the machine's
 * speed.
 */
final class ManualTimer implements RunTimer {
    private final CompletableFuture<Runnable> alarm = new CompletableFuture<>();
    private volatile Duration armedFor = Duration.ZERO;

    @Override
    public Disposable arm(Duration after, Runnable alarm) {
        armedFor = after;
        this.alarm.complete(alarm);
        return Disposables.single();
    }

    /** Waits until the run has started its clock, then makes its time limit pass. */
    void fireWhenArmed() throws Exception {
        alarm.get(2, TimeUnit.MINUTES).run();
    }

    /** The time limit the run armed. */
    Duration armedFor() {
        return armedFor;
    }
}
