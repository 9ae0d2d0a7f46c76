package dev.agentrt.memory.internal.pg;

import dev.agentrt.core.MemoryStoreException;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Creates what a store needs if it is missing (the {@code vector} extension, the table, an HNSW
 * cosine index, a GIN metadata index, and the {@code written} column with its index, added to a table made before
 * it) and checks an existing table's dimension count, in one
 * transaction under an advisory lock so that instances starting together do not race.
 */
public final class PgSchema {
    private PgSchema() {}

    public static void ensure(PgTransactions tx, PgSql sql, int dimensions) {
        tx.runBlocking("create the table " + sql.table(), c -> {
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
            execute(c, sql.createVectorIndex());
            execute(c, sql.createMetadataIndex());
            execute(c, sql.createWrittenIndex());
            return null;
        });
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
