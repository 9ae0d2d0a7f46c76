package dev.agentrt.memory.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.MemoryStoreException;
import dev.agentrt.core.memory.VectorStore.Entry;
import dev.agentrt.core.memory.VectorStore.Query;
import dev.agentrt.core.model.Embedding;
import dev.agentrt.memory.PgVectorStats;
import dev.agentrt.memory.PgVectorStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How the store builds an index on a table that already has rows: concurrently, outside any transaction, so that
 * other instances open and write meanwhile; an index a failed build left invalid is rebuilt; a server that refuses
 * {@code CONCURRENTLY} gets a plain build. The moment of the build is reached through a {@link StatementHookDataSource},
 * never by timing.
 */
class PgVectorStoreIndexBuildTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int ROWS = 300;

    @RegisterExtension
    static final PgDatabase DB = new PgDatabase();

    /** A table of {@link #ROWS} rows in namespace "ns" whose HNSW index has been dropped. */
    private static String populatedTableWithoutHnsw() throws SQLException {
        String table = DB.freshTable();
        try (var store = PgVectorStore.builder(DB.url()).table(table).dimensions(3).poolSize(2).build()) {
            var entries = new ArrayList<Entry>();
            for (int i = 0; i < ROWS; i++) {
                entries.add(new Entry("e" + i, vector(1, i / (float) ROWS, 0.5f), "entry " + i, Map.of()));
            }
            store.upsert("ns", entries).block(WAIT);
        }
        sql("DROP INDEX " + hnsw(table));
        return table;
    }

    @Test
    void aStoreOpenedOnAPopulatedTableBuildsTheIndexConcurrentlyWhileAnotherInstanceOpensAndWrites()
            throws SQLException {
        String table = populatedTableWithoutHnsw();
        var duringBuild = new AtomicReference<String>();
        var source = new StatementHookDataSource(DB.url(), (statement, connection) -> {
            if (statement.startsWith("CREATE INDEX CONCURRENTLY " + hnsw(table))) {
                assertThat(connection.getAutoCommit()).as("the build runs outside a transaction").isTrue();
                // Another instance opens on the table and writes: nothing of the building store's holds it up, and
                // it leaves the build to the store that holds the build lock.
                try (var other = PgVectorStore.builder(DB.url()).table(table).dimensions(3).poolSize(2).build()) {
                    other.upsert("ns", List.of(new Entry("during", vector(-1, 0, 0), "written during the build",
                            Map.of()))).block(WAIT);
                    duringBuild.set(indexState(table));
                }
            }
        });

        try (var store = PgVectorStore.builder(source).table(table).dimensions(3).build()) {
            if (isPglite()) {
                // PGlite serves every connection from one backend, whose advisory locks exclude no one: the other
                // instance built the index, and this store found it built.
                assertThat(duringBuild.get()).isEqualTo("valid hnsw");
            } else {
                assertThat(duringBuild.get()).as("the other instance found the build lock held and left the build")
                        .isEqualTo("missing");
            }
            assertThat(source.executed()).filteredOn(s -> s.contains(hnsw(table)))
                    .containsExactly("CREATE INDEX CONCURRENTLY " + hnsw(table) + " ON " + table
                            + " USING hnsw (embedding vector_cosine_ops)");
            PgVectorStats stats = store.stats().block(WAIT);
            assertThat(stats.hnsw()).isNotNull();
            assertThat(stats.hnsw().valid()).isTrue();
            assertThat(stats.entriesByNamespace()).containsExactly(Map.entry("ns", ROWS + 1L));
            assertThat(store.search("ns", Query.of(vector(-1, 0, 0), 1)).block(WAIT)).singleElement()
                    .satisfies(m -> assertThat(m.entry().id()).isEqualTo("during"));
        }
    }

    @Test
    void anIndexLeftInvalidByAFailedConcurrentBuildIsDroppedAndRebuilt() throws SQLException {
        String table = populatedTableWithoutHnsw();
        // A concurrent build that fails half-way (a unique index over duplicate texts... under the HNSW index's
        // name) leaves an invalid index behind, as a build killed by a restart does.
        sql("UPDATE " + table + " SET text = 'same'");
        assertThatThrownBy(() -> sql("CREATE UNIQUE INDEX CONCURRENTLY " + hnsw(table) + " ON " + table + " (text)"))
                .isInstanceOf(SQLException.class);
        assertThat(indexState(table)).isEqualTo("invalid btree");

        var source = new StatementHookDataSource(DB.url(), (statement, connection) -> {});
        try (var store = PgVectorStore.builder(source).table(table).dimensions(3).build()) {
            assertThat(indexState(table)).isEqualTo("valid hnsw");
            assertThat(source.executed()).filteredOn(s -> s.contains(hnsw(table)))
                    .containsExactly(
                            "DROP INDEX CONCURRENTLY IF EXISTS " + hnsw(table),
                            "CREATE INDEX CONCURRENTLY " + hnsw(table) + " ON " + table
                                    + " USING hnsw (embedding vector_cosine_ops)");
            assertThat(store.stats().block(WAIT).indexes()).filteredOn(i -> i.name().equals(hnsw(table)))
                    .singleElement()
                    .satisfies(i -> assertThat(i.method()).isEqualTo("hnsw"))
                    .satisfies(i -> assertThat(i.valid()).isTrue());
            assertThat(store.find("ns", Map.of(), ROWS + 10).block(WAIT)).hasSize(ROWS);
        }
    }

    @Test
    void aServerThatRefusesConcurrentlyGetsAPlainBuildThatAlsoRepairsAnInvalidIndex() throws SQLException {
        String table = populatedTableWithoutHnsw();
        sql("UPDATE " + table + " SET text = 'same'");
        assertThatThrownBy(() -> sql("CREATE UNIQUE INDEX CONCURRENTLY " + hnsw(table) + " ON " + table + " (text)"))
                .isInstanceOf(SQLException.class);
        var source = new StatementHookDataSource(DB.url(), (statement, connection) -> {
            if (statement.contains("CONCURRENTLY")) {
                throw new SQLException("CONCURRENTLY is not supported here", "0A000");
            }
        });

        try (var store = PgVectorStore.builder(source).table(table).dimensions(3).build()) {
            assertThat(indexState(table)).isEqualTo("valid hnsw");
            assertThat(source.executed()).filteredOn(s -> s.contains(hnsw(table)))
                    .containsExactly(
                            "DROP INDEX CONCURRENTLY IF EXISTS " + hnsw(table),
                            "DROP INDEX IF EXISTS " + hnsw(table),
                            "CREATE INDEX " + hnsw(table) + " ON " + table
                                    + " USING hnsw (embedding vector_cosine_ops)");
            assertThat(store.find("ns", Map.of(), ROWS + 10).block(WAIT)).hasSize(ROWS);
        }
    }

    @Test
    void aBuildThatFailsIsAnErrorNamingTheIndexKeepsEveryRowAndTheNextOpenBuildsIt() throws SQLException {
        String table = populatedTableWithoutHnsw();
        var failing = new StatementHookDataSource(DB.url(), (statement, connection) -> {
            if (statement.startsWith("CREATE INDEX CONCURRENTLY")) {
                throw new SQLException("the build was cancelled", "57014");
            }
        });

        assertThatThrownBy(() -> PgVectorStore.builder(failing).table(table).dimensions(3).build())
                .isInstanceOf(MemoryStoreException.class)
                .hasMessageContaining("build the index " + hnsw(table))
                .hasMessageContaining("the build was cancelled");

        assertThat(indexState(table)).isEqualTo("missing");
        // The build lock went with the failure: the next store builds the index.
        try (var store = PgVectorStore.builder(DB.url()).table(table).dimensions(3).poolSize(2).build()) {
            assertThat(indexState(table)).isEqualTo("valid hnsw");
            assertThat(store.find("ns", Map.of(), ROWS + 10).block(WAIT)).hasSize(ROWS);
        }
    }

    @Test
    void onANewTableTheIndexesAreCreatedInTheSchemaTransaction() {
        String table = DB.freshTable();
        var source = new StatementHookDataSource(DB.url(), (statement, connection) -> {
            if (statement.startsWith("CREATE INDEX")) {
                assertThat(connection.getAutoCommit()).as("inside the schema's transaction").isFalse();
            }
        });
        try (var store = PgVectorStore.builder(source).table(table).dimensions(3).build()) {
            assertThat(source.executed()).filteredOn(s -> s.startsWith("CREATE INDEX"))
                    .hasSize(3)
                    .noneMatch(s -> s.contains("CONCURRENTLY"));
            assertThat(store.stats().block(WAIT).indexes()).extracting(PgVectorStats.Index::valid)
                    .containsOnly(true);
        }
    }

    private static String hnsw(String table) {
        return table + "_embedding_hnsw";
    }

    /** "missing", or "valid"/"invalid" and the access method of the table's index named as the HNSW index. */
    private static String indexState(String table) throws SQLException {
        try (Connection c = DriverManager.getConnection(DB.url());
                var ps = c.prepareStatement("SELECT x.indisvalid, am.amname FROM pg_index x JOIN pg_class i"
                        + " ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam WHERE i.relname = ?")) {
            ps.setString(1, hnsw(table));
            try (var rs = ps.executeQuery()) {
                return rs.next() ? (rs.getBoolean(1) ? "valid " : "invalid ") + rs.getString(2) : "missing";
            }
        }
    }

    private static boolean isPglite() throws SQLException {
        try (Connection c = DriverManager.getConnection(DB.url());
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT version()")) {
            rs.next();
            return rs.getString(1).contains("PGlite");
        }
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(DB.url()); var st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private static Embedding vector(float... components) {
        return Embedding.of(components);
    }
}
