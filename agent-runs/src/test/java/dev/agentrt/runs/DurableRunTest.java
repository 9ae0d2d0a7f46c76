package dev.agentrt.runs;

import static dev.agentrt.core.testing.Transcripts.toolResult;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.run.JournalEntry;
import dev.agentrt.core.run.PendingCall;
import dev.agentrt.core.run.RunEntry;
import dev.agentrt.core.run.RunEvent;
import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreException;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Durable runs end to end on the SQLite store: journaling, resume after a crash, pauses for a person, sessions and
 * event replay. A "process" is an agent over its own store instance on the shared file; a crash is its store
 * closing under it (nothing more is written, its lease is not released), and the next process's clock is past
 * the dead one's lease.
 */
class DurableRunTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ToolCall PAY = new ToolCall("call-pay", "pay", "{\"invoice\":17}");
    private static final ToolCall LOOKUP = new ToolCall("call-lookup", "lookup", "{\"invoice\":17}");

    @TempDir
    Path dir;

    @RegisterExtension
    final SqliteProcesses processes = new SqliteProcesses(() -> dir.resolve("runs.db"));
    /** Effects of the pay tool across every "process": a non-idempotent tool must never run twice. */
    private final AtomicInteger payments = new AtomicInteger();
    private final AtomicInteger lookups = new AtomicInteger();

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
    void aJournaledRunEndsCompletedAndItsEventsReplayFromAnySequence() {
        RunStore store = processes.start();
        ScriptedChatModel model = model(Reply.toolCalls(LOOKUP), Reply.text("Invoice 17 is paid."));
        Agent agent = agent(store, model, lookup(Mono.just(ToolResult.text("paid on 2 March")))).build();

        AgentResult result = agent.task("Is invoice 17 paid?").execute().block(WAIT);

        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        RunRecord record = store.find(result.runId()).block(WAIT);
        assertThat(record.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(record.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(record.agentName()).isEqualTo("billing");
        assertThat(record.agentVersion()).isEqualTo("2");
        List<RunEntry> entries = journal(store, result.runId());
        assertThat(entries).filteredOn(e -> e instanceof RunEntry.Reply).hasSize(2);
        int started = indexOf(entries, e -> e instanceof RunEntry.ToolStarted s && s.call().equals(LOOKUP));
        int finished = indexOf(entries, e -> e instanceof RunEntry.Appended a
                && a.message() instanceof Message.ToolResult r && r.callId().equals(LOOKUP.id()));
        assertThat(started).as("the start is journaled before the result").isNotNegative().isLessThan(finished);

        List<RunEvent> events = agent.events(result.runId(), 1).collectList().block(WAIT);
        assertThat(events.get(0).event()).isInstanceOf(AgentEvent.Started.class);
        assertThat(events.get(events.size() - 1).event()).isInstanceOfSatisfying(AgentEvent.Completed.class,
                c -> assertThat(c.result()).isEqualTo(result));
        assertThat(events).extracting(RunEvent::event).hasAtLeastOneElementOfType(AgentEvent.ToolCallCompleted.class);
        String report = dev.agentrt.core.report.RunReport.builder().runEvents(events).build().html();
        assertThat(report).as("a run report made from the store").contains("lookup", "Invoice 17 is paid.");
        long third = events.get(2).sequence();
        assertThat(agent.events(result.runId(), third).collectList().block(WAIT))
                .containsExactlyElementsOf(events.subList(2, events.size()));
    }

    @Test
    void aCrashWhileANonIdempotentToolRunsResumesWithoutRepeatingItOrTheModelCall() {
        Sinks.One<Boolean> running = Sinks.one();
        RunStore first = processes.start();
        ScriptedChatModel model1 = model(Reply.toolCalls(PAY), Reply.text("unused"));
        Agent crashing = agent(first, model1, pay(Mono.<ToolResult>never()
                .doOnSubscribe(s -> running.tryEmitValue(true)))).build();
        Disposable run = crashing.task("Pay invoice 17").withId("run-crash").execute().subscribe();
        running.asMono().block(WAIT);
        first.close(); // the process dies: nothing more reaches the store, the lease is not given back
        run.dispose();
        assertThat(payments).hasValue(1);

        processes.clock.advance(Duration.ofMinutes(5));
        RunStore second = processes.start();
        ScriptedChatModel model2 = model(Reply.toolCalls(PAY), Reply.text("I could not confirm the payment."));
        Agent resumed = agent(second, model2, pay(Mono.just(ToolResult.text("paid twice!")))).build();

        AgentResult result = resumed.resume("run-crash").execute().block(WAIT);

        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(payments).as("the payment is never made twice").hasValue(1);
        assertThat(model2.requests()).as("the journaled reply is not asked for again").hasSize(1);
        Message.ToolResult inDoubt = toolResult(result, PAY.id());
        assertThat(inDoubt.error()).isTrue();
        assertThat(inDoubt.content()).contains("may or may not have taken effect");
        assertThat(result.transcript()).containsSubsequence(Message.user("Pay invoice 17"),
                new Message.Assistant("", List.of(PAY), List.of()), inDoubt,
                Message.assistant("I could not confirm the payment."));
        assertThat(second.find("run-crash").block(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void anIdempotentToolInDoubtRunsAgainOnResume() {
        Sinks.One<Boolean> running = Sinks.one();
        RunStore first = processes.start();
        Agent crashing = agent(first, model(Reply.toolCalls(LOOKUP), Reply.text("unused")),
                lookup(Mono.<ToolResult>never().doOnSubscribe(s -> running.tryEmitValue(true)))).build();
        Disposable run = crashing.task("Look invoice 17 up").withId("run-lookup").execute().subscribe();
        running.asMono().block(WAIT);
        RunStore second = processes.restart(first, run);
        ScriptedChatModel model2 = model(Reply.toolCalls(LOOKUP), Reply.text("It was paid on 2 March."));
        AgentResult result = agent(second, model2, lookup(Mono.just(ToolResult.text("paid on 2 March")))).build()
                .resume("run-lookup")
                .execute()
                .block(WAIT);

        assertThat(lookups).hasValue(2);
        assertThat(model2.requests()).hasSize(1);
        assertThat(toolResult(result, LOOKUP.id())).isEqualTo(new Message.ToolResult(LOOKUP.id(), "lookup",
                "paid on 2 March", false));
        assertThat(result.text()).isEqualTo("It was paid on 2 March.");
    }

    @Test
    void aDeferredApprovalPausesTheRunAndAnotherProcessApprovesAndFinishesIt() {
        RunStore first = processes.start();
        ScriptedChatModel model1 = model(Reply.toolCalls(LOOKUP, PAY), Reply.text("unused"));
        Agent asking = Agent.builder()
                .name("billing")
                .version("2")
                .model(model1)
                .runStore(first)
                .tools(pay(Mono.just(ToolResult.text("paid"))), lookup(Mono.just(ToolResult.text("open, 12.50 EUR"))))
                .approvals(request -> Mono.just(Decision.defer("finance must approve payments")))
                .build();

        AgentResult paused = asking.task("Pay invoice 17").withId("run-approval").execute().block(WAIT);

        assertThat(paused.outcome()).isEqualTo(Outcome.AWAITING_APPROVAL);
        assertThat(payments).hasValue(0);
        assertThat(lookups).as("the step's other call ran").hasValue(1);
        assertThat(first.find("run-approval").block(WAIT).status()).isEqualTo(RunStatus.AWAITING_APPROVAL);
        List<PendingCall> pending = asking.pending("run-approval").collectList().block(WAIT);
        assertThat(pending).singleElement().satisfies(p -> {
            assertThat(p.call()).isEqualTo(PAY);
            assertThat(p.kind()).isEqualTo(PendingCall.Kind.APPROVAL);
            assertThat(p.missing()).containsExactly(Capability.custom("payments", "send"));
            assertThat(p.text()).isEqualTo("finance must approve payments");
        });
        assertThatThrownBy(() -> asking.resume("run-approval").execute().block(WAIT))
                .isInstanceOf(RunStoreException.InvalidState.class)
                .hasMessageContaining("agent.approve");

        // Days later, another process: it lists, approves and resumes.
        processes.clock.advance(Duration.ofDays(3));
        RunStore second = processes.start();
        ScriptedChatModel model2 = model(Reply.toolCalls(LOOKUP, PAY), Reply.text("Paid invoice 17."));
        Agent approving = Agent.builder()
                .name("billing")
                .version("2")
                .model(model2)
                .runStore(second)
                .tools(pay(Mono.just(ToolResult.text("paid"))), lookup(Mono.just(ToolResult.text("open, 12.50 EUR"))))
                .approvals(request -> Mono.error(new AssertionError("a decided call is not asked again")))
                .build();
        int before = journal(second, "run-approval").size();
        assertThatThrownBy(() -> approving.approve("run-approval", "call-nope", Decision.approveOnce()).block(WAIT))
                .isInstanceOf(RunStoreException.InvalidState.class)
                .hasMessageContaining("call-nope");
        assertThat(journal(second, "run-approval")).as("nothing recorded").hasSize(before);

        approving.approve("run-approval", PAY.id(), Decision.approveOnce()).block(WAIT);
        AgentResult done = approving.resume("run-approval").execute().block(WAIT);

        assertThat(done.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(done.text()).isEqualTo("Paid invoice 17.");
        assertThat(payments).hasValue(1);
        assertThat(lookups).as("the finished call is not run again").hasValue(1);
        assertThat(model2.requests()).hasSize(1);
        assertThat(toolResult(done, PAY.id()).content()).isEqualTo("paid");
        assertThat(done.transcript()).filteredOn(m -> m instanceof Message.ToolResult).hasSize(2);
        assertThatThrownBy(() -> approving.approve("run-approval", PAY.id(), Decision.approveOnce()).block(WAIT))
                .as("a decision for a finished run")
                .isInstanceOf(RunStoreException.InvalidState.class);
    }

    @Test
    void aDeniedDeferredCallIsReportedToTheModelOnResume() {
        RunStore store = processes.start();
        ScriptedChatModel model = model(Reply.toolCalls(PAY), Reply.text("Payment refused."));
        Agent agent = Agent.builder()
                .model(model)
                .runStore(store)
                .tools(pay(Mono.just(ToolResult.text("paid"))))
                .approvals(request -> Mono.just(Decision.defer()))
                .build();
        agent.task("Pay").withId("run-deny").execute().block(WAIT);
        agent.approve("run-deny", PAY.id(), Decision.deny("over budget")).block(WAIT);
        int decided = journal(store, "run-deny").size();
        assertThatThrownBy(() -> agent.approve("run-deny", PAY.id(), Decision.approveOnce()).block(WAIT))
                .as("a second decision before the resume")
                .isInstanceOf(RunStoreException.InvalidState.class)
                .hasMessageContaining("decided (DENY) already");
        assertThat(journal(store, "run-deny")).as("nothing recorded").hasSize(decided);

        AgentResult done = agent.resume("run-deny").execute().block(WAIT);

        assertThat(payments).hasValue(0);
        assertThat(toolResult(done, PAY.id()).content()).contains("over budget");
        assertThat(done.text()).isEqualTo("Payment refused.");
    }

    @Test
    void aToolsQuestionPausesTheRunAndTheAnswerBecomesTheCallsResult() {
        RunStore store = processes.start();
        ToolCall ask = new ToolCall("call-ask", "choose_account", "{}");
        AtomicInteger asked = new AtomicInteger();
        Tool chooser = Tool.builder("choose_account")
                .handler((args, ctx) -> Mono.fromCallable(() -> {
                    asked.incrementAndGet();
                    return ToolResult.inputRequired("Which account should pay?");
                }))
                .build();
        ScriptedChatModel model = model(Reply.toolCalls(ask), Reply.text("Paying from savings."));
        Agent agent = Agent.builder().model(model).runStore(store).tools(chooser).build();

        AgentResult paused = agent.task("Pay").withId("run-input").execute().block(WAIT);

        assertThat(paused.outcome()).isEqualTo(Outcome.AWAITING_INPUT);
        assertThat(store.find("run-input").block(WAIT).status()).isEqualTo(RunStatus.AWAITING_INPUT);
        assertThat(agent.pending("run-input").collectList().block(WAIT)).singleElement()
                .satisfies(p -> assertThat(p.text()).isEqualTo("Which account should pay?"));
        assertThatThrownBy(() -> agent.approve("run-input", ask.id(), Decision.approveOnce()).block(WAIT))
                .as("a question is answered, not approved")
                .isInstanceOf(RunStoreException.InvalidState.class);

        agent.answer("run-input", ask.id(), "savings").block(WAIT);
        AgentResult done = agent.resume("run-input").execute().block(WAIT);

        assertThat(asked).hasValue(1);
        assertThat(toolResult(done, ask.id()).content()).isEqualTo("The user answered: savings");
        assertThat(done.text()).isEqualTo("Paying from savings.");
    }

    @Test
    void withoutAStoreADeferredApprovalDeniesAndAQuestionIsAnErrorResult() {
        ScriptedChatModel model = model(Reply.toolCalls(PAY), Reply.text("ok"));
        AgentResult result = Agent.builder()
                .model(model)
                .tools(pay(Mono.just(ToolResult.text("paid"))))
                .approvals(request -> Mono.just(Decision.defer()))
                .build()
                .task("Pay")
                .execute()
                .block(WAIT);
        assertThat(payments).hasValue(0);
        assertThat(toolResult(result, PAY.id()).content()).contains("no run store");
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    }

    @Test
    void aLiveRunCannotBeResumedAndAnUnknownRunIsATypedError() {
        Sinks.One<Boolean> running = Sinks.one();
        RunStore store = processes.start();
        Agent agent = agent(store, model(Reply.toolCalls(PAY), Reply.text("x")),
                pay(Mono.<ToolResult>never().doOnSubscribe(s -> running.tryEmitValue(true)))).build();
        Disposable run = agent.task("Pay").withId("run-live").execute().subscribe();
        try {
            running.asMono().block(WAIT);
            RunStore other = processes.start();
            Agent elsewhere = agent(other, model(Reply.text("x")), pay(Mono.just(ToolResult.text("paid")))).build();
            assertThatThrownBy(() -> elsewhere.resume("run-live").execute().block(WAIT))
                    .isInstanceOf(RunStoreException.RunLeased.class)
                    .hasMessageContaining("run-live");
            assertThatThrownBy(() -> elsewhere.resume("no-such-run").execute().block(WAIT))
                    .isInstanceOf(RunStoreException.UnknownRun.class)
                    .hasMessageContaining("no-such-run");
            assertThat(payments).hasValue(1);
        } finally {
            run.dispose();
        }
    }

    @Test
    void twoProcessesResumingTheSameRunAtOnceRunItOnce() {
        Sinks.One<Boolean> running = Sinks.one();
        RunStore first = processes.start();
        Agent crashing = agent(first, model(Reply.toolCalls(LOOKUP), Reply.text("x")),
                lookup(Mono.<ToolResult>never().doOnSubscribe(s -> running.tryEmitValue(true)))).build();
        Disposable run = crashing.task("Look up").withId("run-race").execute().subscribe();
        running.asMono().block(WAIT);
        processes.crash(first, run);

        var outcomes = new ArrayList<Object>();
        List<Mono<Object>> attempts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            RunStore s = processes.start();
            Agent a = agent(s, model(Reply.toolCalls(LOOKUP), Reply.text("done")),
                    lookup(Mono.just(ToolResult.text("found")))).build();
            attempts.add(a.resume("run-race").execute().<Object>map(r -> r).onErrorResume(Mono::just));
        }
        outcomes.addAll(Mono.zip(attempts, results -> List.of(results)).block(WAIT));

        assertThat(outcomes).filteredOn(o -> o instanceof AgentResult).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o instanceof RunStoreException.RunLeased).hasSize(1);
        assertThat(lookups).as("once before the crash, once by the one resume").hasValue(2);
    }

    @Test
    void aSessionContinuesTheConversationAcrossTasksAndProcesses() {
        RunStore first = processes.start();
        ScriptedChatModel model1 = model(Reply.toolCalls(LOOKUP), Reply.text("Invoice 17 is open."));
        agent(first, model1, lookup(Mono.just(ToolResult.text("open")))).build()
                .session("customer-9")
                .task("Is invoice 17 paid?")
                .execute()
                .block(WAIT);
        first.close();

        RunStore second = processes.start();
        ScriptedChatModel model2 = ScriptedChatModel.of(Reply.text("You asked about invoice 17."));
        Agent agent = agent(second, model2, lookup(Mono.just(ToolResult.text("open")))).build();
        AgentResult result = agent.session("customer-9").task("What did I ask?").execute().block(WAIT);

        assertThat(result.text()).isEqualTo("You asked about invoice 17.");
        assertThat(model2.lastRequest().messages()).containsSubsequence(Message.user("Is invoice 17 paid?"),
                new Message.Assistant("", List.of(LOOKUP), List.of()),
                new Message.ToolResult(LOOKUP.id(), "lookup", "open", false), Message.assistant("Invoice 17 is open."),
                Message.user("What did I ask?"));
        assertThat(agent.session("customer-9").runs().collectList().block(WAIT)).hasSize(2);
        assertThat(agent.session("customer-9").transcript().block(WAIT)).endsWith(
                Message.assistant("You asked about invoice 17."));
    }

    @Test
    void eventsFollowARunLiveUntilItEnds() {
        Sinks.One<ToolResult> release = Sinks.one();
        Sinks.One<Boolean> running = Sinks.one();
        RunStore store = processes.start();
        Agent agent = agent(store, model(Reply.toolCalls(LOOKUP), Reply.text("done")),
                lookup(release.asMono().doOnSubscribe(s -> running.tryEmitValue(true)))).build();
        Disposable run = agent.task("Look up").withId("run-follow").execute().subscribe();
        try {
            running.asMono().block(WAIT);
            // The tool holds the run until the follower has read what is journaled so far (the call's request,
            // written ahead of the tool): the rest can only come by following the run live.
            List<RunEvent> all = agent.events("run-follow", 1, Duration.ofMillis(5))
                    .doOnNext(e -> {
                        if (e.event() instanceof AgentEvent.ToolCallRequested) {
                            release.tryEmitValue(ToolResult.text("found"));
                        }
                    })
                    .collectList()
                    .block(WAIT);
            assertThat(all.get(0).event()).isInstanceOf(AgentEvent.Started.class);
            assertThat(all.get(all.size() - 1).event()).isInstanceOf(AgentEvent.Completed.class);
            assertThat(all).extracting(RunEvent::sequence).isSorted().doesNotHaveDuplicates();
            assertThat(all).extracting(RunEvent::event).hasAtLeastOneElementOfType(AgentEvent.ToolCallCompleted.class);
        } finally {
            run.dispose();
        }
    }

    @Test
    void aResumedRunActsForTheSamePrincipalWithTheTasksOwnGrants() {
        Sinks.One<Boolean> running = Sinks.one();
        RunStore first = processes.start();
        Tool blocked = Tool.builder("lookup")
                .requires(Capability.custom("ledger", "read"))
                .handler((args, ctx) -> Mono.<ToolResult>never().doOnSubscribe(s -> running.tryEmitValue(true)))
                .build();
        Agent crashing = Agent.builder()
                .model(model(Reply.toolCalls(LOOKUP), Reply.text("x")))
                .runStore(first)
                .tools(blocked)
                .build();
        var alice = new dev.agentrt.core.security.Principal("alice", java.util.Set.of("clerk"), java.util.Map.of());
        Disposable run = crashing.task("Look up")
                .as(alice)
                .grant(Capability.custom("ledger", "read"))
                .withId("run-who")
                .execute()
                .subscribe();
        running.asMono().block(WAIT);
        RunStore second = processes.restart(first, run);
        var seen = new java.util.concurrent.atomic.AtomicReference<dev.agentrt.core.security.Principal>();
        Tool lookup = Tool.builder("lookup")
                .idempotent(true)
                .requires(Capability.custom("ledger", "read"))
                .handler((args, ctx) -> {
                    seen.set(ctx.principal());
                    return Mono.just(ToolResult.text("found"));
                })
                .build();
        AgentResult done = Agent.builder()
                .model(model(Reply.toolCalls(LOOKUP), Reply.text("Found it.")))
                .runStore(second)
                .tools(lookup)
                .build()
                .resume("run-who")
                .execute()
                .block(WAIT);

        assertThat(seen.get()).isEqualTo(alice);
        assertThat(toolResult(done, LOOKUP.id()).content()).isEqualTo("found");
    }

    @Test
    void aRenewalThatHangsDoesNotStopTheLeaseBeingRenewed() {
        RunStore store = processes.start();
        var renewals = new AtomicInteger();
        // The tool ends once the lease has been renewed twice after the first renewal hung.
        Sinks.One<ToolResult> renewedTwice = Sinks.one();
        RunStore firstRenewalHangs = (RunStore) java.lang.reflect.Proxy.newProxyInstance(
                RunStore.class.getClassLoader(), new Class<?>[]{RunStore.class}, (proxy, method, args) -> {
                    Object result = method.invoke(store, args);
                    if (!method.getName().equals("renew")) {
                        return result;
                    }
                    int n = renewals.incrementAndGet();
                    if (n == 1) {
                        return Mono.never();
                    }
                    return ((Mono<?>) result).doOnSuccess(lease -> {
                        if (n == 3) {
                            renewedTwice.tryEmitValue(ToolResult.text("found"));
                        }
                    });
                });
        Tool waits = Tool.builder("lookup").handler((args, ctx) -> renewedTwice.asMono()).build();
        AgentResult done = Agent.builder()
                .model(model(Reply.toolCalls(LOOKUP), Reply.text("done")))
                .runStore(firstRenewalHangs)
                .tools(waits)
                .leaseTime(Duration.ofMillis(30))
                .build()
                .task("Look up")
                .execute()
                .block(WAIT);
        assertThat(done.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(renewals.get()).isGreaterThanOrEqualTo(3);
    }

    /** Runs "Pay invoice 17" until the payment is running, then kills the process (its store closes). */
    private void crashWhilePaying(String runId) {
        Sinks.One<Boolean> running = Sinks.one();
        RunStore first = processes.start();
        Agent crashing = agent(first, model(Reply.toolCalls(PAY), Reply.text("unused")),
                pay(Mono.<ToolResult>never().doOnSubscribe(s -> running.tryEmitValue(true)))).build();
        Disposable run = crashing.task("Pay invoice 17").withId(runId).execute().subscribe();
        running.asMono().block(WAIT);
        processes.crash(first, run);
    }

    @Test
    void anApprovalHandlerAskedAboutACallInDoubtMayRunItAgain() {
        crashWhilePaying("run-doubt-yes");
        var asked = new java.util.concurrent.CopyOnWriteArrayList<dev.agentrt.core.security.ApprovalRequest>();
        AgentResult done = agent(processes.start(), model(Reply.toolCalls(PAY), Reply.text("Paid.")),
                pay(Mono.just(ToolResult.text("paid"))))
                .approvals(request -> {
                    asked.add(request);
                    return Mono.just(Decision.approveOnce());
                })
                .build()
                .resume("run-doubt-yes")
                .execute()
                .block(WAIT);

        assertThat(asked).singleElement().satisfies(r -> {
            assertThat(r.inDoubt()).isTrue();
            assertThat(r.callId()).isEqualTo(PAY.id());
            assertThat(r.missing()).isEmpty();
        });
        assertThat(payments).as("run again, on a person's word").hasValue(2);
        assertThat(toolResult(done, PAY.id()).content()).isEqualTo("paid");
    }

    @Test
    void aCallInDoubtDeferredToAPersonPausesTheRunUntilTheyDecide() {
        crashWhilePaying("run-doubt-later");
        RunStore second = processes.start();
        Agent agent = agent(second, model(Reply.toolCalls(PAY), Reply.text("Not paid again.")),
                pay(Mono.just(ToolResult.text("paid"))))
                .approvals(request -> Mono.just(request.inDoubt()
                        ? Decision.defer("ask the treasurer")
                        : Decision.approveOnce()))
                .build();

        AgentResult paused = agent.resume("run-doubt-later").execute().block(WAIT);

        assertThat(paused.outcome()).isEqualTo(Outcome.AWAITING_APPROVAL);
        assertThat(journal(second, "run-doubt-later")).as("the paused run asks the model nothing more")
                .filteredOn(e -> e instanceof RunEntry.Reply)
                .hasSize(1);
        assertThat(agent.pending("run-doubt-later").collectList().block(WAIT)).singleElement()
                .satisfies(p -> assertThat(p.text()).contains("in doubt", "ask the treasurer"));
        agent.approve("run-doubt-later", PAY.id(), Decision.deny("the bank shows it paid")).block(WAIT);
        AgentResult done = agent.resume("run-doubt-later").execute().block(WAIT);

        assertThat(payments).as("only the interrupted attempt").hasValue(1);
        assertThat(toolResult(done, PAY.id()).content()).contains("may or may not have taken effect",
                "the bank shows it paid");
        assertThat(done.text()).isEqualTo("Not paid again.");
    }

    @Test
    void aRunThatDiedAfterItsAnswerWasJournaledEndsOnResumeWithoutAskingTheModel() {
        RunStore first = processes.start();
        var lease = first.create(new dev.agentrt.core.run.NewRun("run-answered", "agent", "1", "What is 2 + 2?",
                dev.agentrt.core.security.Principal.ANONYMOUS, List.of(), null), "dead process", Duration.ofSeconds(30))
                .block(WAIT);
        first.append(lease, List.of(new RunEntry.Appended(0, Message.user("What is 2 + 2?")),
                new RunEntry.Reply(1, Message.assistant("4"), dev.agentrt.core.model.FinishReason.STOP,
                        dev.agentrt.core.model.Usage.of(10, 1), dev.agentrt.core.model.Usage.ZERO)))
                .block(WAIT);
        processes.clock.advance(Duration.ofMinutes(5));

        ScriptedChatModel noReplies = ScriptedChatModel.of(Reply.text("asked again"));
        AgentResult done = Agent.builder()
                .model(noReplies)
                .runStore(processes.start())
                .build()
                .resume("run-answered")
                .execute()
                .block(WAIT);

        assertThat(done.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(done.text()).isEqualTo("4");
        assertThat(done.usage()).isEqualTo(dev.agentrt.core.model.Usage.of(10, 1));
        assertThat(noReplies.requests()).isEmpty();
        assertThat(first.find("run-answered").block(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
    }

    private static int indexOf(List<RunEntry> entries, java.util.function.Predicate<RunEntry> p) {
        for (int i = 0; i < entries.size(); i++) {
            if (p.test(entries.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
