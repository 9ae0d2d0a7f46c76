package dev.agentrt.spring.web;

import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.testing.ForwardingRunStore;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.util.function.Supplier;

/**
 * A run store whose {@link #find} answers, while {@link #late} is set, on Reactor's parallel scheduler and only once
 * {@code after} has completed: a store that completes on a non-blocking thread (as an R2DBC store would), at a point
 * the test chooses. Everything else is the delegate's.
 */
final class LateFindRunStore extends ForwardingRunStore {
    private final Supplier<Mono<?>> after;
    volatile boolean late;

    LateFindRunStore(RunStore delegate, Supplier<Mono<?>> after) {
        super(delegate);
        this.after = after;
    }

    @Override
    public Mono<RunRecord> find(String runId) {
        if (!late) {
            return delegate.find(runId);
        }
        return Mono.defer(() -> {
            Mono<?> ready = after.get();
            return delegate.find(runId).delayUntil(r -> ready).publishOn(Schedulers.parallel());
        });
    }
}
