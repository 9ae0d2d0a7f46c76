package dev.agentrt.core.memory;

import dev.agentrt.core.model.Embedding;
import reactor.core.publisher.Mono;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a vector memory keeps its vectors: entries (id, embedding, text, metadata) per namespace,
 * searched by cosine similarity with exact-match metadata filters. Implementations: the embedded
 * Lucene index and PostgreSQL + pgvector in agent-memory, {@link InMemoryVectorStore} here.
 *
 * <pre>{@code
 * store.upsert("docs", List.of(new VectorStore.Entry("a", embedding, "text", Map.of("path", "A.java"))))
 *      .then(store.search("docs", new VectorStore.Query(queryEmbedding, null, 5, Map.of())));
 * }</pre>
 *
 * <p>Contract (the {@code VectorStoreContract} suite in agent-core's test-jar checks it): every
 * vector has {@link #dimensions()} components, and a vector of another length is an error naming
 * both; {@link #upsert} replaces an entry with the same id and completes once the write is durable
 * (it survives a crash of the process); searches see every write that completed before they
 * started; namespaces never see each other's entries. Thread-safe; blocking work runs on the
 * runtime's schedulers, never on the caller's thread.
 */
public interface VectorStore extends AutoCloseable {
    /** The length of every vector in this store. */
    int dimensions();

    /** Adds entries, replacing those with the same ids; completes once they are durable. */
    Mono<Void> upsert(String namespace, List<Entry> entries);

    /** The entries most similar to the query, best first, each with every metadata pair of the filter. */
    Mono<List<Match>> search(String namespace, Query query);

    /** The entries with every metadata pair of {@code filter} (all of the namespace for an empty one), at most {@code limit}. */
    Mono<List<Entry>> find(String namespace, Map<String, String> filter, int limit);

    /** Removes entries by id; completes with how many existed. */
    Mono<Long> delete(String namespace, Collection<String> ids);

    /** Removes every entry with every metadata pair of {@code filter}; completes with how many there were. */
    Mono<Long> deleteWhere(String namespace, Map<String, String> filter);

    /**
     * How much the store holds, in every namespace: cheap enough for a health check (an index's segment metadata, one
     * count), and a failure here (a closed store, an unreachable database) is what a health check reports.
     */
    Mono<VectorStoreSize> size();

    /** Releases the store (files, connections). Idempotent. */
    @Override
    void close();

    /**
     * One stored vector.
     *
     * @param id unique within its namespace
     * @param embedding the vector
     * @param text the text it embeds (returned with matches; used for keyword search where supported)
     * @param metadata exact-match attributes (path, line range, content hash...)
     */
    record Entry(String id, Embedding embedding, String text, Map<String, String> metadata) {
        public Entry {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(embedding, "embedding");
            Objects.requireNonNull(text, "text");
            metadata = Map.copyOf(metadata);
            if (id.isEmpty()) {
                throw new IllegalArgumentException("id must not be empty");
            }
        }
    }

    /**
     * A similarity search.
     *
     * @param embedding the query vector
     * @param text the query text, for stores that mix in keyword relevance (hybrid search); may be null
     * @param limit at most this many matches
     * @param filter metadata every match must have
     */
    record Query(Embedding embedding, @org.jspecify.annotations.Nullable String text, int limit,
            Map<String, String> filter) {
        public Query {
            Objects.requireNonNull(embedding, "embedding");
            filter = Map.copyOf(filter);
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be at least 1, was " + limit);
            }
        }

        public static Query of(Embedding embedding, int limit) {
            return new Query(embedding, null, limit, Map.of());
        }
    }

    /**
     * A search result.
     *
     * @param entry the stored entry
     * @param score cosine similarity in [-1, 1] (a hybrid store may rescale it; higher is better)
     */
    record Match(Entry entry, double score) {
        public Match {
            Objects.requireNonNull(entry, "entry");
        }
    }
}
