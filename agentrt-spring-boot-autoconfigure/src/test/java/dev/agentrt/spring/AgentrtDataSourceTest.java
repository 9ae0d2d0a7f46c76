package dev.agentrt.spring;

import static dev.agentrt.spring.AgentrtStoresTest.assertFails;
import static dev.agentrt.spring.AgentrtStoresTest.rememberAndRecall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.EmbeddingModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.runs.PostgresRunStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.sqlite.SQLiteDataSource;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * {@code agentrt.runs.store=datasource} and {@code agentrt.memory.store=datasource} on the application's
 * {@link DataSource}, a PostgreSQL with pgvector (PGlite on 127.0.0.1).
 */
class AgentrtDataSourceTest {
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static PgliteServer server;

    private final ApplicationContextRunner runner = Contexts.runner()
            .withBean(ChatModel.class, () -> ScriptedChatModel.builder().reply(Reply.text("done")).repeat().build())
            .withBean("dataSource", DataSource.class, () -> pg());

    @BeforeAll
    static void startServer() {
        server = PgliteServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static PGSimpleDataSource pg() {
        var ds = new PGSimpleDataSource();
        ds.setURL(server.jdbcUrl());
        return ds;
    }

    @BeforeEach
    void emptyDatabase() throws SQLException {
        try (Connection c = pg().getConnection(); var s = c.createStatement()) {
            for (String table : List.of("agentrt_journal", "agentrt_runs", "agentrt_schema", "agentrt_vectors",
                    "support_vectors")) {
                s.execute("DROP TABLE IF EXISTS " + table);
            }
        }
    }

    @Test
    void runsAreJournaledInTheApplicationsDataSourceWhichOutlivesTheStore() throws SQLException {
        runner.withPropertyValues("agentrt.runs.store=datasource").run(context -> {
            assertThat(context).hasNotFailed();
            RunStore store = context.getBean(RunStore.class);
            assertThat(store).isInstanceOf(PostgresRunStore.class);
            assertThat(context.getBeanFactory().getDependentBeans("dataSource"))
                    .as("the store is destroyed before the data source")
                    .contains("agentrtRunStore");
            AgentResult result = context.getBean(Agent.class).task("hello").execute().block(WAIT);
            RunRecord run = store.find(result.runId()).block(WAIT);
            assertThat(run).isNotNull();
            assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        });
        try (Connection c = pg().getConnection();
                var s = c.createStatement();
                var r = s.executeQuery("SELECT COUNT(*) FROM agentrt_runs WHERE input = 'hello'")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void theDataSourceBootMakesFromSpringDatasourceUrlHoldsTheRunsAndClosesAfterTheStore() {
        var pool = new java.util.concurrent.atomic.AtomicReference<com.zaxxer.hikari.HikariDataSource>();
        Contexts.runner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
                .withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("done")))
                .withPropertyValues("spring.datasource.url=" + server.jdbcUrl(), "agentrt.runs.store=datasource")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    pool.set(context.getBean(com.zaxxer.hikari.HikariDataSource.class));
                    assertThat(context.getBean(RunStore.class)).isInstanceOf(PostgresRunStore.class);
                    AgentResult result = context.getBean(Agent.class).task("pooled").execute().block(WAIT);
                    assertThat(context.getBean(RunStore.class).find(result.runId()).block(WAIT)).isNotNull();
                });
        assertThat(pool.get().isClosed()).isTrue();
    }

    @Test
    void aDataSourceOfAnotherDatabaseFailsTheStartNamingTheProperty(@TempDir Path dir) {
        var sqlite = new SQLiteDataSource();
        sqlite.setUrl("jdbc:sqlite:" + dir.resolve("app.db"));
        assertFails(Contexts.runner()
                .withBean("dataSource", DataSource.class, () -> sqlite)
                .withPropertyValues("agentrt.runs.store=datasource"), "agentrt.runs.store", "not to PostgreSQL");
    }

    @Test
    void severalDataSourcesWithoutAPrimaryOneFailTheStartNamingThem() {
        // (A bean named like the parameter, "dataSource", would be chosen among several, as Spring does.)
        assertFails(Contexts.runner()
                .withBean("ordersDataSource", DataSource.class, () -> pg())
                .withBean("usersDataSource", DataSource.class, () -> pg())
                .withPropertyValues("agentrt.runs.store=datasource"), "agentrt.runs.store",
                "2 DataSource beans and none is @Primary: ordersDataSource, usersDataSource");
    }

    @Test
    void memoryLivesInTheApplicationsDataSourceWithPgvector() {
        runner.withBean(EmbeddingModel.class, Contexts.TrigramModel::new)
                .withPropertyValues("agentrt.memory.store=datasource", "agentrt.memory.table=support_vectors")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Memory memory = context.getBean(Memory.class);
                    assertThat(context.getBean(Agent.class).memory()).isSameAs(memory);
                    rememberAndRecall(memory);
                    try (Connection c = pg().getConnection();
                            var s = c.createStatement();
                            var r = s.executeQuery("SELECT COUNT(*) FROM support_vectors")) {
                        assertThat(r.next()).isTrue();
                        assertThat(r.getInt(1)).isEqualTo(2);
                    }
                });
    }

    @Test
    void aBadMemoryTableFailsTheStartNamingTheProperty() {
        assertFails(runner.withBean(EmbeddingModel.class, Contexts.TrigramModel::new)
                .withPropertyValues("agentrt.memory.store=datasource", "agentrt.memory.table=Vectors; DROP"),
                "agentrt.memory.table", "lower-case SQL identifier");
    }
}
