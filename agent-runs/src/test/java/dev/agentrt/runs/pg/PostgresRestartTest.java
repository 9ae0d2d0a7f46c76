package dev.agentrt.runs.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.run.JournalEntry;
import dev.agentrt.core.run.Lease;
import dev.agentrt.core.run.NewRun;
import dev.agentrt.core.run.RunEntry;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreException;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.testing.Transcripts;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.runs.PostgresRunStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * PostgreSQL restarts under an open store, between writes and in the middle of a run: a write during the outage
 * fails with a retryable error, nothing acknowledged is lost, and once the server is back the store reconnects
 * by itself. This test always runs its own PGlite server persisting to a data directory (it has to kill it),
 * even when {@value PgDatabase#URL_PROPERTY} names a server.
 */
class PostgresRestartTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final String SECRET = "restart-secret";
    private static final ToolCall PAY = new ToolCall("call-pay", "pay", "{\"invoice\":17}");

    @TempDir
    static Path dir;

    private static PgliteServer server;

    private final PostgresDurableRunTest.MovableClock clock = new PostgresDurableRunTest.MovableClock();
    private final List<RunStore> stores = new ArrayList<>();
    private final AtomicInteger payments = new AtomicInteger();

    @BeforeAll
    static void startServer() {
        server = PgliteServer.start(dir.resolve("pgdata"));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void emptyDatabase() throws SQLException {
        if (!server.isAlive()) {
            server.restart(); // a test before this one failed with the server down
        }
        try (var c = DriverManager.getConnection(server.jdbcUrl()); var s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS agentrt_journal, agentrt_runs, agentrt_schema");
        }
    }

    @AfterEach
    void closeStores() {
        stores.forEach(RunStore::close);
    }

    private RunStore process() {
        RunStore s = PostgresRunStore.builder(server.jdbcUrl() + "&password=" + SECRET).clock(clock).build();
        stores.add(s);
        return s;
    }

    private static NewRun run(String id) {
        return new NewRun(id, "billing", "2", "pay invoice 17", Principal.ANONYMOUS, List.of(), null);
    }

    private static RunEntry message(String text) {
        return new RunEntry.Appended(0, Message.user(text));
    }

    private static List<JournalEntry> journal(RunStore store, String runId) {
        return store.journal(runId, 1).collectList().block(WAIT);
    }

    private static void assertRetryable(Mono<?> mono) {
        Throwable error = mono.then(Mono.<Throwable>empty()).onErrorResume(Mono::just).block(WAIT);
        assertThat(error).as("a failure while the database is down").isNotNull();
        assertThat(error).isExactlyInstanceOf(RunStoreException.class).hasMessageNotContaining(SECRET);
        assertThat(((RunStoreException) error).isRetryable()).as("retryable: " + error).isTrue();
    }

    @Test
    void aWriteDuringTheOutageFailsRetryablyAndNothingAcknowledgedIsLost() {
        RunStore store = process();
        Lease lease = store.create(run("r1"), "owner-a", LEASE).block(WAIT);
        assertThat(store.append(lease, List.of(message("one"), message("two"))).block(WAIT)).isEqualTo(2);
        assertThat(store.append(lease, List.of(message("three"))).block(WAIT)).isEqualTo(3);
        assertThat(journal(store, "r1")).hasSize(3); // the read pool now holds a connection too

        server.kill();
        assertRetryable(store.append(lease, List.of(message("during"))));
        assertRetryable(store.find("r1"));
        assertRetryable(store.create(run("r2"), "owner-a", LEASE));

        server.restart();
        assertThat(store.append(lease, List.of(message("four"))).block(WAIT)).isEqualTo(4);
        assertThat(journal(store, "r1")).extracting(JournalEntry::entry)
                .containsExactly(message("one"), message("two"), message("three"), message("four"));
        assertThat(journal(store, "r1")).extracting(JournalEntry::sequence).containsExactly(1L, 2L, 3L, 4L);
        assertThat(store.find("r1").block(WAIT).lastSequence()).isEqualTo(4);
        assertThat(store.find("r2").block(WAIT)).as("the create during the outage did not happen").isNull();
    }

    @Test
    void aRestartBetweenWritesIsNotSeenByTheNextWriteOrRead() {
        RunStore store = process();
        Lease lease = store.create(run("r1"), "owner-a", LEASE).block(WAIT);
        store.append(lease, List.of(message("one"))).block(WAIT);
        assertThat(journal(store, "r1")).hasSize(1);

        server.restart(); // nothing used the store while the server was down: its connections are stale

        assertThat(journal(store, "r1")).extracting(JournalEntry::entry).containsExactly(message("one"));
        assertThat(store.append(lease, List.of(message("two"))).block(WAIT)).isEqualTo(2);
        assertThat(journal(store, "r1")).extracting(JournalEntry::entry)
                .containsExactly(message("one"), message("two"));
        assertThat(store.find("r1").block(WAIT).status()).isEqualTo(RunStatus.RUNNING);
    }

    private Tool pay(Mono<ToolResult> result) {
        return Tool.builder("pay")
                .description("Pays an invoice.")
                .requires(Capability.custom("payments", "send"))
                .handler((args, ctx) -> Mono.defer(() -> {
                    payments.incrementAndGet();
                    return result;
                }))
                .build();
    }

    private static Agent agent(RunStore store, ScriptedChatModel model, Tool tool) {
        return Agent.builder()
                .name("billing")
                .version("2")
                .model(model)
                .runStore(store)
                .tools(tool)
                .grant(Capability.custom("payments", "send"))
                .build();
    }

    private static ScriptedChatModel model(Reply... replies) {
        return ScriptedChatModel.builder().replies(replies).perConversation().build();
    }

    @Test
    void aRunWhoseDatabaseRestartsWhileAToolRunsContinues() {
        Sinks.One<Boolean> running = Sinks.one();
        Sinks.One<ToolResult> paid = Sinks.one();
        RunStore store = process();
        ScriptedChatModel model = model(Reply.toolCalls(PAY), Reply.text("Paid invoice 17."));
        Agent agent = agent(store, model,
                pay(paid.asMono().doOnSubscribe(s -> running.tryEmitValue(true))));
        Mono<AgentResult> result = agent.task("Pay invoice 17").withId("run-restart").execute().cache();
        result.subscribe(r -> {}, e -> {});
        running.asMono().block(WAIT);

        server.restart();
        paid.tryEmitValue(ToolResult.text("paid"));

        AgentResult done = result.block(WAIT);
        assertThat(done.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(done.text()).isEqualTo("Paid invoice 17.");
        assertThat(payments).hasValue(1);
        assertThat(store.find("run-restart").block(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(journal(store, "run-restart")).extracting(JournalEntry::entry)
                .contains(new RunEntry.ToolStarted(1, PAY))
                .anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(RunEntry.Appended.class,
                        a -> assertThat(a.message()).isEqualTo(new Message.ToolResult(PAY.id(), "pay", "paid",
                                false))));
    }

    @Test
    void aRunWhoseDatabaseIsDownWhenAToolEndsFailsCleanlyAndResumesWithNothingLost() {
        Sinks.One<Boolean> running = Sinks.one();
        Sinks.One<ToolResult> paid = Sinks.one();
        RunStore first = process();
        Agent agent = agent(first, model(Reply.toolCalls(PAY), Reply.text("unused")),
                pay(paid.asMono().doOnSubscribe(s -> running.tryEmitValue(true))));
        Mono<AgentResult> result = agent.task("Pay invoice 17").withId("run-outage").execute().cache();
        result.subscribe(r -> {}, e -> {});
        running.asMono().block(WAIT);
        List<JournalEntry> acknowledged = journal(first, "run-outage");
        assertThat(acknowledged).extracting(JournalEntry::entry).contains(new RunEntry.ToolStarted(1, PAY));

        server.kill();
        paid.tryEmitValue(ToolResult.text("paid"));
        assertRetryable(result);

        server.restart();
        clock.now = clock.now.plus(LEASE.multipliedBy(2)); // the failed run's lease may not have been given back
        RunStore second = process();
        assertThat(journal(second, "run-outage")).as("everything acknowledged is still there")
                .startsWith(acknowledged.toArray(JournalEntry[]::new));
        ScriptedChatModel model2 = model(Reply.toolCalls(PAY), Reply.text("I could not confirm the payment."));
        AgentResult resumed = agent(second, model2, pay(Mono.just(ToolResult.text("paid twice!"))))
                .resume("run-outage")
                .execute()
                .block(WAIT);

        assertThat(resumed.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(payments).as("the payment whose result was lost is not made again").hasValue(1);
        assertThat(model2.requests()).as("the journaled reply is not asked for again").hasSize(1);
        assertThat(Transcripts.toolResult(resumed, PAY.id()).content())
                .contains("may or may not have taken effect");
        assertThat(second.find("run-outage").block(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
    }
}
