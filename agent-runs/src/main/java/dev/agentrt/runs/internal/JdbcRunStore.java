package dev.agentrt.runs.internal;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.run.AgentJson;
import dev.agentrt.core.run.JournalEntry;
import dev.agentrt.core.run.Lease;
import dev.agentrt.core.run.NewRun;
import dev.agentrt.core.run.RunEntry;
import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreException;
import dev.agentrt.core.run.RunStoreSize;
import dev.agentrt.core.security.Capability;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Schedulers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A run store over JDBC, the same schema on SQLite and PostgreSQL. One writer thread owns the write connection
 * and commits what is queued together: the appends of many concurrent runs share one transaction (grouped
 * commit), each under its own savepoint, so one refused write (a lost lease) does not undo the others. A
 * write's {@code Mono} completes once its transaction committed, on Reactor's parallel scheduler (never on the
 * writer thread). Reads borrow a connection from a small pool on {@link AgentSchedulers#blocking()}.
 */
public abstract class JdbcRunStore implements RunStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcRunStore.class);
    /** The schema this code writes, and the newest it reads. */
    public static final int SCHEMA_VERSION = 1;
    private static final int MAX_GROUP = 512;
    private static final int JOURNAL_PAGE = 1_000;
    private static final int READ_CONNECTIONS = 4;
    private static final String RUN_COLUMNS = "id, agent_name, agent_version, input, principal, grants, session_id, "
            + "status, outcome, created, updated, last_seq";

    private final Clock clock;
    private final String description;
    /**
     * Writes waiting for the writer. Lock-free: writes are queued from Reactor's non-blocking threads, which must not
     * park on a contended lock (a queue whose signal is lost that way leaves its taker asleep with work queued).
     * The writer is woken with {@link LockSupport#unpark}, whose permit is never lost.
     */
    private final ConcurrentLinkedQueue<Op<?>> queue = new ConcurrentLinkedQueue<>();
    private final ArrayBlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READ_CONNECTIONS);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile @Nullable Thread writer;
    private @Nullable Connection writeConnection;
    /** The write connection's prepared statements ({@link #cached}); the writer thread's only. */
    private final java.util.HashMap<String, PreparedStatement> statements = new java.util.HashMap<>();
    private @Nullable Connection cachedFor;

    /** A unit of work on the write connection, inside the group's transaction. */
    @FunctionalInterface
    protected interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private record Op<T>(Work<T> work, @Nullable MonoSink<T> sink) {}

    protected JdbcRunStore(Clock clock, String description) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.description = description;
    }

    /** A new connection to the store, configured for use. */
    protected abstract Connection connect() throws SQLException;

    /** The store's size on disk. */
    protected abstract long bytes(Connection c) throws SQLException;

    /** A failure of the database worth retrying later (busy, a lost connection). */
    protected abstract boolean isTransient(SQLException e);

    /**
     * Whether the failure means the connection is gone (a network or server failure): what it had not committed did
     * not happen, so a group that loses it before its commit runs again on a new connection, once. False for an
     * embedded database, which has no connection to lose.
     */
    protected boolean isConnectionLost(SQLException e) {
        return false;
    }

    /** Checks (or creates, for a new store) the schema, then starts the writer; called once by the subclass. */
    protected final void start() {
        Connection c;
        try {
            c = connect();
        } catch (SQLException e) {
            throw failure("cannot open", e);
        }
        try {
            writeMode(c);
            migrate(c);
        } catch (SQLException e) {
            closeQuietly(c);
            throw failure("cannot open", e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        writeConnection = c;
        Thread t = Thread.ofPlatform().daemon().name("agentrt-runs-writer").unstarted(this::writeLoop);
        writer = t;
        t.start();
    }

    private void migrate(Connection c) throws SQLException {
        begin(c);
        try (var s = c.createStatement()) {
            // Instances starting at once read (and make) the schema one at a time: the others wait here, then
            // find it made rather than half-made.
            lockSchema(c);
            int version = schemaVersion(c);
            if (version > SCHEMA_VERSION) {
                throw new RunStoreException("the run store " + description + " has schema version " + version
                        + ", written by a newer agentrt (this one reads up to version " + SCHEMA_VERSION
                        + "); nothing was changed");
            }
            if (version == 0) {
                s.executeUpdate("CREATE TABLE agentrt_schema (version INTEGER NOT NULL)");
                s.executeUpdate("INSERT INTO agentrt_schema (version) VALUES (0)");
            }
            for (int v = version + 1; v <= SCHEMA_VERSION; v++) {
                for (String sql : Schema.migration(v)) {
                    s.executeUpdate(sql);
                }
                s.executeUpdate("UPDATE agentrt_schema SET version = " + v);
            }
            commit(c);
        } catch (SQLException | RuntimeException e) {
            try {
                rollback(c);
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
    }

    /**
     * Readies the write connection for {@link #begin} and {@link #commit}: by default, JDBC transactions
     * (auto-commit off, so a transaction begins with the first statement after a commit).
     */
    protected void writeMode(Connection c) throws SQLException {
        c.setAutoCommit(false);
    }

    /** Begins a write transaction on the write connection (by default it begins by itself). */
    protected void begin(Connection c) throws SQLException {}

    /** Commits the write transaction. */
    protected void commit(Connection c) throws SQLException {
        c.commit();
    }

    /** Rolls the write transaction back. */
    protected void rollback(Connection c) throws SQLException {
        c.rollback();
    }

    /**
     * Takes a lock, held until the transaction ends, that keeps other instances from reading or migrating the
     * schema meanwhile. None by default.
     */
    protected void lockSchema(Connection c) throws SQLException {}

    /** 0 for an empty database; fails for a database that holds other tables and no agentrt schema. */
    private int schemaVersion(Connection c) throws SQLException {
        if (!tableExists(c, "agentrt_schema")) {
            if (hasTables(c)) {
                throw new RunStoreException("the database " + description + " holds tables but is not an agentrt "
                        + "run store (it has no agentrt_schema table); nothing was changed");
            }
            return 0;
        }
        try (var s = c.createStatement(); var r = s.executeQuery("SELECT version FROM agentrt_schema")) {
            if (!r.next()) {
                throw new RunStoreException("the run store " + description + " has an empty agentrt_schema table "
                        + "(a damaged store); nothing was changed");
            }
            return r.getInt(1);
        }
    }

    /** Whether the table exists (in the schema the connection uses). */
    protected abstract boolean tableExists(Connection c, String table) throws SQLException;

    /** Whether the database (the connection's schema) holds any table. */
    protected abstract boolean hasTables(Connection c) throws SQLException;

    // ------------------------------------------------------------------------------------ writes

    @Override
    public Mono<Lease> create(NewRun run, String owner, Duration leaseTime) {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(owner, "owner");
        requirePositive(leaseTime);
        String principal = AgentJson.toJsonValue(run.principal()).toJson();
        String grants = grantsJson(run.grants());
        return write(c -> {
            Instant now = clock.instant();
            Instant expires = now.plus(leaseTime);
            try (var s = c.prepareStatement("INSERT INTO agentrt_runs (" + RUN_COLUMNS
                    + ", lease_owner, lease_token, lease_expires, ordinal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, 0, ?, 1, ?, "
                    + "(SELECT COALESCE(MAX(ordinal), 0) + 1 FROM agentrt_runs)) ON CONFLICT (id) DO NOTHING")) {
                s.setString(1, run.id());
                s.setString(2, run.agentName());
                s.setString(3, run.agentVersion());
                s.setString(4, run.input());
                s.setString(5, principal);
                s.setString(6, grants);
                s.setString(7, run.sessionId());
                s.setString(8, RunStatus.RUNNING.name());
                s.setLong(9, now.toEpochMilli());
                s.setLong(10, now.toEpochMilli());
                s.setString(11, owner);
                s.setLong(12, expires.toEpochMilli());
                if (s.executeUpdate() == 0) {
                    throw new RunStoreException.InvalidState("a run with id \"" + run.id()
                            + "\" is already in the run store");
                }
            }
            return new Lease(run.id(), owner, 1, Instant.ofEpochMilli(expires.toEpochMilli()));
        });
    }

    @Override
    public Mono<Lease> acquire(String runId, String owner, Duration leaseTime) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(owner, "owner");
        requirePositive(leaseTime);
        return write(c -> {
            long now = clock.millis();
            long expires = now + leaseTime.toMillis();
            try (var s = c.prepareStatement("UPDATE agentrt_runs SET lease_owner = ?, lease_token = lease_token + 1, "
                    + "lease_expires = ? WHERE id = ? AND status IN (?, ?, ?) "
                    + "AND (lease_owner IS NULL OR lease_expires <= ?) RETURNING lease_token")) {
                s.setString(1, owner);
                s.setLong(2, expires);
                s.setString(3, runId);
                s.setString(4, RunStatus.RUNNING.name());
                s.setString(5, RunStatus.AWAITING_APPROVAL.name());
                s.setString(6, RunStatus.AWAITING_INPUT.name());
                s.setLong(7, now);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        return new Lease(runId, owner, r.getLong(1), Instant.ofEpochMilli(expires));
                    }
                }
            }
            try (var s = c.prepareStatement(
                    "SELECT status, lease_owner, lease_expires FROM agentrt_runs WHERE id = ?")) {
                s.setString(1, runId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        throw new RunStoreException.UnknownRun(runId);
                    }
                    RunStatus status = RunStatus.valueOf(r.getString(1));
                    if (status.isTerminal()) {
                        throw new RunStoreException.InvalidState("run \"" + runId + "\" has ended (" + status
                                + ") and cannot run again");
                    }
                    throw new RunStoreException.RunLeased(runId, String.valueOf(r.getString(2)),
                            Instant.ofEpochMilli(r.getLong(3)));
                }
            }
        });
    }

    @Override
    public Mono<Lease> renew(Lease lease, Duration leaseTime) {
        Objects.requireNonNull(lease, "lease");
        requirePositive(leaseTime);
        return write(c -> {
            long expires = clock.millis() + leaseTime.toMillis();
            var s = cached(c, "UPDATE agentrt_runs SET lease_expires = ? "
                    + "WHERE id = ? AND lease_token = ? AND lease_owner = ?");
            s.setLong(1, expires);
            setLease(s, 2, lease);
            if (s.executeUpdate() == 0) {
                throw lost(c, lease);
            }
            return new Lease(lease.runId(), lease.owner(), lease.token(), Instant.ofEpochMilli(expires));
        });
    }

    @Override
    public Mono<Long> append(Lease lease, List<RunEntry> entries) {
        Objects.requireNonNull(lease, "lease");
        List<RunEntry> copy = List.copyOf(entries);
        if (copy.isEmpty()) {
            return Mono.error(new IllegalArgumentException("nothing to append"));
        }
        // Serialised on the caller's thread: the writer thread only writes.
        String[] kinds = new String[copy.size()];
        String[] data = new String[copy.size()];
        for (int i = 0; i < kinds.length; i++) {
            JsonObject json = AgentJson.toJsonValue(copy.get(i));
            kinds[i] = ((JsonValue.JsonString) Objects.requireNonNull(json.get("type"))).value();
            data[i] = json.toJson();
        }
        return write(c -> {
            long now = clock.millis();
            long last;
            var claim = cached(c, "UPDATE agentrt_runs SET last_seq = last_seq + ?, updated = ? "
                    + "WHERE id = ? AND lease_token = ? AND lease_owner = ? RETURNING last_seq");
            claim.setInt(1, kinds.length);
            claim.setLong(2, now);
            setLease(claim, 3, lease);
            try (ResultSet r = claim.executeQuery()) {
                if (!r.next()) {
                    throw lost(c, lease);
                }
                last = r.getLong(1);
            }
            var insert = cached(c,
                    "INSERT INTO agentrt_journal (run_id, seq, time, kind, data) VALUES (?, ?, ?, ?, ?)");
            long seq = last - kinds.length;
            if (kinds.length == 1) {
                insert.setString(1, lease.runId());
                insert.setLong(2, ++seq);
                insert.setLong(3, now);
                insert.setString(4, kinds[0]);
                insert.setString(5, data[0]);
                insert.executeUpdate();
            } else {
                for (int i = 0; i < kinds.length; i++) {
                    insert.setString(1, lease.runId());
                    insert.setLong(2, ++seq);
                    insert.setLong(3, now);
                    insert.setString(4, kinds[i]);
                    insert.setString(5, data[i]);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return last;
        });
    }

    @Override
    public Mono<Void> update(Lease lease, RunStatus status, @Nullable Outcome outcome, boolean release) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(status, "status");
        if (status.isTerminal() != (outcome != null)) {
            return Mono.error(new IllegalArgumentException("an ended run has an outcome and no other has one: "
                    + status + " with outcome " + outcome));
        }
        return write(c -> {
            String releaseSql = release ? ", lease_owner = NULL, lease_expires = NULL" : "";
            try (var s = c.prepareStatement("UPDATE agentrt_runs SET status = ?, outcome = ?, updated = ?"
                    + releaseSql + " WHERE id = ? AND lease_token = ? AND lease_owner = ?")) {
                s.setString(1, status.name());
                s.setString(2, outcome == null ? null : outcome.name());
                s.setLong(3, clock.millis());
                setLease(s, 4, lease);
                if (s.executeUpdate() == 0) {
                    throw lost(c, lease);
                }
            }
            return null;
        }).then();
    }

    @Override
    public Mono<Void> release(Lease lease) {
        Objects.requireNonNull(lease, "lease");
        return write(c -> {
            try (var s = c.prepareStatement("UPDATE agentrt_runs SET lease_owner = NULL, lease_expires = NULL "
                    + "WHERE id = ? AND lease_token = ? AND lease_owner = ?")) {
                setLease(s, 1, lease);
                s.executeUpdate();
            }
            return null;
        }).then();
    }

    @Override
    public Mono<Long> purge(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return write(c -> {
            String ended = "SELECT id FROM agentrt_runs WHERE status IN ('COMPLETED', 'FAILED') AND updated < ?";
            try (var s = c.prepareStatement("DELETE FROM agentrt_journal WHERE run_id IN (" + ended + ")")) {
                s.setLong(1, cutoff.toEpochMilli());
                s.executeUpdate();
            }
            try (var s = c.prepareStatement(
                    "DELETE FROM agentrt_runs WHERE status IN ('COMPLETED', 'FAILED') AND updated < ?")) {
                s.setLong(1, cutoff.toEpochMilli());
                return (long) s.executeUpdate();
            }
        });
    }

    /**
     * A prepared statement of the write connection, kept for its next use (the writer thread's only; the cache
     * goes with the connection it was made on).
     */
    private PreparedStatement cached(Connection c, String sql) throws SQLException {
        if (c != cachedFor) {
            for (PreparedStatement old : statements.values()) {
                try {
                    old.close();
                } catch (SQLException e) {
                    log.debug("closing a cached statement failed", e);
                }
            }
            statements.clear();
            cachedFor = c;
        }
        PreparedStatement s = statements.get(sql);
        if (s == null || s.isClosed()) {
            s = c.prepareStatement(sql);
            statements.put(sql, s);
        } else {
            s.clearParameters();
        }
        return s;
    }

    private static void setLease(PreparedStatement s, int from, Lease lease) throws SQLException {
        s.setString(from, lease.runId());
        s.setLong(from + 1, lease.token());
        s.setString(from + 2, lease.owner());
    }

    /** Why a write under {@code lease} matched nothing. */
    private static RunStoreException lost(Connection c, Lease lease) throws SQLException {
        try (var s = c.prepareStatement("SELECT lease_owner, lease_token FROM agentrt_runs WHERE id = ?")) {
            s.setString(1, lease.runId());
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return new RunStoreException.UnknownRun(lease.runId());
                }
                String owner = r.getString(1);
                long token = r.getLong(2);
                return new RunStoreException.LeaseLost(lease, owner == null
                        ? "the lease was released"
                        : "lease " + token + " was granted to " + owner + " since");
            }
        }
    }

    private <T> Mono<T> write(Work<T> work) {
        return Mono.<T>create(sink -> {
            if (closed.get()) {
                sink.error(new RunStoreException("the run store " + description + " is closed"));
                return;
            }
            enqueue(new Op<>(work, sink));
        }).publishOn(Schedulers.parallel());
    }

    private void enqueue(Op<?> op) {
        queue.add(op);
        Thread t = writer;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void writeLoop() {
        Connection c = writeConnection;
        var group = new ArrayList<Op<?>>(MAX_GROUP);
        try {
            while (true) {
                Op<?> first;
                first = queue.poll();
                if (first == null) {
                    LockSupport.park(this);
                    if (Thread.interrupted()) {
                        return;
                    }
                    continue;
                }
                group.add(first);
                Op<?> more;
                while (group.size() < MAX_GROUP && (more = queue.poll()) != null) {
                    group.add(more);
                }
                boolean stop = false;
                for (int attempt = 1;; attempt++) {
                    if (c == null) {
                        // The connection was lost (a database restart): connect again for this group.
                        try {
                            c = connect();
                            writeMode(c);
                        } catch (SQLException e) {
                            closeQuietly(c);
                            c = null;
                            stop = failGroup(group, failure("cannot reconnect to", e));
                            break;
                        }
                    }
                    try {
                        stop = runGroup(c, group);
                        break;
                    } catch (GroupFailed e) {
                        stop = e.stop;
                        if (!valid(c)) {
                            closeQuietly(c);
                            c = null;
                        }
                        break;
                    } catch (ConnectionLost e) {
                        // Lost before the commit was sent: its transaction, and nothing else, went with the
                        // connection (a database restarted since the last group). The group runs again once on a
                        // new connection; if that fails too, its writes fail.
                        closeQuietly(c);
                        c = null;
                        if (attempt == 2) {
                            stop = failGroup(group, failure("lost the connection to", e.cause));
                            break;
                        }
                    }
                }
                group.clear();
                if (stop) {
                    return;
                }
            }
        } finally {
            closeQuietly(c);
            // Anything queued after the stop marker fails rather than waits for ever.
            Op<?> left;
            while ((left = queue.poll()) != null) {
                if (left.sink != null) {
                    left.sink.error(new RunStoreException("the run store " + description + " is closed"));
                }
            }
        }
    }

    private static boolean valid(Connection c) {
        try {
            return c.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Fails every write of the group; true when it held the stop marker. */
    private static boolean failGroup(List<Op<?>> group, RunStoreException error) {
        boolean stop = false;
        for (Op<?> op : group) {
            if (op.sink == null) {
                stop = true;
            } else {
                op.sink.error(error);
            }
        }
        return stop;
    }

    /** The group's transaction did not commit (its writes were failed); the connection may be gone. */
    private static final class GroupFailed extends Exception {
        final boolean stop;

        GroupFailed(boolean stop) {
            super(null, null, false, false);
            this.stop = stop;
        }
    }

    /** The connection was lost before the group's commit was sent: none of its writes happened. */
    private static final class ConnectionLost extends Exception {
        final SQLException cause;

        ConnectionLost(SQLException cause) {
            super(null, null, false, false);
            this.cause = cause;
        }
    }

    /**
     * Runs one group in one transaction; true when the group held the stop marker. Throws {@link ConnectionLost},
     * completing no write, when the connection is lost before the commit.
     */
    private boolean runGroup(Connection c, List<Op<?>> group) throws GroupFailed, ConnectionLost {
        int n = group.size();
        Object[] results = new Object[n];
        Throwable[] errors = new Throwable[n];
        boolean stop = false;
        try {
            begin(c);
        } catch (SQLException e) {
            if (isConnectionLost(e)) {
                throw new ConnectionLost(e);
            }
            // Another process holds the write lock past the busy timeout: nothing was written.
            RunStoreException busy = failure("could not write to", e);
            for (Op<?> op : group) {
                if (op.sink == null) {
                    stop = true;
                } else {
                    op.sink.error(busy);
                }
            }
            throw new GroupFailed(stop);
        }
        for (int i = 0; i < n; i++) {
            Op<?> op = group.get(i);
            if (op.sink == null) {
                stop = true;
                continue;
            }
            // Each write of a group under its own savepoint (SQL, the same on every database): a refused one is
            // undone alone. A write alone in its transaction needs none: it is undone with the transaction.
            boolean saved = false;
            boolean alone = n == 1;
            try (var s = alone ? null : c.createStatement()) {
                if (s != null) {
                    s.execute("SAVEPOINT agentrt_write");
                    saved = true;
                }
                results[i] = op.work.run(c);
                if (s != null) {
                    s.execute("RELEASE SAVEPOINT agentrt_write");
                }
            } catch (SQLException | RuntimeException e) {
                if (e instanceof SQLException sql && isConnectionLost(sql)) {
                    throw new ConnectionLost(sql);
                }
                errors[i] = e instanceof RunStoreException ? e : failure("could not write to", e);
                if (saved) {
                    try (var s = c.createStatement()) {
                        s.execute("ROLLBACK TO SAVEPOINT agentrt_write");
                        s.execute("RELEASE SAVEPOINT agentrt_write");
                    } catch (SQLException rollback) {
                        errors[i].addSuppressed(rollback);
                    }
                }
            }
        }
        Throwable commitFailure = null;
        try {
            if (n == 1 && errors[0] != null) {
                rollback(c); // the one write failed, with no savepoint: undo whatever it did
            } else {
                commit(c);
            }
        } catch (SQLException e) {
            // Not run again even when the connection is gone: the commit may have been applied before it broke.
            commitFailure = failure("could not commit to", e);
            try {
                rollback(c);
            } catch (SQLException rollback) {
                commitFailure.addSuppressed(rollback);
            }
        }
        boolean anyFailed = commitFailure != null;
        for (int i = 0; i < n; i++) {
            @SuppressWarnings("unchecked")
            Op<Object> op = (Op<Object>) group.get(i);
            if (op.sink == null) {
                continue;
            }
            if (commitFailure != null) {
                op.sink.error(commitFailure);
            } else if (errors[i] != null) {
                anyFailed |= !(errors[i] instanceof RunStoreException) || errors[i].getCause() instanceof SQLException;
                op.sink.error(errors[i]);
            } else if (results[i] == null) {
                op.sink.success();
            } else {
                op.sink.success(results[i]);
            }
        }
        if (anyFailed) {
            throw new GroupFailed(stop);
        }
        return stop;
    }

    // ------------------------------------------------------------------------------------- reads

    @Override
    public Mono<RunRecord> find(String runId) {
        Objects.requireNonNull(runId, "runId");
        return read(c -> {
            try (var s = c.prepareStatement("SELECT " + RUN_COLUMNS + " FROM agentrt_runs WHERE id = ?")) {
                s.setString(1, runId);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? run(r) : null;
                }
            }
        });
    }

    @Override
    public Flux<RunRecord> runs(RunStatus... statuses) {
        List<RunStatus> wanted = List.copyOf(Arrays.asList(statuses));
        return read(c -> {
            var sql = new StringBuilder("SELECT " + RUN_COLUMNS + " FROM agentrt_runs");
            if (!wanted.isEmpty()) {
                sql.append(" WHERE status IN (").append("?, ".repeat(wanted.size() - 1)).append("?)");
            }
            sql.append(" ORDER BY created, ordinal, id");
            try (var s = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < wanted.size(); i++) {
                    s.setString(i + 1, wanted.get(i).name());
                }
                return runs(s);
            }
        }).flatMapIterable(l -> l);
    }

    @Override
    public Flux<RunRecord> session(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        return read(c -> {
            try (var s = c.prepareStatement("SELECT " + RUN_COLUMNS
                    + " FROM agentrt_runs WHERE session_id = ? ORDER BY created, ordinal, id")) {
                s.setString(1, sessionId);
                return runs(s);
            }
        }).flatMapIterable(l -> l);
    }

    @Override
    public Flux<JournalEntry> journal(String runId, long fromSequence) {
        Objects.requireNonNull(runId, "runId");
        return page(runId, Math.max(1, fromSequence));
    }

    private Flux<JournalEntry> page(String runId, long from) {
        return read(c -> {
            try (var s = c.prepareStatement("SELECT seq, time, data FROM agentrt_journal WHERE run_id = ? AND seq >= ?"
                    + " ORDER BY seq LIMIT " + JOURNAL_PAGE)) {
                s.setString(1, runId);
                s.setLong(2, from);
                var page = new ArrayList<JournalEntry>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        long seq = r.getLong(1);
                        page.add(new JournalEntry(runId, seq, Instant.ofEpochMilli(r.getLong(2)),
                                entry(runId, seq, r.getString(3))));
                    }
                }
                return page;
            }
        }).flatMapMany(page -> page.size() < JOURNAL_PAGE
                ? Flux.fromIterable(page)
                : Flux.fromIterable(page).concatWith(page(runId, page.get(page.size() - 1).sequence() + 1)));
    }

    private RunEntry entry(String runId, long seq, String data) {
        try {
            return AgentJson.readRunEntry(data);
        } catch (JsonParseException e) {
            throw new RunStoreException("journal entry " + seq + " of run \"" + runId + "\" in " + description
                    + " cannot be read (written by a newer agentrt, or damaged): " + e.getMessage(), e);
        }
    }

    @Override
    public Mono<RunStoreSize> size() {
        return read(c -> {
            long runs;
            long active;
            long entries;
            try (var s = c.createStatement();
                    var r = s.executeQuery("SELECT COUNT(*), "
                            + "COALESCE(SUM(CASE WHEN status IN ('COMPLETED', 'FAILED') THEN 0 ELSE 1 END), 0) "
                            + "FROM agentrt_runs")) {
                r.next();
                runs = r.getLong(1);
                active = r.getLong(2);
            }
            try (var s = c.createStatement(); var r = s.executeQuery("SELECT COUNT(*) FROM agentrt_journal")) {
                r.next();
                entries = r.getLong(1);
            }
            return new RunStoreSize(runs, active, entries, bytes(c));
        });
    }

    private List<RunRecord> runs(PreparedStatement s) throws SQLException {
        var out = new ArrayList<RunRecord>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                out.add(run(r));
            }
        }
        return out;
    }

    private RunRecord run(ResultSet r) throws SQLException {
        String id = r.getString(1);
        try {
            String outcome = r.getString(9);
            return new RunRecord(id, r.getString(2), r.getString(3), r.getString(4),
                    AgentJson.readPrincipal(r.getString(5)), readGrants(r.getString(6)), r.getString(7),
                    RunStatus.valueOf(r.getString(8)), outcome == null ? null : Outcome.valueOf(outcome),
                    Instant.ofEpochMilli(r.getLong(10)), Instant.ofEpochMilli(r.getLong(11)), r.getLong(12));
        } catch (JsonParseException | IllegalArgumentException e) {
            throw new RunStoreException("run \"" + id + "\" in " + description + " cannot be read (written by a "
                    + "newer agentrt, or damaged): " + e.getMessage(), e);
        }
    }

    private static String grantsJson(List<Capability> grants) {
        var values = new ArrayList<JsonValue>(grants.size());
        for (Capability c : grants) {
            values.add(AgentJson.toJsonValue(c));
        }
        return new dev.agentrt.core.json.JsonArray(values).toJson();
    }

    private static List<Capability> readGrants(String json) {
        if (!(JsonValue.parse(json) instanceof dev.agentrt.core.json.JsonArray array)) {
            throw new JsonParseException("grants: expected array");
        }
        var out = new ArrayList<Capability>(array.size());
        for (int i = 0; i < array.size(); i++) {
            out.add(AgentJson.readCapability(array.get(i)));
        }
        return out;
    }

    private <T> Mono<T> read(Work<@Nullable T> work) {
        return Mono.fromCallable(() -> {
            if (closed.get()) {
                throw new RunStoreException("the run store " + description + " is closed");
            }
            Connection pooled = readers.poll();
            if (pooled != null) {
                try {
                    return readOn(pooled, work);
                } catch (SQLException e) {
                    if (!isConnectionLost(e)) {
                        throw failure("could not read from", e);
                    }
                    // A pooled connection the database dropped (it restarted): a read runs again, on a new one.
                }
            }
            Connection c;
            try {
                c = connect();
            } catch (SQLException e) {
                throw failure("cannot connect to", e);
            }
            try {
                return readOn(c, work);
            } catch (SQLException e) {
                throw failure("could not read from", e);
            }
        }).subscribeOn(AgentSchedulers.blocking());
    }

    /** Runs a read on {@code c}, then gives {@code c} back to the pool, or closes it when the database failed. */
    private <T> @Nullable T readOn(Connection c, Work<@Nullable T> work) throws SQLException {
        boolean keep = false;
        try {
            T result = work.run(c);
            keep = true;
            return result;
        } catch (RuntimeException e) {
            keep = true;
            throw e;
        } finally {
            if (!keep || closed.get() || !readers.offer(c)) {
                closeQuietly(c);
            }
        }
    }

    // ------------------------------------------------------------------------------------- misc

    private RunStoreException failure(String what, Exception e) {
        if (e instanceof RunStoreException r) {
            return r;
        }
        boolean retryable = e instanceof SQLException sql && isTransient(sql);
        return new RunStoreException("the run store " + description + ": " + what + " the store: " + e.getMessage(),
                e, retryable);
    }

    private static void requirePositive(Duration leaseTime) {
        Objects.requireNonNull(leaseTime, "leaseTime");
        if (leaseTime.isNegative() || leaseTime.isZero() || leaseTime.toMillis() == 0) {
            throw new IllegalArgumentException("a lease lasts at least a millisecond, was " + leaseTime);
        }
    }

    protected static void closeQuietly(@Nullable Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("closing a run store connection failed", e);
        }
    }

    /** Blocks until pending writes are done and the connections are closed. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Thread t = writer;
        if (t != null) {
            enqueue(new Op<>(c -> null, null));
            try {
                // Pending writes finish first (a busy SQLite file can hold one for its busy timeout); a writer
                // still going after that is interrupted, and what it held fails rather than waits for ever.
                if (!t.join(Duration.ofSeconds(60))) {
                    var where = new StringBuilder();
                    for (StackTraceElement e : t.getStackTrace()) {
                        where.append("\n\tat ").append(e);
                    }
                    log.warn("the run store {} writer did not stop within 60 s ({} writes queued); interrupting it; "
                            + "it was at:{}", description, queue.size(), where);
                    t.interrupt();
                    t.join(Duration.ofSeconds(10));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Connection c;
        while ((c = readers.poll()) != null) {
            closeQuietly(c);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + description + "]";
    }
}
