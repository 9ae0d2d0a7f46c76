package dev.agentrt.spring.actuate;

import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.memory.VectorStore;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.util.ClassUtils;
import reactor.core.publisher.Mono;

/**
 * The health of the agent's memory: for a {@code VectorMemory} (agent-memory) its store's
 * {@link VectorStore#size()} (segment metadata for Lucene, one count for PostgreSQL; never an embedding), up with the
 * entries and bytes, down with the error when the store cannot answer; UNKNOWN for another {@link Memory}, which has
 * no such check. Non-blocking.
 */
final class MemoryHealthIndicator implements ReactiveHealthIndicator {
    private final Memory memory;
    private final @Nullable VectorStore store;

    /** @param classLoader where to look for agent-memory: the application's */
    MemoryHealthIndicator(Memory memory, @Nullable ClassLoader classLoader) {
        this.memory = memory;
        boolean vectorMemory = ClassUtils.isPresent("dev.agentrt.memory.VectorMemory", classLoader);
        this.store = vectorMemory ? VectorMemoryStores.storeOf(memory) : null;
    }

    @Override
    public Mono<Health> health() {
        VectorStore own = store;
        if (own == null) {
            return Mono.just(Health.unknown()
                    .withDetail("memory", memory.getClass().getSimpleName())
                    .withDetail("detail", "no size check for this kind of memory")
                    .build());
        }
        String name = own.getClass().getSimpleName();
        return Mono.defer(own::size)
                .map(size -> Health.up()
                        .withDetail("store", name)
                        .withDetail("dimensions", own.dimensions())
                        .withDetail("entries", size.entries())
                        .withDetail("bytes", size.bytes())
                        .build())
                .onErrorResume(e -> Mono.just(Health.down(e).withDetail("store", name).build()));
    }
}
