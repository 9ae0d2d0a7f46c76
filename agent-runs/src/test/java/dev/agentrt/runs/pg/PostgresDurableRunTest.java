package dev.agentrt.runs.pg;

import static dev.agentrt.core.testing.Transcripts.toolResult;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.run.JournalEntry;
import dev.agentrt.core.run.PendingCall;
import dev.agentrt.core.run.RunEntry;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreException;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.runs.PostgresRunStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Durable runs end to end on PostgreSQL, the store many application instances share. A "process" is an agent
 * over its own store instance on the shared database; a crash is its store closing under it (nothing more is
 * written, its lease is not released), and the next process's clock is past the dead one's lease.
 */
class PostgresDurableRunTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ToolCall PAY = new ToolCall("call-pay", "pay", "{\"invoice\":17}");
    private static final ToolCall LOOKUP = new ToolCall("call-lookup", "lookup", "{\"invoice\":17}");

    @RegisterExtension
    static final PgDatabase DB = new PgDatabase();

    private final List<RunStore> stores = new ArrayList<>();
    private final MovableClock clock = new MovableClock();
    /** Effects of the pay tool across every "process": a non-idempotent tool must never run twice. */
    private final AtomicInteger payments = new AtomicInteger();
    private final AtomicInteger lookups = new AtomicInteger();
    private String url;

    static final class MovableClock extends Clock {
        volatile Instant now = Instant.parse("2026-03-01T09:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @BeforeEach
    void emptyDatabase() {
        url = DB.freshUrl();
    }

    @AfterEach
    void closeStores() {
        stores.forEach(RunStore::close);
    }

    /** A store instance on the shared database: one per simulated process. */
    private RunStore process() {
        RunStore s = PostgresRunStore.builder(url).clock(clock).build();
        stores.add(s);
        return s;
    }

    private static ScriptedChatModel model(Reply... replies) {
        return ScriptedChatModel.builder().replies(replies).perConversation().build();
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

    private Tool lookup(Mono<ToolResult> result) {
        return Tool.builder("lookup")
                .description("Looks an invoice up.")
                .idempotent(true)
                .handler((args, ctx) -> Mono.defer(() -> {
                    lookups.incrementAndGet();
                    return result;
                }))
                .build();
    }

    private Agent.Builder agent(RunStore store, ScriptedChatModel model, Tool... tools) {
        return Agent.builder()
                .name("billing")
                .version("2")
                .model(model)
                .runStore(store)
                .tools(tools)
                .grant(Capability.custom("payments", "send"));
    }

    private static List<RunEntry> journal(RunStore store, String runId) {
        return store.journal(runId, 1).map(JournalEntry::entry).collectList().block(WAIT);
    }

    @Test
    void aDeferredApprovalPausesTheRunAndAnotherProcessApprovesAndFinishesIt() {
        RunStore first = process();
        Agent asking = Agent.builder()
                .name("billing")
                .version("2")
                .model(model(Reply.toolCalls(LOOKUP, PAY), Reply.text("unused")))
                .runStore(first)
                .tools(pay(Mono.just(ToolResult.text("paid"))), lookup(Mono.just(ToolResult.text("open, 12.50 EUR"))))
                .approvals(request -> Mono.just(Decision.defer("finance must approve payments")))
                .build();

        AgentResult paused = asking.task("Pay invoice 17").withId("run-approval").execute().block(WAIT);

        assertThat(paused.outcome()).isEqualTo(Outcome.AWAITING_APPROVAL);
        assertThat(payments).hasValue(0);
        assertThat(lookups).hasValue(1);
        first.close(); // the first process exits

        // Days later, another process lists what waits, approves and resumes.
        clock.now = clock.now.plus(Duration.ofDays(3));
        RunStore second = process();
        assertThat(second.runs(RunStatus.AWAITING_APPROVAL).collectList().block(WAIT))
                .singleElement()
                .satisfies(r -> assertThat(r.id()).isEqualTo("run-approval"));
        ScriptedChatModel model2 = model(Reply.toolCalls(LOOKUP, PAY), Reply.text("Paid invoice 17."));
        Agent approving = Agent.builder()
                .name("billing")
                .version("2")
                .model(model2)
                .runStore(second)
                .tools(pay(Mono.just(ToolResult.text("paid"))), lookup(Mono.just(ToolResult.text("open, 12.50 EUR"))))
                .approvals(request -> Mono.error(new AssertionError("a decided call is not asked again")))
                .build();
        assertThat(approving.pending("run-approval").collectList().block(WAIT)).singleElement().satisfies(p -> {
            assertThat(p.call()).isEqualTo(PAY);
            assertThat(p.kind()).isEqualTo(PendingCall.Kind.APPROVAL);
            assertThat(p.text()).isEqualTo("finance must approve payments");
        });

        approving.approve("run-approval", PAY.id(), Decision.approveOnce()).block(WAIT);
        AgentResult done = approving.resume("run-approval").execute().block(WAIT);

        assertThat(done.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(done.text()).isEqualTo("Paid invoice 17.");
        assertThat(payments).hasValue(1);
        assertThat(lookups).as("the finished call is not run again").hasValue(1);
        assertThat(model2.requests()).as("the journaled reply is not asked for again").hasSize(1);
        assertThat(toolResult(done, PAY.id()).content()).isEqualTo("paid");
        assertThat(second.find("run-approval").block(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void aCrashWhileANonIdempotentToolRunsResumesWithoutRepeatingItOrTheModelCall() {
        Sinks.One<Boolean> running = Sinks.one();
        RunStore first = process();
        Agent crashing = agent(first, model(Reply.toolCalls(PAY), Reply.text("unused")),
                pay(Mono.<ToolResult>never().doOnSubscribe(s -> running.tryEmitValue(true)))).build();
        Disposable run = crashing.task("Pay invoice 17").withId("run-crash").execute().subscribe();
        running.asMono().block(WAIT);
        first.close(); // the process dies: nothing more reaches the store, the lease is not given back
        run.dispose();
        assertThat(payments).hasValue(1);

        clock.now = clock.now.plus(Duration.ofMinutes(5));
        RunStore second = process();
        assertThat(journal(second, "run-crash")).as("the start was journaled before the tool ran")
                .anySatisfy(e -> assertThat(e).isEqualTo(new RunEntry.ToolStarted(1, PAY)));
        ScriptedChatModel model2 = model(Reply.toolCalls(PAY), Reply.text("I could not confirm the payment."));
        Agent resumed = agent(second, model2, pay(Mono.just(ToolResult.text("paid twice!")))).build();

        AgentResult result = resumed.resume("run-crash").execute().block(WAIT);

        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(payments).as("the payment is never made twice").hasValue(1);
        assertThat(model2.requests()).as("the journaled reply is not asked for again").hasSize(1);
        Message.ToolResult inDoubt = toolResult(result, PAY.id());
        assertThat(inDoubt.error()).isTrue();
        assertThat(inDoubt.content()).contains("may or may not have taken effect");
        assertThat(result.text()).isEqualTo("I could not confirm the payment.");
        assertThat(second.find("run-crash").block(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void twoProcessesResumingTheSameRunAtOnceRunItOnce() {
        Sinks.One<Boolean> running = Sinks.one();
        RunStore first = process();
        Agent crashing = agent(first, model(Reply.toolCalls(LOOKUP), Reply.text("x")),
                lookup(Mono.<ToolResult>never().doOnSubscribe(s -> running.tryEmitValue(true)))).build();
        Disposable run = crashing.task("Look up").withId("run-race").execute().subscribe();
        running.asMono().block(WAIT);
        first.close();
        run.dispose();
        clock.now = clock.now.plus(Duration.ofMinutes(5));

        List<Mono<Object>> attempts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Agent a = agent(process(), model(Reply.toolCalls(LOOKUP), Reply.text("done")),
                    lookup(Mono.just(ToolResult.text("found")))).build();
            attempts.add(a.resume("run-race").execute().<Object>map(r -> r).onErrorResume(Mono::just));
        }
        List<Object> outcomes = Mono.zip(attempts, List::of).block(WAIT);

        assertThat(outcomes).filteredOn(o -> o instanceof AgentResult).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o instanceof RunStoreException.RunLeased).hasSize(1);
        assertThat(lookups).as("once before the crash, once by the one resume").hasValue(2);
    }

    @Test
    void aSessionContinuesTheConversationAcrossTasksAndProcesses() {
        RunStore first = process();
        agent(first, model(Reply.toolCalls(LOOKUP), Reply.text("Invoice 17 is open.")),
                lookup(Mono.just(ToolResult.text("open")))).build()
                .session("customer-9")
                .task("Is invoice 17 paid?")
                .execute()
                .block(WAIT);
        first.close();

        ScriptedChatModel model2 = ScriptedChatModel.of(Reply.text("You asked about invoice 17."));
        Agent agent = agent(process(), model2, lookup(Mono.just(ToolResult.text("open")))).build();
        AgentResult result = agent.session("customer-9").task("What did I ask?").execute().block(WAIT);

        assertThat(result.text()).isEqualTo("You asked about invoice 17.");
        assertThat(model2.lastRequest().messages()).containsSubsequence(Message.user("Is invoice 17 paid?"),
                new Message.Assistant("", List.of(LOOKUP), List.of()),
                new Message.ToolResult(LOOKUP.id(), "lookup", "open", false), Message.assistant("Invoice 17 is open."),
                Message.user("What did I ask?"));
        assertThat(agent.session("customer-9").runs().collectList().block(WAIT)).hasSize(2);
    }
}
