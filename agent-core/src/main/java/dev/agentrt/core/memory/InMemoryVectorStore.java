package dev.agentrt.core.memory;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.model.Embedding;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link VectorStore} in memory: exact (brute-force) cosine search, nothing persisted. For tests,
 * examples and small applications; the Lucene and pgvector stores of agent-memory scale further and
 * survive restarts.
 *
 * <pre>{@code
 * VectorStore store = InMemoryVectorStore.create(384);
 * }</pre>
 *
 * <p>Thread-safe. Writes apply before their {@code Mono} completes; searches run on
 * {@code AgentSchedulers.compute()}.
 */
public final class InMemoryVectorStore implements VectorStore {
    private static final Comparator<Match> WORST_FIRST = Comparator.comparingDouble(Match::score);

    private final int dimensions;
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Entry>> namespaces = new ConcurrentHashMap<>();

    private InMemoryVectorStore(int dimensions) {
        if (dimensions < 1) {
            throw new IllegalArgumentException("dimensions must be positive, was " + dimensions);
        }
        this.dimensions = dimensions;
    }

    public static InMemoryVectorStore create(int dimensions) {
        return new InMemoryVectorStore(dimensions);
    }

    @Override
    public int dimensions() {
        return dimensions;
    }

    @Override
    public Mono<Void> upsert(String namespace, List<Entry> entries) {
        return Mono.fromRunnable(() -> {
            for (Entry e : entries) {
                check(e.embedding(), "entry " + e.id());
            }
            var space = namespaces.computeIfAbsent(namespace, n -> new ConcurrentHashMap<>());
            for (Entry e : entries) {
                space.put(e.id(), e);
            }
        });
    }

    @Override
    public Mono<List<Match>> search(String namespace, Query query) {
        return Mono.fromCallable(() -> {
            check(query.embedding(), "the query");
            var space = namespaces.get(namespace);
            if (space == null) {
                return List.<Match>of();
            }
            var best = new PriorityQueue<Match>(query.limit() + 1, WORST_FIRST);
            for (Entry e : space.values()) {
                if (matches(e, query.filter())) {
                    best.add(new Match(e, e.embedding().cosine(query.embedding())));
                    if (best.size() > query.limit()) {
                        best.poll();
                    }
                }
            }
            var out = new ArrayList<>(best);
            out.sort(WORST_FIRST.reversed());
            return List.copyOf(out);
        }).subscribeOn(AgentSchedulers.compute());
    }

    @Override
    public Mono<List<Entry>> find(String namespace, Map<String, String> filter, int limit) {
        return Mono.fromCallable(() -> {
            var space = namespaces.get(namespace);
            if (space == null) {
                return List.<Entry>of();
            }
            var out = new ArrayList<Entry>();
            for (Entry e : space.values()) {
                if (out.size() >= limit) {
                    break;
                }
                if (matches(e, filter)) {
                    out.add(e);
                }
            }
            return List.copyOf(out);
        });
    }

    @Override
    public Mono<Long> delete(String namespace, Collection<String> ids) {
        return Mono.fromCallable(() -> {
            var space = namespaces.get(namespace);
            long removed = 0;
            if (space != null) {
                for (String id : ids) {
                    if (space.remove(id) != null) {
                        removed++;
                    }
                }
            }
            return removed;
        });
    }

    @Override
    public Mono<Long> deleteWhere(String namespace, Map<String, String> filter) {
        return Mono.fromCallable(() -> {
            var space = namespaces.get(namespace);
            long removed = 0;
            if (space != null) {
                for (Entry e : space.values()) {
                    if (matches(e, filter) && space.remove(e.id(), e)) {
                        removed++;
                    }
                }
            }
            return removed;
        });
    }

    @Override
    public void close() {
        namespaces.clear();
    }

    private void check(Embedding embedding, String what) {
        if (embedding.dimensions() != dimensions) {
            throw new IllegalArgumentException(what + " has " + embedding.dimensions()
                    + " dimensions, but this store holds vectors of " + dimensions);
        }
    }

    /** The entries of every namespace; 0 bytes, since nothing is on disk. */
    @Override
    public Mono<VectorStoreSize> size() {
        return Mono.fromSupplier(() -> {
            long entries = 0;
            for (var space : namespaces.values()) {
                entries += space.size();
            }
            return new VectorStoreSize(entries, 0);
        });
    }

    private static boolean matches(Entry e, Map<String, String> filter) {
        for (Map.Entry<String, String> f : filter.entrySet()) {
            if (!f.getValue().equals(e.metadata().get(f.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
