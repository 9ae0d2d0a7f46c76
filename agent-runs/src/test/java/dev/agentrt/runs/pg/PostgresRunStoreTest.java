package dev.agentrt.runs.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.run.NewRun;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreException;
import dev.agentrt.core.security.Principal;
import dev.agentrt.runs.PostgresRunStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Opening PostgreSQL run stores: the schema shared with the application's tables, newer schemas, many instances. */
class PostgresRunStoreTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final PgDatabase DB = new PgDatabase();

    private final List<RunStore> stores = new ArrayList<>();

    @AfterEach
    void closeStores() {
        stores.forEach(RunStore::close);
    }

    private RunStore open(String url) {
        RunStore s = PostgresRunStore.open(url);
        stores.add(s);
        return s;
    }

    private static void execute(String url, String sql) throws SQLException {
        try (var c = DriverManager.getConnection(url); var s = c.createStatement()) {
            s.execute(sql);
        }
    }

    @Test
    void manyInstancesStartingAtOnceOnAnEmptyDatabaseAllOpenIt() throws Exception {
        String url = DB.freshUrl();
        int instances = 6;
        var ready = new CountDownLatch(instances);
        List<Future<RunStore>> opened = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(instances)) {
            for (int i = 0; i < instances; i++) {
                Callable<RunStore> open = () -> {
                    ready.countDown();
                    ready.await();
                    return PostgresRunStore.open(url);
                };
                opened.add(pool.submit(open));
            }
            var failures = new ArrayList<Throwable>();
            for (Future<RunStore> f : opened) {
                try {
                    stores.add(f.get(60, TimeUnit.SECONDS));
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
            assertThat(failures).as("every instance opens the store").isEmpty();
        }
        RunStore store = stores.get(0);
        store.create(new NewRun("r", "a", "1", "in", Principal.ANONYMOUS, List.of(), null), "o", Duration.ofSeconds(30))
                .block(WAIT);
        assertThat(stores).allSatisfy(s -> assertThat(s.find("r").block(WAIT)).isNotNull());
        try (var c = DriverManager.getConnection(url);
                var s = c.createStatement();
                var r = s.executeQuery("SELECT COUNT(*), MAX(version) FROM agentrt_schema")) {
            r.next();
            assertThat(r.getInt(1)).as("one schema row").isEqualTo(1);
            assertThat(r.getInt(2)).isEqualTo(1);
        }
    }

    @Test
    void theApplicationsOwnTablesMayShareTheSchema() throws SQLException {
        String url = DB.freshUrl();
        execute(url, "DROP TABLE IF EXISTS customers");
        execute(url, "CREATE TABLE customers (id INTEGER PRIMARY KEY)");
        try {
            assertThat(open(url).size().block(WAIT).runs()).isZero();
        } finally {
            execute(url, "DROP TABLE customers");
        }
    }

    @Test
    void aStoreFromANewerSchemaIsRefusedAndLeftAsItWas() throws SQLException {
        String url = DB.freshUrl();
        open(url).close();
        execute(url, "UPDATE agentrt_schema SET version = 99");

        assertThatThrownBy(() -> open(url)).isInstanceOf(RunStoreException.class)
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("nothing was changed");
        try (var c = DriverManager.getConnection(url);
                var s = c.createStatement();
                var r = s.executeQuery("SELECT version FROM agentrt_schema")) {
            r.next();
            assertThat(r.getInt(1)).isEqualTo(99);
        }
    }

    @Test
    void aHalfMadeStoreIsRefused() throws SQLException {
        String url = DB.freshUrl();
        execute(url, "CREATE TABLE agentrt_runs (id TEXT)");
        assertThatThrownBy(() -> open(url)).isInstanceOf(RunStoreException.class)
                .hasMessageContaining("not an agentrt run store");
    }

    @Test
    void anUnreachableServerIsAClearErrorThatKeepsThePasswordToItself() {
        assertThatThrownBy(() -> PostgresRunStore.open(
                "jdbc:postgresql://127.0.0.1:1/agents?user=app&password=s3cret&connectTimeout=2"))
                .isInstanceOf(RunStoreException.class)
                .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/agents")
                .hasMessageNotContaining("s3cret")
                .satisfies(e -> assertThat(((RunStoreException) e).isRetryable()).isTrue());
        assertThatThrownBy(() -> PostgresRunStore.open("jdbc:mysql://127.0.0.1/agents"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void runStorePostgresFindsThisModuleThroughTheServiceLoader() {
        try (RunStore store = RunStore.postgres(DB.freshUrl())) {
            assertThat(store).isInstanceOf(PostgresRunStore.class);
            assertThat(store.size().block(WAIT).runs()).isZero();
        }
    }
}
