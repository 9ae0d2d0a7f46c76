package dev.agentrt.memory.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.memory.VectorStore.Entry;
import dev.agentrt.core.memory.VectorStore.Match;
import dev.agentrt.core.memory.VectorStore.Query;
import dev.agentrt.core.model.Embedding;
import dev.agentrt.memory.PgVectorStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Search at a size where the store must choose: 12,000 entries, more than the 10,000 a filter may keep to be
 * answered by an exact scan, so the whole namespace and a filter keeping 90 % go through the HNSW graph, and a filter
 * keeping 1 % is scanned exactly. Every expectation is checked against a brute-force search of what was written.
 */
class PgVectorStoreSearchTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int DIMS = 16;
    private static final int N = 12_000;
    private static final String NS = "ns";

    @RegisterExtension
    static final PgDatabase DB = new PgDatabase();

    private static PgVectorStore store;
    private static String table;
    /** Everything in the namespace, for the brute-force answers. */
    private static final List<Entry> WRITTEN = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void writeEntries() {
        table = DB.freshTable();
        store = PgVectorStore.builder(DB.url()).table(table).dimensions(DIMS).poolSize(4).build();
        var random = new SplittableRandom(17);
        var batch = new ArrayList<Entry>();
        for (int i = 0; i < N; i++) {
            var metadata = new HashMap<String, String>();
            metadata.put("b100", Integer.toString(i % 100));
            metadata.put("wide", i % 10 == 0 ? "no" : "yes");
            batch.add(new Entry("e" + i, unit(random), "entry " + i, metadata));
            if (batch.size() == 1_000) {
                store.upsert(NS, batch).block(WAIT);
                WRITTEN.addAll(batch);
                batch.clear();
            }
        }
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @Test
    void aFilterKeepingOnePercentReturnsTheExactTopTenBeforeAndAfterTheTableIsAnalysed() throws SQLException {
        var filter = Map.of("b100", "7");
        Predicate<Entry> keeps = e -> "7".equals(e.metadata().get("b100"));

        // Never analysed (PGlite runs no autovacuum): the store counts the filter's matches.
        assertExactTopTen(filter, keeps, 101);
        analyse();
        // Analysed: the planner's estimate decides.
        assertExactTopTen(filter, keeps, 202);
    }

    @Test
    void aFilterKeepingNinetyPercentStillFindsItsNearestEntries() {
        var filter = Map.of("wide", "yes");
        var random = new SplittableRandom(303);
        double hits = 0;
        int queries = 20;
        for (int q = 0; q < queries; q++) {
            Embedding probe = unit(random);
            List<Match> found = store.search(NS, new Query(probe, null, 10, filter)).block(WAIT);

            assertThat(found).hasSize(10);
            assertThat(found).allSatisfy(m -> assertThat(m.entry().metadata()).containsEntry("wide", "yes"));
            assertThat(found).extracting(Match::score).isSortedAccordingTo(Comparator.reverseOrder());
            List<String> truth = bruteForce(probe, e -> "yes".equals(e.metadata().get("wide")), 10);
            hits += found.stream().filter(m -> truth.contains(m.entry().id())).count();
        }
        // The graph is approximate; on 16 random dimensions it finds nearly all of the true nearest.
        assertThat(hits / (queries * 10.0)).isGreaterThan(0.8);
    }

    @Test
    void anEntryIsFoundAtOnceAfterItsUpsertCompletesEvenFarFromEveryEntryBeforeIt() {
        var random = new SplittableRandom(404);
        for (int i = 0; i < 20; i++) {
            // Every earlier entry leans towards +x; these lie on the other side, where the graph has no rows to link
            // them from.
            var entry = new Entry("fresh" + i, unit(random, -1), "just remembered " + i, Map.of("b100", "fresh"));
            WRITTEN.add(entry);

            StepVerifier.create(store.upsert(NS, List.of(entry))
                    .then(store.search(NS, Query.of(entry.embedding(), 1))))
                    .assertNext(found -> assertThat(found).singleElement()
                            .satisfies(m -> assertThat(m.entry()).isEqualTo(entry))
                            .satisfies(m -> assertThat(m.score()).isCloseTo(1.0, org.assertj.core.data.Offset
                                    .offset(1e-5))))
                    .expectComplete()
                    .verify(WAIT);
        }
    }

    private static void assertExactTopTen(Map<String, String> filter, Predicate<Entry> keeps, long seed) {
        var random = new SplittableRandom(seed);
        for (int q = 0; q < 20; q++) {
            Embedding probe = unit(random);
            List<Match> found = store.search(NS, new Query(probe, null, 10, filter)).block(WAIT);

            assertThat(found).extracting(m -> m.entry().id()).containsExactlyElementsOf(bruteForce(probe, keeps, 10));
        }
    }

    private static List<String> bruteForce(Embedding probe, Predicate<Entry> keeps, int k) {
        return WRITTEN.stream()
                .filter(keeps)
                .sorted(Comparator.comparingDouble((Entry e) -> -cosine(probe, e.embedding())))
                .limit(k)
                .map(Entry::id)
                .toList();
    }

    private static double cosine(Embedding a, Embedding b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.dimensions(); i++) {
            dot += (double) a.get(i) * b.get(i);
            na += (double) a.get(i) * a.get(i);
            nb += (double) b.get(i) * b.get(i);
        }
        return dot / Math.sqrt(na * nb);
    }

    private static void analyse() throws SQLException {
        try (var c = DriverManager.getConnection(DB.url()); var st = c.createStatement()) {
            st.execute("ANALYZE " + table);
        }
    }

    /** A random unit vector leaning towards +x, as every entry of the fixture and every probe does. */
    private static Embedding unit(SplittableRandom random) {
        return unit(random, 1);
    }

    private static Embedding unit(SplittableRandom random, int side) {
        float[] v = new float[DIMS];
        double norm = 0;
        for (int i = 0; i < DIMS; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
            if (i == 0) {
                v[i] = side * (Math.abs(v[i]) + 1.5f);
            }
            norm += v[i] * v[i];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < DIMS; i++) {
            v[i] *= scale;
        }
        return Embedding.of(v);
    }
}
