package dev.agentrt.memory.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.MemoryStoreException;
import dev.agentrt.core.memory.VectorStore.Entry;
import dev.agentrt.core.memory.VectorStore.Match;
import dev.agentrt.core.memory.VectorStore.Query;
import dev.agentrt.core.model.Embedding;
import dev.agentrt.memory.PgVectorStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

class PgVectorStoreTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final PgDatabase DB = new PgDatabase();

    private static Embedding vector(float... components) {
        return Embedding.of(components);
    }

    @Test
    void anExistingTableWithAnotherDimensionCountIsAnErrorNamingBoth() {
        String table = DB.freshTable();
        PgVectorStore.builder(DB.url()).table(table).dimensions(4).poolSize(2).build().close();

        assertThatThrownBy(() -> PgVectorStore.builder(DB.url()).table(table).dimensions(8).poolSize(2).build())
                .isInstanceOf(MemoryStoreException.class)
                .hasMessageContaining(table)
                .hasMessageContaining("4")
                .hasMessageContaining("8");
    }

    @Test
    void aTableMadeBeforeTheWrittenColumnGetsItAndKeepsItsRows() throws SQLException {
        String table = DB.freshTable();
        try (var c = DriverManager.getConnection(DB.url()); var st = c.createStatement()) {
            st.execute("CREATE EXTENSION IF NOT EXISTS vector");
            st.execute("CREATE TABLE " + table + " (namespace text NOT NULL, id text NOT NULL, embedding vector(2)"
                    + " NOT NULL, text text NOT NULL, metadata jsonb NOT NULL DEFAULT '{}'::jsonb,"
                    + " PRIMARY KEY (namespace, id))");
            st.execute("INSERT INTO " + table + " VALUES ('ns', 'old', '[1,0]', 'old', '{}')");
        }
        try (var store = PgVectorStore.builder(DB.url()).table(table).dimensions(2).poolSize(2).build()) {
            store.upsert("ns", List.of(new Entry("new", vector(0, 1), "new", Map.of()))).block(WAIT);

            assertThat(store.search("ns", Query.of(vector(1, 0.1f), 2)).block(WAIT)).extracting(m -> m.entry().id())
                    .containsExactly("old", "new");
        }
        try (var c = DriverManager.getConnection(DB.url());
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT id, written IS NOT NULL FROM " + table + " ORDER BY id")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("new");
            assertThat(rs.getBoolean(2)).isTrue();
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("old");
            assertThat(rs.getBoolean(2)).isFalse();
        }
    }

    @Test
    void twoStoresOnOneTableShareTheMemory() {
        String table = DB.freshTable();
        try (var first = PgVectorStore.builder(DB.url()).table(table).dimensions(3).poolSize(2).build();
                var second = PgVectorStore.builder(DB.url()).table(table).dimensions(3).poolSize(2).build()) {
            first.upsert("ns", List.of(new Entry("a", vector(1, 0, 0), "alpha", Map.of("k", "v")))).block(WAIT);

            assertThat(second.find("ns", Map.of(), 10).block(WAIT)).singleElement()
                    .satisfies(e -> assertThat(e.text()).isEqualTo("alpha"))
                    .satisfies(e -> assertThat(e.metadata()).containsExactly(Map.entry("k", "v")));
        }
    }

    @Test
    void filtersRunInSqlBeforeTheLimit() {
        try (var store = DB.store(3).build()) {
            var entries = new ArrayList<Entry>();
            // Sixty entries near the query without the filter's pairs, two far away with them: a filter
            // applied after "nearest k" would find nothing.
            for (int i = 0; i < 60; i++) {
                entries.add(new Entry("near" + i, vector(1, i / 1000f, 0), "near",
                        Map.of("lang", "java", "kind", "code", "repo", "a")));
            }
            entries.add(new Entry("far1", vector(0, 0, 1), "far", Map.of("lang", "java", "kind", "test", "repo", "b")));
            entries.add(new Entry("far2", vector(0, 0.1f, 1), "far", Map.of("lang", "java", "kind", "test", "repo", "b",
                    "extra", "x")));
            entries.add(new Entry("other", vector(0, 0, 1), "far", Map.of("lang", "md", "kind", "test", "repo", "b")));
            store.upsert("ns", entries).block(WAIT);

            var filter = Map.of("lang", "java", "kind", "test", "repo", "b");
            List<Match> matches = store.search("ns", new Query(vector(1, 0, 0), null, 2, filter)).block(WAIT);
            assertThat(matches).extracting(m -> m.entry().id()).containsExactlyInAnyOrder("far1", "far2");
            assertThat(matches).allSatisfy(m -> assertThat(m.entry().metadata()).containsAllEntriesOf(filter));

            assertThat(store.find("ns", Map.of("kind", "test", "extra", "x"), 10).block(WAIT)).extracting(Entry::id)
                    .containsExactly("far2");
            assertThat(store.deleteWhere("ns", filter).block(WAIT)).isEqualTo(2);
            assertThat(store.find("ns", Map.of("repo", "b"), 10).block(WAIT)).extracting(Entry::id)
                    .containsExactly("other");
        }
    }

    @Test
    void aLimitAboveTheIndexCandidateListStillReturnsEveryEntry() {
        try (var store = DB.store(3).build()) {
            store.upsert("ns", IntStream.range(0, 150)
                    .mapToObj(i -> new Entry("e" + i, vector(1, i, (i % 7) - 3), "t", Map.of()))
                    .toList()).block(WAIT);

            List<Match> matches = store.search("ns", Query.of(vector(1, 149, 0), 150)).block(WAIT);

            assertThat(matches).hasSize(150);
            assertThat(matches).extracting(Match::score).isSortedAccordingTo((a, b) -> Double.compare(b, a));
        }
    }

    @Test
    void textAndMetadataRoundTripExactly() {
        try (var store = DB.store(2).build()) {
            var metadata = Map.of("quote\"key", "va'lue\\with\nnewline", "ünï", "日本語 ☃", "empty", "", "{json}",
                    "[1,2]");
            var entry = new Entry("id with spaces/and'quotes", vector(0.125f, -3.5e-5f), "line1\n\"line2\" ✓",
                    metadata);
            store.upsert("ns", List.of(entry)).block(WAIT);

            assertThat(store.find("ns", Map.of("ünï", "日本語 ☃", "quote\"key", "va'lue\\with\nnewline"), 10)
                    .block(WAIT)).containsExactly(entry);
            assertThat(store.delete("ns", List.of(entry.id(), entry.id())).block(WAIT)).isEqualTo(1);
        }
    }

    @Test
    void jdbcRunsOffTheCallersNonBlockingThread() {
        try (var store = DB.store(2).build()) {
            // BlockHound fails any blocking call on a Reactor parallel thread, so the JDBC work must
            // move to the store's own scheduler.
            List<Match> matches = Mono.delay(Duration.ofMillis(1), Schedulers.parallel())
                    .flatMap(t -> store.upsert("ns", List.of(new Entry("a", vector(1, 0), "t", Map.of()))))
                    .then(Mono.defer(() -> store.search("ns", Query.of(vector(1, 0), 1)))
                            .subscribeOn(Schedulers.parallel()))
                    .block(WAIT);

            assertThat(matches).hasSize(1);
        }
    }

    @Test
    void thePasswordNeverAppearsInErrors() throws IOException {
        int closedPort;
        try (var s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String secret = "s3cret-Pa55word";
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/db?password=" + secret + "&sslmode=disable";

        assertThatThrownBy(() -> PgVectorStore.builder(url)
                .user("agent")
                .password(secret)
                .dimensions(3)
                .connectTimeout(Duration.ofMillis(500))
                .build())
                .isInstanceOf(MemoryStoreException.class)
                .satisfies(e -> assertThat(((MemoryStoreException) e).isRetryable()).isTrue())
                .hasMessageContaining("127.0.0.1:" + closedPort)
                .satisfies(e -> assertThat(everyMessage(e)).doesNotContain(secret));
        String table = DB.freshTable();
        PgVectorStore.builder(DB.url()).table(table).dimensions(4).build().close();
        assertThatThrownBy(() -> PgVectorStore.builder(DB.url() + "&password=" + secret)
                .password(secret)
                .table(table)
                .dimensions(5)
                .build())
                .isInstanceOf(MemoryStoreException.class)
                .satisfies(e -> assertThat(everyMessage(e)).doesNotContain(secret));
    }

    @Test
    void settingsAreCheckedWhenBuilding() {
        assertThatThrownBy(() -> PgVectorStore.builder(DB.url()).build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("dimensions");
        assertThatThrownBy(() -> PgVectorStore.builder(DB.url()).dimensions(3).table("x; DROP TABLE y").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("table");
        var store = DB.store(2).build();
        store.close();
        store.close();
        assertThatThrownBy(() -> store.find("ns", Map.of(), 1).block(WAIT)).hasMessageContaining("closed");
    }

    private static String everyMessage(Throwable e) {
        var out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            out.append(t).append('\n');
            for (Throwable s : t.getSuppressed()) {
                out.append(everyMessage(s));
            }
        }
        return out.toString();
    }
}
