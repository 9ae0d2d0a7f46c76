package dev.agentrt.benchmarks;

import dev.agentrt.core.memory.VectorStore;
import dev.agentrt.core.model.Embedding;
import dev.agentrt.memory.LuceneOptions;
import dev.agentrt.memory.LuceneStats;
import dev.agentrt.memory.internal.lucene.LuceneIndex;
import dev.agentrt.memory.internal.lucene.SearchTuning;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * The embedded vector index while it is being written, as an agent's memory is: {@code n} vectors of 384 dimensions
 * inserted in batches of 1,000 (insert rate, segments, reopen time), then
 *
 * <ol>
 *   <li>one reader searching with no writer, for comparison;
 *   <li>a mixed run: one writer remembers 10 entries a second (one upsert each, durable on return) and at once recalls
 *       each with a close paraphrase (the vector plus noise, cosine about 0.95) at k=5, while one, then two readers
 *       search back to back: reader latency p50/p99, recall@10 against an exact search, the share of just-remembered
 *       entries found, and the segment count;
 *   <li>a filtered run at 0.1%, 1%, 3.3%, 10% and 33% of the entries: latency and exact top-10 (the share of queries
 *       whose top 10 is exactly the brute-force top 10 within the filter), with the store's choice and with the
 *       exact scan and the graph search forced, which is the crossover measurement behind
 *       {@link SearchTuning#DEFAULTS}.
 * </ol>
 *
 * <p>It drives the blocking core of {@code LuceneVectorStore} ({@code LuceneIndex}) from its own threads, so that each
 * search's CPU time can be reported beside its wall time: on a shared machine the wall-time tail mostly measures
 * waiting for a core. Queries are as the store's {@code search} makes them (k, oversampling, exact rescoring).
 *
 * <p>Usage: {@code java -Xmx12g --add-modules jdk.incubator.vector -cp benchmarks.jar
 * dev.agentrt.benchmarks.VectorIndexUnderWrites [n] [seconds per mixed phase] [queries]} (defaults 200000, 30, 200).
 * Vectors as in {@link VectorIndexBenchmark}.
 */
public final class VectorIndexUnderWrites {
    private static final int DIMS = 384;
    private static final int K = 10;
    private static final int BATCH = 1_000;
    private static final String NS = "bench";
    /** Filter key and modulus: entry i has {@code b<m> = i % m}, so {@code b<m>=0} keeps 1/m of the entries. */
    private static final int[] MODULI = {1000, 100, 30, 10, 3};
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private VectorIndexUnderWrites() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int queries = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        Path dir = Files.createTempDirectory("agentrt-under-writes");
        var options = LuceneOptions.defaults();
        System.out.printf(Locale.ROOT, "%,d vectors x %d dims, M=%d, beamWidth=%d; %s; %d cores; tuning %s%n", n, DIMS,
                options.maxConnections(), options.beamWidth(), Runtime.version(),
                Runtime.getRuntime().availableProcessors(), SearchTuning.DEFAULTS);

        var shapes = new VectorIndexBenchmark.Shapes(42);
        float[][] vectors = new float[n][];
        for (int i = 0; i < n; i++) {
            vectors[i] = shapes.next();
        }
        float[][] probes = new float[queries][];
        for (int i = 0; i < queries; i++) {
            probes[i] = shapes.next();
        }

        long start = System.nanoTime();
        try (var store = LuceneIndex.open(dir, DIMS, options)) {
            ExecutorService writers = Executors.newFixedThreadPool(2);
            List<Future<?>> pending = new ArrayList<>();
            for (int from = 0; from < n; from += BATCH) {
                int first = from;
                pending.add(writers.submit(() -> store.upsert(NS, batch(vectors, first))));
            }
            for (Future<?> f : pending) {
                f.get();
            }
            writers.shutdown();
            double insertSeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "insert: %.1f s, %,.0f vectors/s (batches of %d, 2 writers, durable)%n",
                    insertSeconds, n / insertSeconds, BATCH);
            System.out.println("after insert: " + describe(store.stats()));
        }
        start = System.nanoTime();
        try (var store = LuceneIndex.open(dir, DIMS, options)) {
            store.search(NS, VectorStore.Query.of(Embedding.of(probes[0]), K));
            System.out.printf(Locale.ROOT, "reopen + first search: %.0f ms; %s%n", (System.nanoTime() - start) / 1e6,
                    describe(store.stats()));

            int[][] truth = exactTopK(vectors, probes, i -> true);
            for (int warm = 0; warm < 2; warm++) {
                for (float[] probe : probes) {
                    store.search(NS, VectorStore.Query.of(Embedding.of(probe), K));
                }
            }
            var facts = new VectorIndexBenchmark.Shapes(7);
            mixed(store, probes, truth, facts, 1, false, seconds, 0);
            for (int readers = 1; readers <= 2; readers++) {
                mixed(store, probes, truth, facts, readers, true, seconds, readers * 1_000_000);
            }
            System.out.println("after the mixed runs: " + describe(store.stats()));
        }

        System.out.println("filtered search, k=" + K + ", " + queries + " queries per row:");
        System.out.println("selectivity | matches | mode | p50 ms | p99 ms | CPU p50 ms | CPU p99 ms | exact top-10 | "
                + "recall@10");
        int[][][] filteredTruth = new int[MODULI.length][][];
        for (int f = 0; f < MODULI.length; f++) {
            int m = MODULI[f];
            filteredTruth[f] = exactTopK(vectors, probes, i -> i % m == 0);
        }
        // The store's own choice last: Lucene's query cache (one per JVM) has by then cached the filters' postings as
        // bit sets, as it would in an application that filters the same way again and again.
        var modes = new SearchTuning[]{
                new SearchTuning(SearchTuning.DEFAULTS.exactSegmentBudget(), Integer.MAX_VALUE, 1,
                        SearchTuning.DEFAULTS.minCandidatesPerSegment()),
                new SearchTuning(SearchTuning.DEFAULTS.exactSegmentBudget(), 0, 0,
                        SearchTuning.DEFAULTS.minCandidatesPerSegment()),
                SearchTuning.DEFAULTS};
        var names = new String[]{"exact", "graph", "store"};
        for (int t = 0; t < modes.length; t++) {
            try (var index = LuceneIndex.open(dir, DIMS, options, modes[t])) {
                for (int f = 0; f < MODULI.length; f++) {
                    filtered(index, probes, filteredTruth[f], MODULI[f], names[t], n);
                }
            }
        }
        delete(dir);
    }

    private static void mixed(LuceneIndex store, float[][] probes, int[][] truth,
            VectorIndexBenchmark.Shapes facts, int readers, boolean writing, int seconds, int firstFactId)
            throws Exception {
        var stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(readers + 1);
        List<Future<long[]>> readerResults = new ArrayList<>();
        List<long[]> cpuTimes = java.util.Collections.synchronizedList(new ArrayList<>());
        double[] hits = new double[readers];
        int[] searched = new int[readers];
        for (int r = 0; r < readers; r++) {
            int reader = r;
            readerResults.add(pool.submit(() -> {
                long[] own = new long[1 << 20];
                long[] cpu = new long[1 << 20];
                int count = 0;
                int q = reader * 7;
                while (!stop.get() && count < own.length) {
                    int probe = q++ % probes.length;
                    long c = THREADS.getCurrentThreadCpuTime();
                    long s = System.nanoTime();
                    List<VectorStore.Match> found = store.search(NS, VectorStore.Query.of(Embedding.of(probes[probe]),
                            K));
                    own[count] = System.nanoTime() - s;
                    cpu[count++] = THREADS.getCurrentThreadCpuTime() - c;
                    Set<String> ids = new HashSet<>();
                    found.forEach(m -> ids.add(m.entry().id()));
                    for (int t : truth[probe]) {
                        if (ids.contains(id(t))) {
                            hits[reader]++;
                        }
                    }
                    searched[reader]++;
                }
                cpuTimes.add(Arrays.copyOf(cpu, count));
                return Arrays.copyOf(own, count);
            }));
        }
        var random = new SplittableRandom(readers);
        int remembered = 0;
        int recalled = 0;
        int maxSegments = 0;
        List<Long> recallLatencies = new ArrayList<>();
        List<Long> rememberLatencies = new ArrayList<>();
        long phaseStart = System.nanoTime();
        long next = phaseStart;
        while (writing && System.nanoTime() - phaseStart < seconds * 1_000_000_000L) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            next += 100_000_000L; // 10 a second
            float[] fact = facts.next();
            String id = "fact" + (firstFactId + remembered);
            long w = System.nanoTime();
            store.upsert(NS, List.of(new VectorStore.Entry(id, Embedding.of(fact), "fact " + remembered, Map.of())));
            rememberLatencies.add(System.nanoTime() - w);
            remembered++;
            float[] paraphrase = paraphrase(fact, random);
            long s = System.nanoTime();
            List<VectorStore.Match> found = store.search(NS, VectorStore.Query.of(Embedding.of(paraphrase), 5));
            recallLatencies.add(System.nanoTime() - s);
            if (found.stream().anyMatch(m -> m.entry().id().equals(id))) {
                recalled++;
            }
            if (remembered % 10 == 0) {
                maxSegments = Math.max(maxSegments, store.stats().segments().size());
            }
        }
        if (!writing) {
            Thread.sleep(seconds * 1_000L);
        }
        stop.set(true);
        long[] all = new long[0];
        for (Future<long[]> part : readerResults) {
            long[] own = part.get();
            int at = all.length;
            all = Arrays.copyOf(all, at + own.length);
            System.arraycopy(own, 0, all, at, own.length);
        }
        pool.shutdown();
        Arrays.sort(all);
        long[] cpuAll = cpuTimes.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        double totalHits = 0;
        int totalSearched = 0;
        for (int r = 0; r < readers; r++) {
            totalHits += hits[r];
            totalSearched += searched[r];
        }
        String readerLine = String.format(Locale.ROOT,
                "%d reader(s), %d s: p50 %.2f ms, p99 %.2f ms, max %.1f ms (CPU time p50 %.2f ms, p99 %.2f ms; "
                        + "%,d searches), recall@10 %.4f",
                readers, seconds, all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6,
                all[all.length - 1] / 1e6, cpuAll[cpuAll.length / 2] / 1e6, cpuAll[(int) (cpuAll.length * 0.99)] / 1e6,
                all.length, totalHits / (totalSearched * (double) K));
        if (!writing) {
            System.out.println("no writer, " + readerLine);
            return;
        }
        long[] recall = recallLatencies.stream().mapToLong(Long::longValue).sorted().toArray();
        long[] remember = rememberLatencies.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT,
                "writer remembering at 10/s, %s; just-remembered found at k=5: %d of %d (%.1f%%), remember p50 %.1f ms, "
                        + "p99 %.1f ms, its recall p50 %.2f ms, p99 %.2f ms; segments up to %d%n",
                readerLine, recalled, remembered, 100.0 * recalled / remembered, remember[remember.length / 2] / 1e6,
                remember[(int) (remember.length * 0.99)] / 1e6, recall[recall.length / 2] / 1e6,
                recall[(int) (recall.length * 0.99)] / 1e6, maxSegments);
    }

    private static void filtered(LuceneIndex index, float[][] probes, int[][] truth, int modulus, String mode, int n) {
        Map<String, String> filter = Map.of("b" + modulus, "0");
        for (float[] probe : probes) { // warm-up
            index.search(NS, new VectorStore.Query(Embedding.of(probe), null, K, filter));
        }
        long[] latencies = new long[probes.length];
        long[] cpu = new long[probes.length];
        int exactTop = 0;
        double hits = 0;
        for (int q = 0; q < probes.length; q++) {
            long c = THREADS.getCurrentThreadCpuTime();
            long s = System.nanoTime();
            List<VectorStore.Match> found = index.search(NS, new VectorStore.Query(Embedding.of(probes[q]), null, K,
                    filter));
            latencies[q] = System.nanoTime() - s;
            cpu[q] = THREADS.getCurrentThreadCpuTime() - c;
            List<String> ids = found.stream().map(m -> m.entry().id()).toList();
            Set<String> want = new HashSet<>();
            for (int t : truth[q]) {
                want.add(id(t));
            }
            if (new HashSet<>(ids).equals(want)) {
                exactTop++;
            }
            for (String id : ids) {
                if (want.contains(id)) {
                    hits++;
                }
            }
        }
        Arrays.sort(latencies);
        Arrays.sort(cpu);
        System.out.printf(Locale.ROOT, "%.1f%% | %,d | %s | %.2f | %.2f | %.2f | %.2f | %d/%d | %.4f%n",
                100.0 / modulus,
                (n + modulus - 1) / modulus, mode, latencies[latencies.length / 2] / 1e6,
                latencies[(int) (latencies.length * 0.99)] / 1e6, cpu[cpu.length / 2] / 1e6,
                cpu[(int) (cpu.length * 0.99)] / 1e6, exactTop, probes.length,
                hits / (probes.length * (double) K));
    }

    static float[] paraphrase(float[] v, SplittableRandom random) {
        float[] p = new float[v.length];
        double norm = 0;
        for (int d = 0; d < v.length; d++) {
            double u1 = 1 - random.nextDouble();
            double u2 = random.nextDouble();
            double g = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
            p[d] = (float) (v[d] + 0.3 * g / Math.sqrt(v.length));
            norm += p[d] * p[d];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int d = 0; d < p.length; d++) {
            p[d] *= scale;
        }
        return p;
    }

    private static String describe(LuceneStats stats) {
        List<LuceneStats.Segment> segments = stats.segments();
        var sizes = new StringBuilder();
        for (int i = 0; i < segments.size(); i++) {
            sizes.append(i == 0 ? "" : " ").append(segments.get(i).entries());
        }
        return String.format(Locale.ROOT, "%,d entries, %,d deleted, %,.1f MB, %d segments (entries: %s)",
                stats.entries(), stats.deletedEntries(), stats.sizeBytes() / 1e6, segments.size(), sizes);
    }

    static List<VectorStore.Entry> batch(float[][] vectors, int from) {
        int to = Math.min(vectors.length, from + BATCH);
        List<VectorStore.Entry> entries = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            var metadata = new java.util.HashMap<String, String>();
            for (int m : MODULI) {
                metadata.put("b" + m, Integer.toString(i % m));
            }
            entries.add(new VectorStore.Entry(id(i), Embedding.of(vectors[i]), "document " + i, metadata));
        }
        return entries;
    }

    static String id(int i) {
        return "v" + i;
    }

    /** The ids of the K most similar vectors among those {@code keep} accepts, by exact dot product; all cores. */
    static int[][] exactTopK(float[][] vectors, float[][] probes, IntPredicate keep) {
        return IntStream.range(0, probes.length).parallel().mapToObj(q -> {
            float[] p = probes[q];
            int[] best = new int[K];
            float[] bestScore = new float[K];
            Arrays.fill(bestScore, Float.NEGATIVE_INFINITY);
            for (int i = 0; i < vectors.length; i++) {
                if (!keep.test(i)) {
                    continue;
                }
                float dot = org.apache.lucene.util.VectorUtil.dotProduct(p, vectors[i]);
                if (dot > bestScore[K - 1]) {
                    int at = K - 1;
                    while (at > 0 && bestScore[at - 1] < dot) {
                        bestScore[at] = bestScore[at - 1];
                        best[at] = best[at - 1];
                        at--;
                    }
                    bestScore[at] = dot;
                    best[at] = i;
                }
            }
            return best;
        }).toArray(int[][]::new);
    }

    private static void delete(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
