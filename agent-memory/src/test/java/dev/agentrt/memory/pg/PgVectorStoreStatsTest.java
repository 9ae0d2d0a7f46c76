package dev.agentrt.memory.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.memory.VectorStore.Entry;
import dev.agentrt.core.model.Embedding;
import dev.agentrt.memory.PgVectorStats;
import dev.agentrt.memory.PgVectorStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** {@link PgVectorStore#stats()}: what it says about a table as it is written, deleted from, analysed and vacuumed. */
class PgVectorStoreStatsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int DIMS = 8;

    @RegisterExtension
    static final PgDatabase DB = new PgDatabase();

    @Test
    void theNumbersFollowWritesDeletesAnAnalyseAndAVacuum() throws SQLException {
        String table = DB.freshTable();
        // One session for the store and the test, so that the test can have its statistics sent before reading them.
        try (var session = new OneConnectionDataSource(DB.url());
                var store = PgVectorStore.builder(session)
                        .table(table)
                        .dimensions(DIMS)
                        .exactSearchLimit(10)
                        .exactSearchShare(0.5)
                        .build()) {
            // No autovacuum daemon's analyse between the steps below.
            session.execute("ALTER TABLE " + table + " SET (autovacuum_enabled = false)");
            PgVectorStats empty = store.stats().block(WAIT);
            assertThat(empty.table()).isEqualTo(table);
            assertThat(empty.entriesByNamespace()).isEmpty();
            assertThat(empty.entries()).isZero();
            assertThat(empty.indexes()).extracting(PgVectorStats.Index::name)
                    .containsExactly(table + "_embedding_hnsw",
                            table + "_metadata_gin", table + "_pkey", table + "_written");
            assertThat(empty.indexes()).extracting(PgVectorStats.Index::method)
                    .containsExactly("hnsw", "gin", "btree",
                            "btree");
            assertThat(empty.hnsw()).isEqualTo(new PgVectorStats.Hnsw(table + "_embedding_hnsw",
                    empty.indexes().get(0).sizeBytes(), true, 16, 64));
            assertThat(empty.search().efSearch()).isEqualTo(40);
            assertThat(empty.search().exactLimit()).isEqualTo(10);
            assertThat(empty.search().exactShare()).isEqualTo(0.5);
            assertThat(empty.search().exactBound()).isEqualTo(10);
            assertThat(empty.maintenance().lastAnalyze()).isNull();
            assertThat(empty.maintenance().lastVacuum()).isNull();
            assertThat(empty.totalBytes()).isGreaterThanOrEqualTo(empty.tableBytes()
                    + empty.indexes().stream().mapToLong(PgVectorStats.Index::sizeBytes).sum());

            store.upsert("a", entries("a", 400, 1)).block(WAIT);
            store.upsert("b", entries("b", 100, 2)).block(WAIT);
            session.flushStatistics();
            PgVectorStats written = store.stats().block(WAIT);
            assertThat(written.entriesByNamespace()).containsExactly(Map.entry("a", 400L), Map.entry("b", 100L));
            assertThat(written.entries()).isEqualTo(500);
            assertThat(written.tableBytes()).isGreaterThan(empty.tableBytes());
            assertThat(written.totalBytes()).isGreaterThan(empty.totalBytes());
            assertThat(written.hnsw().sizeBytes()).isGreaterThan(empty.hnsw().sizeBytes());
            assertThat(written.maintenance().deadRows()).isZero();
            assertThat(written.maintenance().modifiedSinceAnalyze()).isEqualTo(500);
            // Half of the 500 live rows is above the limit of 10.
            assertThat(written.search().exactBound()).isEqualTo(250);

            assertThat(store.delete("a", IntStream.range(0, 100).mapToObj(i -> "a" + i).toList()).block(WAIT))
                    .isEqualTo(100);
            session.flushStatistics();
            PgVectorStats deleted = store.stats().block(WAIT);
            assertThat(deleted.entriesByNamespace()).containsExactly(Map.entry("a", 300L), Map.entry("b", 100L));
            // Deleting rewrites nothing: the rows stay on disk, dead, until a vacuum.
            assertThat(deleted.tableBytes()).isEqualTo(written.tableBytes());
            assertThat(deleted.maintenance().deadRows()).isEqualTo(100);
            assertThat(deleted.maintenance().modifiedSinceAnalyze()).isEqualTo(600);
            assertThat(deleted.search().exactBound()).isEqualTo(200);

            session.execute("ANALYZE " + table);
            PgVectorStats analysed = store.stats().block(WAIT);
            assertThat(analysed.maintenance().modifiedSinceAnalyze()).isZero();
            assertThat(analysed.maintenance().lastAnalyze()).isNotNull();
            assertThat(analysed.maintenance().lastVacuum()).isNull();
            assertThat(analysed.search().exactBound()).isEqualTo(200);

            session.execute("VACUUM " + table);
            PgVectorStats vacuumed = store.stats().block(WAIT);
            assertThat(vacuumed.maintenance().deadRows()).isZero();
            assertThat(vacuumed.maintenance().lastVacuum()).isNotNull()
                    .isAfterOrEqualTo(analysed.maintenance().lastAnalyze());
            assertThat(vacuumed.maintenance().lastAnalyze()).isEqualTo(analysed.maintenance().lastAnalyze());
            assertThat(vacuumed.entries()).isEqualTo(400);
            assertThat(vacuumed.tableBytes()).isEqualTo(written.tableBytes());
        }
    }

    @Test
    void statsRunOffTheCallersNonBlockingThread() {
        try (var store = DB.store(DIMS).build()) {
            StepVerifier.create(Mono.defer(store::stats).subscribeOn(Schedulers.parallel()))
                    .assertNext(stats -> assertThat(stats.entries()).isZero())
                    .expectComplete()
                    .verify(WAIT);
        }
    }

    @Test
    void statsOfAClosedStoreIsAnErrorInTheMono() {
        var store = DB.store(DIMS).build();
        store.close();

        StepVerifier.create(store.stats())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("closed"))
                .verify(WAIT);
    }

    @Test
    void theExactSearchBoundIsCheckedWhenBuilding() {
        assertThatThrownBy(() -> DB.store(DIMS).exactSearchLimit(-1).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exactSearchLimit")
                .hasMessageContaining("-1");
        for (double share : new double[]{-0.1, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> DB.store(DIMS).exactSearchShare(share).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("exactSearchShare")
                    .hasMessageContaining(Double.toString(share));
        }
    }

    private static List<Entry> entries(String prefix, int n, long seed) {
        var random = new SplittableRandom(seed);
        var out = new ArrayList<Entry>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[DIMS];
            for (int d = 0; d < DIMS; d++) {
                v[d] = (float) random.nextDouble(-1, 1);
            }
            out.add(new Entry(prefix + i, Embedding.of(v), "entry " + prefix + i, Map.of("n", Integer.toString(i))));
        }
        return out;
    }

}
