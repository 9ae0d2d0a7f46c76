package dev.agentrt.memory;

import org.jspecify.annotations.Nullable;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link PgVectorStore}'s table holds right now and how the server keeps it, from
 * {@link PgVectorStore#stats()}: the PostgreSQL counterpart of {@link LuceneStats}. Where Lucene's index grows in
 * segments that merges fold together, a table grows in place and leaves dead row versions behind each delete and
 * update until a vacuum reclaims them; a graph index keeps growing with them, so dead rows that stay high, or an
 * analyse or vacuum that never comes, are what to watch.
 *
 * <pre>{@code
 * PgVectorStats stats = store.stats().block();
 * log.info("{} entries, table {} MB, total {} MB, {} dead rows, HNSW valid: {}", stats.entries(),
 *         stats.tableBytes() >> 20, stats.totalBytes() >> 20, stats.maintenance().deadRows(),
 *         stats.hnsw() != null && stats.hnsw().valid());
 * }</pre>
 *
 * @param table the table, as the store was built with it
 * @param entriesByNamespace the rows of each namespace, counted (exact), by namespace name
 * @param tableBytes the table's rows on disk ({@code pg_relation_size}), without indexes or TOAST
 * @param totalBytes the table with its indexes and TOAST ({@code pg_total_relation_size})
 * @param indexes every index of the table, by name
 * @param hnsw the store's HNSW index, or null if it is missing (another instance may be building it)
 * @param maintenance dead rows and the last vacuum and analyse, from the server's cumulative statistics
 * @param search how a search chooses between an exact scan and the HNSW graph
 */
public record PgVectorStats(String table, Map<String, Long> entriesByNamespace, long tableBytes, long totalBytes,
        List<Index> indexes, @Nullable Hnsw hnsw, Maintenance maintenance, Search search) {
    public PgVectorStats {
        Objects.requireNonNull(table, "table");
        entriesByNamespace = Collections.unmodifiableMap(new LinkedHashMap<>(entriesByNamespace));
        indexes = List.copyOf(indexes);
        Objects.requireNonNull(maintenance, "maintenance");
        Objects.requireNonNull(search, "search");
    }

    /** The rows of every namespace. */
    public long entries() {
        return entriesByNamespace.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * One index of the table.
     *
     * @param name its name, without the schema
     * @param method its access method: {@code hnsw}, {@code gin}, {@code btree}...
     * @param sizeBytes its size on disk ({@code pg_relation_size})
     * @param valid false while a {@code CREATE INDEX CONCURRENTLY} builds it, or after one failed: the planner does
     *     not use it, and the store rebuilds it when it is next built on the table
     */
    public record Index(String name, String method, long sizeBytes, boolean valid) {
        public Index {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(method, "method");
        }
    }

    /**
     * The HNSW index that serves the graph searches.
     *
     * @param name its name, without the schema
     * @param sizeBytes its size on disk
     * @param valid as {@link Index#valid()}
     * @param m neighbours per node, from its storage options (pgvector's default 16 when unset)
     * @param efConstruction candidates considered while inserting, from its storage options (pgvector's default 64
     *     when unset)
     */
    public record Hnsw(String name, long sizeBytes, boolean valid, int m, int efConstruction) {
        public Hnsw {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * What the server's cumulative statistics ({@code pg_stat_user_tables}) say. Each server process sends its
     * counters there when it goes idle, at most about once a second, so a write that just completed may not be
     * counted yet; a vacuum or an analyse updates them when it ends. Zero and null for a server that keeps no
     * statistics for the table.
     *
     * @param deadRows row versions deleted or replaced that no vacuum has reclaimed yet ({@code n_dead_tup})
     * @param modifiedSinceAnalyze rows inserted, updated or deleted since the table was last analysed
     * @param lastVacuum the last {@code VACUUM} run by hand, or null
     * @param lastAutovacuum the last vacuum by the autovacuum daemon, or null
     * @param lastAnalyze the last {@code ANALYZE} run by hand, or null
     * @param lastAutoanalyze the last analyse by the autovacuum daemon, or null
     */
    public record Maintenance(long deadRows, long modifiedSinceAnalyze, @Nullable Instant lastVacuum,
            @Nullable Instant lastAutovacuum, @Nullable Instant lastAnalyze, @Nullable Instant lastAutoanalyze) {}

    /**
     * How a search chooses its path (see {@link PgVectorStore}): a namespace and filter that keep at most
     * {@code exactBound} rows are scanned exactly, others go through the HNSW graph.
     *
     * @param efSearch the server's {@code hnsw.ef_search} on the store's connections (pgvector's default is 40); a
     *     graph search of the store sets it, for its own transaction, to its result count clamped to 40..1000
     * @param exactLimit a filter keeping at most this many rows is always scanned exactly
     *     ({@link PgVectorStore.Builder#exactSearchLimit})
     * @param exactShare a filter keeping at most this share of the table's rows is scanned exactly too
     *     ({@link PgVectorStore.Builder#exactSearchShare})
     * @param exactBound the larger of the two at the table's current size, as a search now computes it (from the
     *     planner's row count or the live-row counter, whichever is larger)
     */
    public record Search(int efSearch, int exactLimit, double exactShare, long exactBound) {}
}
