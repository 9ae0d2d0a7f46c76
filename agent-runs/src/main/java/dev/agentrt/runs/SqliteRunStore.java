package dev.agentrt.runs;

import dev.agentrt.core.run.RunStoreException;
import dev.agentrt.runs.internal.JdbcRunStore;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Objects;

/**
 * The embedded run store: one SQLite file in WAL mode, written by one thread that commits concurrent runs'
 * appends together. Several processes may open the same file (one runs a run at a time, by its lease).
 *
 * <p>Durability: by default a commit survives the process being killed at any point (SIGKILL, a crash); with
 * {@link Builder#syncEveryCommit(boolean) syncEveryCommit(true)} it also survives the machine losing power, at the
 * cost of an fsync per grouped commit.
 *
 * <pre>{@code
 * try (RunStore store = SqliteRunStore.open(Path.of("agent_runs.db"))) {   // or RunStore.open(path)
 *     Agent agent = Agent.builder().model(model).runStore(store).build();
 *     ...
 * }
 * }</pre>
 */
public final class SqliteRunStore extends JdbcRunStore {
    private final String url;
    private final boolean syncEveryCommit;

    private SqliteRunStore(Builder b) {
        super(b.clock, b.path.toString());
        this.url = "jdbc:sqlite:" + b.path.toAbsolutePath();
        this.syncEveryCommit = b.syncEveryCommit;
        start();
    }

    /**
     * Opens (or creates) the store in the file {@code path}. Fails with {@link RunStoreException} naming the path
     * when the file is not a SQLite database, holds other tables, or was written by a newer agentrt; nothing is
     * changed then.
     */
    public static SqliteRunStore open(Path path) {
        return builder(path).build();
    }

    public static Builder builder(Path path) {
        return new Builder(path);
    }

    @Override
    protected Connection connect() throws SQLException {
        var config = new SQLiteConfig();
        config.setBusyTimeout(10_000);
        Connection c = DriverManager.getConnection(url, config.toProperties());
        try (var s = c.createStatement()) {
            // Reads the header and schema first: a file that is not a database fails here, before any write.
            s.execute("PRAGMA schema_version");
            walMode(s);
            s.execute("PRAGMA synchronous = " + (syncEveryCommit ? "FULL" : "NORMAL"));
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * Write transactions are begun by hand, {@code BEGIN IMMEDIATE}: each takes the file's write lock when it
     * begins, waiting up to the busy timeout while another process (or store) writes, so that stores opening a new
     * file at once make its schema one after another, and a grouped commit never fails half-way on a lock or a
     * stale snapshot. Between transactions the write connection holds no lock (auto-commit, for the driver).
     */
    @Override
    protected void writeMode(Connection c) throws SQLException {
        c.setAutoCommit(true);
    }

    @Override
    protected void begin(Connection c) throws SQLException {
        try (var s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
        }
    }

    @Override
    protected void commit(Connection c) throws SQLException {
        try (var s = c.createStatement()) {
            s.execute("COMMIT");
        }
    }

    @Override
    protected void rollback(Connection c) throws SQLException {
        if (c.isClosed()) {
            return;
        }
        try (var s = c.createStatement()) {
            s.execute("ROLLBACK");
        } catch (SQLException e) {
            // No transaction is open (it failed to begin, or SQLite rolled it back itself): nothing to undo.
            if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
                throw e;
            }
        }
    }

    /**
     * Switches the file to WAL. Another connection making the same switch at that moment makes SQLite answer busy at
     * once, without its busy timeout; the switch is tried again for up to that timeout.
     */
    private void walMode(java.sql.Statement s) throws SQLException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                s.execute("PRAGMA journal_mode = WAL");
                return;
            } catch (SQLException e) {
                if (!isTransient(e) || System.nanoTime() > deadline) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(5));
            }
        }
    }

    @Override
    protected long bytes(Connection c) throws SQLException {
        try (var s = c.createStatement();
                var r = s.executeQuery("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")) {
            return r.next() ? r.getLong(1) : 0;
        }
    }

    @Override
    protected boolean isTransient(SQLException e) {
        if (e instanceof SQLiteException s) {
            SQLiteErrorCode code = s.getResultCode();
            return code == SQLiteErrorCode.SQLITE_BUSY || code == SQLiteErrorCode.SQLITE_LOCKED
                    || code.name().startsWith("SQLITE_BUSY") || code.name().startsWith("SQLITE_LOCKED");
        }
        return false;
    }

    @Override
    protected boolean tableExists(Connection c, String table) throws SQLException {
        try (var s = c.prepareStatement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            s.setString(1, table);
            try (var r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    @Override
    protected boolean hasTables(Connection c) throws SQLException {
        try (var s = c.createStatement();
                var r = s.executeQuery("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1")) {
            return r.next();
        }
    }

    /** Options of a SQLite run store. */
    public static final class Builder {
        private final Path path;
        private Clock clock = Clock.systemUTC();
        private boolean syncEveryCommit;

        private Builder(Path path) {
            this.path = Objects.requireNonNull(path, "path");
        }

        /** The clock for creation and update times and lease expiry (a fixed or stepped one in tests). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Whether each commit waits for the disk (SQLite {@code synchronous=FULL}); off by default. */
        public Builder syncEveryCommit(boolean sync) {
            this.syncEveryCommit = sync;
            return this;
        }

        public SqliteRunStore build() {
            if (Files.isDirectory(path)) {
                throw new RunStoreException("the run store " + path + " is a directory, not a file");
            }
            return new SqliteRunStore(this);
        }
    }
}
