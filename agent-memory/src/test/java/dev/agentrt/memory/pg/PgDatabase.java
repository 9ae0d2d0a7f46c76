package dev.agentrt.memory.pg;

import dev.agentrt.memory.PgVectorStore;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The PostgreSQL the PgVectorStore tests use, registered with {@code @RegisterExtension}.
 *
 * <p>If the environment variable {@value #URL_VARIABLE} is set, it is the JDBC URL of a PostgreSQL
 * with pgvector available (credentials as URL parameters, e.g.
 * {@code jdbc:postgresql://db:5432/test?user=agent&password=...}) and the tests run there. Otherwise
 * one PGlite server (see {@link PgliteServer}) is started for the whole test run and killed when it
 * ends. Either way every store gets a table of its own, dropped after the test class.
 */
final class PgDatabase implements BeforeAllCallback, AfterAllCallback {
    static final String URL_VARIABLE = "AGENTRT_TEST_PG_URL";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PgDatabase.class);

    private final List<String> tables = new CopyOnWriteArrayList<>();
    private volatile String url;

    @Override
    public void beforeAll(ExtensionContext context) {
        String external = System.getenv(URL_VARIABLE);
        if (external != null && !external.isBlank()) {
            url = external.strip();
        } else {
            url = context.getRoot()
                    .getStore(NAMESPACE)
                    .getOrComputeIfAbsent("pglite", k -> PgliteServer.start(null), PgliteServer.class)
                    .jdbcUrl();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        try (var c = DriverManager.getConnection(url); var st = c.createStatement()) {
            for (String table : tables) {
                st.execute("DROP TABLE IF EXISTS " + table);
            }
        }
        tables.clear();
    }

    String url() {
        return url;
    }

    /** A table name no other test uses, dropped after the class. */
    String freshTable() {
        String table = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        tables.add(table);
        return table;
    }

    /** A store on a fresh table. */
    PgVectorStore.Builder store(int dimensions) {
        return PgVectorStore.builder(url).table(freshTable()).dimensions(dimensions).poolSize(4);
    }
}
