package dev.agentrt.core.internal;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.Budget;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.security.ApprovalHandler;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ServerTelemetry;
import dev.agentrt.core.tool.ToolAccess;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.core.tool.ToolTrace;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The state a task's tool calls share on top of its immutable {@link ToolExecution} policy: the step
 * the loop is in (events carry it) and the grants, which an approval "for the task" extends. The loop
 * keeps one per task and runs its calls through {@link #execute}; {@link ToolRegistry#execute} makes one
 * per call. Kept out of the API so that no user can move a task's step or widen its grants.
 *
 * <p>Thread-safe: the calls of one step run concurrently and may each extend the grants.
 */
public final class ToolSession {
    private static volatile @Nullable Dispatch dispatch;

    private final ToolExecution policy;
    private final @Nullable Consumer<AgentEvent> events;
    /** The task's session, for a nested one (the calls a running tool makes); null for the task's own. */
    private final @Nullable ToolSession root;
    /** The call whose tool makes this session's calls; null for the task's own session. */
    private final @Nullable ToolCall parent;
    private volatile Grants grants;
    private volatile int step = 1;
    private volatile @Nullable Function<ToolCall, Mono<Void>> starting;
    private volatile boolean canPause;
    private volatile boolean canAwaitInput;
    /** The answers the calls re-run after a question see (ToolContext.answered), by call id. */
    private final Map<String, ToolContext.Answer> answers = new ConcurrentHashMap<>();
    private volatile @Nullable BiFunction<String, ToolCall, AgentEvent.Listener.@Nullable Scope> entering;
    private volatile @Nullable BiFunction<String, ToolCall, ToolTrace> tracing;
    private volatile @Nullable Account account;

    public ToolSession(ToolExecution policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.events = policy.events();
        this.grants = policy.grants();
        this.root = null;
        this.parent = null;
    }

    private ToolSession(ToolSession root, ToolCall parent) {
        this.policy = root.policy;
        this.events = root.events;
        this.grants = root.grants;
        this.root = root;
        this.parent = parent;
    }

    /**
     * The session of the calls {@code parent}'s tool makes itself (code mode): the task's grants, approvals,
     * step and events, but no write-ahead hook (a durable run journals the parent call, whose tool is what
     * resumes) and no pause (the tool waits for the answer, so a deferred approval denies).
     */
    public ToolSession nested(ToolCall parent) {
        return new ToolSession(root != null ? root : this, Objects.requireNonNull(parent, "parent"));
    }

    /** The call whose tool makes this session's calls, or null for the task's own calls. */
    public @Nullable ToolCall parent() {
        return parent;
    }

    /**
     * ToolRegistry's path for a session, which its public API cannot name (this class is internal).
     * ToolRegistry installs it when its class initialises, before any registry exists to be passed here.
     */
    public interface Dispatch {
        Mono<ToolResult> execute(ToolRegistry registry, ToolCall call, ToolSession session);
    }

    /** Called once, by ToolRegistry's static initialiser. */
    public static void install(Dispatch registryPath) {
        dispatch = Objects.requireNonNull(registryPath, "registryPath");
    }

    /** Runs one call of this task through {@code registry}, as {@link ToolRegistry#execute} does. */
    public Mono<ToolResult> execute(ToolRegistry registry, ToolCall call) {
        Dispatch path = dispatch;
        if (path == null) {
            throw new IllegalStateException("ToolRegistry is not initialised");
        }
        return path.execute(registry, call, this);
    }

    /** The specs of the tools this task's caller may use. */
    public List<ToolSpec> specs(ToolRegistry registry) {
        return registry.specs(policy);
    }

    public ToolExecution policy() {
        return policy;
    }

    public String taskId() {
        return policy.taskId();
    }

    public Principal principal() {
        return policy.principal();
    }

    public @Nullable ApprovalHandler approvals() {
        return policy.approvals();
    }

    public Duration timeout() {
        return policy.timeout();
    }

    public ToolAccess access() {
        return policy.access();
    }

    /** The policy's grants plus what approvers granted for the task so far. */
    public Grants grants() {
        ToolSession r = root;
        return r != null ? r.grants() : grants;
    }

    public int step() {
        ToolSession r = root;
        return r != null ? r.step() : step;
    }

    /** Sets the step number events carry. Called by the agent loop between steps. */
    public void step(int step) {
        this.step = step;
    }

    /** Whether anyone listens; the registry builds no event objects otherwise. */
    public boolean hasEvents() {
        return events != null;
    }

    public void emit(AgentEvent event) {
        Consumer<AgentEvent> sink = events;
        if (sink != null) {
            sink.accept(event);
        }
    }

    /**
     * Called with each call that passed its permission check, right before the tool runs; the tool runs once the
     * returned {@code Mono} completes (a durable run journals the start there, write-ahead). Null for none.
     */
    public void starting(@Nullable Function<ToolCall, Mono<Void>> hook) {
        this.starting = hook;
    }

    public @Nullable Function<ToolCall, Mono<Void>> starting() {
        return root != null ? null : starting;
    }

    /**
     * Called on the thread that starts each call, around the tool's start (see
     * {@link AgentEvent.Listener#enterTool}); null for nothing to enter.
     */
    public void entering(@Nullable BiFunction<String, ToolCall, AgentEvent.Listener.@Nullable Scope> hook) {
        this.entering = hook;
    }

    /** Enters what the {@link #entering} hook makes current for {@code call}; null for nothing. Never throws. */
    public AgentEvent.Listener.@Nullable Scope enter(ToolCall call) {
        var hook = root != null ? root.entering : entering;
        if (hook != null) {
            return hook.apply(policy.taskId(), call);
        }
        ServerTelemetry.Call served = policy.servedCall();
        if (served == null) {
            return null;
        }
        try {
            return served.enter();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Called for each call's {@link dev.agentrt.core.tool.ToolContext#trace()}; null for none. */
    public void tracing(@Nullable BiFunction<String, ToolCall, ToolTrace> hook) {
        this.tracing = hook;
    }

    /** The trace of {@code call}: the {@link #tracing} hook's, else the served request's, else none. */
    public ToolTrace trace(ToolCall call) {
        var hook = root != null ? root.tracing : tracing;
        if (hook != null) {
            return hook.apply(policy.taskId(), call);
        }
        ServerTelemetry.Call served = policy.servedCall();
        return served != null ? served : ToolTrace.NONE;
    }

    /** Whether a deferred approval pauses the run (it has a run store to wait in) rather than denies the call. */
    public void canPause(boolean canPause) {
        this.canPause = canPause;
    }

    public boolean canPause() {
        return root == null && canPause;
    }

    /** Whether a tool's question ({@code ToolResult.inputRequired(InputRequest)}) pauses the run to be answered. */
    public void canAwaitInput(boolean canAwaitInput) {
        this.canAwaitInput = canAwaitInput;
    }

    /** Whether this session's calls may pause the run with a question: the task's own calls in a durable run. */
    public boolean canAwaitInput() {
        return root == null && canAwaitInput;
    }

    /** Gives the call {@code callId}, run again after its question was answered, the answer. */
    public void answer(String callId, ToolContext.Answer answer) {
        answers.put(Objects.requireNonNull(callId, "callId"), Objects.requireNonNull(answer, "answer"));
    }

    /** The answer the call {@code callId} of this task's own calls is re-run with; empty for none. */
    public Optional<ToolContext.Answer> answered(String callId) {
        return root != null ? Optional.empty() : Optional.ofNullable(answers.get(callId));
    }

    /**
     * A call's approval was deferred to a person: the call's {@code Mono} fails with this, and the run pauses once
     * the step's other calls are done.
     */
    public static final class Paused extends RuntimeException {
        private final ToolCall call;
        private final List<Capability> missing;
        private final String reason;

        public Paused(ToolCall call, List<Capability> missing, String reason) {
            super("awaiting approval of call " + call.id(), null, false, false);
            this.call = call;
            this.missing = List.copyOf(missing);
            this.reason = reason;
        }

        public ToolCall call() {
            return call;
        }

        public List<Capability> missing() {
            return missing;
        }

        public String reason() {
            return reason;
        }
    }

    /** The task's budget as its tools see it ({@code ToolContext.budgetLeft}, {@code charge}). */
    public interface Account {
        /** What is left: the limits less what was spent and what calls hold reserved. */
        Optional<Budget> left();

        void charge(Usage usage);

        /**
         * Holds up to {@code wanted}'s tokens and cost out of what is left, so that others' {@link #left()} no longer
         * counts them; returns what is held (each limit at most what was left; the time limit what is left of it),
         * or empty when a limit is used up. Released with {@link #release}.
         */
        Optional<Budget> reserve(Budget wanted);

        /** Gives back {@code tokens} and {@code cost} a {@link #reserve} held. */
        void release(long tokens, double cost);
    }

    /** The task's budget account; the agent loop sets it, a registry driven by hand has none. */
    public void account(@Nullable Account account) {
        this.account = account;
    }

    public @Nullable Account account() {
        return root != null ? root.account : account;
    }

    /** Adds capabilities an approver granted for the rest of the task. */
    public void extend(List<Capability> approved) {
        ToolSession r = root;
        if (r != null) {
            r.extend(approved);
            return;
        }
        synchronized (this) {
            grants = grants.with(approved);
        }
    }
}
