package dev.agentrt.sandbox.internal;

import reactor.core.Disposable;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Arms the time limit of a run. The system timer fires on Reactor's parallel scheduler; tests inject
 * one they fire themselves, so that a timeout is reached without waiting for the wall clock.
 */
@FunctionalInterface
public interface RunTimer {
    /** The wall-clock timer. */
    RunTimer SYSTEM = (after, alarm) -> Schedulers.parallel().schedule(alarm, after.toNanos(), TimeUnit.NANOSECONDS);

    /** Runs {@code alarm} once {@code after} has passed, unless the returned handle is disposed first. */
    Disposable arm(Duration after, Runnable alarm);
}
