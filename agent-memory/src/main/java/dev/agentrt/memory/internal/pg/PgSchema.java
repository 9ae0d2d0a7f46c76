package dev.agentrt.memory.internal.pg;

import dev.agentrt.core.MemoryStoreException;
import org.jspecify.annotations.Nullable;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates what a store needs if it is missing (the {@code vector} extension, the table, an HNSW
 * cosine index, a GIN metadata index, and the {@code written} column with its index, added to a table made before
 * it) and checks an existing table's dimension count.
 *
 * <p>Two steps. First one transaction under an advisory lock, so that instances starting together do not race: the
 * extension, the table and the column; on a table with no rows, the missing indexes too (nothing to index, so
 * nothing waits). Then, for an index missing from a table that has rows, or left invalid by a concurrent build that
 * failed, a build outside any transaction with {@code CREATE INDEX CONCURRENTLY}, which lets other sessions insert,
 * update and delete while it runs (an invalid index is first dropped with {@code DROP INDEX CONCURRENTLY}). The builds
 * hold a session-level advisory lock taken without waiting: an instance that finds another building skips the build
 * and opens with the index as it is (searches stay correct without it, only slower); an invalid index found while
 * holding the lock cannot be another build's, so it is rebuilt. A server that refuses {@code CONCURRENTLY}
 * ({@code 0A000} feature not supported, or {@code 25001} in a transaction block: a pooler that wraps statements in
 * transactions) gets a plain {@code CREATE INDEX} in a transaction instead, which blocks writes while it runs. On
 * PGlite every connection shares one backend, whose advisory locks exclude no one; it runs one statement at a time,
 * so no build is ever under way while another session looks, and one that finds the index built meanwhile
 * ({@code 42P07}) takes it as it is.
 */
public final class PgSchema {
    private PgSchema() {}

    /** Creates what is missing and builds the indexes a table with rows lacks (see the class comment). Blocks. */
    public static void ensure(PgTransactions tx, PgSql sql, int dimensions) {
        Plan plan = tx.runBlocking("create the table " + sql.table(), c -> {
            try (var lock = c.prepareStatement(PgSql.lockSchema())) {
                lock.setString(1, sql.table());
                lock.execute();
            }
            if (!exists(c, PgSql.extensionInstalled())) {
                execute(c, PgSql.createExtension());
            }
            boolean existed = checkExisting(c, sql, dimensions);
            execute(c, sql.createTable(dimensions));
            if (existed && !hasWrittenColumn(c, sql)) {
                // Only when missing: ALTER TABLE locks out every reader, even when there is nothing to add.
                execute(c, sql.addWrittenColumn());
            }
            boolean empty = !existed || !hasRows(c, sql);
            var later = new ArrayList<PgSql.Index>();
            for (PgSql.Index index : sql.indexes()) {
                Boolean valid = indexValid(c, sql, index);
                if (valid == null && empty) {
                    // Never a plain CREATE INDEX on an index that exists: its ShareLock would wait for a concurrent
                    // build that waits for this transaction.
                    execute(c, sql.createIndex(index, false));
                } else if (!Boolean.TRUE.equals(valid)) {
                    later.add(index);
                }
            }
            return new Plan(later);
        });
        for (PgSql.Index index : plan.toBuild()) {
            buildConcurrently(tx, sql, index);
        }
    }

    private record Plan(List<PgSql.Index> toBuild) {}

    /**
     * Builds {@code index} outside a transaction, unless another session holds the build lock or, under the lock, the
     * index turns out valid already.
     */
    private static void buildConcurrently(PgTransactions tx, PgSql sql, PgSql.Index index) {
        tx.runAutocommit("build the index " + index.name() + " on " + sql.table(), c -> {
            if (!lockIndexBuild(c, sql, PgSql.tryLockIndexBuild())) {
                return null;
            }
            try {
                buildLocked(c, sql, index);
            } catch (SQLException | RuntimeException e) {
                try {
                    lockIndexBuild(c, sql, PgSql.unlockIndexBuild());
                } catch (SQLException unlock) {
                    // A broken connection releases the lock with its session; the build's failure is the news.
                    e.addSuppressed(unlock);
                }
                throw e;
            }
            lockIndexBuild(c, sql, PgSql.unlockIndexBuild());
            return null;
        });
    }

    private static void buildLocked(Connection c, PgSql sql, PgSql.Index index) throws SQLException {
        Boolean valid = indexValid(c, sql, index);
        if (Boolean.TRUE.equals(valid)) {
            return;
        }
        try {
            if (valid != null) {
                execute(c, sql.dropIndex(index, true));
            }
            execute(c, sql.createIndex(index, true));
            return;
        } catch (SQLException e) {
            if ("42P07".equals(e.getSQLState()) && Boolean.TRUE.equals(indexValid(c, sql, index))) {
                // Built meanwhile by a session that shares this one's advisory locks: PGlite serves every connection
                // from one backend, so its locks exclude no one.
                return;
            }
            if (!refusesConcurrently(e)) {
                throw e;
            }
        }
        c.setAutoCommit(false);
        try {
            execute(c, sql.dropIndex(index, false));
            execute(c, sql.createIndex(index, false));
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static boolean refusesConcurrently(SQLException e) {
        return "0A000".equals(e.getSQLState()) || "25001".equals(e.getSQLState());
    }

    private static boolean lockIndexBuild(Connection c, PgSql sql, String statement) throws SQLException {
        try (var ps = c.prepareStatement(statement)) {
            ps.setString(1, sql.table());
            try (var rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** Null if the table has no index of that name, else whether it is valid. */
    private static @Nullable Boolean indexValid(Connection c, PgSql sql, PgSql.Index index) throws SQLException {
        try (var ps = c.prepareStatement(PgSql.indexValid())) {
            ps.setString(1, sql.table());
            ps.setString(2, index.name());
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }

    private static boolean hasRows(Connection c, PgSql sql) throws SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery(sql.hasRows())) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static boolean hasWrittenColumn(Connection c, PgSql sql) throws SQLException {
        try (var ps = c.prepareStatement(PgSql.hasWrittenColumn())) {
            ps.setString(1, sql.table());
            try (var rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Whether the table exists; if it does, that it is a vector table of {@code dimensions}. */
    private static boolean checkExisting(Connection c, PgSql sql, int dimensions) throws SQLException {
        try (var describe = c.prepareStatement(PgSql.describeTable())) {
            describe.setString(1, sql.table());
            try (var rs = describe.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                if (!rs.getBoolean(1)) {
                    throw new MemoryStoreException("the table " + sql.table()
                            + " exists but has no 'embedding vector(n)' column: it is not a vector store table", null,
                            false);
                }
                int existing = rs.getInt(2);
                if (existing != dimensions) {
                    throw new MemoryStoreException("the table " + sql.table() + " holds vectors of "
                            + (existing < 0 ? "undeclared" : Integer.toString(existing))
                            + " dimensions, but this store was built for " + dimensions
                            + ": use another table or the same dimension count", null, false);
                }
                return true;
            }
        }
    }

    private static boolean exists(Connection c, String query) throws SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery(query)) {
            return rs.next();
        }
    }

    private static void execute(Connection c, String statement) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute(statement);
        }
    }
}
