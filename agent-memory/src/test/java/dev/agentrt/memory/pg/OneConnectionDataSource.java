package dev.agentrt.memory.pg;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

/**
 * A {@code DataSource} that hands out one connection to the test database again and again (its {@code close()} is
 * ignored until {@link #close()}), so that a store used from one thread runs every statement in one server session:
 * the test can then make that session send its pending statistics ({@code pg_stat_force_next_flush()}), which the
 * server otherwise does when the session has been idle a while.
 */
final class OneConnectionDataSource implements DataSource, AutoCloseable {
    private final Connection real;
    private final Connection shared;

    OneConnectionDataSource(String url) throws SQLException {
        real = DriverManager.getConnection(url);
        shared = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Runs {@code statement} in the shared session, outside a transaction. */
    void execute(String statement) throws SQLException {
        // The store leaves auto-commit off on the connection it got.
        real.setAutoCommit(true);
        try (var st = real.createStatement()) {
            st.execute(statement);
        }
    }

    /**
     * Makes the session send its pending statistics: {@code pg_stat_force_next_flush()} flushes them when the
     * session next goes idle, which happens before the server answers the statement.
     */
    void flushStatistics() throws SQLException {
        execute("SELECT pg_stat_force_next_flush()");
    }

    @Override
    public Connection getConnection() {
        return shared;
    }

    @Override
    public Connection getConnection(String username, String password) {
        return shared;
    }

    @Override
    public void close() throws SQLException {
        real.close();
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return false;
    }
}
