package dev.agentrt.memory.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.agentrt.core.MemoryStoreException;
import dev.agentrt.core.memory.VectorStore.Entry;
import dev.agentrt.core.memory.VectorStore.Match;
import dev.agentrt.core.memory.VectorStore.Query;
import dev.agentrt.core.model.Embedding;
import dev.agentrt.memory.LuceneOptions;
import dev.agentrt.memory.LuceneStats;
import dev.agentrt.memory.LuceneVectorStore;
import dev.agentrt.memory.internal.lucene.LuceneIndex;
import dev.agentrt.memory.internal.lucene.SearchTuning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

class LuceneVectorStoreTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void aReopenedStoreHasEveryEntry() {
        int dims = 384;
        int count = 10_000;
        Path dir = tmp.resolve("index");
        var random = new Random(7);
        List<Entry> entries = IntStream.range(0, count)
                .mapToObj(
                        i -> new Entry("e" + i, randomVector(random, dims), "text " + i, Map.of("shard", "s" + i % 10)))
                .toList();
        try (var store = LuceneVectorStore.open(dir, dims)) {
            Flux.fromIterable(entries).buffer(1_000).concatMap(batch -> store.upsert("ns", batch)).blockLast(WAIT);
        }

        // How fast a reopen is belongs to VectorIndexBenchmark; here, that it finds everything again.
        try (var store = LuceneVectorStore.open(dir, dims)) {
            List<Match> first = store.search("ns", Query.of(entries.get(4242).embedding(), 1)).block(WAIT);

            assertThat(first).singleElement().satisfies(m -> {
                assertThat(m.entry()).isEqualTo(entries.get(4242));
                assertThat(m.score()).isCloseTo(1.0, offset(1e-5));
            });
            assertThat(store.find("ns", Map.of(), count + 1).block(WAIT)).hasSize(count);
            assertThat(store.find("ns", Map.of("shard", "s3"), count).block(WAIT)).hasSize(count / 10);
        }
    }

    @Test
    void reopeningWithAnotherDimensionCountNamesBoth() {
        Path dir = tmp.resolve("index");
        try (var store = LuceneVectorStore.open(dir, 4)) {
            store.upsert("ns", List.of(entry("a", 1, 0, 0, 0))).block(WAIT);
        }

        assertThatThrownBy(() -> LuceneVectorStore.open(dir, 8))
                .isInstanceOf(MemoryStoreException.class)
                .hasMessageContaining("4 dimensions")
                .hasMessageContaining("opened for 8")
                .hasMessageContaining(dir.toAbsolutePath().toString());
        try (var store = LuceneVectorStore.open(dir, 4)) {
            assertThat(store.find("ns", Map.of(), 10).block(WAIT)).hasSize(1);
        }
    }

    @Test
    void aDirectoryHoldingOtherFilesIsRefusedAndLeftAlone() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("notes"));
        Path notes = Files.writeString(dir.resolve("notes.txt"), "my precious notes");

        assertThatThrownBy(() -> LuceneVectorStore.open(dir, 4))
                .isInstanceOf(MemoryStoreException.class)
                .hasMessageContaining(dir.toAbsolutePath().toString())
                .hasMessageContaining("no Lucene index");
        assertThat(notes).hasContent("my precious notes");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(notes);
        }
    }

    @Test
    void aPathThatIsAFileIsRefused() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");

        assertThatThrownBy(() -> LuceneVectorStore.open(file, 4))
                .isInstanceOf(MemoryStoreException.class)
                .hasMessageContaining("not a directory");
        assertThat(file).hasContent("x");
    }

    @Test
    void aTruncatedSegmentFileIsAnErrorNamingThePathAndNothingIsOverwritten() throws IOException {
        Path dir = indexWithEntries();
        Path victim = largestFile(dir);
        try (var file = new RandomAccessFile(victim.toFile(), "rw")) {
            file.setLength(file.length() / 2);
        }
        Map<String, byte[]> before = snapshot(dir);

        assertThatThrownBy(() -> LuceneVectorStore.open(dir, 4))
                .isInstanceOf(MemoryStoreException.class)
                .hasMessageContaining(dir.toAbsolutePath().toString())
                .hasMessageContaining("corrupted");
        assertSameFiles(dir, before);
    }

    @Test
    void aGarbledCommitFileIsAnErrorNamingThePathAndNothingIsOverwritten() throws IOException {
        Path dir = indexWithEntries();
        Path segments;
        try (Stream<Path> files = Files.list(dir)) {
            segments = files.filter(f -> f.getFileName().toString().startsWith("segments_")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(segments);
        for (int i = bytes.length / 3; i < bytes.length / 2; i++) {
            bytes[i] ^= 0x5A;
        }
        Files.write(segments, bytes);
        Map<String, byte[]> before = snapshot(dir);

        assertThatThrownBy(() -> LuceneVectorStore.open(dir, 4))
                .isInstanceOf(MemoryStoreException.class)
                .hasMessageContaining(dir.toAbsolutePath().toString());
        assertSameFiles(dir, before);
    }

    @Test
    void aSecondOpenWhileTheFirstIsOpenSaysTheIndexIsInUse() {
        Path dir = tmp.resolve("index");
        try (var first = LuceneVectorStore.open(dir, 4)) {
            first.upsert("ns", List.of(entry("a", 1, 0, 0, 0))).block(WAIT);

            assertThatThrownBy(() -> LuceneVectorStore.open(dir, 4))
                    .isInstanceOf(MemoryStoreException.class)
                    .hasMessageContaining("in use")
                    .hasMessageContaining(dir.toAbsolutePath().toString());
            assertThat(first.find("ns", Map.of(), 10).block(WAIT)).hasSize(1);
        }
        try (var second = LuceneVectorStore.open(dir, 4)) {
            assertThat(second.find("ns", Map.of(), 10).block(WAIT)).hasSize(1);
        }
    }

    @Test
    void closeIsIdempotentAndLaterCallsFailInTheirMono() {
        var store = LuceneVectorStore.open(tmp.resolve("index"), 4);
        store.close();
        store.close();

        StepVerifier.create(store.find("ns", Map.of(), 1))
                .expectErrorSatisfies(
                        e -> assertThat(e).isInstanceOf(MemoryStoreException.class).hasMessageContaining("closed"))
                .verify(WAIT);
    }

    @Test
    void withQueryTextAnEntryMatchingItsWordsOutranksOneThatIsOnlyCloser() {
        try (var store = LuceneVectorStore.open(tmp.resolve("index"), 4)) {
            store.upsert("ns", List.of(
                    new Entry("close", vector(1, 0, 0, 0), "a note about gardening and roses", Map.of()),
                    new Entry("worded", vector(0.8f, 0.6f, 0, 0), "how the retry policy backs off", Map.of()),
                    new Entry("far", vector(0, 0, 0, 1), "unrelated", Map.of())))
                    .block(WAIT);
            Embedding q = vector(1, 0.05f, 0, 0);

            assertThat(store.search("ns", Query.of(q, 3)).block(WAIT))
                    .extracting(m -> m.entry().id())
                    .startsWith("close", "worded");
            List<Match> hybrid = store.search("ns", new Query(q, "retry policy", 3, Map.of())).block(WAIT);
            assertThat(hybrid).extracting(m -> m.entry().id()).startsWith("worded", "close");
            assertThat(hybrid).isSortedAccordingTo(Comparator.comparingDouble(Match::score).reversed());
        }
    }

    @Test
    void queryTextFindsAnEntryTheVectorsAloneWouldNotReturn() {
        try (var store = LuceneVectorStore.open(tmp.resolve("index"), 4)) {
            var entries = new ArrayList<Entry>();
            for (int i = 0; i < 50; i++) {
                entries.add(new Entry("near" + i, vector(1, i / 100f, 0, 0), "filler " + i, Map.of()));
            }
            entries.add(new Entry("keyword", vector(0.6f, 0, 0.8f, 0), "the zanzibar protocol", Map.of()));
            store.upsert("ns", entries).block(WAIT);

            List<Match> vectorsOnly = store.search("ns", Query.of(vector(1, 0, 0, 0), 5)).block(WAIT);
            List<Match> hybrid = store.search("ns", new Query(vector(1, 0, 0, 0), "zanzibar", 5, Map.of())).block(WAIT);

            assertThat(vectorsOnly).extracting(m -> m.entry().id()).doesNotContain("keyword");
            assertThat(hybrid).extracting(m -> m.entry().id()).first().isEqualTo("keyword");
            assertThat(hybrid.get(0).score()).isCloseTo(0.7 * 0.6 + 0.3, offset(1e-4));
        }
    }

    @Test
    void filtersCombineWithTheGraphSearch() {
        try (var store = LuceneVectorStore.open(tmp.resolve("index"), 8)) {
            var random = new Random(3);
            var entries = new ArrayList<Entry>();
            for (int i = 0; i < 500; i++) {
                entries.add(new Entry("e" + i, randomVector(random, 8), "t",
                        Map.of("lang", i % 5 == 0 ? "java" : "md", "i", "" + i)));
            }
            store.upsert("ns", entries).block(WAIT);
            Embedding q = randomVector(random, 8);

            List<Match> java = store.search("ns", new Query(q, null, 10, Map.of("lang", "java"))).block(WAIT);

            assertThat(java).hasSize(10)
                    .allSatisfy(m -> assertThat(m.entry().metadata()).containsEntry("lang", "java"));
            List<String> exact = entries.stream()
                    .filter(e -> e.metadata().get("lang").equals("java"))
                    .sorted(Comparator.comparingDouble((Entry e) -> e.embedding().cosine(q)).reversed())
                    .limit(10)
                    .map(Entry::id)
                    .toList();
            assertThat(java).extracting(m -> m.entry().id()).containsExactlyElementsOf(exact);
            assertThat(store.search("ns", new Query(q, "t", 10, Map.of("lang", "java", "i", "5"))).block(WAIT))
                    .extracting(m -> m.entry().id())
                    .containsExactly("e5");
        }
    }

    @Test
    void theExactFilterCrossoverGrowsWithTheIndexAsMeasured() {
        // benchmarks/README.md 7c: between 3.3 % and 10 % of the index at 200,000 and at 1,000,000 entries.
        assertThat(SearchTuning.DEFAULTS.exactFilterMatches(2_000)).isEqualTo(10_000);
        assertThat(SearchTuning.DEFAULTS.exactFilterMatches(200_000)).isEqualTo(10_000);
        assertThat(SearchTuning.DEFAULTS.exactFilterMatches(1_000_000)).isEqualTo(50_000).isBetween(33_334L, 99_999L);
        assertThatThrownBy(() -> new SearchTuning(0, 0, 1.5, 20)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SearchTuning(0, 0, Double.NaN, 20)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void graphSearchRecallsNinetyPercentOfTheExactTopTen() {
        // An index this small is scanned exactly by default; the tuning sends every segment and filter to the graph.
        var graphOnly = new SearchTuning(0, 0, 0, 20);
        for (LuceneOptions.Encoding encoding : LuceneOptions.Encoding.values()) {
            for (Map<String, String> filter : List.of(Map.<String, String>of(), Map.of("half", "yes"))) {
                int dims = 32;
                var random = new Random(11);
                List<Entry> entries = IntStream.range(0, 2_000)
                        .mapToObj(i -> new Entry("e" + i, randomVector(random, dims), "",
                                Map.of("half", i % 2 == 0 ? "yes" : "no")))
                        .toList();
                try (var index = LuceneIndex.open(tmp.resolve("recall-" + encoding + filter.size()), dims,
                        LuceneOptions.defaults().withEncoding(encoding), graphOnly)) {
                    for (int from = 0; from < entries.size(); from += 250) {
                        index.upsert("ns", entries.subList(from, from + 250));
                    }
                    int queries = 50;
                    int found = 0;
                    for (int q = 0; q < queries; q++) {
                        Embedding query = randomVector(random, dims);
                        Set<String> exact = new HashSet<>(entries.stream()
                                .filter(e -> e.metadata().entrySet().containsAll(filter.entrySet()))
                                .sorted(Comparator.comparingDouble((Entry e) -> e.embedding().cosine(query)).reversed())
                                .limit(10)
                                .map(Entry::id)
                                .toList());
                        for (Match m : index.search("ns", new Query(query, null, 10, filter))) {
                            if (exact.contains(m.entry().id())) {
                                found++;
                            }
                        }
                    }
                    double recall = found / (queries * 10.0);
                    System.out.printf("recall@10 %s, filter %s, 2000 x 32, graph only: %.3f%n", encoding, filter,
                            recall);
                    assertThat(recall).as(encoding + " " + filter).isGreaterThanOrEqualTo(0.9);
                }
            }
        }
    }

    @Test
    void vectorsBeyondLucenesDefaultLimitOf1024DimensionsWork() {
        Path dir = tmp.resolve("wide");
        var random = new Random(5);
        Entry wide = new Entry("w", randomVector(random, 1536), "wide", Map.of());
        try (var store = LuceneVectorStore.open(dir, 1536)) {
            store.upsert("ns", List.of(wide)).block(WAIT);
        }
        try (var store = LuceneVectorStore.open(dir, 1536)) {
            assertThat(store.search("ns", Query.of(wide.embedding(), 1)).block(WAIT))
                    .singleElement()
                    .satisfies(m -> assertThat(m.entry()).isEqualTo(wide));
        }
    }

    @Test
    void aBadEntryLeavesItsWholeBatchUnapplied() {
        try (var store = LuceneVectorStore.open(tmp.resolve("index"), 4)) {
            StepVerifier
                    .create(store.upsert("ns", List.of(entry("good", 1, 0, 0, 0), entry("nan", Float.NaN, 0, 0, 0))))
                    .expectErrorSatisfies(
                            e -> assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nan"))
                    .verify(WAIT);
            StepVerifier.create(store.upsert("bad\0ns", List.of(entry("good", 1, 0, 0, 0))))
                    .expectError(IllegalArgumentException.class)
                    .verify(WAIT);

            assertThat(store.find("ns", Map.of(), 10).block(WAIT)).isEmpty();
        }
    }

    @Test
    void zeroVectorsAreStoredAndScoreZero() {
        try (var store = LuceneVectorStore.open(tmp.resolve("index"), 4)) {
            store.upsert("ns", List.of(entry("zero", 0, 0, 0, 0), entry("x", 1, 0, 0, 0))).block(WAIT);

            List<Match> matches = store.search("ns", Query.of(vector(1, 0, 0, 0), 2)).block(WAIT);

            assertThat(matches).extracting(m -> m.entry().id()).containsExactly("x", "zero");
            assertThat(matches.get(1).score()).isZero();
            assertThat(matches.get(1).entry().embedding()).isEqualTo(vector(0, 0, 0, 0));
        }
    }

    @Test
    void callsFromANonBlockingThreadDoTheirIoElsewhere() {
        try (var store = LuceneVectorStore.open(tmp.resolve("index"), 4)) {
            Mono<List<Match>> chain = Mono.defer(() -> store.upsert("ns", List.of(entry("a", 1, 0, 0, 0))))
                    .then(Mono.defer(() -> store.search("ns", new Query(vector(1, 0, 0, 0), "text", 1, Map.of()))))
                    .flatMap(m -> store.delete("ns", List.of("a")).thenReturn(m))
                    .subscribeOn(Schedulers.parallel());

            StepVerifier.create(chain)
                    .assertNext(m -> assertThat(m).hasSize(1))
                    .verifyComplete();
        }
    }

    @Test
    void concurrentWritesShareCommits() throws Exception {
        try (var index = LuceneIndex.open(tmp.resolve("index"), 4, LuceneOptions.defaults())) {
            long before = index.commits();
            try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 200; i++) {
                    int n = i;
                    threads.submit(() -> index.upsert("ns", List.of(entry("e" + n, 1, n, 0, 0))));
                }
            }
            long commits = index.commits() - before;
            System.out.printf("200 concurrent upserts took %d commits%n", commits);

            assertThat(index.find("ns", Map.of(), 1000)).hasSize(200);
            assertThat(commits).isBetween(1L, 199L);
        }
    }

    @Test
    void aJustWrittenNearestNeighbourIsFoundAtKOneInAManySegmentIndex() {
        int dims = 32;
        var random = new Random(17);
        try (var store = LuceneVectorStore.open(tmp.resolve("index"), dims)) {
            // One large segment, then one segment per commit: seven commits stay below the merge policy's ten
            // segments per tier, so no merge changes the layout.
            store.upsert("ns", randomEntries(random, "base", 2_000, dims)).block(WAIT);
            for (int c = 0; c < 5; c++) {
                store.upsert("ns", randomEntries(random, "c" + c + "-", 200, dims)).block(WAIT);
            }
            Embedding query = randomVector(random, dims);
            float[] near = query.vector();
            for (int i = 0; i < dims; i++) {
                near[i] += (float) (random.nextGaussian() * 1e-3);
            }
            var fresh = new ArrayList<>(randomEntries(random, "fresh-", 49, dims));
            fresh.add(new Entry("remembered", Embedding.of(near), "just remembered", Map.of()));

            List<Match> found = store.upsert("ns", fresh).then(store.search("ns", Query.of(query, 1))).block(WAIT);

            assertThat(found).extracting(m -> m.entry().id()).containsExactly("remembered");
            assertThat(store.stats().block(WAIT).segments()).hasSize(7);
        }
    }

    @Test
    void aFilterKeepingFewEntriesReturnsTheExactTopTen() {
        int dims = 48;
        var random = new Random(23);
        var entries = new ArrayList<Entry>();
        for (int i = 0; i < 6_000; i++) {
            entries.add(new Entry("e" + i, randomVector(random, dims), "t",
                    Map.of("tag", i % 100 == 0 ? "rare" : "common")));
        }
        try (var store = LuceneVectorStore.open(tmp.resolve("index"), dims)) {
            Flux.fromIterable(entries).buffer(1_500).concatMap(b -> store.upsert("ns", b)).blockLast(WAIT);
            for (int q = 0; q < 20; q++) {
                Embedding query = randomVector(random, dims);
                List<String> exact = entries.stream()
                        .filter(e -> e.metadata().get("tag").equals("rare"))
                        .sorted(Comparator.comparingDouble((Entry e) -> e.embedding().cosine(query)).reversed())
                        .limit(10)
                        .map(Entry::id)
                        .toList();

                StepVerifier.create(store.search("ns", new Query(query, null, 10, Map.of("tag", "rare"))))
                        .assertNext(found -> assertThat(found).extracting(m -> m.entry().id())
                                .containsExactlyElementsOf(exact))
                        .verifyComplete();
            }
        }
    }

    @Test
    void statsCountEntriesDeletionsAndSegments() {
        var random = new Random(29);
        try (var store = LuceneVectorStore.open(tmp.resolve("index"), 8)) {
            StepVerifier.create(store.stats())
                    .assertNext(empty -> {
                        assertThat(empty.entries()).isZero();
                        assertThat(empty.segments()).isEmpty();
                    })
                    .verifyComplete();
            store.upsert("a", randomEntries(random, "a", 100, 8)).block(WAIT);
            store.upsert("b", randomEntries(random, "b", 50, 8)).block(WAIT);
            store.delete("a", List.of("a0", "a1", "a2")).block(WAIT);

            StepVerifier.create(store.stats())
                    .assertNext(stats -> {
                        assertThat(stats.entries()).isEqualTo(147);
                        assertThat(stats.deletedEntries()).isEqualTo(3);
                        assertThat(stats.segments()).hasSize(2);
                        assertThat(stats.segments()).extracting(LuceneStats.Segment::entries)
                                .containsExactly(97, 50);
                        assertThat(stats.segments()).extracting(LuceneStats.Segment::deletedEntries)
                                .containsExactly(3, 0);
                        assertThat(stats.segments()).allSatisfy(s -> assertThat(s.sizeBytes()).isPositive());
                        assertThat(stats.sizeBytes())
                                .isEqualTo(stats.segments().stream().mapToLong(LuceneStats.Segment::sizeBytes).sum());
                    })
                    .verifyComplete();
        }
    }

    private static List<Entry> randomEntries(Random random, String prefix, int count, int dims) {
        return IntStream.range(0, count)
                .mapToObj(i -> new Entry(prefix + i, randomVector(random, dims), "text " + i, Map.of()))
                .toList();
    }

    private Path indexWithEntries() {
        Path dir = tmp.resolve("index");
        try (var store = LuceneVectorStore.open(dir, 4)) {
            store.upsert("ns", IntStream.range(0, 200).mapToObj(i -> entry("e" + i, 1, i, 0, 0)).toList()).block(WAIT);
        }
        return dir;
    }

    private static Path largestFile(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> !f.getFileName().toString().equals("write.lock"))
                    .max(Comparator.comparingLong(f -> f.toFile().length()))
                    .orElseThrow();
        }
    }

    private static Map<String, byte[]> snapshot(Path dir) throws IOException {
        var files = new TreeMap<String, byte[]>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path f : list.toList()) {
                files.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        return files;
    }

    private static void assertSameFiles(Path dir, Map<String, byte[]> before) throws IOException {
        Map<String, byte[]> after = snapshot(dir);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((name, bytes) -> assertThat(Arrays.equals(after.get(name), bytes)).as(name).isTrue());
    }

    private static Entry entry(String id, float... v) {
        return new Entry(id, vector(v), "text of " + id, Map.of());
    }

    private static Embedding vector(float... v) {
        return Embedding.of(v);
    }

    private static Embedding randomVector(Random random, int dims) {
        float[] v = new float[dims];
        for (int i = 0; i < dims; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return Embedding.of(v);
    }
}
