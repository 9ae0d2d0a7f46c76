package dev.agentrt.memory;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.MemoryStoreException;
import dev.agentrt.core.memory.VectorStore;
import dev.agentrt.core.memory.VectorStoreSize;
import dev.agentrt.memory.internal.lucene.LuceneIndex;
import reactor.core.publisher.Mono;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * A {@link VectorStore} in an embedded Apache Lucene index at a directory: HNSW graph search over
 * the vectors (32-bit floats, or int8-quantised with {@link LuceneOptions.Encoding#INT8}), BM25
 * over the texts for hybrid search, exact-match metadata filters, namespaces. Nothing to run
 * beside the application; the index survives restarts and crashes.
 *
 * <pre>{@code
 * try (var store = LuceneVectorStore.open(Path.of("./agent_memory"), 384)) {
 *     store.upsert("docs", entries).block();
 *     List<VectorStore.Match> hits =
 *             store.search("docs", new VectorStore.Query(queryEmbedding, "retry policy", 5, Map.of())).block();
 * }
 * }</pre>
 *
 * <p><b>Scores.</b> Without query text a match's score is the exact cosine similarity of the stored
 * vector and the query, in [-1, 1] (the graph holds the vectors scaled to unit length and searches
 * by dot product, which is cosine on unit vectors; candidates are rescored from the original
 * floats). With query text (hybrid search) the entries whose text matches any of its words join
 * the graph's candidates, and each scores {@code (1 - w) * cosine + w * bm25 / maxBm25}: {@code w}
 * is {@link LuceneOptions#textWeight()} (0.3 by default), {@code maxBm25} the best BM25 score among
 * the candidates, so a text match is worth up to {@code w}. Higher is better either way.
 *
 * <p><b>How a search runs.</b> The index is a set of segments (every commit writes one; background merges fold small
 * ones into larger ones), searched one by one within a point-in-time view: the smallest segments, where the newest
 * entries live, by an exact scan, so an entry just written is found whenever it is among the nearest; the others by
 * their HNSW graph. A filter that keeps few entries (up to about ten thousand) is answered by an exact scan of just
 * those entries, a broader one by the graph search with the filter applied. The exact scans use Lucene's vectorised
 * dot product when {@code --add-modules jdk.incubator.vector} is on the JVM's command line (a scalar loop without it).
 * {@link #stats()} tells how many segments there are.
 *
 * <p><b>Durability and commits.</b> An {@code upsert}, {@code delete} or {@code deleteWhere}
 * completes only after a Lucene commit (fsync) that includes it, so a completed write survives
 * {@code kill -9} and power loss (as far as the file system honours fsync). Commits are grouped:
 * one runs at a time, writes that arrive meanwhile wait and share the next one, so throughput grows
 * with concurrency while each write still waits for at most about two commits. Each commit
 * refreshes the searcher before its writes complete, so a search started after a write completed
 * sees it. A batch with an invalid entry is refused before any of it is applied; a crash before a
 * batch's {@code Mono} completes may keep none, some or all of its entries (each entry is whole).
 *
 * <p><b>Opening.</b> {@link #open} creates the index in a missing or empty directory and otherwise
 * opens the existing one, never overwriting: a directory holding other files, a damaged index, an
 * index of another dimension count (recorded in the index) or one held open by another store
 * (Lucene's {@code write.lock}) is a {@link MemoryStoreException} naming the path. Reopening reads
 * only segment metadata and is fast.
 *
 * <p><b>Threading.</b> Thread-safe; readers never block writers. Every method returning a
 * {@code Mono} does its file I/O on {@link AgentSchedulers#blocking()} when subscribed, never on
 * the caller's thread; errors (invalid input as {@link IllegalArgumentException}, I/O as
 * {@link MemoryStoreException}) travel in the {@code Mono}. {@link #open} and {@link #close} block:
 * call them at start-up and shut-down, not on a Reactor thread.
 */
public final class LuceneVectorStore implements VectorStore {
    private final LuceneIndex index;

    private LuceneVectorStore(LuceneIndex index) {
        this.index = index;
    }

    /** Opens (or creates) the store at {@code dir} with {@link LuceneOptions#defaults()}. Blocks. */
    public static LuceneVectorStore open(Path dir, int dimensions) {
        return open(dir, dimensions, LuceneOptions.defaults());
    }

    /**
     * Opens (or creates) the store at {@code dir} for vectors of {@code dimensions} components (1 to
     * 4096). Blocks while it reads the index.
     *
     * @throws MemoryStoreException if the directory holds something else, a damaged index, an index of
     *     another dimension count, or an index another store has open
     */
    public static LuceneVectorStore open(Path dir, int dimensions, LuceneOptions options) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        return new LuceneVectorStore(LuceneIndex.open(dir, dimensions, options));
    }

    /** The index directory, absolute. */
    public Path path() {
        return index.path();
    }

    public LuceneOptions options() {
        return index.options();
    }

    @Override
    public int dimensions() {
        return index.dimensions();
    }

    @Override
    public Mono<Void> upsert(String namespace, List<Entry> entries) {
        return blocking(() -> {
            index.upsert(Objects.requireNonNull(namespace, "namespace"), List.copyOf(entries));
            return null;
        })
                .then();
    }

    @Override
    public Mono<List<Match>> search(String namespace, Query query) {
        return blocking(() -> index.search(Objects.requireNonNull(namespace, "namespace"), query));
    }

    @Override
    public Mono<List<Entry>> find(String namespace, Map<String, String> filter, int limit) {
        return blocking(() -> index.find(Objects.requireNonNull(namespace, "namespace"), Map.copyOf(filter), limit));
    }

    @Override
    public Mono<Long> delete(String namespace, Collection<String> ids) {
        return blocking(() -> index.delete(Objects.requireNonNull(namespace, "namespace"), List.copyOf(ids)));
    }

    @Override
    public Mono<Long> deleteWhere(String namespace, Map<String, String> filter) {
        return blocking(() -> index.deleteWhere(Objects.requireNonNull(namespace, "namespace"), Map.copyOf(filter)));
    }

    /**
     * The index's entries and segments as a search sees them now (see {@link LuceneStats}). Reads only segment
     * metadata; runs on {@link AgentSchedulers#blocking()}.
     */
    public Mono<LuceneStats> stats() {
        return blocking(index::stats);
    }

    /** The live entries and the segments' size on disk, from {@link #stats()}. */
    @Override
    public Mono<VectorStoreSize> size() {
        return stats().map(stats -> new VectorStoreSize(stats.entries(), stats.sizeBytes()));
    }

    /** Commits what is pending, closes the index and releases its lock. Idempotent; blocks. */
    @Override
    public void close() {
        index.close();
    }

    @Override
    public String toString() {
        return "LuceneVectorStore[" + index.path() + ", " + index.dimensions() + " dimensions, "
                + index.options().encoding() + "]";
    }

    private static <T> Mono<T> blocking(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(AgentSchedulers.blocking());
    }
}
