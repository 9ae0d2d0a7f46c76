package dev.agentrt.core.memory;

import dev.agentrt.core.context.Document;
import dev.agentrt.core.context.TaskContext;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Map;

/**
 * What an agent remembers across tasks. The agent recalls what is relevant to each task's input
 * before its first step and, when a task has a directory context, ingests that context.
 * Implementations ({@code VectorMemory} in agent-memory) are thread-safe and do their blocking
 * work on the runtime's schedulers.
 *
 * <pre>{@code
 * memory.remember(MemoryRecord.of("default", "The build uses Maven 3.9", Map.of("source", "notes")))
 *       .then(memory.recall(MemoryQuery.of("default", "which build tool?", 3)));
 * }</pre>
 */
public interface Memory {
    /** The records most relevant to {@code query}, best first. */
    Mono<List<MemoryHit>> recall(MemoryQuery query);

    /** Stores (or, for a record with a known id, replaces) a record; completes with its id once durable. */
    Mono<String> remember(MemoryRecord record);

    /** Removes a record; completes with whether it existed. */
    Mono<Boolean> forget(String namespace, String id);

    /** Stores documents, one record per document by default; implementations may split them. */
    default Mono<Void> ingest(String namespace, Flux<Document> documents) {
        return documents.concatMap(d -> remember(new MemoryRecord(d.id(), namespace, d.text(), d.metadata())))
                .then();
    }

    /**
     * Stores a task's context. The default stores its {@link TaskContext#documents()} through {@link #ingest(String, Flux)};
     * an implementation that can tell what changed since the last time (content hashes) overrides it so that
     * re-ingesting an unchanged directory is cheap.
     */
    default Mono<Void> ingest(String namespace, TaskContext context) {
        return ingest(namespace, context.documents());
    }

    /**
     * @deprecated {@code Context} is renamed {@link TaskContext}; use {@link #ingest(String, TaskContext)}
     */
    @Deprecated(since = "0.2", forRemoval = true)
    @SuppressWarnings("removal")
    default Mono<Void> ingest(String namespace, dev.agentrt.core.context.Context context) {
        return ingest(namespace, context.toTaskContext());
    }

    /** A record found by {@link #recall}, with its relevance score (higher is better). */
    record MemoryHit(MemoryRecord record, double score) {}

    /** Convenience for a record's metadata. */
    static Map<String, String> metadata(String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("metadata needs key/value pairs");
        }
        var map = new java.util.LinkedHashMap<String, String>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return Map.copyOf(map);
    }
}
