package dev.agentrt.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.run.JournalEntry;
import dev.agentrt.core.run.Lease;
import dev.agentrt.core.run.NewRun;
import dev.agentrt.core.run.RunEntry;
import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreException;
import dev.agentrt.core.run.RunStoreSize;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Principal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The contract every {@link RunStore} keeps. Shipped in agent-core's test-jar: an implementation's test extends
 * this class and says how to open an empty store on a given clock (lease expiry is tested by moving the clock,
 * never by waiting).
 */
public abstract class RunStoreContract {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration LEASE = Duration.ofSeconds(30);

    /** A clock the test moves by hand. */
    protected static final class ManualClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        public void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    protected final ManualClock clock = new ManualClock();
    private RunStore store;

    /** An empty store whose times and lease expiry follow {@code clock}. */
    protected abstract RunStore newStore(Clock clock);

    @BeforeEach
    void open() {
        store = newStore(clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    protected RunStore store() {
        return store;
    }

    private static <T> T await(Mono<T> mono) {
        return mono.block(WAIT);
    }

    private static <T> List<T> await(Flux<T> flux) {
        return flux.collectList().block(WAIT);
    }

    private static NewRun run(String id) {
        return run(id, null);
    }

    private static NewRun run(String id, String session) {
        return new NewRun(id, "payments", "3", "pay invoice 17", new Principal("alice", Set.of("clerk"),
                Map.of("team", "billing")), List.of(Capability.fileRead(Path.of("/srv/invoices"))), session);
    }

    private static List<RunEntry> everyKind() {
        ToolCall call = new ToolCall("call-1", "pay", "{\"amount\":12.5,\"to\":\"ACME \\u00e9\"}");
        return List.of(
                new RunEntry.Appended(0, Message.system("You are careful.")),
                new RunEntry.Appended(0, Message.user("pay invoice 17 — €12.50")),
                new RunEntry.Reply(1, new Message.Assistant("paying", List.of(call), List.of()),
                        FinishReason.TOOL_CALLS,
                        new Usage(10, 5, 0, 0, 0.25), Usage.ZERO),
                new RunEntry.ToolStarted(1, call),
                new RunEntry.AwaitingApproval(1, call, List.of(Capability.net("pay.example", 443)), "over 10 €"),
                new RunEntry.Decided("call-1", Decision.approveOnce()),
                new RunEntry.AwaitingInput(1, call, "Which account?"),
                new RunEntry.Answered("call-1", "the second"),
                new RunEntry.AwaitingInput(1, call, "Which seat?", new dev.agentrt.core.tool.InputRequest("Which seat?",
                        dev.agentrt.core.json.JsonObject.builder().put("type", "object").build(), "round-2 state")),
                new RunEntry.Answered("call-1", "{}"),
                new RunEntry.Appended(1, new Message.ToolResult("call-1", "pay", "paid", false)),
                new RunEntry.Event(
                        new AgentEvent.StepDone("r", 1, new Usage(10, 5, 0, 0, 0.25), new Usage(10, 5, 0, 0, 0.25))));
    }

    @Test
    void aNewRunIsStoredWithItsFirstLease() {
        Lease lease = await(store.create(run("r1", "s1"), "owner-a", LEASE));
        assertThat(lease.runId()).isEqualTo("r1");
        assertThat(lease.owner()).isEqualTo("owner-a");
        assertThat(lease.token()).isEqualTo(1);
        assertThat(lease.expires()).isEqualTo(clock.instant().plus(LEASE));

        RunRecord r = await(store.find("r1"));
        assertThat(r.id()).isEqualTo("r1");
        assertThat(r.agentName()).isEqualTo("payments");
        assertThat(r.agentVersion()).isEqualTo("3");
        assertThat(r.input()).isEqualTo("pay invoice 17");
        assertThat(r.principal()).isEqualTo(new Principal("alice", Set.of("clerk"), Map.of("team", "billing")));
        assertThat(r.grants()).containsExactly(Capability.fileRead(Path.of("/srv/invoices")));
        assertThat(r.sessionId()).isEqualTo("s1");
        assertThat(r.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(r.outcome()).isNull();
        assertThat(r.created()).isEqualTo(clock.instant());
        assertThat(r.lastSequence()).isZero();
        assertThat(await(store.find("nope"))).isNull();
    }

    @Test
    void aDuplicateRunIdIsRefusedAndTheFirstRunIsUnchanged() {
        await(store.create(run("dup"), "owner-a", LEASE));
        assertThatThrownBy(() -> await(store.create(new NewRun("dup", "other", "1", "other input", Principal.ANONYMOUS,
                List.of(), null), "owner-b", LEASE)))
                .isInstanceOf(RunStoreException.InvalidState.class)
                .hasMessageContaining("dup");
        assertThat(await(store.find("dup")).input()).isEqualTo("pay invoice 17");
    }

    @Test
    void everyKindOfEntryReadsBackEqualInOrderWithContiguousSequences() {
        Lease lease = await(store.create(run("r2"), "owner-a", LEASE));
        List<RunEntry> entries = everyKind();
        assertThat(await(store.append(lease, entries.subList(0, 3)))).isEqualTo(3);
        assertThat(await(store.append(lease, entries.subList(3, entries.size())))).isEqualTo(entries.size());

        List<JournalEntry> journal = await(store.journal("r2", 1));
        assertThat(journal).extracting(JournalEntry::entry).containsExactlyElementsOf(entries);
        assertThat(journal).extracting(JournalEntry::sequence)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, entries.size()).boxed().toList());
        assertThat(journal).allSatisfy(e -> assertThat(e.runId()).isEqualTo("r2"));
        assertThat(await(store.journal("r2", 4))).extracting(JournalEntry::sequence).first().isEqualTo(4L);
        assertThat(await(store.journal("r2", entries.size() + 1))).isEmpty();
        assertThat(await(store.find("r2")).lastSequence()).isEqualTo(entries.size());
    }

    @Test
    void aLongJournalIsReadWholeAndInOrder() {
        Lease lease = await(store.create(run("long"), "owner-a", LEASE));
        var batch = new ArrayList<RunEntry>();
        for (int i = 0; i < 2_500; i++) {
            batch.add(new RunEntry.Appended(i, Message.user("message " + i)));
        }
        await(store.append(lease, batch));
        List<JournalEntry> journal = await(store.journal("long", 1));
        assertThat(journal).hasSize(2_500);
        assertThat(journal.get(2_499).entry()).isEqualTo(batch.get(2_499));
    }

    @Test
    void aLiveLeaseKeepsOtherOwnersOut() {
        await(store.create(run("r3"), "owner-a", LEASE));
        assertThatThrownBy(() -> await(store.acquire("r3", "owner-b", LEASE)))
                .isInstanceOfSatisfying(RunStoreException.RunLeased.class,
                        e -> assertThat(e.owner()).isEqualTo("owner-a"))
                .hasMessageContaining("owner-a");
        // The holder itself cannot take it twice either: one process, one run, one lease.
        assertThatThrownBy(() -> await(store.acquire("r3", "owner-a", LEASE)))
                .isInstanceOf(RunStoreException.RunLeased.class);
    }

    @Test
    void anExpiredLeaseIsTakenOverAndTheOldOwnersWritesAreRefused() {
        Lease old = await(store.create(run("r4"), "owner-a", LEASE));
        await(store.append(old, List.of(new RunEntry.Appended(0, Message.user("one")))));
        clock.advance(LEASE.plusMillis(1));
        Lease taken = await(store.acquire("r4", "owner-b", LEASE));
        assertThat(taken.token()).isGreaterThan(old.token());

        assertThatThrownBy(() -> await(store.append(old, List.of(new RunEntry.Appended(0, Message.user("late"))))))
                .isInstanceOf(RunStoreException.LeaseLost.class)
                .hasMessageContaining("owner-b");
        assertThatThrownBy(() -> await(store.renew(old, LEASE))).isInstanceOf(RunStoreException.LeaseLost.class);
        assertThatThrownBy(() -> await(store.update(old, RunStatus.FAILED, Outcome.FAILED, true)))
                .isInstanceOf(RunStoreException.LeaseLost.class);
        assertThat(await(store.journal("r4", 1))).extracting(JournalEntry::entry)
                .containsExactly(new RunEntry.Appended(0, Message.user("one")));
        assertThat(await(store.find("r4")).status()).isEqualTo(RunStatus.RUNNING);
        assertThat(await(store.append(taken, List.of(new RunEntry.Appended(0, Message.user("two")))))).isEqualTo(2);
    }

    @Test
    void aRenewedLeaseOutlivesItsFirstExpiry() {
        Lease lease = await(store.create(run("r5"), "owner-a", LEASE));
        clock.advance(LEASE.minusSeconds(1));
        Lease renewed = await(store.renew(lease, LEASE));
        assertThat(renewed.token()).isEqualTo(lease.token());
        clock.advance(Duration.ofSeconds(2));
        assertThatThrownBy(() -> await(store.acquire("r5", "owner-b", LEASE)))
                .isInstanceOf(RunStoreException.RunLeased.class);
    }

    @Test
    void aReleasedLeaseLetsAnotherOwnerInAtOnceAndRefusesFurtherWrites() {
        Lease lease = await(store.create(run("r6"), "owner-a", LEASE));
        await(store.update(lease, RunStatus.AWAITING_APPROVAL, null, true));
        assertThat(await(store.find("r6")).status()).isEqualTo(RunStatus.AWAITING_APPROVAL);
        assertThatThrownBy(() -> await(store.append(lease, List.of(new RunEntry.Appended(0, Message.user("x"))))))
                .isInstanceOf(RunStoreException.LeaseLost.class)
                .hasMessageContaining("released");
        Lease next = await(store.acquire("r6", "owner-b", LEASE));
        assertThat(next.token()).isGreaterThan(lease.token());
        await(store.release(next));
        await(store.release(next));
        assertThat(await(store.acquire("r6", "owner-c", LEASE)).owner()).isEqualTo("owner-c");
    }

    @Test
    void anEndedRunCannotBeLeasedAgain() {
        Lease lease = await(store.create(run("r7"), "owner-a", LEASE));
        clock.advance(Duration.ofSeconds(5));
        await(store.update(lease, RunStatus.COMPLETED, Outcome.COMPLETED, true));
        RunRecord r = await(store.find("r7"));
        assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(r.updated()).isEqualTo(clock.instant());
        assertThatThrownBy(() -> await(store.acquire("r7", "owner-b", LEASE)))
                .isInstanceOf(RunStoreException.InvalidState.class)
                .hasMessageContaining("ended");
    }

    @Test
    void anUnknownRunIsATypedError() {
        assertThatThrownBy(() -> await(store.acquire("ghost", "owner-a", LEASE)))
                .isInstanceOfSatisfying(RunStoreException.UnknownRun.class,
                        e -> assertThat(e.runId()).isEqualTo("ghost"));
        assertThat(await(store.journal("ghost", 1))).isEmpty();
    }

    @Test
    void anOutcomeGoesWithAnEndedStatusOnly() {
        Lease lease = await(store.create(run("r8"), "owner-a", LEASE));
        assertThatThrownBy(() -> await(store.update(lease, RunStatus.COMPLETED, null, true)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> await(store.update(lease, RunStatus.RUNNING, Outcome.FAILED, false)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(await(store.find("r8")).status()).isEqualTo(RunStatus.RUNNING);
    }

    @Test
    void runsAreListedByStatusAndBySession() {
        Lease a = await(store.create(run("a", "chat"), "o", LEASE));
        clock.advance(Duration.ofSeconds(1));
        Lease b = await(store.create(run("b", "chat"), "o", LEASE));
        clock.advance(Duration.ofSeconds(1));
        await(store.create(run("c"), "o", LEASE));
        await(store.update(a, RunStatus.COMPLETED, Outcome.COMPLETED, true));
        await(store.update(b, RunStatus.AWAITING_APPROVAL, null, true));

        assertThat(await(store.runs(RunStatus.AWAITING_APPROVAL))).extracting(RunRecord::id).containsExactly("b");
        assertThat(await(store.runs(RunStatus.RUNNING, RunStatus.COMPLETED))).extracting(RunRecord::id)
                .containsExactly("a", "c");
        assertThat(await(store.runs())).extracting(RunRecord::id).containsExactly("a", "b", "c");
        assertThat(await(store.session("chat"))).extracting(RunRecord::id).containsExactly("a", "b");
        assertThat(await(store.session("none"))).isEmpty();
    }

    @Test
    void purgeDeletesEndedRunsOlderThanTheCutoffWithTheirJournals() {
        Lease old = await(store.create(run("old"), "o", LEASE));
        await(store.append(old, everyKind()));
        await(store.update(old, RunStatus.FAILED, Outcome.STEP_LIMIT, true));
        Lease paused = await(store.create(run("paused"), "o", LEASE));
        await(store.update(paused, RunStatus.AWAITING_INPUT, null, true));
        clock.advance(Duration.ofDays(2));
        Lease recent = await(store.create(run("recent"), "o", LEASE));
        await(store.update(recent, RunStatus.COMPLETED, Outcome.COMPLETED, true));

        RunStoreSize before = await(store.size());
        assertThat(before.runs()).isEqualTo(3);
        assertThat(before.activeRuns()).isEqualTo(1);
        assertThat(before.entries()).isEqualTo(everyKind().size());
        assertThat(before.bytes()).isPositive();

        assertThat(await(store.purge(clock.instant().minus(Duration.ofDays(1))))).isEqualTo(1);
        assertThat(await(store.find("old"))).isNull();
        assertThat(await(store.journal("old", 1))).isEmpty();
        assertThat(await(store.runs())).extracting(RunRecord::id).containsExactly("paused", "recent");
        assertThat(await(store.size()).entries()).isZero();
    }

    @Test
    void concurrentAppendsToManyRunsAllLandInOrder() {
        int runs = 50;
        var leases = new ArrayList<Lease>();
        for (int i = 0; i < runs; i++) {
            leases.add(await(store.create(run("c" + i), "o", LEASE)));
        }
        Flux.range(0, runs * 10)
                .flatMap(i -> store.append(leases.get(i % runs), List.of(new RunEntry.Appended(i / runs,
                        Message.user("m" + (i / runs))))), 64)
                .blockLast(WAIT);
        for (int i = 0; i < runs; i++) {
            List<JournalEntry> journal = await(store.journal("c" + i, 1));
            assertThat(journal).hasSize(10);
            assertThat(journal).extracting(JournalEntry::sequence)
                    .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L,
                            10L);
        }
    }

    @Test
    void aRefusedWriteDoesNotUndoTheOthersCommittedWithIt() {
        Lease live = await(store.create(run("live"), "a", LEASE));
        Lease stale = await(store.create(run("stale"), "a", LEASE));
        await(store.release(stale));
        List<Throwable> errors = Flux.merge(
                store.append(stale, List.of(new RunEntry.Appended(0, Message.user("refused"))))
                        .then(Mono.<Throwable>empty())
                        .onErrorResume(Mono::just),
                store.append(live, List.of(new RunEntry.Appended(0, Message.user("kept"))))
                        .then(Mono.<Throwable>empty())
                        .onErrorResume(Mono::just))
                .collectList()
                .block(WAIT);
        assertThat(errors).hasSize(1).allSatisfy(e -> assertThat(e).isInstanceOf(RunStoreException.LeaseLost.class));
        assertThat(await(store.journal("live", 1))).hasSize(1);
        assertThat(await(store.journal("stale", 1))).isEmpty();
    }

    @Test
    void aClosedStoreFailsClearly() {
        store.close();
        assertThatThrownBy(() -> await(store.find("x"))).isInstanceOf(RunStoreException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> await(store.create(run("x"), "o", LEASE))).isInstanceOf(RunStoreException.class)
                .hasMessageContaining("closed");
        store.close();
    }
}
