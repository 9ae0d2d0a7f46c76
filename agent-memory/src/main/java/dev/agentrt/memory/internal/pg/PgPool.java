package dev.agentrt.memory.internal.pg;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.agentrt.core.MemoryStoreException;
import org.jspecify.annotations.Nullable;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The HikariCP pool a store opens from a JDBC URL. Connections are validated with
 * {@code Connection.isValid} when they were idle, kept alive, and evicted when they fail with a
 * connection error, so a restarted server is reached again with fresh connections.
 */
public final class PgPool {
    private static final Pattern USER_INFO = Pattern.compile("//[^/@?#]*@");
    private static final Pattern SECRET_PARAMETER = Pattern
            .compile("(?i)([?&;](?:password|sslpassword|sslkey|user)=)[^&;#]*");

    private PgPool() {}

    /**
     * Opens a pool and its first connection; a {@link MemoryStoreException} naming the redacted URL
     * if the server cannot be reached within {@code connectTimeout}.
     */
    public static HikariDataSource open(String jdbcUrl, @Nullable String user, @Nullable String password,
            int poolSize, Duration connectTimeout, String poolName) {
        var config = new HikariConfig();
        config.setPoolName(poolName);
        config.setDriverClassName("org.postgresql.Driver");
        config.setJdbcUrl(jdbcUrl);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(Math.min(2, poolSize));
        long timeout = Math.max(250, connectTimeout.toMillis());
        config.setConnectionTimeout(timeout);
        config.setValidationTimeout(Math.max(250, Math.min(5_000, timeout / 2)));
        config.setInitializationFailTimeout(timeout);
        config.setKeepaliveTime(60_000);
        config.addDataSourceProperty("ApplicationName", "agentrt");
        config.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, timeout / 1000)));
        config.addDataSourceProperty("tcpKeepAlive", "true");
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            String message = "cannot connect to " + redact(jdbcUrl) + ": " + e.getMessage();
            if (password != null && !password.isEmpty()) {
                message = message.replace(password, "***");
            }
            throw new MemoryStoreException(message, e, true);
        }
    }

    /** Closes {@code dataSource} if it is a pool this class opened. */
    public static void close(DataSource dataSource) {
        if (dataSource instanceof HikariDataSource pool) {
            pool.close();
        }
    }

    /**
     * The URL without credentials: user information and the {@code user}, {@code password},
     * {@code sslpassword} and {@code sslkey} parameters are replaced by {@code ***}.
     */
    public static String redact(String jdbcUrl) {
        String out = USER_INFO.matcher(jdbcUrl).replaceFirst("//***@");
        return SECRET_PARAMETER.matcher(out).replaceAll("$1***");
    }
}
