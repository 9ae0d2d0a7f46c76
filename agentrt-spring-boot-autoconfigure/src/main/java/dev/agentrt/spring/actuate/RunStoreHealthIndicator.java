package dev.agentrt.spring.actuate;

import dev.agentrt.core.run.RunStore;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import reactor.core.publisher.Mono;

/**
 * The health of the run store: {@link RunStore#size()} (one count per table on the store's own threads), up with
 * the runs, the active runs, the journal entries and the bytes on disk; down with the error when the store cannot
 * answer (a closed store, a database out of reach). Non-blocking.
 */
final class RunStoreHealthIndicator implements ReactiveHealthIndicator {
    private final RunStore store;

    RunStoreHealthIndicator(RunStore store) {
        this.store = store;
    }

    @Override
    public Mono<Health> health() {
        String name = store.getClass().getSimpleName();
        return Mono.defer(store::size)
                .map(size -> Health.up()
                        .withDetail("store", name)
                        .withDetail("runs", size.runs())
                        .withDetail("activeRuns", size.activeRuns())
                        .withDetail("entries", size.entries())
                        .withDetail("bytes", size.bytes())
                        .build())
                .onErrorResume(e -> Mono.just(Health.down(e).withDetail("store", name).build()));
    }
}
