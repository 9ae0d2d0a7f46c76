package dev.agentrt.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.memory.VectorStore;
import dev.agentrt.core.memory.VectorStore.Entry;
import dev.agentrt.core.memory.VectorStore.Match;
import dev.agentrt.core.memory.VectorStore.Query;
import dev.agentrt.core.memory.VectorStoreSize;
import dev.agentrt.core.model.Embedding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The contract every {@link VectorStore} keeps. Shipped in agent-core's test-jar: an
 * implementation's test extends this class and says how to open an empty store of a given
 * dimension count (a fresh directory, a fresh schema...).
 */
public abstract class VectorStoreContract {
    protected static final int DIMENSIONS = 4;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private VectorStore store;

    /** An empty store for vectors of {@code dimensions} components. */
    protected abstract VectorStore newStore(int dimensions);

    @BeforeEach
    void open() {
        store = newStore(DIMENSIONS);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    protected static Embedding vector(float... components) {
        return Embedding.of(components);
    }

    protected static Entry entry(String id, Embedding e, Map<String, String> metadata) {
        return new Entry(id, e, "text of " + id, metadata);
    }

    private List<Match> search(String namespace, Query query) {
        return store.search(namespace, query).block(WAIT);
    }

    @Test
    void theNearestEntriesComeFirstWithTheirScores() {
        store.upsert("ns", List.of(entry("x", vector(1, 0, 0, 0), Map.of()), entry("y", vector(0, 1, 0, 0), Map.of()),
                entry("xy", vector(1, 1, 0, 0), Map.of()))).block(WAIT);

        List<Match> matches = search("ns", Query.of(vector(1, 0.1f, 0, 0), 2));

        assertThat(matches).extracting(m -> m.entry().id()).containsExactly("x", "xy");
        assertThat(matches.get(0).score()).isGreaterThan(matches.get(1).score());
        assertThat(matches.get(0).entry().text()).isEqualTo("text of x");
        assertThat(store.dimensions()).isEqualTo(DIMENSIONS);
    }

    @Test
    void theSizeCountsTheLiveEntriesOfEveryNamespace() {
        assertThat(store.size().block(WAIT)).extracting(VectorStoreSize::entries).isEqualTo(0L);

        store.upsert("a", List.of(entry("1", vector(1, 0, 0, 0), Map.of()), entry("2", vector(0, 1, 0, 0), Map.of())))
                .block(WAIT);
        store.upsert("b", List.of(entry("1", vector(0, 0, 1, 0), Map.of()))).block(WAIT);
        store.upsert("a", List.of(entry("1", vector(0, 0, 0, 1), Map.of("v", "2")))).block(WAIT); // replaces
        VectorStoreSize three = store.size().block(WAIT);
        store.delete("a", List.of("2")).block(WAIT);
        VectorStoreSize two = store.size().block(WAIT);

        assertThat(three.entries()).isEqualTo(3);
        assertThat(three.bytes()).isNotNegative();
        assertThat(two.entries()).isEqualTo(2);
    }

    @Test
    void anUpsertWithAKnownIdReplacesTheEntry() {
        store.upsert("ns", List.of(entry("a", vector(1, 0, 0, 0), Map.of("v", "1")))).block(WAIT);
        store.upsert("ns", List.of(entry("a", vector(0, 0, 1, 0), Map.of("v", "2")))).block(WAIT);

        List<Match> matches = search("ns", Query.of(vector(0, 0, 1, 0), 10));

        assertThat(matches).hasSize(1);
        assertThat(matches.get(0).entry().metadata()).containsEntry("v", "2");
        assertThat(matches.get(0).score()).isGreaterThan(0.99);
    }

    @Test
    void everyMatchHasEveryPairOfTheFilter() {
        store.upsert("ns", List.of(entry("a", vector(1, 0, 0, 0), Map.of("lang", "java", "kind", "code")),
                entry("b", vector(1, 0, 0, 0), Map.of("lang", "md", "kind", "doc")),
                entry("c", vector(0.9f, 0.1f, 0, 0), Map.of("lang", "java", "kind", "test")))).block(WAIT);

        assertThat(search("ns", new Query(vector(1, 0, 0, 0), null, 10, Map.of("lang", "java"))))
                .extracting(m -> m.entry().id())
                .containsExactlyInAnyOrder("a", "c");
        assertThat(search("ns", new Query(vector(1, 0, 0, 0), null, 10, Map.of("lang", "java", "kind", "test"))))
                .extracting(m -> m.entry().id())
                .containsExactly("c");
        assertThat(store.find("ns", Map.of("kind", "doc"), 10).block(WAIT)).extracting(Entry::id)
                .containsExactly("b");
    }

    @Test
    void namespacesNeverSeeEachOthersEntries() {
        store.upsert("alice", List.of(entry("a", vector(1, 0, 0, 0), Map.of()))).block(WAIT);
        store.upsert("bob", List.of(entry("a", vector(0, 1, 0, 0), Map.of()))).block(WAIT);

        assertThat(search("alice", Query.of(vector(0, 1, 0, 0), 10))).hasSize(1)
                .allSatisfy(m -> assertThat(m.entry().embedding()).isEqualTo(vector(1, 0, 0, 0)));
        assertThat(search("carol", Query.of(vector(0, 1, 0, 0), 10))).isEmpty();
    }

    @Test
    void deletesCountWhatExisted() {
        store.upsert("ns", List.of(entry("a", vector(1, 0, 0, 0), Map.of("path", "A")),
                entry("b", vector(0, 1, 0, 0), Map.of("path", "B")),
                entry("c", vector(0, 0, 1, 0), Map.of("path", "B")))).block(WAIT);

        assertThat(store.delete("ns", List.of("a", "missing")).block(WAIT)).isEqualTo(1);
        assertThat(store.deleteWhere("ns", Map.of("path", "B")).block(WAIT)).isEqualTo(2);
        assertThat(search("ns", Query.of(vector(1, 1, 1, 0), 10))).isEmpty();
        assertThat(store.delete("other", List.of("a")).block(WAIT)).isZero();
    }

    @Test
    void aVectorOfTheWrongLengthIsAnErrorNamingBothLengths() {
        StepVerifier.create(store.upsert("ns", List.of(entry("a", vector(1, 0, 0), Map.of()))))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("3").hasMessageContaining("4"))
                .verify(WAIT);
        StepVerifier.create(store.search("ns", Query.of(vector(1, 0, 0, 0, 0), 1)))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("5").hasMessageContaining("4"))
                .verify(WAIT);
        assertThat(store.find("ns", Map.of(), 10).block(WAIT)).isEmpty();
    }

    @Test
    void concurrentWritesAreAllVisible() {
        Flux.range(0, 100)
                .flatMap(i -> store.upsert("ns",
                        List.of(entry("e" + i, vector(1, i, 0, 0), Map.of("batch", Integer.toString(i % 4))))), 16)
                .blockLast(WAIT);

        assertThat(store.find("ns", Map.of(), 1000).block(WAIT)).hasSize(100);
        assertThat(store.find("ns", Map.of("batch", "3"), 1000).block(WAIT)).hasSize(25);
        assertThat(store.find("ns", Map.of(), 10).block(WAIT)).hasSize(10);
        var ids = new ArrayList<String>();
        search("ns", Query.of(vector(1, 99, 0, 0), 3)).forEach(m -> ids.add(m.entry().id()));
        assertThat(ids).first().isEqualTo("e99");
    }
}
