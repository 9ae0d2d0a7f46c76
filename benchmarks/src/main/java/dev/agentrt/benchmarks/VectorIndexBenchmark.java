package dev.agentrt.benchmarks;

import dev.agentrt.core.memory.VectorStore;
import dev.agentrt.core.model.Embedding;
import dev.agentrt.memory.LuceneOptions;
import dev.agentrt.memory.LuceneVectorStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * The embedded vector index at scale: inserts {@code n} vectors of 384 dimensions into a {@link LuceneVectorStore},
 * then reports the insert rate, the size on disk, the time to reopen, recall@10 against an exact (brute-force) search,
 * and query latency p50/p99 with 1 and 2 threads searching at once.
 *
 * <p>The vectors are synthetic but shaped like sentence embeddings rather than uniform noise (on which no ANN index
 * does well): unit vectors scattered around 2,000 random topic centres, each also pulled towards one of 50 broad
 * directions, so that neighbourhoods have the dense-cluster-plus-long-tail structure real text embeddings show.
 * Queries come from the same distribution and are not in the index.
 *
 * <p>Usage: {@code java -Xmx12g --add-modules jdk.incubator.vector -cp benchmarks.jar
 * dev.agentrt.benchmarks.VectorIndexBenchmark [n] [FLOAT32|INT8] [queries] [dir [reuse]]} (defaults 100000, FLOAT32, 1000,
 * a temporary directory that is deleted afterwards; {@code -Dhnsw.m=32 -Dhnsw.beamWidth=100} sets the graph's shape; with a directory the index is kept, and {@code reuse} searches
 * an index a previous run with the same {@code n} left there instead of inserting again).
 */
public final class VectorIndexBenchmark {
    private static final int DIMS = 384;
    private static final int K = 10;
    private static final int BATCH = 1_000;

    private VectorIndexBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        var encoding = args.length > 1 ? LuceneOptions.Encoding.valueOf(args[1]) : LuceneOptions.Encoding.FLOAT32;
        int queries = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
        boolean temporary = args.length <= 3;
        Path dir = temporary ? Files.createTempDirectory("agentrt-vectors") : Path.of(args[3]);
        boolean reuse = args.length > 4 && args[4].equals("reuse");
        var options = LuceneOptions.defaults().withEncoding(encoding);
        if (System.getProperty("hnsw.m") != null) {
            options = options.withHnsw(Integer.getInteger("hnsw.m"), Integer.getInteger("hnsw.beamWidth", 100));
        }
        System.out.printf(Locale.ROOT, "%,d vectors x %d dims, %s, M=%d, beamWidth=%d; %s; %d cores%n", n, DIMS,
                encoding, options.maxConnections(), options.beamWidth(), Runtime.version(),
                Runtime.getRuntime().availableProcessors());

        var data = new Shapes(42);
        float[][] vectors = new float[n][];
        for (int i = 0; i < n; i++) {
            vectors[i] = data.next();
        }
        float[][] probes = new float[queries][];
        for (int i = 0; i < queries; i++) {
            probes[i] = data.next();
        }

        long start = System.nanoTime();
        try (var store = LuceneVectorStore.open(dir, DIMS, options)) {
            if (reuse) {
                System.out.println("reusing the index at " + dir + " (same seed, same vectors)");
            }
            // Two writers at once, as an application indexing from several tasks would; each batch is durable on return.
            ExecutorService writers = Executors.newFixedThreadPool(2);
            List<Future<?>> pending = new ArrayList<>();
            int toInsert = reuse ? 0 : n;
            for (int from = 0; from < toInsert; from += BATCH) {
                int first = from;
                pending.add(writers.submit(() -> store.upsert("bench", batch(vectors, first)).block()));
            }
            for (Future<?> f : pending) {
                f.get();
            }
            writers.shutdown();
        }
        double insertSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT,
                reuse ? "(no insert)%n" : "insert: %.1f s, %,.0f vectors/s (batches of %d, 2 writers, durable)%n",
                insertSeconds, n / insertSeconds, BATCH);
        System.out.printf(Locale.ROOT, "size on disk: %,.1f MB (%.0f bytes/vector; raw floats %d bytes)%n",
                size(dir) / 1e6, (double) size(dir) / n, DIMS * 4);

        int[][] truth = exactTopK(vectors, probes);
        start = System.nanoTime();
        try (var store = LuceneVectorStore.open(dir, DIMS, options)) {
            store.search("bench", VectorStore.Query.of(Embedding.of(probes[0]), K)).block();
            System.out.printf(Locale.ROOT, "reopen + first search: %.0f ms%n", (System.nanoTime() - start) / 1e6);

            for (int warm = 0; warm < 2; warm++) {
                for (float[] probe : probes) {
                    store.search("bench", VectorStore.Query.of(Embedding.of(probe), K)).block();
                }
            }
            double hits = 0;
            for (int q = 0; q < queries; q++) {
                List<VectorStore.Match> found = store.search("bench", VectorStore.Query.of(Embedding.of(probes[q]),
                        K)).block();
                var ids = new java.util.HashSet<String>();
                found.forEach(m -> ids.add(m.entry().id()));
                for (int t : truth[q]) {
                    if (ids.contains(id(t))) {
                        hits++;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "recall@%d vs exact search: %.4f (%d queries)%n", K, hits / (queries * K),
                    queries);
            for (int threads : new int[]{1, 2}) {
                long[] latencies = latencies(store, probes, threads);
                System.out.printf(Locale.ROOT, "latency, %d thread(s): p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
                        threads, latencies[latencies.length / 2] / 1e6,
                        latencies[(int) (latencies.length * 0.99)] / 1e6, latencies[latencies.length - 1] / 1e6);
            }
        }
        if (temporary) {
            delete(dir);
        }
    }

    private static List<VectorStore.Entry> batch(float[][] vectors, int from) {
        int to = Math.min(vectors.length, from + BATCH);
        List<VectorStore.Entry> entries = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            entries.add(new VectorStore.Entry(id(i), Embedding.of(vectors[i]), "document " + i, Map.of()));
        }
        return entries;
    }

    private static String id(int i) {
        return "v" + i;
    }

    /** Each query searched by every thread (the query list split among them), sorted latencies in nanoseconds. */
    private static long[] latencies(LuceneVectorStore store, float[][] probes, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<long[]>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            parts.add(pool.submit(() -> {
                long[] own = new long[probes.length];
                for (int q = 0; q < probes.length; q++) {
                    long s = System.nanoTime();
                    store.search("bench", VectorStore.Query.of(Embedding.of(probes[q]), K)).block();
                    own[q] = System.nanoTime() - s;
                }
                return own;
            }));
        }
        long[] all = new long[0];
        for (Future<long[]> part : parts) {
            long[] own = part.get();
            int at = all.length;
            all = Arrays.copyOf(all, at + own.length);
            System.arraycopy(own, 0, all, at, own.length);
        }
        pool.shutdown();
        Arrays.sort(all);
        return all;
    }

    /** The ids of the K most similar vectors by exact cosine (dot product of unit vectors), per query; all cores. */
    private static int[][] exactTopK(float[][] vectors, float[][] probes) {
        long start = System.nanoTime();
        int[][] truth = IntStream.range(0, probes.length).parallel().mapToObj(q -> {
            float[] p = probes[q];
            int[] best = new int[K];
            float[] bestScore = new float[K];
            Arrays.fill(bestScore, Float.NEGATIVE_INFINITY);
            for (int i = 0; i < vectors.length; i++) {
                float[] v = vectors[i];
                float dot = 0;
                for (int d = 0; d < DIMS; d++) {
                    dot += p[d] * v[d];
                }
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
        System.out.printf(Locale.ROOT, "exact search of %d queries: %.1f s%n", probes.length,
                (System.nanoTime() - start) / 1e9);
        return truth;
    }

    private static long size(Path dir) {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Unit vectors around topic centres, each topic leaning towards one of a few broad directions. */
    static final class Shapes {
        private final SplittableRandom random;
        private final float[][] topics = new float[2_000][];

        Shapes(long seed) {
            random = new SplittableRandom(seed);
            float[][] broad = new float[50][];
            for (int b = 0; b < broad.length; b++) {
                broad[b] = unit(gaussian(1.0));
            }
            for (int t = 0; t < topics.length; t++) {
                float[] topic = gaussian(1.0);
                float[] lean = broad[random.nextInt(broad.length)];
                for (int d = 0; d < DIMS; d++) {
                    topic[d] = topic[d] * 0.6f + lean[d] * (float) Math.sqrt(DIMS) * 0.8f;
                }
                topics[t] = unit(topic);
            }
        }

        float[] next() {
            float[] topic = topics[random.nextInt(topics.length)];
            float[] v = gaussian(1.0 / Math.sqrt(DIMS));
            for (int d = 0; d < DIMS; d++) {
                v[d] = topic[d] + 0.9f * v[d];
            }
            return unit(v);
        }

        private float[] gaussian(double sigma) {
            float[] v = new float[DIMS];
            for (int d = 0; d < DIMS; d++) {
                // Box-Muller from two uniforms.
                double u1 = 1 - random.nextDouble();
                double u2 = random.nextDouble();
                v[d] = (float) (sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
            }
            return v;
        }

        private static float[] unit(float[] v) {
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            float scale = (float) (1 / Math.sqrt(norm));
            for (int d = 0; d < v.length; d++) {
                v[d] *= scale;
            }
            return v;
        }
    }
}
