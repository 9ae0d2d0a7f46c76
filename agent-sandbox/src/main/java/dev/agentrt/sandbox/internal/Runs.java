package dev.agentrt.sandbox.internal;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.time.Duration;
import java.util.function.Function;

/**
 * The one adapter between Reactor and a blocking guest run, for every runtime: the run executes on
 * the given (bounded) scheduler under a fresh {@link RunGuard}, the deadline starts when the run calls
 * {@link RunGuard#startClock()} (not while it queues or compiles), and cancelling the subscription
 * interrupts the guest. The Mono completes only once the guest thread has let go.
 */
public final class Runs {
    private Runs() {}

    /**
     * Runs on the calling thread under a fresh guard, for callers that are already on a thread that
     * may block (the benchmarks call a runtime directly). No cancellation: the time limit stops it.
     */
    public static <T> T onThisThread(RunTimer timer, Duration timeout, Function<RunGuard, T> run) {
        var guard = new RunGuard(timer, timeout);
        guard.enter();
        try {
            return run.apply(guard);
        } finally {
            guard.exit();
        }
    }

    public static <T> Mono<T> onScheduler(Scheduler scheduler, RunTimer timer, Duration timeout,
            Function<RunGuard, T> run) {
        return Mono.create(sink -> {
            var guard = new RunGuard(timer, timeout);
            Disposable task;
            try {
                task = scheduler.schedule(() -> {
                    if (!guard.enter()) {
                        return;
                    }
                    try {
                        sink.success(run.apply(guard));
                    } catch (Throwable e) {
                        sink.error(e);
                    } finally {
                        guard.exit();
                    }
                });
            } catch (RuntimeException rejected) {
                sink.error(rejected);
                return;
            }
            sink.onCancel(() -> {
                guard.cancel();
                task.dispose();
            });
        });
    }
}
