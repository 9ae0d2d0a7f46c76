package dev.agentrt.core;

import dev.agentrt.core.context.TaskContext;
import dev.agentrt.core.internal.ContextReadTool;
import dev.agentrt.core.internal.ReplyAssembler;
import dev.agentrt.core.internal.ToolSession;
import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.memory.MemoryQuery;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.RetryPolicy;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.run.NewRun;
import dev.agentrt.core.run.PendingCall;
import dev.agentrt.core.run.RunEntry;
import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreException;
import dev.agentrt.core.security.ApprovalHandler;
import dev.agentrt.core.security.ApprovalRequest;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.InputRequest;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.core.tool.ToolTrace;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One run of a task: the agent loop. State is confined to the run's chain (steps are sequential;
 * the tool calls of a step run concurrently but only the serialised result stream touches the
 * transcript). The lock guards against the one outside reader, the wall-time timer, which builds
 * the partial result on its own thread.
 *
 * <p>How a run starts: the loop's system messages (instructions, the tool sources' instructions, the
 * structured-output hint, the context's description, recalled memory) come first, each unless the prior messages already hold an
 * equal one; then the prior messages; then the input as a user message, unless the prior messages
 * are an unfinished run of it ({@link #continuesRun}). So a partial result's transcript given back
 * with {@code withMessages} continues where it stopped: one system prompt, one input, and the model
 * asked about the tool results it has not seen.
 *
 * <p>A step's model call that fails with a retryable {@link ModelException} is made again with the
 * same request after the agent's {@code modelRetry} backoff (on Reactor's parallel timer, so virtual
 * time drives it in tests); nothing else of the step is repeated, since tools run only once the
 * reply is complete.
 */
final class TaskRun {
    private static final Logger log = LoggerFactory.getLogger(TaskRun.class);
    private static final int CONTEXT_LISTING_ENTRIES = 500;
    private static final int INLINE_CONTEXT_CHARS = 60_000;

    private final Agent agent;
    private final Task task;
    private final String taskId;
    private final AgentEvent.Listener @Nullable [] listeners;
    /** What each listener captured of the caller's context when the run's Mono or Flux was made; null if none did. */
    private final Object @Nullable [] captured;
    private final @Nullable Consumer<AgentEvent> sink;
    /** The task's tool calls: their policy, the step they run in, the grants approvals extended. */
    private final ToolSession toolSession;
    private final ToolRegistry registry;
    private final List<ToolSpec> toolSpecs;
    private final ChatOptions options;
    private final @Nullable StructuredOutput output;
    /** The final-answer tool when structured output falls back to a tool; null otherwise. */
    private final @Nullable String finalTool;
    private final ArrayList<Message> transcript = new ArrayList<>(8);
    /** The agent's budget, or for a sub-agent's run the part of its caller's it may use. */
    private final Budget budget;

    private Usage usage = Usage.ZERO;
    /**
     * What the run's tool calls hold of its budget for the work they run on its behalf (sub-agents): not spent yet,
     * but no longer left to others. Guarded by this.
     */
    private long reservedTokens;
    private double reservedCost;
    /** When the run was subscribed, on the clock of the timer that enforces the wall-time budget. */
    private long startNanos;
    private int steps;
    private boolean done;
    private String lastText = "";
    private int outputCorrections;
    private @Nullable Object structuredValue;
    /** The run's journal in the agent's run store; null without one. */
    private final @Nullable RunJournal journal;
    /** What the journal held, for a resumed run; null for a new one. */
    private final RunJournal.@Nullable Replay replay;
    /** Set when a call of the step paused the run (a deferred approval, a question for the user). */
    private @Nullable Outcome paused;

    TaskRun(Agent agent, Task task, @Nullable Consumer<AgentEvent> sink, @Nullable StructuredOutput output,
            Object @Nullable [] captured) {
        this(agent, task, sink, output, captured, null, null);
    }

    TaskRun(Agent agent, Task task, @Nullable Consumer<AgentEvent> sink, @Nullable StructuredOutput output,
            Object @Nullable [] captured, @Nullable RunJournal journal, RunJournal.@Nullable Replay replay) {
        this.journal = journal;
        this.replay = replay;
        this.agent = agent;
        this.captured = captured;
        this.task = task;
        this.taskId = task.newRunId();
        this.listeners = agent.listeners().isEmpty() ? null : agent.listeners().toArray(AgentEvent.Listener[]::new);
        this.sink = sink;
        Nesting nesting = task.nesting();
        this.budget = nesting != null ? nesting.budget() : agent.budget();
        Grants grants = agent.grantsFor(task.principal()).with(task.grants());
        ToolRegistry tools = agent.tools();
        TaskContext context = task.context();
        if (context != null && agent.memory() == null && context.root().isPresent()) {
            Path root = context.root().get();
            grants = grants.with(List.of(Capability.fileRead(root)));
            tools = tools.plus(new ContextReadTool(root));
        }
        ApprovalHandler approvals = agent.approvals();
        if (nesting != null) {
            // A sub-agent never does more than its caller may, approvals included.
            grants = grants.intersect(nesting.callerGrants());
            approvals = nesting.approvals();
        }
        this.registry = tools;
        this.toolSession = new ToolSession(new ToolExecution(taskId, task.principal(), grants,
                replay == null ? approvals : decidedFirst(replay, approvals), agent.toolTimeout(),
                listeners == null && sink == null && journal == null ? null : this::emit, agent.toolAccess())
                .toBuilder()
                .maxNestedCalls(agent.maxNestedToolCalls())
                .build());
        if (listeners != null) {
            toolSession.entering(this::enterTool);
            toolSession.tracing(this::traceTool);
        }
        toolSession.account(new ToolSession.Account() {
            @Override
            public java.util.Optional<Budget> left() {
                return budgetLeft();
            }

            @Override
            public void charge(Usage spent) {
                synchronized (TaskRun.this) {
                    usage = usage.plus(spent);
                }
            }

            @Override
            public java.util.Optional<Budget> reserve(Budget wanted) {
                synchronized (TaskRun.this) {
                    java.util.Optional<Budget> left = budgetLeft();
                    if (left.isEmpty()) {
                        return left;
                    }
                    Budget l = left.get();
                    long tokens = Math.min(wanted.maxTokens(), l.maxTokens());
                    double cost = Math.min(wanted.maxCost(), l.maxCost());
                    Duration time = wanted.maxWallTime().compareTo(l.maxWallTime()) <= 0
                            ? wanted.maxWallTime()
                            : l.maxWallTime();
                    // Only what a limit bounds is held: an unlimited amount is never used up.
                    if (budget.maxTokens() != Long.MAX_VALUE) {
                        reservedTokens += tokens;
                    }
                    if (Double.isFinite(budget.maxCost())) {
                        reservedCost += cost;
                    }
                    return java.util.Optional.of(new Budget(tokens, time, cost));
                }
            }

            @Override
            public void release(long tokens, double cost) {
                synchronized (TaskRun.this) {
                    if (budget.maxTokens() != Long.MAX_VALUE) {
                        reservedTokens = Math.max(0, reservedTokens - tokens);
                    }
                    if (Double.isFinite(budget.maxCost())) {
                        reservedCost = Math.max(0, reservedCost - cost);
                    }
                }
            }
        });
        if (journal != null) {
            RunJournal j = journal;
            // A sub-agent's run does not pause on its own: its caller asks for approvals (Nesting), as unjournaled.
            toolSession.canPause(task.nesting() == null);
            // A tool's question pauses the task's own durable run only: a sub-agent's caller waits for its answer.
            toolSession.canAwaitInput(task.nesting() == null);
            toolSession.starting(call -> {
                j.add(new RunEntry.ToolStarted(toolSession.step(), call));
                return j.flush();
            });
        }
        List<ToolSpec> specs = toolSession.specs(registry);
        ChatOptions opts = agent.options();
        String fin = null;
        if (output != null) {
            if (agent.model().supportsResponseFormat()) {
                opts = opts.withResponseFormat(output.format);
            } else {
                fin = finalToolName(specs);
                var all = new ArrayList<ToolSpec>(specs.size() + 1);
                all.addAll(specs);
                all.add(new ToolSpec(fin, "Gives the final answer to the task. Call it exactly once, when you have the "
                        + "answer; its arguments are the answer.", output.schema));
                specs = List.copyOf(all);
            }
        }
        this.toolSpecs = specs;
        this.options = opts;
        this.output = output;
        this.finalTool = fin;
    }

    /**
     * A run of {@code task} journaled in the agent's run store: a new run (of a session: continuing from the
     * session's last transcript), or the stored run it resumes, taken over with its lease.
     */
    static Mono<TaskRun> durable(Agent agent, Task task, @Nullable Consumer<AgentEvent> sink,
            @Nullable StructuredOutput output, Object @Nullable [] captured) {
        RunStore store = java.util.Objects.requireNonNull(agent.runStore());
        var journal = new RunJournal(store, agent.leaseTime());
        String resumes = task.resumes();
        if (resumes != null) {
            return journal.takeOver(resumes).flatMap(replay -> {
                List<PendingCall> pending = replay.pending();
                if (!pending.isEmpty()) {
                    PendingCall first = pending.get(0);
                    boolean approval = first.kind() == PendingCall.Kind.APPROVAL;
                    journal.abandon();
                    return Mono.error(new RunStoreException.InvalidState("run \"" + resumes + "\" still awaits "
                            + (approval ? "a decision" : "an answer") + " on call \"" + first.call().id() + "\" ("
                            + first.call().name() + "): call agent." + (approval ? "approve" : "answer")
                            + " first; nothing was changed"));
                }
                RunRecord r = replay.record;
                Task stored = agent.task(r.input())
                        .as(r.principal())
                        .withId(r.id())
                        .grant(r.grants().toArray(Capability[]::new));
                Nesting nesting = task.nesting();
                if (nesting != null) {
                    stored = stored.nestedIn(nesting);
                }
                return Mono.just(new TaskRun(agent, stored, sink, output, captured, journal, replay));
            });
        }
        String sessionId = task.sessionId();
        if (sessionId == null) {
            return Mono.just(new TaskRun(agent, task, sink, output, captured, journal, null));
        }
        return RunJournal.sessionTranscript(store, sessionId).map(earlier -> {
            if (earlier.isEmpty()) {
                return new TaskRun(agent, task, sink, output, captured, journal, null);
            }
            var all = new ArrayList<Message>(earlier);
            all.addAll(task.messages());
            return new TaskRun(agent, task.withMessages(all), sink, output, captured, journal, null);
        });
    }

    /** Answers the approvals a person already decided ({@code agent.approve}) from the journal, the rest as usual. */
    private static @Nullable ApprovalHandler decidedFirst(RunJournal.Replay replay,
            @Nullable ApprovalHandler handler) {
        if (replay.decided.isEmpty()) {
            return handler;
        }
        var decided = java.util.Map.copyOf(replay.decided);
        return request -> {
            Decision d = decided.get(request.callId());
            if (d != null) {
                return Mono.just(d);
            }
            return handler == null ? Mono.just(Decision.deny("no approval handler")) : handler.decide(request);
        };
    }

    /**
     * Asks each listener for the caller's ambient context ({@link AgentEvent.Listener#captureContext()}), on the
     * thread that makes the run's Mono or Flux; null when no listener captured anything (the common case, free).
     */
    static Object @Nullable [] captureContexts(Agent agent) {
        List<AgentEvent.Listener> ls = agent.listeners();
        Object[] values = null;
        for (int i = 0, n = ls.size(); i < n; i++) {
            AgentEvent.Listener l = ls.get(i);
            Object value;
            try {
                value = l.captureContext();
            } catch (RuntimeException e) {
                log.warn("agent listener {} failed to capture the caller's context; the task goes on", l, e);
                value = null;
            }
            if (value != null) {
                if (values == null) {
                    values = new Object[n];
                }
                values[i] = value;
            }
        }
        return values;
    }

    private static String finalToolName(List<ToolSpec> specs) {
        String name = "final_answer";
        for (int n = 1;; n++) {
            String candidate = name;
            if (specs.stream().noneMatch(t -> t.name().equals(candidate))) {
                return candidate;
            }
            name = "final_answer_" + n;
        }
    }

    Mono<AgentResult> run() {
        Mono<Void> start = replay != null ? restore() : prepare();
        if (journal != null && replay == null) {
            RunJournal j = journal;
            start = Mono.defer(() -> j.create(new NewRun(taskId, agent.name(), agent.version(), task.input(),
                    task.principal(), task.grants(), task.sessionId())))
                    .then(start)
                    .then(Mono.defer(j::flush));
        }
        Mono<AgentResult> body = start
                // A resumed run may be done before its first step (it had its answer, or paused again).
                .then(Mono.defer(() -> isDone() ? Mono.empty() : step())
                        .repeat(() -> !isDone())
                        .then(Mono.fromCallable(this::completed)))
                // A model failure outside a step (memory's embedding model) ends the task with the run so far too.
                .onErrorMap(e -> e instanceof ModelException m && m.partialResult().isEmpty(),
                        e -> ((ModelException) e).endingTask("", partial(Outcome.FAILED, "the task failed"),
                                List.of()));
        if (budget.hasTimeLimit()) {
            body = body.timeout(budget.maxWallTime(), Mono.defer(() -> Mono.error(limit(Outcome.TIME_LIMIT,
                    "the task ran out of its wall-time budget (" + budget.maxWallTime() + ")"))));
        }
        // The agents this run is nested in, for the sub-agents it may start (they refuse to recurse).
        // A journaled run also tells them its id and step, so that a sub-agent with a run store runs durably too.
        body = body.contextWrite(SubAgentTool.entering(agent,
                journal == null ? null : new SubAgentTool.Parent(taskId, toolSession::step)));
        RunJournal j = journal;
        if (j == null) {
            return body.doOnNext(r -> emit(new AgentEvent.Completed(taskId, r)))
                    .doOnError(this::failed)
                    .doOnCancel(() -> notifyListeners(new AgentEvent.Failed(taskId, "CancellationException",
                            "the task was cancelled", partial(Outcome.CANCELLED, "the task was cancelled"))));
        }
        // Journaled: the outcome is durable before the result is given; a cancelled run stays resumable.
        return body.flatMap(r -> {
            emit(new AgentEvent.Completed(taskId, r));
            Outcome o = r.outcome();
            RunStatus status = o == Outcome.AWAITING_APPROVAL
                    ? RunStatus.AWAITING_APPROVAL
                    : o == Outcome.AWAITING_INPUT ? RunStatus.AWAITING_INPUT : RunStatus.COMPLETED;
            return j.end(status, status == RunStatus.COMPLETED ? Outcome.COMPLETED : null).thenReturn(r);
        }).onErrorResume(e -> {
            if (e instanceof RunStoreException) {
                // The store itself failed or refused the lease: leave the journal as it is (resumable).
                failed(e);
                j.abandon();
                return Mono.error(e);
            }
            AgentResult partial = failed(e);
            return j.end(RunStatus.FAILED, partial.outcome() == Outcome.COMPLETED ? Outcome.FAILED : partial.outcome())
                    .onErrorResume(x -> {
                        e.addSuppressed(x);
                        return Mono.empty();
                    })
                    .then(Mono.error(e));
        }).doOnCancel(() -> {
            notifyListeners(new AgentEvent.Failed(taskId, "CancellationException", "the task was cancelled",
                    partial(Outcome.CANCELLED, "the task was cancelled")));
            j.abandon();
        });
    }

    /**
     * Resumes from the journal: the transcript, steps and usage it holds, then the step it stopped in, finished
     * with the calls that have no result yet (run, or answered from a person's decision or answer, or reported
     * in doubt).
     */
    private Mono<Void> restore() {
        return Mono.<Void>defer(() -> {
            RunJournal.Replay r = java.util.Objects.requireNonNull(replay);
            if (r.transcript.isEmpty() && r.openReply == null) {
                // Ended before its first step was journaled: start it afresh.
                return prepare().then(Mono.defer(java.util.Objects.requireNonNull(journal)::flush));
            }
            startNanos = Schedulers.parallel().now(TimeUnit.NANOSECONDS);
            if (hasEvents()) {
                emit(new AgentEvent.Started(taskId, task.input(), task.principal()));
            }
            synchronized (this) {
                transcript.addAll(r.transcript);
                steps = r.steps;
                usage = r.usage;
                lastText = r.lastText;
                if (r.answeredFinally && r.openReply == null) {
                    done = true;
                }
            }
            Message.Assistant open = r.openReply;
            if (open == null) {
                return Mono.empty();
            }
            int step = r.openStep;
            toolSession.step(step);
            return finishTools(open, r.openFinish, null, step, Usage.ZERO, usageSnapshot(), r).then();
        });
    }

    private Mono<Void> prepare() {
        return Mono.defer(() -> {
            startNanos = Schedulers.parallel().now(TimeUnit.NANOSECONDS);
            if (hasEvents()) {
                emit(new AgentEvent.Started(taskId, task.input(), task.principal()));
            }
            if (!agent.instructions().isEmpty()) {
                appendSystem(Message.system(agent.instructions()));
            }
            for (String text : agent.toolInstructions()) {
                appendSystem(Message.system(text));
            }
            if (finalTool != null) {
                appendSystem(Message.system("When you have the final answer, call the tool " + finalTool
                        + " with the answer as its arguments. Do not give the answer as plain text."));
            } else if (output != null) {
                appendSystem(Message.system("Answer with only a JSON value that matches the required schema."));
            }
            TaskContext context = task.context();
            Memory memory = agent.memory();
            if (context == null && memory == null) {
                appendInput();
                return Mono.empty();
            }
            Mono<Void> background = Mono.empty();
            if (context != null && memory != null) {
                background = memory.ingest(agent.memoryNamespace(), context);
            } else if (context != null) {
                background = describe(context).doOnNext(this::appendSystem).then();
            }
            if (memory != null) {
                background = background.then(memory.recall(MemoryQuery.of(agent.memoryNamespace(), task.input(),
                        agent.recallLimit())))
                        .doOnNext(hits -> {
                            String recalled = recalled(hits, agent.recallTokenBudget());
                            if (!recalled.isEmpty()) {
                                appendSystem(Message.system(recalled));
                            }
                        })
                        .then();
            }
            return background.then(Mono.fromRunnable(this::appendInput));
        });
    }

    /**
     * The hits that fit in the budget, best first, each headed by its source so the model can cite it: a file path
     * with its line range for ingested documents, the record id for remembered text.
     */
    static String recalled(List<Memory.MemoryHit> hits, int tokenBudget) {
        long budgetChars = 4L * tokenBudget;
        var sb = new StringBuilder();
        String header = "Relevant memory for this task, most relevant first, each with its source:";
        int n = 0;
        for (Memory.MemoryHit hit : hits) {
            String entry = "\n[" + (n + 1) + "] " + hit.record().source() + "\n" + hit.record().text().strip();
            if (header.length() + sb.length() + entry.length() > budgetChars) {
                continue;
            }
            sb.append(entry);
            n++;
        }
        return n == 0 ? "" : header + sb;
    }

    /** Adds a system message of the loop's own, unless the prior messages already hold it (a continued run). */
    private void appendSystem(Message system) {
        if (!task.messages().contains(system)) {
            append(system);
        }
    }

    private void appendInput() {
        List<Message> prior = task.messages();
        for (Message m : prior) {
            append(m);
        }
        if (!continuesRun(prior, task.input())) {
            append(Message.user(task.input()));
        }
    }

    /**
     * Whether {@code prior} is an unfinished run of {@code input}, to be continued rather than asked
     * anew: it ends where the model has yet to answer (with tool results or a user message) and its
     * last user message is the input. A finished turn (ending with an assistant message) or a
     * different input gets the input as a new user message.
     */
    static boolean continuesRun(List<Message> prior, String input) {
        if (prior.isEmpty()) {
            return false;
        }
        Message last = prior.get(prior.size() - 1);
        if (!(last instanceof Message.ToolResult || last instanceof Message.User)) {
            return false;
        }
        for (int i = prior.size() - 1; i >= 0; i--) {
            if (prior.get(i) instanceof Message.User user) {
                return user.text().equals(input);
            }
        }
        return false;
    }

    private Mono<Message> describe(TaskContext context) {
        if (context.root().isPresent()) {
            Path root = context.root().get();
            return context.listing(CONTEXT_LISTING_ENTRIES)
                    .map(listing -> Message.system("The task concerns the directory "
                            + root + ". You may read its files with the tool " + ContextReadTool.NAME
                            + " (paths relative to that directory). Files:\n" + listing));
        }
        return context.documents().collectList().map(docs -> {
            var sb = new StringBuilder("Documents for this task:");
            for (var d : docs) {
                if (sb.length() > INLINE_CONTEXT_CHARS) {
                    sb.append("\n[further documents omitted]");
                    break;
                }
                sb.append("\n--- ").append(d.id()).append(" ---\n").append(d.text());
            }
            return Message.system(sb.toString());
        });
    }

    private Mono<?> step() {
        // What tools charged (a sub-agent's run) may have used the budget up: stop before asking the model again.
        Outcome spent = overBudget(usageSnapshot());
        if (spent != null) {
            return Mono.error(limit(spent, budgetMessage(spent)));
        }
        int step;
        List<Message> view;
        synchronized (this) {
            step = ++steps;
            view = agent.window().select(transcript);
        }
        toolSession.step(step);
        var request = new ChatRequest(view, toolSpecs, options);
        var attempts = new Attempts();
        RunJournal j = journal;
        if (j == null) {
            return ask(request, step, attempts).flatMap(response -> afterReply(response, attempts.spent, step).then());
        }
        return ask(request, step, attempts).flatMap(response -> {
            // Durable before anything acts on it: a resumed run takes the reply from here, not from the model.
            j.add(new RunEntry.Reply(step, response.message(), response.finishReason(), response.usage(),
                    attempts.spent));
            return j.flush().then(Mono.defer(() -> afterReply(response, attempts.spent, step))).then();
        });
    }

    /** The failed model calls of one step; confined to the step's chain. */
    private static final class Attempts {
        final List<ModelException> failures = new ArrayList<>(2);
        /** What the failed calls reported using. */
        Usage spent = Usage.ZERO;
    }

    /** One model call of {@code step}, then as many retries of it as the policy and the budget allow. */
    private Mono<ChatResponse> ask(ChatRequest request, int step, Attempts attempts) {
        return Mono.defer(() -> {
            if (hasEvents()) {
                emit(new AgentEvent.ModelRequest(taskId, step, request.messages().size(), toolSpecs.size()));
            }
            var assembler = new ReplyAssembler();
            return agent.model()
                    .stream(request)
                    .doOnNext(event -> onChatEvent(event, assembler, step))
                    .then(Mono.fromCallable(() -> {
                        ChatResponse response = assembler.finish();
                        if (hasEvents()) {
                            emit(new AgentEvent.ModelResponse(taskId, step, response.finishReason(),
                                    response.usage(), response.responseId(), response.responseModel()));
                        }
                        return response;
                    }))
                    .onErrorResume(ModelException.class,
                            failure -> retryOrEnd(failure, assembler.usage(), request, step, attempts));
        });
    }

    private Mono<ChatResponse> retryOrEnd(ModelException failure, Usage spent, ChatRequest request, int step,
            Attempts attempts) {
        // A broken reply's tokens were spent all the same: they count against the budget.
        synchronized (this) {
            usage = usage.plus(spent);
        }
        attempts.spent = attempts.spent.plus(spent);
        RetryPolicy policy = agent.modelRetry();
        int retry = attempts.failures.size() + 1;
        String note = "";
        if (failure.isRetryable() && !failure.retriesExhausted() && retry <= policy.maxRetries()) {
            Duration wait = policy.backoff(retry, ThreadLocalRandom.current().nextDouble());
            Duration left = timeLeft();
            if (left == null || wait.compareTo(left) < 0) {
                attempts.failures.add(failure);
                String message = failure.getMessage() == null ? "ModelException" : failure.getMessage();
                if (hasEvents()) {
                    emit(new AgentEvent.ModelRetry(taskId, step, retry, failure.status(), failure.requestId(),
                            message, wait.toNanos()));
                }
                log.debug("task {} step {}: model call failed ({}); retry {} of {} in {} ms", taskId, step, message,
                        retry, policy.maxRetries(), wait.toMillis());
                return Mono.delay(wait).then(ask(request, step, attempts));
            }
            note = " (step " + step + " not retried: waiting " + wait.toMillis()
                    + " ms would pass the task's wall-time budget of " + budget.maxWallTime() + ")";
        } else if (failure.isRetryable() && !attempts.failures.isEmpty()) {
            note = " (step " + step + " gave up after " + attempts.failures.size() + " retries)";
        }
        var earlier = new ArrayList<Throwable>(attempts.failures.size());
        for (ModelException f : attempts.failures) {
            // A model may hand out one exception instance for every failure.
            if (f != failure && earlier.stream().noneMatch(e -> e == f)) {
                earlier.add(f);
            }
        }
        return Mono.error(failure.endingTask(note, partial(Outcome.FAILED, "the model failed"), earlier));
    }

    /** What is left of the wall-time budget, on the clock of its timer; null without a time limit. */
    private @Nullable Duration timeLeft() {
        Budget b = budget;
        if (!b.hasTimeLimit()) {
            return null;
        }
        return b.maxWallTime().minusNanos(Schedulers.parallel().now(TimeUnit.NANOSECONDS) - startNanos);
    }

    private void onChatEvent(ChatEvent event, ReplyAssembler assembler, int step) {
        assembler.accept(event);
        if (event instanceof ChatEvent.TextDelta(String text)) {
            if (hasEvents() && !text.isEmpty()) {
                emit(new AgentEvent.TextDelta(taskId, step, text));
            }
        } else if (event instanceof ChatEvent.ReasoningDelta(String text)) {
            if (hasEvents() && !text.isEmpty()) {
                emit(new AgentEvent.ReasoningDelta(taskId, step, text));
            }
        } else if (event instanceof ChatEvent.UsageReport(Usage u)) {
            Outcome over = overBudget(usageSnapshot().plus(u));
            if (over != null) {
                // The reply is abandoned, but its tokens were spent: count them in the partial result.
                synchronized (this) {
                    usage = usage.plus(u);
                }
                throw limit(over, budgetMessage(over));
            }
        }
    }

    /** @param failedUsage what the step's failed model calls used (already counted in the total) */
    private Mono<?> afterReply(ChatResponse response, Usage failedUsage, int step) {
        Message.Assistant reply = response.message();
        Usage stepUsage = response.usage().plus(failedUsage);
        Usage total;
        synchronized (this) {
            usage = usage.plus(response.usage());
            total = usage;
            transcript.add(reply);
            lastText = reply.text();
        }
        if (!reply.hasToolCalls()) {
            if (output != null) {
                return structuredAnswer(reply.text(), null, reply, step, stepUsage, total);
            }
            synchronized (this) {
                done = true;
            }
            stepDone(step, stepUsage, total);
            return Mono.empty();
        }
        if (finalTool != null) {
            for (ToolCall c : reply.toolCalls()) {
                if (c.name().equals(finalTool)) {
                    return structuredAnswer(c.arguments(), c, reply, step, stepUsage, total);
                }
            }
        }
        return runTools(reply, response.finishReason(), null, step, stepUsage, total);
    }

    /**
     * Runs the tool calls of {@code reply} (bounded concurrency, results appended in call order).
     * When the reply hit the token limit its last call may be cut short: it is answered with a
     * {@link ToolErrorKind#TRUNCATED} error and never run. {@code preset} answers one call with a
     * result decided here (a refused final answer).
     */
    private Mono<?> runTools(Message.Assistant reply, FinishReason finish, Message.@Nullable ToolResult preset,
            int step, Usage stepUsage, Usage total) {
        Outcome over = overBudget(total);
        if (over == null && step >= agent.maxSteps()) {
            over = Outcome.STEP_LIMIT;
        }
        if (over != null) {
            String why = budgetMessage(over);
            stepDone(step, stepUsage, total);
            return Mono.error(limit(over, why));
        }
        return finishTools(reply, finish, preset, step, stepUsage, total, null);
    }

    /**
     * Runs the calls of {@code reply} and appends their results in call order. For a resumed run ({@code resumed}
     * not null) the calls that have a journaled result keep it, and those that started and have none are in
     * doubt. With a journal each result is journaled as its call ends; a call that pauses the run (a deferred
     * approval, a question) has no result, and the run ends paused after the step's other calls.
     */
    private Mono<?> finishTools(Message.Assistant reply, FinishReason finish, Message.@Nullable ToolResult preset,
            int step, Usage stepUsage, Usage total, RunJournal.@Nullable Replay resumed) {
        List<ToolCall> calls = reply.toolCalls();
        ToolCall truncated = finish == FinishReason.LENGTH ? calls.get(calls.size() - 1) : null;
        if (journal == null && calls.size() == 1 && truncated == null && preset == null) {
            ToolCall call = calls.get(0);
            return toolSession.execute(registry, call).doOnNext(r -> {
                append(r.isInputRequired() ? cannotWait(call, r) : resultMessage(call, r));
                stepDone(step, stepUsage, total);
            });
        }
        return Flux.fromIterable(calls)
                .flatMapSequential(c -> {
                    if (resumed != null) {
                        Message.ToolResult done = resumed.results.get(c.id());
                        if (done != null) {
                            return Mono.just(done);
                        }
                    }
                    Mono<Message> result;
                    if (preset != null && c.id().equals(preset.callId())) {
                        result = Mono.just(preset);
                    } else if (c == truncated) {
                        result = Mono.fromSupplier(() -> truncatedCall(c, step));
                    } else if (resumed != null && resumed.rerunAnswer(c.id()) instanceof ToolContext.Answer answer) {
                        // Answered a question to run again after: the call runs again and sees the answer, unless
                        // its re-run already started and might have taken effect.
                        toolSession.answer(c.id(), answer);
                        result = resumed.rerunStarted.contains(c.id()) && !idempotent(c)
                                ? inDoubt(c, step, resumed.decided.get(c.id()))
                                : call(c, step);
                    } else if (resumed != null && resumed.answered.containsKey(c.id())) {
                        result = Mono.just(new Message.ToolResult(c.id(), c.name(), "The user answered: "
                                + resumed.answered.get(c.id()), false));
                    } else if (resumed != null && resumed.started.contains(c.id()) && !idempotent(c)) {
                        result = inDoubt(c, step, resumed.decided.get(c.id()));
                    } else {
                        result = call(c, step);
                    }
                    return journalResult(result, step);
                }, agent.maxConcurrentToolCalls())
                .doOnNext(m -> {
                    if (m != PAUSED) {
                        appendUnjournaled(m);
                    }
                })
                .then(Mono.fromRunnable(() -> {
                    stepDone(step, stepUsage, total);
                    synchronized (this) {
                        if (paused != null) {
                            done = true;
                        }
                    }
                }));
    }

    /**
     * A call of a tool that is not idempotent, which started before the run was interrupted and has no result: it
     * may or may not have taken effect. It runs again only if a person says so, through the approval handler
     * ({@code ApprovalRequest.inDoubt()}) or, after a pause, {@code agent.approve}; otherwise the model is told.
     */
    private Mono<Message> inDoubt(ToolCall c, int step, @Nullable Decision decided) {
        String doubt = "The run was interrupted while this call was running, so it may or may not have taken "
                + "effect. Check its effect before calling it again.";
        Mono<Decision> decision;
        if (decided != null) {
            decision = Mono.just(decided);
        } else {
            ApprovalHandler handler = agent.approvals();
            if (handler == null) {
                return Mono.just(new Message.ToolResult(c.id(), c.name(), doubt, true));
            }
            emit(new AgentEvent.ApprovalRequested(taskId, step, c, List.of()));
            decision = Mono.defer(() -> handler.decide(new ApprovalRequest(task.principal(), c.name(), c.id(),
                    c.arguments(), List.of(), true)))
                    .onErrorResume(e -> Mono.just(Decision.deny("the approval handler failed: " + e)))
                    .defaultIfEmpty(Decision.deny("no decision was given"))
                    .doOnNext(d -> emit(new AgentEvent.ApprovalDecided(taskId, step, c, d)));
        }
        return decision.flatMap(d -> {
            if (d.approved()) {
                return call(c, step);
            }
            RunJournal j = journal;
            if (d.deferred() && j != null) {
                j.add(new RunEntry.AwaitingApproval(step, c, List.of(), "in doubt: " + d.reason()));
                pause(Outcome.AWAITING_APPROVAL);
                return Mono.just(PAUSED);
            }
            return Mono.just(new Message.ToolResult(c.id(), c.name(), doubt + " It was not run again: "
                    + d.reason() + ".", true));
        });
    }

    /** Marks a call that paused the run: it has no result (yet). */
    private static final Message PAUSED = Message.system("paused");

    private boolean idempotent(ToolCall call) {
        return registry.find(call.name()).map(Tool::idempotent).orElse(false);
    }

    /** One call through the registry; a question for the user or a deferred approval pauses a journaled run. */
    private Mono<Message> call(ToolCall c, int step) {
        Mono<Message> result = toolSession.execute(registry, c).map(r -> {
            if (!r.isInputRequired()) {
                return resultMessage(c, r);
            }
            RunJournal j = journal;
            InputRequest rerun = r.inputRequest();
            if (j == null || rerun != null && !toolSession.canAwaitInput()) {
                return cannotWait(c, r);
            }
            if (rerun != null && askedBefore(c) >= InputRequest.MAX_ROUNDS) {
                String stopped = "Stopped: the tool asked the user " + InputRequest.MAX_ROUNDS + " questions in this "
                        + "call, the most one call may ask, and asked again: " + r.content();
                return new Message.ToolResult(c.id(), c.name(), stopped, true);
            }
            j.add(new RunEntry.AwaitingInput(step, c, r.content(), rerun));
            pause(Outcome.AWAITING_INPUT);
            return PAUSED;
        });
        RunJournal j = journal;
        if (j == null) {
            return result;
        }
        return result.onErrorResume(ToolSession.Paused.class, p -> {
            j.add(new RunEntry.AwaitingApproval(step, p.call(), p.missing(), p.reason()));
            pause(Outcome.AWAITING_APPROVAL);
            return Mono.just(PAUSED);
        });
    }

    /** What the model is told of a question for the user that this run cannot pause for. */
    private static Message cannotWait(ToolCall c, ToolResult question) {
        return new Message.ToolResult(c.id(), c.name(), "The tool needs the user's answer to a question, but this run "
                + "cannot wait for one: " + question.content(), true);
    }

    /** How many questions to re-run after {@code call} asked before this run of it (a resumed run's journal). */
    private int askedBefore(ToolCall call) {
        RunJournal.Replay r = replay;
        return r == null ? 0 : r.inputRounds.getOrDefault(call.id(), 0);
    }

    private synchronized void pause(Outcome why) {
        // A deferred approval and a question in one step: the run waits for the approval first.
        if (paused != Outcome.AWAITING_APPROVAL) {
            paused = why;
        }
    }

    /** Journals a call's result (or its pause) as soon as the call ends, durable before the step goes on. */
    private Mono<Message> journalResult(Mono<Message> result, int step) {
        RunJournal j = journal;
        if (j == null) {
            return result;
        }
        return result.flatMap(m -> {
            if (m != PAUSED) {
                j.add(new RunEntry.Appended(step, m));
            }
            return j.flush().thenReturn(m);
        });
    }

    private Message truncatedCall(ToolCall call, int step) {
        Integer max = options.maxTokens();
        String message = "Not run: your reply reached the output token limit"
                + (max == null ? "" : " (" + max + " tokens)")
                + " while writing this call, so its arguments may be incomplete. Call the tool again with "
                + "shorter arguments, or split the work into smaller calls.";
        if (hasEvents()) {
            emit(new AgentEvent.ToolCallFailed(taskId, step, call, ToolErrorKind.TRUNCATED, message, 0));
        }
        return new Message.ToolResult(call.id(), call.name(), message, true);
    }

    /**
     * Checks a structured answer: the reply's text, or the arguments of the final-answer tool call.
     * A valid answer ends the task; the first invalid one is sent back with what was wrong; the
     * second fails the task with {@link StructuredOutputException}.
     */
    private Mono<?> structuredAnswer(String answer, @Nullable ToolCall finalCall, Message.Assistant reply, int step,
            Usage stepUsage, Usage total) {
        StructuredOutput out = java.util.Objects.requireNonNull(output);
        StructuredOutput.Checked checked = out.check(answer);
        if (checked.valid()) {
            String json = java.util.Objects.requireNonNull(checked.json()).toJson();
            synchronized (this) {
                structuredValue = checked.value();
                lastText = json;
                done = true;
            }
            if (finalCall != null) {
                // Every call of the last turn is answered, so the transcript can be resumed.
                for (ToolCall c : reply.toolCalls()) {
                    append(new Message.ToolResult(c.id(), c.name(),
                            c == finalCall
                                    ? "Final answer accepted."
                                    : "Not run: the task ended with the final answer.",
                            c != finalCall));
                }
            }
            stepDone(step, stepUsage, total);
            return Mono.empty();
        }
        List<String> problems = checked.problems();
        boolean exhausted;
        synchronized (this) {
            exhausted = outputCorrections >= 1;
            if (!exhausted) {
                outputCorrections++;
            }
        }
        if (exhausted) {
            stepDone(step, stepUsage, total);
            String why = "the answer did not match " + out.type.getTypeName() + " after one correction";
            return Mono.error(new StructuredOutputException("Task " + taskId + " failed: " + why + ": "
                    + String.join("; ", problems.subList(0, Math.min(3, problems.size()))), answer, problems,
                    partial(Outcome.INVALID_OUTPUT, why)));
        }
        var feedback = new StringBuilder("Your answer does not match the required output:");
        for (String p : problems) {
            feedback.append("\n- ").append(p);
        }
        if (finalCall != null) {
            feedback.append("\nCall ").append(finalTool).append(" again with a corrected answer.");
            var preset = new Message.ToolResult(finalCall.id(), finalCall.name(), feedback.toString(), true);
            return runTools(reply, FinishReason.STOP, preset, step, stepUsage, total);
        }
        if (finalTool != null) {
            feedback.append("\nGive the answer by calling the tool ").append(finalTool).append('.');
        } else {
            feedback.append("\nReply again with only the corrected JSON value.");
        }
        if (step >= agent.maxSteps()) {
            stepDone(step, stepUsage, total);
            return Mono.error(limit(Outcome.STEP_LIMIT, budgetMessage(Outcome.STEP_LIMIT)));
        }
        append(Message.user(feedback.toString()));
        stepDone(step, stepUsage, total);
        return Mono.empty();
    }

    /** The mapped answer of a structured task that completed. */
    synchronized @Nullable Object structuredValue() {
        return structuredValue;
    }

    private static Message resultMessage(ToolCall call, ToolResult result) {
        return new Message.ToolResult(call.id(), call.name(), result.content(), result.isError(), result.media());
    }

    private void stepDone(int step, Usage stepUsage, Usage total) {
        if (hasEvents()) {
            emit(new AgentEvent.StepDone(taskId, step, stepUsage, total));
        }
    }

    /** What the run's tools may still spend ({@code ToolContext.budgetLeft}); empty when a limit is used up. */
    private java.util.Optional<Budget> budgetLeft() {
        Usage used;
        long heldTokens;
        double heldCost;
        synchronized (this) {
            used = usage;
            heldTokens = reservedTokens;
            heldCost = reservedCost;
        }
        long tokens = budget.maxTokens() == Long.MAX_VALUE
                ? Long.MAX_VALUE
                : budget.maxTokens() - used.totalTokens() - heldTokens;
        double cost = budget.maxCost() - used.cost() - heldCost;
        Duration time = timeLeft();
        if (tokens <= 0 || !(cost > 0) || time != null && (time.isNegative() || time.isZero())) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Budget(tokens, time == null ? Budget.NO_TIME_LIMIT : time, cost));
    }

    private @Nullable Outcome overBudget(Usage total) {
        Budget b = budget;
        if (total.totalTokens() > b.maxTokens()) {
            return Outcome.TOKEN_LIMIT;
        }
        if (total.cost() > b.maxCost()) {
            return Outcome.COST_LIMIT;
        }
        return null;
    }

    private String budgetMessage(Outcome outcome) {
        Budget b = budget;
        return switch (outcome) {
            case TOKEN_LIMIT -> "the task used more than its token budget (" + b.maxTokens() + " tokens)";
            case COST_LIMIT -> "the task cost more than its budget (" + b.maxCost() + ")";
            case STEP_LIMIT -> "the task reached its step limit (maxSteps=" + agent.maxSteps() + ")";
            default -> "the task ended: " + outcome;
        };
    }

    private BudgetExceededException limit(Outcome outcome, String why) {
        return new BudgetExceededException("Task " + taskId + " stopped: " + why, partial(outcome, why));
    }

    private AgentResult completed() {
        synchronized (this) {
            Outcome p = paused;
            if (p != null) {
                return partial(p, p == Outcome.AWAITING_APPROVAL
                        ? "awaiting a person's approval"
                        : "awaiting the user's answer");
            }
            return new AgentResult(taskId, lastText, transcript, steps, usage, Outcome.COMPLETED);
        }
    }

    /**
     * The run so far, made consistent: every tool call of the last assistant turn that has no
     * result yet gets an error result saying it was not run, so the transcript can be resumed.
     */
    private synchronized AgentResult partial(Outcome outcome, String why) {
        var copy = new ArrayList<Message>(transcript);
        int lastAssistant = -1;
        for (int i = copy.size() - 1; i >= 0; i--) {
            if (copy.get(i) instanceof Message.Assistant) {
                lastAssistant = i;
                break;
            }
        }
        if (lastAssistant >= 0 && copy.get(lastAssistant) instanceof Message.Assistant a && a.hasToolCalls()) {
            var answered = new java.util.HashSet<String>();
            for (int i = lastAssistant + 1; i < copy.size(); i++) {
                if (copy.get(i) instanceof Message.ToolResult r) {
                    answered.add(r.callId());
                }
            }
            for (ToolCall c : a.toolCalls()) {
                if (!answered.contains(c.id())) {
                    copy.add(new Message.ToolResult(c.id(), c.name(), "Not run: " + why + ".", true));
                }
            }
        }
        return new AgentResult(taskId, lastText, copy, steps, usage, outcome);
    }

    private AgentResult failed(Throwable error) {
        AgentResult partial = error instanceof BudgetExceededException b
                ? b.partialResult()
                : error instanceof StructuredOutputException so
                        ? so.partialResult()
                        : error instanceof ModelException m && m.partialResult().isPresent()
                                ? m.partialResult().get()
                                : partial(Outcome.FAILED,
                                        error instanceof TimeoutException ? "timed out" : "the task failed");
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        emit(new AgentEvent.Failed(taskId, error.getClass().getSimpleName(), message, partial));
        return partial;
    }

    private synchronized void append(Message m) {
        transcript.add(m);
        RunJournal j = journal;
        if (j != null) {
            j.add(new RunEntry.Appended(steps, m));
        }
    }

    /** Appends a message already journaled (a tool result, journaled when its call ended). */
    private synchronized void appendUnjournaled(Message m) {
        transcript.add(m);
    }

    private synchronized boolean isDone() {
        return done;
    }

    private synchronized Usage usageSnapshot() {
        return usage;
    }

    private boolean hasEvents() {
        return listeners != null || sink != null || journal != null;
    }

    private void emit(AgentEvent event) {
        RunJournal j = journal;
        if (j != null && !streamedOnly(event instanceof AgentEvent.SubAgentEvent nested ? nested.innermost() : event)) {
            j.add(new RunEntry.Event(event));
        }
        notifyListeners(event);
        Consumer<AgentEvent> s = sink;
        if (s != null) {
            s.accept(event);
        }
    }

    /** What the listeners enter around a tool call's start; their scopes close in reverse order. */
    private AgentEvent.Listener.@Nullable Scope enterTool(String id, ToolCall call) {
        AgentEvent.Listener @Nullable [] ls = listeners;
        if (ls == null) {
            return null;
        }
        AgentEvent.Listener.@Nullable Scope single = null;
        List<AgentEvent.Listener.Scope> all = null;
        for (AgentEvent.Listener l : ls) {
            AgentEvent.Listener.@Nullable Scope scope;
            try {
                scope = l.enterTool(id, call);
            } catch (RuntimeException e) {
                log.warn("agent listener {} failed to enter tool call {}; the task goes on", l, call.name(), e);
                scope = null;
            }
            if (scope == null) {
                continue;
            }
            if (single == null) {
                single = scope;
            } else {
                if (all == null) {
                    all = new ArrayList<>(ls.length);
                    all.add(single);
                }
                all.add(scope);
            }
        }
        if (all == null) {
            return single == null ? null : closing(single);
        }
        List<AgentEvent.Listener.Scope> scopes = all;
        return () -> {
            for (int i = scopes.size() - 1; i >= 0; i--) {
                closing(scopes.get(i)).close();
            }
        };
    }

    /** The listeners' traces of a tool call, as one; {@link ToolTrace#NONE} when none traces it. */
    private ToolTrace traceTool(String id, ToolCall call) {
        AgentEvent.Listener @Nullable [] ls = listeners;
        if (ls == null) {
            return ToolTrace.NONE;
        }
        List<ToolTrace> traces = new ArrayList<>(1);
        for (AgentEvent.Listener l : ls) {
            try {
                ToolTrace trace = l.traceTool(id, call);
                if (trace != null) {
                    traces.add(trace);
                }
            } catch (RuntimeException e) {
                log.warn("agent listener {} failed to trace tool call {}; the task goes on", l, call.name(), e);
            }
        }
        return switch (traces.size()) {
            case 0 -> ToolTrace.NONE;
            case 1 -> traces.get(0);
            default -> new ToolTraces(List.copyOf(traces));
        };
    }

    /** Several listeners' traces of one call: each gets every attribute; each injects in turn. */
    private record ToolTraces(List<ToolTrace> traces) implements ToolTrace {
        @Override
        public void attribute(String key, String value) {
            each(t -> t.attribute(key, value));
        }

        @Override
        public void attribute(String key, long value) {
            each(t -> t.attribute(key, value));
        }

        @Override
        public void inject(java.util.function.BiConsumer<String, String> carrier) {
            each(t -> t.inject(carrier));
        }

        private void each(java.util.function.Consumer<ToolTrace> action) {
            for (ToolTrace t : traces) {
                try {
                    action.accept(t);
                } catch (RuntimeException e) {
                    log.warn("a listener's tool trace failed; the task goes on", e);
                }
            }
        }
    }

    /** {@code scope}, whose failure to close is logged rather than thrown into the tool call. */
    private static AgentEvent.Listener.Scope closing(AgentEvent.Listener.Scope scope) {
        return () -> {
            try {
                scope.close();
            } catch (RuntimeException e) {
                log.warn("an agent listener's tool scope failed to close; the task goes on", e);
            }
        };
    }

    /** Events shown as they happen and not journaled: the journal keeps what they add up to. */
    private static boolean streamedOnly(AgentEvent event) {
        return event instanceof AgentEvent.TextDelta || event instanceof AgentEvent.ReasoningDelta
                || event instanceof AgentEvent.ToolProgress;
    }

    private void notifyListeners(AgentEvent event) {
        AgentEvent.Listener @Nullable [] ls = listeners;
        if (ls == null) {
            return;
        }
        for (int i = 0; i < ls.length; i++) {
            AgentEvent.Listener l = ls[i];
            try {
                if (event instanceof AgentEvent.Started started) {
                    Object @Nullable [] values = captured;
                    l.onStarted(started, values == null ? null : values[i]);
                } else {
                    l.onEvent(event);
                }
            } catch (RuntimeException e) {
                log.warn("agent listener {} failed on {}; the task goes on", l, event.getClass().getSimpleName(), e);
            }
        }
    }
}
