package dev.agentrt.memory.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.MemoryStoreException;
import dev.agentrt.core.memory.VectorStore.Entry;
import dev.agentrt.core.memory.VectorStore.Query;
import dev.agentrt.core.model.Embedding;
import dev.agentrt.memory.PgVectorStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.retry.Retry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The server restarts under an open store. This test always runs its own PGlite server (it has to
 * kill it), persisting to a data directory, even when {@value PgDatabase#URL_VARIABLE} is set.
 */
class PgVectorStoreRestartTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aRestartedServerIsReachedAgainAndNoAcknowledgedWriteIsLost(@TempDir Path dir) {
        try (var server = PgliteServer.start(dir.resolve("pgdata"));
                var store = PgVectorStore.builder(server.jdbcUrl())
                        .user("postgres")
                        .password("restart-secret")
                        .table("restart_vectors")
                        .dimensions(3)
                        .poolSize(3)
                        .connectTimeout(Duration.ofSeconds(2))
                        .build()) {
            store.upsert("ns", List.of(entry("before", 1, 0, 0))).block(WAIT);

            server.kill();
            StepVerifier.create(store.upsert("ns", List.of(entry("during", 0, 1, 0))))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MemoryStoreException.class)
                            .satisfies(x -> assertThat(((MemoryStoreException) x).isRetryable()).isTrue())
                            .hasMessageNotContaining("restart-secret"))
                    .verify(WAIT);

            server.restart();
            // The pool makes new connections in the background, each within the 2 s connect timeout; on a
            // loaded machine the first may take longer. The error says so (retryable): do what a caller
            // should, ask again, until the guard.
            assertThat(Mono.defer(() -> store.find("ns", Map.of(), 10))
                    .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, Duration.ofMillis(200))
                            .filter(e -> e instanceof MemoryStoreException m && m.isRetryable()))
                    .block(Duration.ofMinutes(2))).extracting(Entry::id).containsExactly("before");
            store.upsert("ns", List.of(entry("after", 0, 0, 1))).block(WAIT);

            assertThat(store.search("ns", Query.of(Embedding.of(new float[]{0, 0, 1}), 10)).block(WAIT))
                    .extracting(m -> m.entry().id())
                    .containsExactly("after", "before");
        }
    }

    private static Entry entry(String id, float... v) {
        return new Entry(id, Embedding.of(v), "text of " + id, Map.of("id", id));
    }
}
