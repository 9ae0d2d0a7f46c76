package dev.agentrt.benchmarks;

import dev.agentrt.core.memory.VectorStore;
import dev.agentrt.core.model.Embedding;
import dev.agentrt.memory.PgVectorStats;
import dev.agentrt.memory.PgVectorStore;
import dev.agentrt.memory.internal.lucene.SearchTuning;
import dev.agentrt.memory.internal.pg.PgPool;
import dev.agentrt.memory.internal.pg.PgRows;
import dev.agentrt.memory.internal.pg.PgSearch;
import dev.agentrt.memory.internal.pg.PgSql;
import dev.agentrt.memory.internal.pg.PgTransactions;
import dev.agentrt.memory.internal.pg.PgVectors;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code PgVectorStore} while it is written (issue 17), on the PostgreSQL at a JDBC URL (PGlite in the recorded runs):
 * {@code n} vectors of 384 dimensions as in {@link VectorIndexUnderWrites} (same generator, same {@code b<m>}
 * metadata), then
 *
 * <ol>
 *   <li>one reader searching (k=10, no filter) with no writer: latency p50/p99 and recall@10 against brute force;
 *   <li>the same reader while one writer remembers 10 entries a second (one upsert each, committed on return) and at
 *       once recalls each with a close paraphrase at k=5: the share of just-remembered entries found;
 *   <li>filtered searches keeping 0.1% to 33% of the entries, with the exact scan forced, the HNSW graph forced and
 *       the store's own choice ({@link SearchTuning#DEFAULTS}, as {@code PgVectorStore} searches): latency, the
 *       queries whose top 10 is exactly the brute-force top 10 within the filter, recall@10, and which path the store
 *       took.
 * </ol>
 *
 * <p>Loading: the store creates its table and indexes; the HNSW index is dropped, the entries are upserted through
 * the store in batches of 1,000, and a store reopened on the table builds the index again, as any store built on a
 * populated table without it does ({@code CREATE INDEX CONCURRENTLY}; pgvector builds it far faster in one pass than
 * row by row), then the table is analysed, as autovacuum would do on a server (PGlite runs no autovacuum). The searches
 * run {@link PgSearch}, the store's own search, on a pool of the benchmark's, so that the path taken can be counted.
 * Times are wall times measured here: the work happens in the server. {@code PgVectorStore.stats()} is printed after
 * loading and after the mixed runs.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.agentrt.benchmarks.PgVectorUnderWrites <jdbc url> [n] [seconds per
 * mixed phase] [queries]} (defaults 100000, 30, 200).
 */
public final class PgVectorUnderWrites {
    private static final int DIMS = 384;
    private static final int K = 10;
    private static final int BATCH = 1_000;
    private static final String NS = "bench";
    private static final int[] MODULI = {1000, 100, 30, 10, 3};

    private PgVectorUnderWrites() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: PgVectorUnderWrites <jdbc url> [n] [seconds] [queries]");
        }
        String url = args[0];
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int queries = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        String table = "bench_vectors_" + Long.toHexString(System.nanoTime());
        System.out.printf(Locale.ROOT, "%,d vectors x %d dims on %s, table %s; %s; %d cores; tuning %s%n", n, DIMS,
                PgPool.redact(url), table, Runtime.version(), Runtime.getRuntime().availableProcessors(),
                SearchTuning.DEFAULTS);

        var shapes = new VectorIndexBenchmark.Shapes(42);
        float[][] vectors = new float[n][];
        for (int i = 0; i < n; i++) {
            vectors[i] = shapes.next();
        }
        float[][] probes = new float[queries][];
        for (int i = 0; i < queries; i++) {
            probes[i] = shapes.next();
        }

        var sql = PgSql.forTable(table);
        var pool = PgPool.open(url, null, null, 4, Duration.ofSeconds(30), "bench");
        var tx = new PgTransactions(pool, "bench", null);
        try {
            long start = System.nanoTime();
            double load;
            try (var store = PgVectorStore.builder(url).table(table).dimensions(DIMS).poolSize(2).build()) {
                execute(tx, "DROP INDEX " + table + "_embedding_hnsw");
                for (int from = 0; from < n; from += BATCH) {
                    store.upsert(NS, VectorIndexUnderWrites.batch(vectors, from)).block();
                }
                load = (System.nanoTime() - start) / 1e9;
            }
            // Reopened on a table of n rows without its HNSW index, the store builds it (CONCURRENTLY). The graph
            // must fit in maintenance_work_mem to be built in one pass: a session setting, which on PGlite (one
            // backend for every connection) the store's build connection shares.
            execute(tx, "SET maintenance_work_mem = '1GB'");
            start = System.nanoTime();
            try (var store = PgVectorStore.builder(url).table(table).dimensions(DIMS).poolSize(2).build()) {
                double index = (System.nanoTime() - start) / 1e9;
                start = System.nanoTime();
                execute(tx, "ANALYZE " + table);
                System.out.printf(Locale.ROOT,
                        "load: %.1f s (%,.0f vectors/s, batches of %d, no HNSW index); reopen building the HNSW index"
                                + " %.1f s (%,.0f vectors/s); ANALYZE %.1f s%n",
                        load, n / load, BATCH, index, n / index, (System.nanoTime() - start) / 1e9);
                System.out.println("stats after loading: " + describe(store.stats().block()));
            }
            start = System.nanoTime();
            try (var store = PgVectorStore.builder(url).table(table).dimensions(DIMS).poolSize(2).build()) {
                store.search(NS, VectorStore.Query.of(Embedding.of(probes[0]), K)).block();
                System.out.printf(Locale.ROOT, "reopen + first search: %.0f ms%n", (System.nanoTime() - start) / 1e6);

                explain(tx, sql, PgVectors.format(Embedding.of(probes[0])));
                var search = new PgSearch(sql, SearchTuning.DEFAULTS);
                int[][] truth = VectorIndexUnderWrites.exactTopK(vectors, probes, i -> true);
                for (float[] probe : probes) { // warm-up
                    search(tx, search, probe, Map.of());
                }
                mixed(tx, search, store, probes, truth, false, seconds);
                mixed(tx, search, store, probes, truth, true, seconds);
                System.out.println("stats after the mixed runs: " + describe(store.stats().block()));
            }

            System.out.println("filtered search, k=" + K + ", " + queries + " queries per row (entries written "
                    + "during the mixed run are not in the filters):");
            System.out.println("selectivity | matches | mode | p50 ms | p99 ms | exact top-10 | recall@10 | paths");
            var modes = new SearchTuning[]{new SearchTuning(0, Integer.MAX_VALUE, 1, 1), new SearchTuning(0, 0, 0, 1),
                    SearchTuning.DEFAULTS};
            var names = new String[]{"exact", "graph", "store"};
            for (int f = 0; f < MODULI.length; f++) {
                int m = MODULI[f];
                int[][] filteredTruth = VectorIndexUnderWrites.exactTopK(vectors, probes, i -> i % m == 0);
                for (int t = 0; t < modes.length; t++) {
                    filtered(tx, new PgSearch(sql, modes[t]), probes, filteredTruth, m, names[t], n);
                }
            }
        } finally {
            execute(tx, "DROP TABLE IF EXISTS " + table);
            PgPool.close(pool);
        }
    }

    private static void mixed(PgTransactions tx, PgSearch search, PgVectorStore store, float[][] probes,
            int[][] truth, boolean writing, int seconds) throws Exception {
        var stop = new AtomicBoolean();
        ExecutorService reader = Executors.newSingleThreadExecutor();
        Future<long[]> result = reader.submit(() -> {
            long[] own = new long[1 << 20];
            double hits = 0;
            int count = 0;
            while (!stop.get() && count < own.length) {
                int probe = count % probes.length;
                long s = System.nanoTime();
                PgSearch.Result found = search(tx, search, probes[probe], Map.of());
                own[count++] = System.nanoTime() - s;
                hits += hitsOf(found, truth[probe]);
            }
            long[] out = Arrays.copyOf(own, count + 1);
            out[count] = (long) hits;
            return out;
        });
        var facts = new VectorIndexBenchmark.Shapes(7);
        var random = new SplittableRandom(3);
        int remembered = 0;
        int recalled = 0;
        int foundItself = 0;
        List<Long> rememberLatencies = new ArrayList<>();
        List<Long> recallLatencies = new ArrayList<>();
        long phaseStart = System.nanoTime();
        long next = phaseStart;
        while (writing && System.nanoTime() - phaseStart < seconds * 1_000_000_000L) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            next += 100_000_000L; // 10 a second
            float[] fact = facts.next();
            String id = "fact" + remembered;
            long w = System.nanoTime();
            store.upsert(NS, List.of(new VectorStore.Entry(id, Embedding.of(fact), "fact " + remembered, Map.of())))
                    .block();
            rememberLatencies.add(System.nanoTime() - w);
            remembered++;
            long s = System.nanoTime();
            List<VectorStore.Match> found = store.search(NS,
                    VectorStore.Query.of(Embedding.of(VectorIndexUnderWrites.paraphrase(fact, random)), 5)).block();
            recallLatencies.add(System.nanoTime() - s);
            if (found != null && found.stream().anyMatch(m -> m.entry().id().equals(id))) {
                recalled++;
            }
            List<VectorStore.Match> itself = store.search(NS, VectorStore.Query.of(Embedding.of(fact), 1)).block();
            if (itself != null && itself.size() == 1 && itself.get(0).entry().id().equals(id)) {
                foundItself++;
            }
        }
        if (!writing) {
            Thread.sleep(seconds * 1_000L);
        }
        stop.set(true);
        long[] own = result.get();
        reader.shutdown();
        long hits = own[own.length - 1];
        long[] all = Arrays.copyOf(own, own.length - 1);
        Arrays.sort(all);
        String line = String.format(Locale.ROOT,
                "1 reader, %d s: p50 %.2f ms, p99 %.2f ms, max %.1f ms (%,d searches), recall@10 %.4f", seconds,
                all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6, all[all.length - 1] / 1e6,
                all.length, hits / (all.length * (double) K));
        if (!writing) {
            System.out.println("no writer, " + line);
            return;
        }
        long[] remember = rememberLatencies.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] recall = recallLatencies.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT,
                "writer remembering at 10/s, %s; just-remembered found at k=5 by a paraphrase: %d of %d (%.1f%%), "
                        + "at k=1 by its own vector: %d; remember p50 %.1f ms, p99 %.1f ms, its recall p50 %.2f ms, "
                        + "p99 %.2f ms%n",
                line, recalled, remembered, 100.0 * recalled / remembered, foundItself,
                remember[remember.length / 2] / 1e6,
                remember[(int) (remember.length * 0.99)] / 1e6, recall[recall.length / 2] / 1e6,
                recall[(int) (recall.length * 0.99)] / 1e6);
    }

    private static void filtered(PgTransactions tx, PgSearch search, float[][] probes, int[][] truth, int modulus,
            String mode, int n) {
        Map<String, String> filter = Map.of("b" + modulus, "0");
        for (int q = 0; q < Math.min(20, probes.length); q++) { // warm-up
            search(tx, search, probes[q], filter);
        }
        long[] latencies = new long[probes.length];
        int exactTop = 0;
        double hits = 0;
        var paths = new EnumMap<PgSearch.Path, Integer>(PgSearch.Path.class);
        for (int q = 0; q < probes.length; q++) {
            long s = System.nanoTime();
            PgSearch.Result found = search(tx, search, probes[q], filter);
            latencies[q] = System.nanoTime() - s;
            paths.merge(found.path(), 1, Integer::sum);
            int h = hitsOf(found, truth[q]);
            hits += h;
            if (h == K && found.matches().size() == K) {
                exactTop++;
            }
        }
        Arrays.sort(latencies);
        System.out.printf(Locale.ROOT, "%.1f%% | %,d | %s | %.2f | %.2f | %d/%d | %.4f | %s%n", 100.0 / modulus,
                (n + modulus - 1) / modulus, mode, latencies[latencies.length / 2] / 1e6,
                latencies[(int) (latencies.length * 0.99)] / 1e6, exactTop, probes.length,
                hits / (probes.length * (double) K), paths);
    }

    private static PgSearch.Result search(PgTransactions tx, PgSearch search, float[] probe,
            Map<String, String> filter) {
        var query = new VectorStore.Query(Embedding.of(probe), null, K, filter);
        return tx.runBlocking("search", c -> search.search(c, NS, query));
    }

    private static int hitsOf(PgSearch.Result found, int[] truth) {
        Set<String> want = new HashSet<>();
        for (int t : truth) {
            want.add(VectorIndexUnderWrites.id(t));
        }
        int hits = 0;
        for (VectorStore.Match m : found.matches()) {
            if (want.contains(m.entry().id())) {
                hits++;
            }
        }
        return hits;
    }

    /** Prints how the server runs the store's exact, graph and newest-rows queries (1 % and 10 % filters). */
    private static void explain(PgTransactions tx, PgSql sql, String vector) {
        tx.runBlocking("explain", c -> {
            run(c, "SET LOCAL hnsw.ef_search = 40");
            run(c, "SET LOCAL hnsw.iterative_scan = strict_order");
            String[][] plans = {
                    {"exact, 1% filter", sql.exactSearch(true), "b100"},
                    {"graph, 10% filter", sql.search(true), "b10"},
                    {"newest rows, no filter", sql.recentSearch(false), ""}};
            for (String[] plan : plans) {
                try (var ps = c.prepareStatement("EXPLAIN (ANALYZE, COSTS OFF) " + plan[1])) {
                    int i = 1;
                    ps.setString(i++, vector);
                    ps.setString(i++, NS);
                    if (plan[1].equals(sql.recentSearch(false))) {
                        ps.setInt(i++, 1_000);
                        ps.setInt(i++, K);
                        ps.setString(i, NS);
                    } else {
                        i = PgRows.setMetadata(c, ps, i, Map.of(plan[2], "0"));
                        if (plan[1].equals(sql.search(true))) {
                            ps.setString(i++, vector);
                            ps.setInt(i, K);
                        } else {
                            ps.setLong(i++, 10_001);
                            ps.setInt(i++, K);
                            ps.setString(i, NS);
                        }
                    }
                    System.out.println("EXPLAIN ANALYZE, " + plan[0] + ":");
                    try (var rs = ps.executeQuery()) {
                        while (rs.next()) {
                            System.out.println("  " + rs.getString(1).replaceAll("'\\[[^\\]]{40,}\\]'", "'[...]'"));
                        }
                    }
                }
            }
            return null;
        });
    }

    private static String describe(PgVectorStats stats) {
        var out = new StringBuilder(String.format(Locale.ROOT,
                "%,d entries; table %.1f MB, with indexes and TOAST %.1f MB; %,d dead rows, %,d modified since the"
                        + " last analyse (last analyse %s, autoanalyse %s, vacuum %s, autovacuum %s)",
                stats.entries(), stats.tableBytes() / 1e6, stats.totalBytes() / 1e6, stats.maintenance().deadRows(),
                stats.maintenance().modifiedSinceAnalyze(), stats.maintenance().lastAnalyze(),
                stats.maintenance().lastAutoanalyze(), stats.maintenance().lastVacuum(),
                stats.maintenance().lastAutovacuum()));
        for (PgVectorStats.Index index : stats.indexes()) {
            out.append(String.format(Locale.ROOT, "; %s %s %.1f MB%s", index.method(), index.name(),
                    index.sizeBytes() / 1e6, index.valid() ? "" : " INVALID"));
        }
        if (stats.hnsw() != null) {
            out.append(String.format(Locale.ROOT, "; HNSW m=%d ef_construction=%d", stats.hnsw().m(),
                    stats.hnsw().efConstruction()));
        }
        return out.append(String.format(Locale.ROOT, "; ef_search %d; exact bound %,d (max(%,d, %.3f x rows))",
                stats.search().efSearch(), stats.search().exactBound(), stats.search().exactLimit(),
                stats.search().exactShare())).toString();
    }

    private static void execute(PgTransactions tx, String statement) {
        tx.runBlocking(statement, c -> {
            run(c, statement);
            return null;
        });
    }

    private static void run(Connection c, String statement) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute(statement);
        }
    }
}
