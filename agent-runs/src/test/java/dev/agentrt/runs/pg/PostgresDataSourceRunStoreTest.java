package dev.agentrt.runs.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.contract.RunStoreContract;
import dev.agentrt.core.run.NewRun;
import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreException;
import dev.agentrt.core.security.Principal;
import dev.agentrt.runs.PostgresRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The run store contract (inherited tests) on a store opened on a {@link DataSource}, as a Spring application's
 * connection pool gives it; and what only that form shows: the connections it borrows go back when it closes, the
 * data source stays usable, and a data source of another database is refused.
 */
class PostgresDataSourceRunStoreTest extends RunStoreContract {
    private static final Duration WAIT = Duration.ofMinutes(1);

    @RegisterExtension
    static final PgDatabase DB = new PgDatabase();

    private String url;

    @Override
    protected RunStore newStore(Clock clock) {
        url = DB.freshUrl();
        return PostgresRunStore.builder(pg(url)).clock(clock).build();
    }

    private static PGSimpleDataSource pg(String url) {
        var ds = new PGSimpleDataSource();
        ds.setURL(url);
        return ds;
    }

    @Test
    void aStoreOnTheUrlSeesTheRunsOfTheStoreOnTheDataSource() {
        store().create(new NewRun("shared", "agent", "1", "input", Principal.ANONYMOUS, List.of(), null), "owner",
                Duration.ofMinutes(1)).block(WAIT);
        try (RunStore other = PostgresRunStore.open(url)) {
            RunRecord r = other.find("shared").block(WAIT);
            assertThat(r).isNotNull();
            assertThat(r.input()).isEqualTo("input");
        }
    }

    @Test
    void closingTheStoreGivesBackEveryConnectionAndLeavesTheDataSourceUsable() throws SQLException {
        var counting = new CountingDataSource(pg(url));
        RunStore onCounting = PostgresRunStore.open(counting);
        onCounting.create(new NewRun("r1", "agent", "1", "input", Principal.ANONYMOUS, List.of(), null), "owner",
                Duration.ofMinutes(1)).block(WAIT);
        assertThat(onCounting.find("r1").block(WAIT)).isNotNull();
        assertThat(counting.open()).as("the write connection is held while the store is open").isPositive();

        onCounting.close();

        assertThat(counting.open()).as("connections borrowed and not given back").isZero();
        try (Connection c = counting.getConnection();
                var s = c.createStatement();
                var r = s.executeQuery("SELECT COUNT(*) FROM agentrt_runs WHERE id = 'r1'")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getInt(1)).isEqualTo(1);
        }
        assertThat(counting.open()).isZero();
    }

    @Test
    void aDataSourceOfAnotherDatabaseIsRefusedAndItsConnectionGivenBack(@TempDir Path dir) {
        var sqlite = new SQLiteDataSource();
        sqlite.setUrl("jdbc:sqlite:" + dir.resolve("other.db"));
        var counting = new CountingDataSource(sqlite);

        assertThatThrownBy(() -> PostgresRunStore.open(counting)).isInstanceOf(RunStoreException.class)
                .hasMessageContaining("SQLite")
                .hasMessageContaining("not to PostgreSQL")
                .satisfies(e -> assertThat(((RunStoreException) e).isRetryable()).isFalse());
        assertThat(counting.borrowed()).isEqualTo(1);
        assertThat(counting.open()).isZero();
        assertThat(dir.resolve("other.db")).as("nothing was created in the other database")
                .satisfiesAnyOf(
                        p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyFile());
    }

    @Test
    void aDataSourceThatCannotConnectIsARetryableErrorNamingTheDataSource() {
        var unreachable = new PGSimpleDataSource();
        unreachable.setURL("jdbc:postgresql://127.0.0.1:1/agents?connectTimeout=2");

        assertThatThrownBy(() -> PostgresRunStore.open(unreachable)).isInstanceOf(RunStoreException.class)
                .hasMessageContaining("on the data source " + PGSimpleDataSource.class.getName())
                .satisfies(e -> assertThat(((RunStoreException) e).isRetryable()).isTrue());
    }

    @Test
    void connectionPropertiesAreForAStoreAtAUrlOnly() {
        var builder = PostgresRunStore.builder(pg(url));
        assertThatThrownBy(() -> builder.property("user", "app")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("configure the data source");
        assertThatThrownBy(() -> PostgresRunStore.open((DataSource) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("dataSource");
    }

    /** A data source that counts the connections it handed out and those closed since. */
    private static final class CountingDataSource implements DataSource {
        private final DataSource delegate;
        private final AtomicInteger borrowed = new AtomicInteger();
        private final AtomicInteger closed = new AtomicInteger();

        CountingDataSource(DataSource delegate) {
            this.delegate = delegate;
        }

        int borrowed() {
            return borrowed.get();
        }

        int open() {
            return borrowed.get() - closed.get();
        }

        @Override
        public Connection getConnection() throws SQLException {
            return count(delegate.getConnection());
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return count(delegate.getConnection(username, password));
        }

        private Connection count(Connection c) {
            borrowed.incrementAndGet();
            var once = new java.util.concurrent.atomic.AtomicBoolean();
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[]{Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close") && once.compareAndSet(false, true)) {
                            closed.incrementAndGet();
                        }
                        try {
                            return method.invoke(c, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return delegate.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            delegate.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            delegate.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return delegate.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return delegate.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return delegate.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return delegate.isWrapperFor(iface);
        }
    }
}
