package dev.agentrt.runs;

import dev.agentrt.core.run.RunStoreException;
import dev.agentrt.runs.internal.JdbcRunStore;
import org.jspecify.annotations.Nullable;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Objects;
import java.util.Properties;

/**
 * The run store in a PostgreSQL database, for many application instances sharing runs: any instance can resume,
 * approve or replay any run, and leases keep each run to one instance at a time. The tables ({@code agentrt_runs},
 * {@code agentrt_journal}, {@code agentrt_schema}) are created in the connection's schema on first use and
 * migrated forward by later versions.
 *
 * <p>Needs the PostgreSQL JDBC driver ({@code org.postgresql:postgresql}) on the class path. When the server
 * restarts, the store reconnects by itself: a read, or a group of writes, that finds its connection gone before
 * committing runs again once on a new connection. While the server is down, reads and writes fail with a
 * {@linkplain RunStoreException#isRetryable() retryable} {@link RunStoreException}; so does a write whose commit
 * was under way when the connection broke, which may or may not have been committed.
 *
 * <p>On the application's own connection pool ({@link #open(DataSource)}) the store borrows its connections from
 * the pool: it holds one for writing and up to four idle ones for reading while it is open, and gives them back
 * when it closes. The pool stays the application's: closing the store never closes it.
 */
public final class PostgresRunStore extends JdbcRunStore {
    private final @Nullable String url;
    private final @Nullable DataSource dataSource;
    private final Properties properties;

    private PostgresRunStore(Builder b) {
        super(b.clock, b.description());
        this.url = b.url;
        this.dataSource = b.dataSource;
        this.properties = b.properties;
        start();
    }

    /** Opens the store at a JDBC URL such as {@code jdbc:postgresql://db:5432/agents?user=app&password=...}. */
    public static PostgresRunStore open(String url) {
        return builder(url).build();
    }

    /**
     * Opens the store in the PostgreSQL database that {@code dataSource} (the application's connection pool, say)
     * connects to. Blocks while it checks or creates the tables. Fails with {@link RunStoreException} when the
     * data source cannot connect or connects to another kind of database; nothing is changed then.
     */
    public static PostgresRunStore open(DataSource dataSource) {
        return builder(dataSource).build();
    }

    public static Builder builder(String url) {
        return new Builder(url);
    }

    /** Options of a store on {@code dataSource}, which stays its owner's: the store never closes it. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    @Override
    protected Connection connect() throws SQLException {
        DataSource source = dataSource;
        if (source == null) {
            return DriverManager.getConnection(Objects.requireNonNull(url), properties);
        }
        Connection c = source.getConnection();
        String product;
        try {
            product = c.getMetaData().getDatabaseProductName();
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        if (!"PostgreSQL".equals(product)) {
            closeQuietly(c);
            throw new SQLException("the data source connects to " + product + ", not to PostgreSQL", "0A000");
        }
        return c;
    }

    @Override
    protected long bytes(Connection c) throws SQLException {
        try (var s = c.createStatement();
                var r = s.executeQuery("SELECT COALESCE(pg_total_relation_size("
                        + "to_regclass('agentrt_runs')), 0) + COALESCE(pg_total_relation_size(to_regclass('agentrt_journal')), 0)")) {
            return r.next() ? r.getLong(1) : 0;
        }
    }

    @Override
    protected boolean isTransient(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.equals("40001") || state.equals("40P01")
                || state.startsWith("57P") || state.equals("53300"));
    }

    @Override
    protected boolean isConnectionLost(SQLException e) {
        // 08: connection exceptions (pgjdbc's for a broken or closed connection too); 57P01/57P02: the server
        // ended the session (shut down, crashed); 57P03: it cannot take the session yet (starting up).
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03"));
    }

    @Override
    protected void lockSchema(Connection c) throws SQLException {
        // A transaction-scoped advisory lock per schema: instances starting at once on a new database (or a new
        // agentrt version on an old one) check and migrate it one after another.
        try (var s = c.createStatement();
                var r = s.executeQuery("SELECT pg_advisory_xact_lock(hashtext('agentrt_schema in ' || "
                        + "COALESCE(current_schema(), '')))")) {
            r.next();
        }
    }

    @Override
    protected boolean tableExists(Connection c, String table) throws SQLException {
        try (var s = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            s.setString(1, table);
            try (var r = s.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        }
    }

    @Override
    protected boolean hasTables(Connection c) throws SQLException {
        // The agentrt tables share a schema with the application's own: only a half-made agentrt store is refused.
        return tableExists(c, "agentrt_runs") || tableExists(c, "agentrt_journal");
    }

    private static String redact(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    /** Options of a PostgreSQL run store. */
    public static final class Builder {
        private final @Nullable String url;
        private final @Nullable DataSource dataSource;
        private final Properties properties = new Properties();
        private Clock clock = Clock.systemUTC();

        private Builder(String url) {
            this.url = Objects.requireNonNull(url, "url");
            this.dataSource = null;
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("a PostgreSQL JDBC URL starts with jdbc:postgresql:, was "
                        + redact(url));
            }
        }

        private Builder(DataSource dataSource) {
            this.url = null;
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /**
         * A connection property (user, password, sslmode, ...), as the driver documents them. Only for a store
         * opened at a URL: a data source brings its own.
         *
         * @throws IllegalStateException for a store on a data source
         */
        public Builder property(String name, String value) {
            if (dataSource != null) {
                throw new IllegalStateException("property(" + name + ", ...) is for a store opened at a JDBC URL; "
                        + "configure the data source instead");
            }
            properties.setProperty(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** The clock for creation and update times and lease expiry; every instance should use a synchronised one. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public PostgresRunStore build() {
            return new PostgresRunStore(this);
        }

        /** How messages name the store: the URL without its parameters, or the data source's class. */
        private String description() {
            DataSource source = dataSource;
            return source == null
                    ? redact(Objects.requireNonNull(url))
                    : "on the data source " + source.getClass().getName();
        }
    }
}
