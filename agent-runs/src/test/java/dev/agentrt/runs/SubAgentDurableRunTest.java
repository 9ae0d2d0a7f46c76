package dev.agentrt.runs;

import static dev.agentrt.core.testing.Transcripts.toolResult;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
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
import dev.agentrt.core.run.RunEvent;
import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreSize;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.testing.ForwardingRunStore;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sub-agent calls made in a durable run are durable runs themselves ({@code Agent.asTool} with a run store): a crash
 * during the call resumes the sub-agent's run, a sub-agent run that had its answer is not run again, and a stored run
 * that is not the call's is refused. A "process" and a crash are as in {@link DurableRunTest}.
 */
class SubAgentDurableRunTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ToolCall DELEGATE = new ToolCall("call-clerk", "clerk", "{\"task\":\"Settle invoice 17\"}");
    private static final ToolCall LOOKUP = new ToolCall("call-lookup", "lookup", "{\"invoice\":17}");
    private static final ToolCall HOLD = new ToolCall("call-hold", "hold", "{\"invoice\":17}");
    private static final String CHILD = "run-boss/1/call-clerk";

    @TempDir
    Path dir;

    /** Calls of the clerk's tools across every "process". */
    private final AtomicInteger lookups = new AtomicInteger();
    private final AtomicInteger holds = new AtomicInteger();
    @RegisterExtension
    final SqliteProcesses processes = new SqliteProcesses(() -> dir.resolve("runs.db"));

    private static ScriptedChatModel model(Reply... replies) {
        return ScriptedChatModel.builder().replies(replies).perConversation().build();
    }

    /** The clerk's script: look the invoice up, hold it, answer. */
    private static ScriptedChatModel clerkModel() {
        return model(Reply.toolCalls(LOOKUP), Reply.toolCalls(HOLD), Reply.text("Invoice 17 is settled."));
    }

    private static ScriptedChatModel bossModel() {
        return model(Reply.toolCalls(DELEGATE), Reply.text("Done."));
    }

    private Tool lookup() {
        return Tool.builder("lookup")
                .description("Looks an invoice up.")
                .handler((args, ctx) -> Mono.fromCallable(
                        () -> {
                            lookups.incrementAndGet();
                            return ToolResult.text("due: 100");
                        }))
                .build();
    }

    private Tool hold(Mono<ToolResult> result) {
        return Tool.builder("hold")
                .description("Holds an invoice.")
                .idempotent(true)
                .handler((args, ctx) -> Mono
                        .defer(() -> {
                            holds.incrementAndGet();
                            return result;
                        }))
                .build();
    }

    private static Agent clerk(RunStore store, ScriptedChatModel model, Tool... tools) {
        return Agent.builder().name("clerk").model(model).runStore(store).tools(tools).build();
    }

    private static Agent boss(@Nullable RunStore store, ScriptedChatModel model, Agent clerk) {
        Agent.Builder b = Agent.builder()
                .name("boss")
                .model(model)
                .tools(clerk.asTool("clerk", "Settles invoices."));
        return store == null ? b.build() : b.runStore(store).build();
    }

    /** Starts the boss's run in a first process and kills that process once the clerk holds the invoice. */
    private void crashWhileTheClerkHolds() {
        Sinks.One<Boolean> holding = Sinks.one();
        RunStore first = processes.start();
        Agent clerk = clerk(first, clerkModel(), lookup(),
                hold(Mono.<ToolResult>never().doOnSubscribe(s -> holding.tryEmitValue(true))));
        Disposable run = boss(first, bossModel(), clerk).task("Settle invoice 17")
                .withId("run-boss")
                .execute()
                .subscribe();
        holding.asMono().block(WAIT);
        processes.crash(first, run);
    }

    @Test
    void aCrashDuringASubAgentCallResumesTheSubAgentsRunWithoutRepeatingItsJournaledSteps() {
        crashWhileTheClerkHolds();
        assertThat(lookups).hasValue(1);

        RunStore second = processes.start();
        ScriptedChatModel clerkModel = clerkModel();
        ScriptedChatModel bossModel = bossModel();
        Agent boss = boss(second, bossModel, clerk(second, clerkModel, lookup(),
                hold(Mono.just(ToolResult.text("held")))));

        AgentResult result = boss.resume("run-boss").execute().block(WAIT);

        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.text()).isEqualTo("Done.");
        assertThat(toolResult(result, DELEGATE.id())).isEqualTo(new Message.ToolResult(DELEGATE.id(), "clerk",
                "Invoice 17 is settled.", false));
        assertThat(bossModel.requests()).as("the boss's journaled reply is not asked for again").hasSize(1);
        assertThat(clerkModel.requests()).as("only the clerk's last step is asked for").hasSize(1);
        assertThat(lookups).as("the clerk's finished lookup is not repeated").hasValue(1);
        assertThat(holds).as("the hold in doubt is idempotent: run again once").hasValue(2);
        RunRecord child = second.find(CHILD).block(WAIT);
        assertThat(child.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(child.agentName()).isEqualTo("clerk");
        assertThat(child.input()).isEqualTo("Settle invoice 17");
        assertThat(second.find("run-boss").block(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
        List<RunEvent> events = boss.events("run-boss", 1).collectList().block(WAIT);
        assertThat(events).extracting(RunEvent::event)
                .as("the boss's events name the clerk's run")
                .anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(AgentEvent.SubAgentEvent.class,
                        s -> assertThat(s.event()).isInstanceOfSatisfying(AgentEvent.Started.class,
                                started -> assertThat(started.taskId()).isEqualTo(CHILD))));
    }

    @Test
    void aResumedSubAgentRunIsStillBoundByItsCallersGrants() {
        crashWhileTheClerkHolds();

        // Now holding needs a capability the clerk has and the boss does not: the hold in doubt is run again
        // under the intersection of the two, so it is refused, as in the call's first run.
        RunStore second = processes.start();
        Capability vault = Capability.custom("vault", "hold");
        Tool guarded = Tool.builder("hold")
                .description("Holds an invoice.")
                .idempotent(true)
                .requires(vault)
                .handler((args, ctx) -> Mono.fromCallable(() -> {
                    holds.incrementAndGet();
                    return ToolResult.text("held");
                }))
                .build();
        Agent clerk = Agent.builder()
                .name("clerk")
                .model(clerkModel())
                .runStore(second)
                .tools(lookup(), guarded)
                .grant(vault)
                .build();

        AgentResult result = boss(second, bossModel(), clerk).resume("run-boss").execute().block(WAIT);

        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(holds).as("only the first process's hold ran").hasValue(1);
        List<RunEntry> childJournal = second.journal(CHILD, 1).map(JournalEntry::entry).collectList().block(WAIT);
        assertThat(childJournal).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(RunEntry.Appended.class,
                a -> assertThat(a.message()).isInstanceOfSatisfying(Message.ToolResult.class, r -> {
                    assertThat(r.callId()).isEqualTo(HOLD.id());
                    assertThat(r.error()).isTrue();
                })));
    }

    @Test
    void aSubAgentWithoutARunStoreCalledFromADurableRunIsInDoubtAfterACrashAsBefore() {
        Sinks.One<Boolean> holding = Sinks.one();
        RunStore first = processes.start();
        Agent clerk1 = Agent.builder()
                .name("clerk")
                .model(clerkModel())
                .tools(lookup(), hold(Mono.<ToolResult>never().doOnSubscribe(s -> holding.tryEmitValue(true))))
                .build();
        Disposable run = boss(first, bossModel(), clerk1).task("Settle invoice 17")
                .withId("run-boss")
                .execute()
                .subscribe();
        holding.asMono().block(WAIT);
        RunStore second = processes.restart(first, run);
        ScriptedChatModel clerkModel = clerkModel();
        Agent clerk = Agent.builder()
                .name("clerk")
                .model(clerkModel)
                .tools(lookup(), hold(Mono.just(ToolResult
                        .text("held"))))
                .build();
        AgentResult result = boss(second, bossModel(), clerk).resume("run-boss").execute().block(WAIT);

        assertThat(toolResult(result, DELEGATE.id()).error()).isTrue();
        assertThat(toolResult(result, DELEGATE.id()).content()).contains("may or may not have taken effect");
        assertThat(clerkModel.requests()).isEmpty();
        assertThat(second.find(CHILD).block(WAIT)).as("the clerk's runs are not stored").isNull();
    }

    @Test
    void aSubAgentRunThatHadItsAnswerBeforeTheCrashGivesItWithoutRunningAgain() {
        // The first process dies as the boss journals the clerk's answer: the clerk's run is complete, the boss's
        // journal has the call started and no result.
        Sinks.One<Boolean> dying = Sinks.one();
        RunStore file = processes.start();
        RunStore first = new Dying(file, entries -> entries.stream()
                .anyMatch(e -> e instanceof RunEntry.Appended a && a.message() instanceof Message.ToolResult r
                        && r.callId().equals(DELEGATE.id())),
                dying);
        ScriptedChatModel clerkModel1 = clerkModel();
        Agent clerk1 = clerk(first, clerkModel1, lookup(), hold(Mono.just(ToolResult.text("held"))));
        Disposable run = boss(first, bossModel(), clerk1).task("Settle invoice 17")
                .withId("run-boss")
                .execute()
                .subscribe();
        dying.asMono().block(WAIT);
        processes.crash(file, run);
        assertThat(clerkModel1.requests()).hasSize(3);

        RunStore second = processes.start();
        assertThat(second.find(CHILD).block(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
        long childEntries = second.find(CHILD).block(WAIT).lastSequence();
        ScriptedChatModel clerkModel = clerkModel();
        AgentResult result = boss(second, bossModel(), clerk(second, clerkModel, lookup(),
                hold(Mono.just(ToolResult.text("held"))))).resume("run-boss").execute().block(WAIT);

        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(toolResult(result, DELEGATE.id()).content()).isEqualTo("Invoice 17 is settled.");
        assertThat(toolResult(result, DELEGATE.id()).error()).isFalse();
        assertThat(clerkModel.requests()).as("the clerk is not run again").isEmpty();
        assertThat(lookups).hasValue(1);
        assertThat(holds).hasValue(1);
        assertThat(second.find(CHILD).block(WAIT).lastSequence()).as("nothing was added to the clerk's run")
                .isEqualTo(childEntries);
    }

    @Test
    void twoSubAgentCallsInOneStepEachHaveTheirOwnRun() {
        RunStore store = processes.start();
        var a = new ToolCall("call-a", "clerk", "{\"task\":\"Settle invoice 17\"}");
        var b = new ToolCall("call-b", "clerk", "{\"task\":\"Settle invoice 18\"}");
        Agent boss = boss(store, model(Reply.toolCalls(a, b), Reply.text("Both done.")),
                clerk(store, model(Reply.toolCalls(LOOKUP), Reply.text("Settled.")), lookup()));

        AgentResult result = boss.task("Settle 17 and 18").withId("run-two").execute().block(WAIT);

        assertThat(result.text()).isEqualTo("Both done.");
        assertThat(toolResult(result, "call-a").content()).isEqualTo("Settled.");
        assertThat(toolResult(result, "call-b").content()).isEqualTo("Settled.");
        RunRecord first = store.find("run-two/1/call-a").block(WAIT);
        RunRecord second = store.find("run-two/1/call-b").block(WAIT);
        assertThat(first.input()).isEqualTo("Settle invoice 17");
        assertThat(second.input()).isEqualTo("Settle invoice 18");
        assertThat(List.of(first.status(), second.status())).containsOnly(RunStatus.COMPLETED);
        assertThat(lookups).hasValue(2);
        assertThat(store.runs(RunStatus.RUNNING).collectList().block(WAIT)).isEmpty();
    }

    @Test
    void aSubAgentRunIdTooLongForTheStoreIsADigestOfTheCallersRunAndCall() throws Exception {
        RunStore store = processes.start();
        String caller = "r".repeat(RunRecord.MAX_ID_LENGTH - 5);
        Agent boss = boss(store, bossModel(), clerk(store, model(Reply.text("Settled.")), lookup()));

        AgentResult result = boss.task("Settle invoice 17").withId(caller).execute().block(WAIT);

        assertThat(toolResult(result, DELEGATE.id()).content()).isEqualTo("Settled.");
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                .digest((caller + "/1/" + DELEGATE.id()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String child = "sub-" + java.util.HexFormat.of().formatHex(digest);
        assertThat(store.find(child).block(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(store.runs().map(RunRecord::id).collectList().block(WAIT)).containsExactlyInAnyOrder(caller,
                child);
    }

    @Test
    void aCallerWithoutARunStoreRunsTheSubAgentUnjournaledAsBefore() {
        RunStore store = processes.start();
        Agent boss = boss(null, bossModel(), clerk(store, clerkModel(), lookup(),
                hold(Mono.just(ToolResult.text("held")))));

        AgentResult result = boss.task("Settle invoice 17").execute().block(WAIT);

        assertThat(result.text()).isEqualTo("Done.");
        assertThat(toolResult(result, DELEGATE.id()).content()).isEqualTo("Invoice 17 is settled.");
        assertThat(store.runs().collectList().block(WAIT)).as("nothing is journaled for the clerk").isEmpty();
    }

    @Test
    void aStoredRunUnderTheCallsIdThatIsAnotherAgentsIsRefusedAndNotTouched() {
        RunStore store = processes.start();
        Agent other = Agent.builder().name("other").model(model(Reply.text("mine"))).runStore(store).build();
        other.task("Settle invoice 17").withId(CHILD).execute().block(WAIT);
        long before = store.find(CHILD).block(WAIT).lastSequence();
        ScriptedChatModel clerkModel = clerkModel();

        AgentResult result = boss(store, bossModel(), clerk(store, clerkModel, lookup())).task("Settle invoice 17")
                .withId("run-boss")
                .execute()
                .block(WAIT);

        Message.ToolResult refused = toolResult(result, DELEGATE.id());
        assertThat(refused.error()).isTrue();
        assertThat(refused.content()).contains(CHILD, "is not this call's", "agent \"other\"", "nothing was run");
        assertThat(clerkModel.requests()).isEmpty();
        assertThat(lookups).hasValue(0);
        RunRecord untouched = store.find(CHILD).block(WAIT);
        assertThat(untouched.agentName()).isEqualTo("other");
        assertThat(untouched.lastSequence()).isEqualTo(before);
        assertThat(store.runs(RunStatus.RUNNING).collectList().block(WAIT)).isEmpty();
    }

    @Test
    void aStoredRunOfTheSameAgentForAnotherTaskIsRefused() {
        RunStore store = processes.start();
        ScriptedChatModel clerkModel = model(Reply.text("unrelated"));
        Agent clerk = clerk(store, clerkModel, lookup());
        clerk.task("Something else entirely").withId(CHILD).execute().block(WAIT);

        AgentResult result = boss(store, bossModel(), clerk).task("Settle invoice 17")
                .withId("run-boss")
                .execute()
                .block(WAIT);

        Message.ToolResult refused = toolResult(result, DELEGATE.id());
        assertThat(refused.error()).isTrue();
        assertThat(refused.content()).contains("is not this call's", "another task");
        assertThat(clerkModel.requests()).as("only the unrelated run asked the model").hasSize(1);
        assertThat(store.find(CHILD).block(WAIT).input()).isEqualTo("Something else entirely");
    }

    @Test
    void aCorruptedSubAgentJournalIsAnErrorResultAndNothingIsRunOrLeftHeld() throws Exception {
        crashWhileTheClerkHolds();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("runs.db"));
                PreparedStatement s = c.prepareStatement("UPDATE agentrt_journal SET data = ? WHERE run_id = ?")) {
            s.setString(1, "{\"not\": a journal entry");
            s.setString(2, CHILD);
            assertThat(s.executeUpdate()).isPositive();
        }

        RunStore second = processes.start();
        ScriptedChatModel clerkModel = clerkModel();
        AgentResult result = boss(second, bossModel(), clerk(second, clerkModel, lookup(),
                hold(Mono.just(ToolResult.text("held"))))).resume("run-boss").execute().block(WAIT);

        Message.ToolResult failed = toolResult(result, DELEGATE.id());
        assertThat(failed.error()).isTrue();
        assertThat(failed.content()).contains("did not finish the task");
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(clerkModel.requests()).isEmpty();
        assertThat(lookups).hasValue(1);
        assertThat(holds).hasValue(1);
        assertThat(second.find("run-boss").block(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
        // The clerk's run was let go, not left leased: another owner can take it at once.
        Lease lease = second.acquire(CHILD, "inspector", Duration.ofMinutes(1)).block(WAIT);
        assertThat(lease.runId()).isEqualTo(CHILD);
        second.release(lease).block(WAIT);
    }

    /** A store whose process dies at one append: that append never completes, and says so. */
    private static final class Dying extends ForwardingRunStore {
        private final java.util.function.Predicate<List<RunEntry>> fatal;
        private final Sinks.One<Boolean> died;

        Dying(RunStore store, java.util.function.Predicate<List<RunEntry>> fatal, Sinks.One<Boolean> died) {
            super(store);
            this.fatal = fatal;
            this.died = died;
        }

        @Override
        public Mono<Long> append(Lease lease, List<RunEntry> entries) {
            if (fatal.test(entries)) {
                return Mono.<Long>never().doOnSubscribe(s -> died.tryEmitValue(true));
            }
            return delegate.append(lease, entries);
        }
    }
}
