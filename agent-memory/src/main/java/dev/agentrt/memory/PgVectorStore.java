package dev.agentrt.memory;

import dev.agentrt.core.memory.VectorStore;
import dev.agentrt.core.memory.VectorStoreSize;
import dev.agentrt.memory.internal.lucene.SearchTuning;
import dev.agentrt.memory.internal.pg.PgPool;
import dev.agentrt.memory.internal.pg.PgRows;
import dev.agentrt.memory.internal.pg.PgSchema;
import dev.agentrt.memory.internal.pg.PgSearch;
import dev.agentrt.memory.internal.pg.PgSql;
import dev.agentrt.memory.internal.pg.PgTransactions;
import dev.agentrt.memory.internal.pg.PgVectors;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link VectorStore} on PostgreSQL with the pgvector extension, so that many application
 * instances share one memory. Needs {@code org.postgresql:postgresql} and
 * {@code com.zaxxer:HikariCP} on the class path (optional dependencies of agent-memory).
 *
 * <pre>{@code
 * try (PgVectorStore store = PgVectorStore.builder("jdbc:postgresql://db:5432/app")
 *         .user("agent").password(secret)
 *         .table("agentrt_vectors").dimensions(384).poolSize(10)
 *         .build()) {
 *     store.upsert("docs", entries).block();
 * }
 * }</pre>
 *
 * <p>{@link Builder#build()} connects, creates the {@code vector} extension, the table
 * {@code (namespace text, id text, embedding vector(n), text text, metadata jsonb, written
 * timestamptz, PRIMARY KEY (namespace, id))}, an HNSW index {@code USING hnsw (embedding
 * vector_cosine_ops)}, a GIN index on the metadata and an index on {@code (namespace, written)} if
 * they are missing (the {@code written} column is added to a table made without it); a table that exists with another dimension count is a
 * {@link dev.agentrt.core.MemoryStoreException} naming both. An upsert is one transaction of batched
 * {@code INSERT ... ON CONFLICT (namespace, id) DO UPDATE}, committed before its {@code Mono}
 * completes, so a search that starts after it sees every entry it wrote. The score of a match is
 * {@code 1 - cosine distance}.
 *
 * <p>Indexes and writes: on a new or empty table the indexes are created in the schema's transaction. An index missing
 * from a table that already has rows (or left invalid by a build that failed or was interrupted) is built after that
 * transaction, with {@code CREATE INDEX CONCURRENTLY} on a connection outside any transaction, so that other
 * application instances keep inserting, updating and deleting while it runs (an HNSW build over millions of rows
 * takes minutes; a concurrent build also waits for the transactions already running when it starts to end);
 * {@code build()} returns when it is done. An invalid index is first dropped with
 * {@code DROP INDEX CONCURRENTLY}. Builds on a table are serialised by an advisory lock taken without waiting: an
 * instance that finds another one building opens at once and leaves the build to it (searches stay correct without
 * the index, only slower; {@link #stats()} shows it missing or invalid until it is done). A server or pooler that refuses
 * {@code CONCURRENTLY} (SQLState {@code 0A000}, or {@code 25001}: a pooler in transaction mode) gets a plain
 * {@code CREATE INDEX} in a transaction, which blocks writes until it ends. PGlite accepts {@code CONCURRENTLY}, but it
 * is one PostgreSQL backend that runs the statements of all its connections one at a time, so there every statement,
 * an index build among them, holds up all the others whichever way it is built.
 *
 * <p>Search: when the namespace and metadata filter keep few rows (at most 10,000, or 5 % of the
 * table if that is more: {@link Builder#exactSearchLimit} and {@link Builder#exactSearchShare}), the search is exact: the distance of each row the filter keeps (found
 * through the metadata's GIN index or the primary key) and the nearest {@code k} of them, the
 * true top {@code k}. Otherwise it is {@code ORDER BY embedding <=> ? LIMIT k} through the HNSW
 * index, with the filter in the {@code WHERE} clause ({@code metadata @> ...}), {@code ef_search}
 * at least 40 and iterative index scans so that a filter still finds {@code k} rows. To choose, the
 * store asks the planner how many rows the filter keeps (planning only, no rows read), widened by
 * the rows written since the table was last analysed; when that does not settle it (or the table
 * was never analysed: PGlite, or a new table before autovacuum), it counts the matches up to the
 * bound. An estimate that turns out wrong costs a second query, never exactness: the exact query
 * counts what it read, and a graph search that finds fewer than {@code k} rows is repeated exactly.
 * A graph search also scores the namespace's 1,000 most recently written rows exactly and keeps
 * the nearest of both, so an entry just remembered is found even where the HNSW graph has no link
 * leading to it (a new row far from the rows before it).
 *
 * <p>Reconnection: the pool validates idle connections and evicts broken ones. An operation whose
 * connection breaks (the server restarted, the network dropped) before {@code COMMIT} was sent is
 * repeated once on a fresh connection: nothing of it can have committed, since every operation is
 * an explicit transaction. A connection that breaks during {@code COMMIT} is not repeated (the
 * server may have committed); the error is a retryable {@code MemoryStoreException} that says the
 * outcome is unknown. Upserts are idempotent, so repeating one is always safe.
 *
 * <p>{@link #stats()} reports the rows by namespace, the sizes of the table and its indexes, dead rows and the last
 * vacuum and analyse, the HNSW index's {@code m} and {@code ef_construction} and the exact/graph bound in use.
 *
 * <p>Thread-safe. Every JDBC call runs on {@code AgentSchedulers.blocking()} (virtual threads);
 * {@code build()} itself blocks while it connects. Messages name the JDBC URL without credentials
 * and never contain the password. {@link #close()} closes the pool the store opened (a
 * {@code DataSource} passed in is left to its owner).
 */
public final class PgVectorStore implements VectorStore {
    private final DataSource dataSource;
    private final boolean ownsDataSource;
    private final PgSql sql;
    private final PgTransactions tx;
    private final PgSearch search;
    private final SearchTuning tuning;
    private final int dimensions;
    private final String description;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PgVectorStore(DataSource dataSource, boolean ownsDataSource, PgSql sql, PgTransactions tx, int dimensions,
            SearchTuning tuning, String description) {
        this.dataSource = dataSource;
        this.ownsDataSource = ownsDataSource;
        this.sql = sql;
        this.tx = tx;
        this.tuning = tuning;
        this.search = new PgSearch(sql, tuning);
        this.dimensions = dimensions;
        this.description = description;
    }

    /** A store on the server at {@code jdbcUrl} ({@code jdbc:postgresql://host:port/database}), pooled. */
    public static Builder builder(String jdbcUrl) {
        return new Builder(Objects.requireNonNull(jdbcUrl, "jdbcUrl"), null);
    }

    /** A store on connections from {@code dataSource}, which the application pools and closes. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(null, Objects.requireNonNull(dataSource, "dataSource"));
    }

    @Override
    public int dimensions() {
        return dimensions;
    }

    /** The table this store reads and writes. */
    public String table() {
        return sql.table();
    }

    @Override
    public Mono<Void> upsert(String namespace, List<Entry> entries) {
        return Mono.defer(() -> {
            Objects.requireNonNull(namespace, "namespace");
            for (Entry e : entries) {
                PgVectors.check(e.embedding(), dimensions, "entry " + e.id());
            }
            if (entries.isEmpty()) {
                return Mono.<Void>empty();
            }
            List<Entry> batch = List.copyOf(entries);
            return operation("upsert " + batch.size() + " entries", c -> {
                try (var ps = c.prepareStatement(sql.upsert())) {
                    for (Entry e : batch) {
                        ps.setString(1, namespace);
                        ps.setString(2, e.id());
                        ps.setString(3, PgVectors.format(e.embedding()));
                        ps.setString(4, e.text());
                        PgRows.setMetadata(c, ps, 5, e.metadata());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return Boolean.TRUE;
            }).then();
        });
    }

    @Override
    public Mono<List<Match>> search(String namespace, Query query) {
        return Mono.defer(() -> {
            Objects.requireNonNull(namespace, "namespace");
            PgVectors.check(query.embedding(), dimensions, "the query");
            return operation("search", c -> search.search(c, namespace, query).matches());
        });
    }

    @Override
    public Mono<List<Entry>> find(String namespace, Map<String, String> filter, int limit) {
        return Mono.defer(() -> {
            Objects.requireNonNull(namespace, "namespace");
            if (limit < 0) {
                return Mono.error(new IllegalArgumentException("limit must not be negative, was " + limit));
            }
            if (limit == 0) {
                return Mono.just(List.<Entry>of());
            }
            Map<String, String> where = Map.copyOf(filter);
            return operation("find", c -> {
                try (var ps = c.prepareStatement(sql.find(!where.isEmpty()))) {
                    int i = 1;
                    ps.setString(i++, namespace);
                    if (!where.isEmpty()) {
                        i = PgRows.setMetadata(c, ps, i, where);
                    }
                    ps.setInt(i, limit);
                    try (var rs = ps.executeQuery()) {
                        var out = new ArrayList<Entry>();
                        while (rs.next()) {
                            out.add(PgRows.entry(rs));
                        }
                        return List.copyOf(out);
                    }
                }
            });
        });
    }

    @Override
    public Mono<Long> delete(String namespace, Collection<String> ids) {
        return Mono.defer(() -> {
            Objects.requireNonNull(namespace, "namespace");
            var unique = new LinkedHashSet<String>(ids);
            if (unique.isEmpty()) {
                return Mono.just(0L);
            }
            String[] idArray = unique.toArray(String[]::new);
            return operation("delete " + idArray.length + " entries", c -> {
                try (var ps = c.prepareStatement(sql.deleteIds())) {
                    ps.setString(1, namespace);
                    ps.setArray(2, c.createArrayOf("text", idArray));
                    return (long) ps.executeUpdate();
                }
            });
        });
    }

    @Override
    public Mono<Long> deleteWhere(String namespace, Map<String, String> filter) {
        return Mono.defer(() -> {
            Objects.requireNonNull(namespace, "namespace");
            Map<String, String> where = Map.copyOf(filter);
            return operation("delete by metadata", c -> {
                try (var ps = c.prepareStatement(sql.deleteWhere(!where.isEmpty()))) {
                    ps.setString(1, namespace);
                    if (!where.isEmpty()) {
                        PgRows.setMetadata(c, ps, 2, where);
                    }
                    return (long) ps.executeUpdate();
                }
            });
        });
    }

    /**
     * The table's rows ({@code COUNT(*)}, which reads the table or its smallest index) and its size on disk with its
     * indexes and TOAST ({@code pg_total_relation_size}), in one statement.
     */
    @Override
    public Mono<VectorStoreSize> size() {
        return Mono.defer(() -> operation("count the entries", c -> {
            try (var s = c.createStatement(); var r = s.executeQuery(sql.size())) {
                r.next();
                return new VectorStoreSize(r.getLong(1), r.getLong(2));
            }
        }));
    }

    /**
     * The table's rows by namespace, the sizes of the table and its indexes, the server's dead-row count and last
     * vacuum and analyse, the HNSW index's parameters and the bound between exact and graph searches (see
     * {@link PgVectorStats}). One transaction of catalog and statistics queries and a {@code count(*)} by namespace
     * (which reads the table or its primary key); on {@code AgentSchedulers.blocking()}.
     */
    public Mono<PgVectorStats> stats() {
        return Mono.defer(() -> operation("read the table's statistics", c -> {
            var entries = new LinkedHashMap<String, Long>();
            try (var s = c.createStatement(); var r = s.executeQuery(sql.countByNamespace())) {
                while (r.next()) {
                    entries.put(r.getString(1), r.getLong(2));
                }
            }
            try (var s = c.createStatement(); var r = s.executeQuery(PgSql.loadVector())) {
                r.next();
            }
            var indexes = new ArrayList<PgVectorStats.Index>();
            PgVectorStats.Hnsw hnsw = null;
            String hnswName = sql.vectorIndex().name();
            try (var ps = c.prepareStatement(PgSql.indexStats())) {
                ps.setString(1, sql.table());
                try (var r = ps.executeQuery()) {
                    while (r.next()) {
                        var index = new PgVectorStats.Index(r.getString(1), r.getString(2), r.getLong(3),
                                r.getBoolean(4));
                        indexes.add(index);
                        if (index.name().equals(hnswName)) {
                            Map<String, String> options = options(r.getArray(5));
                            hnsw = new PgVectorStats.Hnsw(index.name(), index.sizeBytes(), index.valid(),
                                    Integer.parseInt(options.getOrDefault("m", "16")),
                                    Integer.parseInt(options.getOrDefault("ef_construction", "64")));
                        }
                    }
                }
            }
            try (var ps = c.prepareStatement(PgSql.tableStats())) {
                ps.setString(1, sql.table());
                try (var r = ps.executeQuery()) {
                    if (!r.next()) {
                        throw new SQLException("the table " + sql.table() + " does not exist", "42P01");
                    }
                    var maintenance = new PgVectorStats.Maintenance(r.getLong(4), r.getLong(5), instant(r, 6),
                            instant(r, 7), instant(r, 8), instant(r, 9));
                    String efSearch = r.getString(10);
                    var choice = new PgVectorStats.Search(efSearch == null ? 40 : Integer.parseInt(efSearch),
                            tuning.exactFilterLimit(), tuning.exactFilterShare(),
                            tuning.exactFilterMatches(r.getLong(3)));
                    return new PgVectorStats(sql.table(), entries, r.getLong(1), r.getLong(2), indexes, hnsw,
                            maintenance, choice);
                }
            }
        }));
    }

    private static Map<String, String> options(@Nullable Array array) throws SQLException {
        var out = new LinkedHashMap<String, String>();
        if (array != null) {
            try {
                for (String option : (String[]) array.getArray()) {
                    int eq = option.indexOf('=');
                    if (eq > 0) {
                        out.put(option.substring(0, eq), option.substring(eq + 1));
                    }
                }
            } finally {
                array.free();
            }
        }
        return out;
    }

    private static @Nullable Instant instant(ResultSet r, int column) throws SQLException {
        OffsetDateTime time = r.getObject(column, OffsetDateTime.class);
        return time == null ? null : time.toInstant();
    }

    /** Closes the connection pool this store opened. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && ownsDataSource) {
            PgPool.close(dataSource);
        }
    }

    @Override
    public String toString() {
        return "PgVectorStore[" + description + ", " + dimensions + " dimensions]";
    }

    private <T> Mono<T> operation(String what, PgTransactions.Work<T> work) {
        if (closed.get()) {
            return Mono.error(new IllegalStateException(this + " is closed"));
        }
        return tx.run(what, work);
    }

    /**
     * Settings for a {@link PgVectorStore}. {@code dimensions} is required; the table defaults to
     * {@code agentrt_vectors}, the pool to 10 connections and the connect timeout to 10 seconds.
     * Not thread-safe; {@link #build()} copies what it needs.
     */
    public static final class Builder {
        private final @Nullable String jdbcUrl;
        private final @Nullable DataSource dataSource;
        private @Nullable String user;
        private @Nullable String password;
        private String table = "agentrt_vectors";
        private int dimensions;
        private int poolSize = 10;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private int exactSearchLimit = SearchTuning.DEFAULTS.exactFilterLimit();
        private double exactSearchShare = SearchTuning.DEFAULTS.exactFilterShare();

        private Builder(@Nullable String jdbcUrl, @Nullable DataSource dataSource) {
            this.jdbcUrl = jdbcUrl;
            this.dataSource = dataSource;
        }

        /** The database user (or a {@code user} parameter in the URL). Ignored with a {@code DataSource}. */
        public Builder user(String user) {
            this.user = Objects.requireNonNull(user, "user");
            return this;
        }

        /** The password; it never appears in a message or log line. Ignored with a {@code DataSource}. */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /**
         * The table, created if missing: a lower-case SQL identifier of at most 48 characters
         * ({@code [a-z_][a-z0-9_]*}), optionally schema-qualified ({@code memory.vectors}).
         */
        public Builder table(String table) {
            this.table = Objects.requireNonNull(table, "table");
            return this;
        }

        /** The length of every vector (required); an existing table must have been created with it. */
        public Builder dimensions(int dimensions) {
            this.dimensions = dimensions;
            return this;
        }

        /** The most connections the pool opens (default 10). Ignored with a {@code DataSource}. */
        public Builder poolSize(int poolSize) {
            this.poolSize = poolSize;
            return this;
        }

        /** How long to wait for a connection (default 10 s; at least 250 ms). Ignored with a {@code DataSource}. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * A search whose namespace and filter keep at most this many rows is answered by an exact scan of them rather
         * than through the HNSW graph, whatever the table's size (default 10,000; at least 0). See
         * {@link #exactSearchShare}: the larger of the two bounds applies.
         */
        public Builder exactSearchLimit(int exactSearchLimit) {
            this.exactSearchLimit = exactSearchLimit;
            return this;
        }

        /**
         * A search whose namespace and filter keep at most this share of the table's rows is answered by an exact
         * scan too (default 0.05; 0 to 1): the crossover grows with the table, since a graph search's cost grows more
         * slowly than a scan's.
         */
        public Builder exactSearchShare(double exactSearchShare) {
            this.exactSearchShare = exactSearchShare;
            return this;
        }

        /**
         * Connects, creates the schema if missing and checks an existing table; builds a missing or invalid index
         * (concurrently, on a table with rows: see the class comment). Blocks while it does.
         *
         * @throws IllegalStateException if a setting is invalid (the message names it), or the JDBC
         *     driver or HikariCP is not on the class path
         * @throws IllegalArgumentException for a table name that is not accepted
         * @throws dev.agentrt.core.MemoryStoreException if the server cannot be reached, the
         *     schema cannot be created, or the table holds vectors of another dimension count
         */
        public PgVectorStore build() {
            if (dimensions < 1 || dimensions > 16_000) {
                throw new IllegalStateException("dimensions must be set to between 1 and 16000 (pgvector's limit), was "
                        + dimensions);
            }
            if (poolSize < 1) {
                throw new IllegalStateException("poolSize must be positive, was " + poolSize);
            }
            if (exactSearchLimit < 0) {
                throw new IllegalStateException("exactSearchLimit must not be negative, was " + exactSearchLimit);
            }
            if (!(exactSearchShare >= 0 && exactSearchShare <= 1)) {
                throw new IllegalStateException("exactSearchShare must be between 0 and 1, was " + exactSearchShare);
            }
            var tuning = new SearchTuning(SearchTuning.DEFAULTS.exactSegmentBudget(), exactSearchLimit,
                    exactSearchShare, SearchTuning.DEFAULTS.minCandidatesPerSegment());
            PgSql sql = PgSql.forTable(table);
            DataSource source;
            String where;
            if (jdbcUrl != null) {
                requireClass("org.postgresql.Driver", "org.postgresql:postgresql");
                requireClass("com.zaxxer.hikari.HikariDataSource", "com.zaxxer:HikariCP");
                where = PgPool.redact(jdbcUrl) + " table " + sql.table();
                source = PgPool.open(jdbcUrl, user, password, poolSize, connectTimeout, "agentrt-pg-" + sql.table());
            } else {
                source = Objects.requireNonNull(dataSource);
                where = "a DataSource, table " + sql.table();
            }
            var tx = new PgTransactions(source, where, password);
            try {
                PgSchema.ensure(tx, sql, dimensions);
            } catch (RuntimeException e) {
                if (jdbcUrl != null) {
                    PgPool.close(source);
                }
                throw e;
            }
            return new PgVectorStore(source, jdbcUrl != null, sql, tx, dimensions, tuning, where);
        }

        private static void requireClass(String name, String artifact) {
            try {
                Class.forName(name, false, PgVectorStore.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(
                        "PgVectorStore needs " + artifact
                                + " on the class path (an optional dependency of agent-memory)",
                        e);
            }
        }
    }
}
