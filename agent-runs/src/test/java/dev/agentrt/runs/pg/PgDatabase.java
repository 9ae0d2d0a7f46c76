package dev.agentrt.runs.pg;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The PostgreSQL the PostgresRunStore tests use, registered with {@code @RegisterExtension}.
 *
 * <p>If the system property {@value #URL_PROPERTY} (or else the environment variable {@value #URL_VARIABLE}) is
 * set, it is the JDBC URL of a PostgreSQL (credentials as URL parameters, e.g.
 * {@code -Dagentrt.test.postgres.url=jdbc:postgresql://db:5432/test?user=agent&password=...}) and the tests run
 * there, each store in a schema of its own ({@code currentSchema}), dropped after the test class. Otherwise one
 * PGlite server on 127.0.0.1 (see {@link PgliteServer}) is started for the whole test run and killed when it
 * ends; PGlite does not apply {@code currentSchema}, so there each fresh store starts by dropping the previous
 * test's agentrt tables (the tests of a module run one after another).
 */
final class PgDatabase implements BeforeAllCallback, AfterAllCallback {
    static final String URL_PROPERTY = "agentrt.test.postgres.url";
    static final String URL_VARIABLE = "AGENTRT_TEST_PG_URL";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PgDatabase.class);
    private static final List<String> TABLES = List.of("agentrt_journal", "agentrt_runs", "agentrt_schema");

    private final List<String> schemas = new CopyOnWriteArrayList<>();
    private volatile String url;
    private volatile boolean external;

    /** The URL of a real server to test on, if one is named. */
    static String externalUrl() {
        String url = System.getProperty(URL_PROPERTY);
        if (url == null || url.isBlank()) {
            url = System.getenv(URL_VARIABLE);
        }
        return url == null || url.isBlank() ? null : url.strip();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        String named = externalUrl();
        external = named != null;
        url = external
                ? named
                : context.getRoot()
                        .getStore(NAMESPACE)
                        .getOrComputeIfAbsent("pglite", k -> PgliteServer.start(null), PgliteServer.class)
                        .jdbcUrl();
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        if (!schemas.isEmpty()) {
            try (var c = DriverManager.getConnection(url); var st = c.createStatement()) {
                for (String schema : schemas) {
                    st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                }
            }
            schemas.clear();
        }
    }

    /** Whether the tests run on a server named by URL rather than on PGlite. */
    boolean external() {
        return external;
    }

    /**
     * The URL of an empty run store: a new schema on a named server; on PGlite, the one database with the agentrt
     * tables dropped (close the previous test's stores first).
     */
    String freshUrl() {
        try (var c = DriverManager.getConnection(url); var st = c.createStatement()) {
            if (external) {
                String schema = "agentrt_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
                st.execute("CREATE SCHEMA " + schema);
                schemas.add(schema);
                return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
            }
            for (String table : TABLES) {
                st.execute("DROP TABLE IF EXISTS " + table);
            }
            return url;
        } catch (SQLException e) {
            throw new AssertionError("cannot prepare an empty run store at " + redact(url) + ": " + e, e);
        }
    }

    private static String redact(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }
}
