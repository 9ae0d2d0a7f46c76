package dev.agentrt.memory.pg;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

/**
 * A {@code DataSource} of plain connections to the test database whose {@code Statement.execute(sql)} calls a hook
 * first, on the calling thread, with the statement and its connection: the tests' window into the moment the store is
 * about to send a statement (an index build), without timing. The hook may run other work, or throw an
 * {@link SQLException} in the statement's place. Every statement executed this way is recorded.
 */
final class StatementHookDataSource implements DataSource {
    /** Called before a statement executes; may throw in its place. */
    @FunctionalInterface
    interface Hook {
        void before(String sql, Connection connection) throws SQLException;
    }

    private final String url;
    private final Hook hook;
    private final List<String> executed = new CopyOnWriteArrayList<>();

    StatementHookDataSource(String url, Hook hook) {
        this.url = url;
        this.hook = hook;
    }

    /** The statements passed to {@code Statement.execute(String)}, in order (those the hook refused included). */
    List<String> executed() {
        return List.copyOf(executed);
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection real = DriverManager.getConnection(url);
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class},
                new Handler((proxy, method, args) -> {
                    Object result = method.invoke(real, args);
                    if (method.getName().equals("createStatement") && result instanceof Statement statement) {
                        return statement((Connection) proxy, statement);
                    }
                    return result;
                }));
    }

    private Statement statement(Connection connection, Statement real) {
        return (Statement) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Statement.class},
                new Handler((proxy, method, args) -> {
                    if (method.getName().equals("execute") && args != null && args.length == 1
                            && args[0] instanceof String sql) {
                        executed.add(sql);
                        hook.before(sql, connection);
                    }
                    return method.invoke(real, args);
                }));
    }

    /** Unwraps reflection's exception so that the store sees the driver's {@code SQLException}. */
    private record Handler(InvocationHandler body) implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            try {
                return body.invoke(proxy, method, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
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
