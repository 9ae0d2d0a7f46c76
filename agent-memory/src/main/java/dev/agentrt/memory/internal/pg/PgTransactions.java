package dev.agentrt.memory.internal.pg;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.MemoryStoreException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import javax.sql.DataSource;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/**
 * Runs each operation as one explicit transaction on a pooled connection, on
 * {@link AgentSchedulers#blocking()}, and applies the reconnect rule.
 *
 * <p>The rule: an attempt that fails because the connection broke (SQLState class {@code 08}, or
 * {@code 57P01..57P03}: the server shut down or restarted) is repeated once, on a fresh connection
 * from the pool, only if the failure happened <em>before {@code COMMIT} was sent</em>. Every
 * operation runs with auto-commit off, so until then nothing of it can have committed: a
 * PostgreSQL transaction whose connection drops is rolled back. A failure while committing is
 * ambiguous (the server may have committed and the reply been lost), so it is never repeated here;
 * it surfaces as a retryable {@link MemoryStoreException} that says so. Failing to obtain a
 * connection at all (the pool's connect timeout elapsed) is not repeated either.
 */
public final class PgTransactions {
    private static final Set<String> SERVER_GONE = Set.of("57P01", "57P02", "57P03");

    private final DataSource dataSource;
    private final String where;
    private final @Nullable String secret;

    /**
     * @param where names the server and table in messages, without credentials
     * @param secret a password scrubbed from every message built here (null or empty for none)
     */
    public PgTransactions(DataSource dataSource, String where, @Nullable String secret) {
        this.dataSource = dataSource;
        this.where = where;
        this.secret = secret == null || secret.isEmpty() ? null : secret;
    }

    /** One unit of work on a connection inside a transaction; the runner commits. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} on the blocking scheduler; {@code what} names the operation in errors. */
    public <T> Mono<T> run(String what, Work<T> work) {
        return Mono.fromCallable(() -> runBlocking(what, work)).subscribeOn(AgentSchedulers.blocking());
    }

    /** Runs {@code work} on the calling thread (for set-up, which is blocking anyway). */
    public <T> T runBlocking(String what, Work<T> work) {
        try {
            return attempt(what, work);
        } catch (Attempt first) {
            if (first.stage != Stage.BEFORE_COMMIT || !isConnectionFailure(first.cause)) {
                throw first.toException(this);
            }
            try {
                return attempt(what, work);
            } catch (Attempt second) {
                MemoryStoreException e = second.toException(this);
                e.addSuppressed(first.toException(this));
                throw e;
            }
        }
    }

    /**
     * Runs {@code work} on the calling thread on a connection in auto-commit mode, for statements that cannot run in
     * a transaction block ({@code CREATE INDEX CONCURRENTLY}); {@code work} may open and commit transactions of its
     * own. Never repeated: such statements are not atomic, so the caller must make a second run find and finish what
     * the first left.
     */
    public <T> T runAutocommit(String what, Work<T> work) {
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw new Attempt(what, Stage.CONNECT, e).toException(this);
        }
        try {
            connection.setAutoCommit(true);
            return work.run(connection);
        } catch (SQLException e) {
            throw new Attempt(what, Stage.AUTOCOMMIT, e).toException(this);
        } finally {
            closeQuietly(connection);
        }
    }

    private <T> T attempt(String what, Work<T> work) throws Attempt {
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw new Attempt(what, Stage.CONNECT, e);
        }
        try {
            T result;
            try {
                connection.setAutoCommit(false);
                result = work.run(connection);
            } catch (SQLException e) {
                rollbackQuietly(connection, e);
                throw new Attempt(what, Stage.BEFORE_COMMIT, e);
            } catch (RuntimeException e) {
                rollbackQuietly(connection, e);
                throw e;
            }
            try {
                connection.commit();
            } catch (SQLException e) {
                throw new Attempt(what, Stage.COMMIT, e);
            }
            return result;
        } finally {
            closeQuietly(connection);
        }
    }

    /** Returns the connection to the pool (which rolls back and evicts it as needed). */
    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException ignored) {
            // The outcome of the work is already decided; a pool that cannot take the connection back
            // discards it.
        }
    }

    private static void rollbackQuietly(Connection connection, Exception failure) {
        try {
            connection.rollback();
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Whether {@code e} says the connection or the server went away (rather than the SQL failed). */
    public static boolean isConnectionFailure(@Nullable Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLRecoverableException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || SERVER_GONE.contains(sql.getSQLState()))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static boolean isTransient(Throwable e) {
        if (isConnectionFailure(e)) {
            return true;
        }
        // 40: serialization failure or deadlock; 53: insufficient resources; 55P03: lock not available.
        return e instanceof SQLException sql && sql.getSQLState() != null
                && (sql.getSQLState().startsWith("40") || sql.getSQLState().startsWith("53")
                        || sql.getSQLState().equals("55P03"));
    }

    private static String abbreviate(String message) {
        return message.length() <= 500 ? message : message.substring(0, 500) + "...";
    }

    String scrub(String message) {
        return secret == null ? message : message.replace(secret, "***");
    }

    private enum Stage {
        CONNECT,
        BEFORE_COMMIT,
        COMMIT,
        /** Outside a transaction: what ran before the failure stays. */
        AUTOCOMMIT
    }

    /** A failed attempt, with where in the transaction it failed. */
    private static final class Attempt extends Exception {
        private static final long serialVersionUID = 1L;

        private final String what;
        private final Stage stage;
        private final SQLException cause;

        Attempt(String what, Stage stage, SQLException cause) {
            super(null, null, false, false);
            this.what = what;
            this.stage = stage;
            this.cause = cause;
        }

        MemoryStoreException toException(PgTransactions tx) {
            String state = cause instanceof SQLException sql && sql.getSQLState() != null
                    ? " [SQLState " + sql.getSQLState() + "]"
                    : "";
            // A failed batch's message repeats the statement with its values; the next exception is the reason.
            SQLException reason = cause instanceof BatchUpdateException && cause.getNextException() != null
                    ? cause.getNextException()
                    : cause;
            String detail = abbreviate(String.valueOf(reason.getMessage())) + state;
            String message = switch (stage) {
                case CONNECT -> "cannot get a connection to " + tx.where + " to " + what + ": " + detail;
                case BEFORE_COMMIT -> "failed to " + what + " in " + tx.where + " (nothing was committed): " + detail;
                case AUTOCOMMIT -> "failed to " + what + " in " + tx.where + ": " + detail;
                case COMMIT -> "the connection to " + tx.where + " failed while committing '" + what
                        + "': the change may or may not have been applied: " + detail;
            };
            return new MemoryStoreException(tx.scrub(message), cause, isTransient(cause));
        }
    }
}
