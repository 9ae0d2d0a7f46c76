package dev.agentrt.core;

import dev.agentrt.core.internal.RunIds;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonSchema;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.run.JournalEntry;
import dev.agentrt.core.run.Lease;
import dev.agentrt.core.run.NewRun;
import dev.agentrt.core.run.PendingCall;
import dev.agentrt.core.run.RunEntry;
import dev.agentrt.core.run.RunEvent;
import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreException;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.tool.InputRequest;
import dev.agentrt.core.tool.ToolContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One run's journal in a {@link RunStore}, as the agent loop writes it: entries are buffered and written in one
 * append at each write-ahead point ({@link #flush()}), under the run's lease, which is renewed every third of its
 * time while the run goes on. Also the reading side: the state a journal describes ({@link Replay}), and what
 * {@link Agent#approve}, {@link Agent#pending}, {@link Agent#events} and sessions read.
 */
final class RunJournal {
    private static final Logger log = LoggerFactory.getLogger(RunJournal.class);
    /** This process, in lease owners: which process holds a run is the first thing a competing resume wants. */
    private static final String PROCESS = "pid " + ProcessHandle.current().pid();

    private final RunStore store;
    private final Duration leaseTime;
    private final String owner;
    private volatile @Nullable Lease lease;
    private ArrayList<RunEntry> buffer = new ArrayList<>(8);
    private @Nullable Disposable renewal;

    RunJournal(RunStore store, Duration leaseTime) {
        this.store = store;
        this.leaseTime = leaseTime;
        this.owner = PROCESS + " run " + RunIds.uuid();
    }

    /** Records a new run and holds its lease. */
    Mono<Void> create(NewRun run) {
        return store.create(run, owner, leaseTime).doOnNext(this::hold).then();
    }

    /** Takes the run over (its lease) and reads what its journal holds. */
    Mono<Replay> takeOver(String runId) {
        return store.acquire(runId, owner, leaseTime)
                .doOnNext(this::hold)
                .then(Mono.defer(() -> load(store, runId)))
                .onErrorResume(e -> releaseQuietly().then(Mono.error(e)));
    }

    private void hold(Lease l) {
        lease = l;
        long every = Math.max(1, leaseTime.toMillis() / 3);
        synchronized (this) {
            // A renewal slower than the interval skips ticks rather than overflowing the interval, which would end
            // the renewals for good while the run goes on.
            renewal = Flux.interval(Duration.ofMillis(every), Duration.ofMillis(every), Schedulers.parallel())
                    .onBackpressureDrop()
                    .concatMap(tick -> {
                        Lease current = lease;
                        return current == null
                                ? Mono.<Lease>empty()
                                // A renewal that hangs (a stuck connection) is given up at the next tick's time.
                                : store.renew(current, leaseTime)
                                        .timeout(Duration.ofMillis(every))
                                        .doOnNext(renewed -> lease = renewed)
                                        .onErrorResume(e -> {
                                            log.warn("renewing the lease on run {} failed: {}", current.runId(),
                                                    e.toString());
                                            return Mono.empty();
                                        });
                    }, 1)
                    .subscribe(lease -> {}, e -> log.error("lease renewals stopped: {}", e.toString()));
        }
    }

    synchronized void add(RunEntry entry) {
        buffer.add(entry);
    }

    /**
     * Writes what was added since the last flush, completing once it is durable. The append is queued while the
     * buffer is taken, so entries reach the store in the order they were added, whichever flush completes first.
     */
    Mono<Void> flush() {
        Mono<Long> written;
        synchronized (this) {
            if (buffer.isEmpty()) {
                return Mono.empty();
            }
            Lease l = Objects.requireNonNull(lease, "the run's lease");
            List<RunEntry> entries = buffer;
            buffer = new ArrayList<>(8);
            written = store.append(l, entries).cache();
            written.subscribe(seq -> {}, e -> {});
        }
        return written.then();
    }

    /** Writes what is buffered, sets the run's status and gives the lease up. */
    Mono<Void> end(RunStatus status, @Nullable Outcome outcome) {
        return flush().then(Mono.defer(() -> {
            Lease l = lease;
            stopRenewal();
            return l == null ? Mono.<Void>empty() : store.update(l, status, outcome, true);
        }));
    }

    /** Stops renewing and gives the lease up, leaving the run as it is (resumable); nothing waits for it. */
    void abandon() {
        releaseQuietly().subscribe();
    }

    private Mono<Void> releaseQuietly() {
        return Mono.defer(() -> {
            Lease l = lease;
            stopRenewal();
            return l == null ? Mono.<Void>empty() : store.release(l).onErrorResume(e -> {
                log.warn("releasing the lease on run {} failed: {}", l.runId(), e.toString());
                return Mono.empty();
            });
        });
    }

    private void stopRenewal() {
        Disposable d;
        synchronized (this) {
            d = renewal;
            renewal = null;
        }
        if (d != null) {
            d.dispose();
        }
    }

    // ------------------------------------------------------------------------------------ reading

    static Mono<Replay> load(RunStore store, String runId) {
        return store.find(runId)
                .switchIfEmpty(Mono.error(() -> new RunStoreException.UnknownRun(runId)))
                .flatMap(record -> store.journal(runId, 1).collectList().map(entries -> Replay.of(record, entries)));
    }

    /**
     * Records a person's decision or answer for a call a paused run waits on: under a lease of its own, so that it
     * cannot race the run's resumption, and only after checking the call is pending and undecided.
     */
    static Mono<Void> decide(Agent agent, RunStore store, String runId, String callId, RunEntry decision) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(callId, "callId");
        // Nothing happens before subscription (and on the subscriber's thread, which may be an event loop).
        return Mono.defer(() -> decideNow(agent, store, runId, callId, decision));
    }

    private static Mono<Void> decideNow(Agent agent, RunStore store, String runId, String callId,
            RunEntry decision) {
        var journal = new RunJournal(store, agent.leaseTime());
        return journal.takeOver(runId).flatMap(replay -> {
            if (!replay.record.status().isPaused()) {
                return Mono.error(new RunStoreException.InvalidState("run \"" + runId + "\" is " + replay.record
                        .status() + ", not awaiting an approval or an answer: nothing was recorded"));
            }
            boolean approval = decision instanceof RunEntry.Decided;
            Map<String, ?> pending = approval ? replay.awaitingApproval : replay.awaitingInput;
            Map<String, ?> done = approval ? replay.decided : replay.answered;
            if (done.containsKey(callId)) {
                return Mono.error(new RunStoreException.InvalidState("run \"" + runId + "\" has its call \"" + callId
                        + "\" " + (approval ? "decided (" + replay.decided.get(callId).kind() + ")" : "answered")
                        + " already: nothing was recorded"));
            }
            if (!pending.containsKey(callId)) {
                return Mono.error(new RunStoreException.InvalidState("run \"" + runId + "\" has no call \"" + callId
                        + "\" awaiting " + (approval ? "approval" : "an answer") + " (pending: "
                        + replay.pending().stream().map(p -> p.call().id() + " " + p.kind()).toList()
                        + "): nothing was recorded"));
            }
            if (decision instanceof RunEntry.Answered answer) {
                String refused = refusal(replay.awaitingInput.get(callId), answer.text());
                if (refused != null) {
                    return Mono.error(new IllegalArgumentException("the answer to call \"" + callId + "\" of run \""
                            + runId + "\" " + refused + ": nothing was recorded"));
                }
            }
            journal.add(decision);
            return journal.flush();
        })
                .then(Mono.defer(journal::releaseQuietly))
                .onErrorResume(e -> journal.releaseQuietly().then(Mono.error(e)));
    }

    /** Why {@code text} cannot answer {@code question} (it has a schema the text is not JSON matching), or null. */
    private static @Nullable String refusal(RunEntry.AwaitingInput question, String text) {
        InputRequest request = question.request();
        JsonObject schema = request == null ? null : request.answerSchema();
        if (schema == null) {
            return null;
        }
        JsonValue value;
        try {
            value = JsonValue.parse(text);
        } catch (JsonParseException e) {
            return "must be JSON matching the question's answer schema, and is not JSON (" + e.getMessage() + ")";
        }
        List<String> problems = JsonSchema.compile(schema).validate(value);
        if (problems.isEmpty()) {
            return null;
        }
        return "does not match the question's answer schema: " + String.join("; ", problems.subList(0, Math.min(5,
                problems.size()))) + (problems.size() > 5 ? " (and " + (problems.size() - 5) + " more)" : "");
    }

    static Flux<PendingCall> pending(RunStore store, String runId) {
        return load(store, runId).flatMapIterable(Replay::pending);
    }

    static Flux<RunEvent> events(RunStore store, String runId, long fromSequence, Duration pollInterval) {
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, was " + pollInterval);
        }
        return Flux.defer(() -> {
            var next = new AtomicLong(Math.max(1, fromSequence));
            // Read what is there; then, while the run goes on, poll for more. The status is read before the
            // journal, so the entries of a run that ends between the two reads are still read.
            Mono<Boolean> running = store.find(runId)
                    .switchIfEmpty(Mono.error(() -> new RunStoreException.UnknownRun(runId)))
                    .map(r -> r.status() == RunStatus.RUNNING);
            Flux<RunEvent> batch = Flux.defer(() -> store.journal(runId, next.get()))
                    .doOnNext(e -> next.set(e.sequence() + 1))
                    .filter(e -> e.entry() instanceof RunEntry.Event)
                    .map(e -> new RunEvent(runId, e.sequence(), e.time(), ((RunEntry.Event) e.entry()).event()));
            return running.flatMapMany(live -> live
                    ? batch.concatWith(poll(runId, store, batch, pollInterval))
                    : batch);
        });
    }

    private static Flux<RunEvent> poll(String runId, RunStore store, Flux<RunEvent> batch, Duration pollInterval) {
        return Mono.delay(pollInterval)
                .then(store.find(runId).map(r -> r.status() == RunStatus.RUNNING).defaultIfEmpty(false))
                .flatMapMany(live -> live
                        ? batch.concatWith(Flux.defer(() -> poll(runId, store, batch, pollInterval)))
                        : batch);
    }

    /** The transcript of a session's last run, made resumable (every call answered), or empty. */
    static Mono<List<Message>> sessionTranscript(RunStore store, String sessionId) {
        return store.session(sessionId)
                .takeLast(1)
                .next()
                .flatMap(last -> load(store, last.id()))
                .map(Replay::answeredTranscript)
                .defaultIfEmpty(List.of());
    }

    /** What a run's journal says: its transcript and where it stopped. */
    static final class Replay {
        final RunRecord record;
        final List<Message> transcript = new ArrayList<>();
        int steps;
        Usage usage = Usage.ZERO;
        String lastText = "";
        /** The last reply, when its tool calls are not all answered: the step to finish. */
        Message.@Nullable Assistant openReply;
        int openStep;
        FinishReason openFinish = FinishReason.STOP;
        final Map<String, Message.ToolResult> results = new HashMap<>();
        final Set<String> started = new HashSet<>();
        final Map<String, RunEntry.AwaitingApproval> awaitingApproval = new LinkedHashMap<>();
        final Map<String, RunEntry.AwaitingInput> awaitingInput = new LinkedHashMap<>();
        final Map<String, Decision> decided = new HashMap<>();
        final Map<String, String> answered = new HashMap<>();
        /** How many questions each call of the open step asked after which it runs again. */
        final Map<String, Integer> inputRounds = new HashMap<>();
        /** The calls of the open step whose re-run after an answer started (and has no result). */
        final Set<String> rerunStarted = new HashSet<>();
        /** Whether the last entry of substance is a reply without tool calls: the run had its answer. */
        boolean answeredFinally;

        private Replay(RunRecord record) {
            this.record = record;
        }

        static Replay of(RunRecord record, List<JournalEntry> entries) {
            var r = new Replay(record);
            for (JournalEntry e : entries) {
                r.apply(e.entry());
            }
            if (r.openReply != null && r.results.keySet().containsAll(callIds(r.openReply))) {
                r.close();
            }
            return r;
        }

        private void apply(RunEntry entry) {
            switch (entry) {
                case RunEntry.Appended a -> {
                    if (a.message() instanceof Message.ToolResult result && openReply != null
                            && callIds(openReply).contains(result.callId())) {
                        results.put(result.callId(), result);
                    } else {
                        close();
                        transcript.add(a.message());
                        answeredFinally = false;
                    }
                }
                case RunEntry.Reply reply -> {
                    close();
                    transcript.add(reply.message());
                    steps = Math.max(steps, reply.step());
                    usage = usage.plus(reply.usage()).plus(reply.failedUsage());
                    lastText = reply.message().text();
                    if (reply.message().hasToolCalls()) {
                        openReply = reply.message();
                        openStep = reply.step();
                        openFinish = reply.finishReason();
                        answeredFinally = false;
                    } else {
                        answeredFinally = true;
                    }
                }
                case RunEntry.ToolStarted s -> {
                    String id = s.call().id();
                    started.add(id);
                    if (answered.containsKey(id)) {
                        rerunStarted.add(id);
                    }
                }
                case RunEntry.AwaitingApproval a -> awaitingApproval.put(a.call().id(), a);
                case RunEntry.AwaitingInput a -> {
                    String id = a.call().id();
                    awaitingInput.put(id, a);
                    // A re-run that asks again: its earlier answer is spent.
                    answered.remove(id);
                    rerunStarted.remove(id);
                    if (a.request() != null) {
                        inputRounds.merge(id, 1, Integer::sum);
                    }
                }
                case RunEntry.Decided d -> decided.put(d.callId(), d.decision());
                case RunEntry.Answered a -> {
                    answered.put(a.callId(), a.text());
                    rerunStarted.remove(a.callId());
                }
                case RunEntry.Event ignored -> {
                    // Events are for replay to clients; the state is in the other entries.
                }
            }
        }

        /** Moves the open step's results into the transcript, in call order. */
        private void close() {
            Message.Assistant open = openReply;
            if (open == null) {
                return;
            }
            for (ToolCall c : open.toolCalls()) {
                Message.ToolResult r = results.get(c.id());
                if (r != null) {
                    transcript.add(r);
                }
            }
            openReply = null;
            results.clear();
            started.clear();
            awaitingApproval.clear();
            awaitingInput.clear();
            decided.clear();
            answered.clear();
            inputRounds.clear();
            rerunStarted.clear();
        }

        private static Set<String> callIds(Message.Assistant reply) {
            var ids = new HashSet<String>();
            for (ToolCall c : reply.toolCalls()) {
                ids.add(c.id());
            }
            return ids;
        }

        /** The calls still waiting on a person: deferred approvals and questions with no decision or answer. */
        List<PendingCall> pending() {
            var out = new ArrayList<PendingCall>();
            for (RunEntry.AwaitingApproval a : awaitingApproval.values()) {
                if (!decided.containsKey(a.call().id())) {
                    out.add(new PendingCall(record.id(), a.call(), PendingCall.Kind.APPROVAL, a.missing(),
                            a.reason()));
                }
            }
            for (RunEntry.AwaitingInput a : awaitingInput.values()) {
                if (!answered.containsKey(a.call().id())) {
                    InputRequest request = a.request();
                    out.add(new PendingCall(record.id(), a.call(), PendingCall.Kind.INPUT, List.of(), a.question(),
                            request == null ? null : request.answerSchema()));
                }
            }
            return out;
        }

        /**
         * The answer a call re-runs with, when the question it asked was one to re-run after
         * ({@code ToolResult.inputRequired(InputRequest)}) and is answered; null otherwise.
         */
        ToolContext.@Nullable Answer rerunAnswer(String callId) {
            RunEntry.AwaitingInput asked = awaitingInput.get(callId);
            String text = answered.get(callId);
            if (asked == null || asked.request() == null || text == null) {
                return null;
            }
            InputRequest request = asked.request();
            JsonValue json = null;
            if (request.answerSchema() != null) {
                try {
                    json = JsonValue.parse(text);
                } catch (JsonParseException e) {
                    // agent.answer let only JSON through; a journal edited by hand gives the text alone.
                    json = null;
                }
            }
            return new ToolContext.Answer(text, json, request, inputRounds.getOrDefault(callId, 1));
        }

        /** The transcript with the open step's calls answered (those without a result say they were not run). */
        List<Message> answeredTranscript() {
            var out = new ArrayList<Message>(transcript);
            Message.Assistant open = openReply;
            if (open != null) {
                for (ToolCall c : open.toolCalls()) {
                    Message.ToolResult r = results.get(c.id());
                    out.add(r != null
                            ? r
                            : new Message.ToolResult(c.id(), c.name(), "Not run: the run ended before "
                                    + "this call finished.", true));
                }
            }
            return out;
        }
    }
}
