package dev.agentrt.core;

import dev.agentrt.core.context.TaskContext;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Principal;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One piece of work for an {@link Agent}: an input plus optional context, prior messages, extra
 * grants and the caller it runs for. Immutable: each {@code with...} returns a new task.
 *
 * <pre>{@code
 * agent.task("Summarise the open issues")
 *     .as(Principal.of("alice", "maintainer"))
 *     .withContext(TaskContext.fromDirectory(repo))
 *     .stream()
 *     .subscribe(System.out::println);
 * }</pre>
 *
 * <p>{@link #execute()} and {@link #stream()} are cold: each subscription is a new, independent run
 * with its own transcript. Cancelling the subscription cancels the model request and every
 * running tool call. Neither blocks; {@link #executeBlocking()} is the one blocking edge.
 */
public final class Task {
    private final Agent agent;
    private final String input;
    private final @Nullable TaskContext context;
    private final List<Message> messages;
    private final List<Capability> grants;
    private final Principal principal;
    private final @Nullable String id;
    /** The stored run this task resumes, or null for a new run. */
    private final @Nullable String resumes;
    /** The session this task continues, or null. */
    private final @Nullable String sessionId;
    /** Set for a sub-agent's task: what its caller bounds it by. */
    private final @Nullable Nesting nesting;

    Task(Agent agent, String input) {
        this(agent, input, null, List.of(), List.of(), Principal.ANONYMOUS, null);
    }

    private Task(Agent agent, String input, @Nullable TaskContext context, List<Message> messages,
            List<Capability> grants,
            Principal principal, @Nullable String id) {
        this(agent, input, context, messages, grants, principal, id, null, null, null);
    }

    /** Every variant of a task is made here: {@code nesting} carried by each, so no variant escapes its caller. */
    private Task(Agent agent, String input, @Nullable TaskContext context, List<Message> messages,
            List<Capability> grants, Principal principal, @Nullable String id, @Nullable String resumes,
            @Nullable String sessionId, @Nullable Nesting nesting) {
        this.resumes = resumes;
        this.sessionId = sessionId;
        this.nesting = nesting;
        this.agent = agent;
        this.input = input;
        this.context = context;
        this.messages = messages;
        this.grants = grants;
        this.principal = principal;
        this.id = id;
    }

    /**
     * This task run as a sub-agent's, within what its caller allows ({@link SubAgentTool}); every variant made of it
     * ({@link #grant}, {@link #as}, {@link #withId}, ...) stays within it.
     */
    Task nestedIn(Nesting nesting) {
        return new Task(agent, input, context, messages, grants, principal, id, resumes, sessionId,
                Objects.requireNonNull(nesting, "nesting"));
    }

    @Nullable
    Nesting nesting() {
        return nesting;
    }

    /** Documents for the task: ingested into memory when the agent has one, else listed with read access. */
    public Task withContext(TaskContext context) {
        return new Task(agent, input, Objects.requireNonNull(context, "context"), messages, grants, principal, id,
                resumes, sessionId, nesting);
    }

    /**
     * @deprecated {@code Context} is renamed {@link TaskContext}; use {@link #withContext(TaskContext)}
     */
    @Deprecated(since = "0.2", forRemoval = true)
    @SuppressWarnings("removal")
    public Task withContext(dev.agentrt.core.context.Context context) {
        return withContext(context.toTaskContext());
    }

    /**
     * Prior conversation: to continue a chat (a previous result's transcript), or to continue a run that
     * failed (the transcript of a {@code partialResult()}). The conversation sent to the model is:
     * <ol>
     *   <li>the agent's system messages (instructions, recalled memory, the context's description),
     *       each only if {@code messages} do not already hold an equal one, so a transcript that starts
     *       with the system prompt keeps the only copy of it;
     *   <li>{@code messages}, unchanged;
     *   <li>the input as a user message, unless {@code messages} are an unfinished run of this same
     *       input: they end with tool results or a user message, and their last user message is the
     *       input. Then the run is continued: the model is asked about what it has not answered yet,
     *       and tools that already ran are not run again.
     * </ol>
     * Steps and budgets count afresh in the new run.
     *
     * @throws IllegalArgumentException when an assistant turn's tool calls are not each answered by a
     *     tool result right after it (providers refuse such a conversation)
     */
    public Task withMessages(List<? extends Message> messages) {
        List<Message> copy = List.copyOf(messages);
        requireAnswered(copy);
        return new Task(agent, input, context, copy, grants, principal, id, resumes, sessionId, nesting);
    }

    private static void requireAnswered(List<Message> messages) {
        for (int i = 0, n = messages.size(); i < n; i++) {
            if (messages.get(i) instanceof Message.Assistant a && a.hasToolCalls()) {
                var open = new LinkedHashSet<String>();
                for (ToolCall c : a.toolCalls()) {
                    open.add(c.id());
                }
                for (int j = i + 1; j < n && messages.get(j) instanceof Message.ToolResult r; j++) {
                    open.remove(r.callId());
                }
                if (!open.isEmpty()) {
                    throw new IllegalArgumentException("messages[" + i + "] is an assistant turn whose tool calls "
                            + open + " have no tool result after it: add a Message.toolResult for each call "
                            + "(the transcript of a partial result always has them)");
                }
            }
        }
    }

    public Task withMessages(Message... messages) {
        return withMessages(List.of(messages));
    }

    /** Capabilities for this task only, added to the agent's. */
    public Task grant(Capability... capabilities) {
        var all = new ArrayList<>(grants);
        all.addAll(List.of(capabilities));
        return new Task(agent, input, context, messages, List.copyOf(all), principal, id, resumes, sessionId,
                nesting);
    }

    /** The caller this task runs for: the agent's grants and tool access may depend on it. */
    public Task as(Principal principal) {
        return new Task(agent, input, context, messages, grants, Objects.requireNonNull(principal, "principal"), id,
                resumes, sessionId, nesting);
    }

    /** A task id of the caller's choosing (for correlation); otherwise one is generated per run. */
    public Task withId(String id) {
        return new Task(agent, input, context, messages, grants, principal, Objects.requireNonNull(id, "id"),
                resumes, sessionId, nesting);
    }

    /**
     * This task with a typed answer: the model is asked for JSON matching {@code type}'s strict
     * schema ({@code TypeSchema.of(type)}: a record or a class with properties), which is validated
     * and mapped to a {@code T} by the same binding tools use.
     *
     * @throws IllegalArgumentException when {@code type} has no strict JSON Schema (not an object
     *         type, or holding a map, a {@code JsonValue}, {@code Object}...)
     */
    public <T> StructuredTask<T> returning(Class<T> type) {
        return new StructuredTask<>(this, type);
    }

    /**
     * Runs the task; emits the result on a final answer, or an error: a {@link BudgetExceededException},
     * a {@link ModelException} (after the agent's {@code modelRetry} retries), a
     * {@link StructuredOutputException}... Each of those carries the run so far as its
     * {@code partialResult()}, which {@link #withMessages} continues.
     */
    public Mono<AgentResult> execute() {
        Object @Nullable [] captured = TaskRun.captureContexts(agent);
        if (agent.runStore() != null) {
            return Mono.defer(() -> TaskRun.durable(agent, this, null, null, captured).flatMap(TaskRun::run));
        }
        return Mono.defer(() -> new TaskRun(agent, this, null, null, captured).run());
    }

    /** Runs the task and emits its events, ending with {@link AgentEvent.Completed} (then completes) or {@link AgentEvent.Failed} (then errors). */
    public Flux<AgentEvent> stream() {
        return stream(null);
    }

    Flux<AgentEvent> stream(@Nullable StructuredOutput output) {
        Object @Nullable [] captured = TaskRun.captureContexts(agent);
        return Flux.create(sink -> {
            Mono<AgentResult> run = agent.runStore() != null
                    ? TaskRun.durable(agent, this, sink::next, output, captured).flatMap(TaskRun::run)
                    : new TaskRun(agent, this, sink::next, output, captured).run();
            Disposable d = run.subscribe(r -> sink.complete(), sink::error);
            sink.onCancel(d);
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    /** Blocks until the task ends. For programs' main methods and tests, never inside a reactive chain. */
    public AgentResult executeBlocking() {
        AgentResult r = execute().block();
        if (r == null) {
            throw new AgentException("task produced no result");
        }
        return r;
    }

    /** A task that resumes the stored run {@code runId} (its input, principal and grants come from the store). */
    static Task resuming(Agent agent, String runId) {
        return new Task(agent, "", null, List.of(), List.of(), Principal.ANONYMOUS, runId, runId, null, null);
    }

    /** A task of the session {@code sessionId}: it continues from the session's last stored run. */
    static Task inSession(Agent agent, String input, String sessionId) {
        return new Task(agent, input, null, List.of(), List.of(), Principal.ANONYMOUS, null, null, sessionId, null);
    }

    Agent agent() {
        return agent;
    }

    @Nullable
    String resumes() {
        return resumes;
    }

    @Nullable
    String sessionId() {
        return sessionId;
    }

    String input() {
        return input;
    }

    @Nullable
    TaskContext context() {
        return context;
    }

    List<Message> messages() {
        return messages;
    }

    List<Capability> grants() {
        return grants;
    }

    Principal principal() {
        return principal;
    }

    String newRunId() {
        if (id != null) {
            return id;
        }
        if (agent.runStore() != null && nesting == null) {
            // Unique across processes sharing the store (a sub-agent's run is not stored: its caller's journal has it).
            return "run-" + dev.agentrt.core.internal.RunIds.uuid();
        }
        return "task-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }
}
