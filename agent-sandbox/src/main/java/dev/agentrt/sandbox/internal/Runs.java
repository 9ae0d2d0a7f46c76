package dev.agentrt.sandbox.internal;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The one adapter between Reactor and a blocking guest run: the run executes on the given (bounded)
 * scheduler, the deadline starts when the run does (not while it queues), and cancelling the
 * subscription interrupts the guest. The Mono completes only once the guest thread has let go.
 */
public final class Runs {
    private Runs() {}

    public static <T> Mono<T> onScheduler(Scheduler scheduler, Duration timeout, Function<RunGuard, T> run) {
        return onScheduler(scheduler, timeout, () -> {}, run);
    }

    /**
     * As above, with {@code beforeDeadline} run first on the same thread, outside the time limit
     * (compiling a module: its first run is not charged for the translation).
     */
    public static <T> Mono<T> onScheduler(Scheduler scheduler, Duration timeout, Runnable beforeDeadline,
            Function<RunGuard, T> run) {
        return Mono.create(sink -> {
            var guard = new RunGuard();
            Disposable task;
            try {
                task = scheduler.schedule(() -> {
                    if (!guard.enter()) {
                        return;
                    }
                    @Nullable
                    Disposable deadline = null;
                    try {
                        beforeDeadline.run();
                        guard.start();
                        deadline = Schedulers.parallel()
                                .schedule(guard::timeout, timeout.toNanos(),
                                        TimeUnit.NANOSECONDS);
                        sink.success(run.apply(guard));
                    } catch (Throwable e) {
                        sink.error(e);
                    } finally {
                        if (deadline != null) {
                            deadline.dispose();
                        }
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
