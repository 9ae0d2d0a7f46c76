package dev.agentrt.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;

/** Opening files that are not (this version's) run stores: a clear error naming the path, and nothing changed. */
class SqliteRunStoreTest {
    @TempDir
    Path dir;

    @Test
    void aFileThatIsNotADatabaseIsRefusedAndLeftAsItWas() throws Exception {
        Path file = dir.resolve("runs.db");
        byte[] garbage = "this is not a SQLite database, just some text that someone put here\n".repeat(200)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Files.write(file, garbage);

        assertThatThrownBy(() -> SqliteRunStore.open(file))
                .isInstanceOf(RunStoreException.class)
                .hasMessageContaining(file.toString());
        assertThat(Files.readAllBytes(file)).isEqualTo(garbage);
    }

    @Test
    void aStoreFromANewerSchemaIsRefusedAndLeftAsItWas() throws Exception {
        Path file = dir.resolve("newer.db");
        SqliteRunStore.open(file).close();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file); var s = c.createStatement()) {
            s.executeUpdate("UPDATE agentrt_schema SET version = 99");
        }
        byte[] before = Files.readAllBytes(file);

        assertThatThrownBy(() -> SqliteRunStore.open(file))
                .isInstanceOf(RunStoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("nothing was changed");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void aDatabaseOfSomethingElseIsRefused() throws Exception {
        Path file = dir.resolve("app.db");
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file); var s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE customers (id INTEGER PRIMARY KEY)");
        }
        assertThatThrownBy(() -> SqliteRunStore.open(file))
                .isInstanceOf(RunStoreException.class)
                .hasMessageContaining("not an agentrt run store");
    }

    @Test
    void storesOpeningANewFileAtOnceAllOpenIt() throws Exception {
        Path file = dir.resolve("shared.db");
        int n = 6;
        var start = new java.util.concurrent.CountDownLatch(1);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            var opened = new java.util.ArrayList<java.util.concurrent.Future<RunStore>>();
            for (int i = 0; i < n; i++) {
                opened.add(pool.submit(() -> {
                    start.await();
                    return SqliteRunStore.open(file);
                }));
            }
            start.countDown();
            for (var f : opened) {
                try (RunStore store = f.get(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    assertThat(store.size().block().runs()).isZero();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDirectoryIsRefused() {
        assertThatThrownBy(() -> SqliteRunStore.open(dir)).isInstanceOf(RunStoreException.class)
                .hasMessageContaining("directory");
    }

    @Test
    void runStoreOpenFindsThisModuleThroughTheServiceLoader() {
        try (RunStore store = RunStore.open(dir.resolve("loaded.db"))) {
            assertThat(store).isInstanceOf(SqliteRunStore.class);
            assertThat(store.size().block()).satisfies(s -> assertThat(s.runs()).isZero());
        }
    }
}
