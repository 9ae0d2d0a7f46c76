package dev.agentrt.core;

import dev.agentrt.core.memory.ConversationWindow;
import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatModels;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.RetryPolicy;
import dev.agentrt.core.run.PendingCall;
import dev.agentrt.core.run.RunEntry;
import dev.agentrt.core.run.RunEvent;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreException;
import dev.agentrt.core.security.ApprovalHandler;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolAccess;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.core.tool.ToolSource;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * An AI agent: a model, instructions, tools and what the agent is allowed to do with them.
 *
 * <pre>{@code
 * Agent agent = Agent.builder()
 *     .model(model)
 *     .instructions("You are a careful software engineer.")
 *     .tools(readFile, search)
 *     .grant(Capability.fileRead(project))
 *     .maxSteps(20)
 *     .build();
 * AgentResult result = agent.task("List the bugs in Main.java").execute().block();
 * }</pre>
 *
 * <p>Immutable and thread-safe: one agent serves any number of concurrent tasks, each with its own
 * transcript. {@link #toBuilder()} makes a variant. Building fails with an
 * {@code IllegalStateException} or {@code IllegalArgumentException} naming the setting that is
 * missing or contradicts another.
 */
public final class Agent {
    /**
     * The default {@link Builder#modelRetry}: 2 retries of a step's model call, after about 1 s and
     * 2 s (25% jitter).
     */
    public static final RetryPolicy DEFAULT_MODEL_RETRY = new RetryPolicy(2, Duration.ofSeconds(1),
            Duration.ofSeconds(30), 0.25, Duration.ZERO);

    private final ChatModel model;
    private final String instructions;
    private final List<String> toolInstructions;
    private final ToolRegistry tools;
    private final List<Capability> grants;
    private final Function<Principal, ? extends Collection<Capability>> grantsFor;
    private final ToolAccess toolAccess;
    private final @Nullable Memory memory;
    private final String memoryNamespace;
    private final int recallLimit;
    private final int recallTokenBudget;
    private final int maxSteps;
    private final int maxConcurrentToolCalls;
    private final Duration toolTimeout;
    private final int maxNestedToolCalls;
    private final @Nullable ApprovalHandler approvals;
    private final List<AgentEvent.Listener> listeners;
    private final Budget budget;
    private final RetryPolicy modelRetry;
    private final ChatOptions options;
    private final ConversationWindow window;
    private final Grants baseGrants;
    private final String name;
    private final String version;
    private final @Nullable RunStore runStore;
    private final Duration leaseTime;

    private Agent(Builder b, ChatModel model, ToolRegistry tools) {
        this.model = model;
        this.instructions = b.instructions;
        this.toolInstructions = List.copyOf(b.toolInstructions);
        this.tools = tools;
        this.grants = List.copyOf(b.grants);
        this.grantsFor = b.grantsFor;
        this.toolAccess = b.toolAccess;
        this.memory = b.memory;
        this.memoryNamespace = b.memoryNamespace;
        this.recallLimit = b.recallLimit;
        this.recallTokenBudget = b.recallTokenBudget;
        this.maxSteps = b.maxSteps;
        this.maxConcurrentToolCalls = b.maxConcurrentToolCalls;
        this.toolTimeout = b.toolTimeout;
        this.maxNestedToolCalls = b.maxNestedToolCalls;
        this.approvals = b.approvals;
        this.listeners = List.copyOf(b.listeners);
        this.budget = b.budget;
        this.modelRetry = b.modelRetry;
        this.options = b.options;
        this.window = b.window;
        this.baseGrants = Grants.of(grants);
        this.name = b.name;
        this.version = b.version;
        this.runStore = b.runStore;
        if (runStore != null) {
            // Run ids are drawn when tasks start, maybe on an event loop: seed their generator here.
            dev.agentrt.core.internal.RunIds.warm();
        }
        this.leaseTime = b.leaseTime;
    }

    /**
     * How deep sub-agents may nest ({@link #asTool}): an agent's sub-agent's sub-agent... up to this many levels
     * below the task's own agent. A call that would go deeper is refused with an error result.
     */
    public static final int MAX_SUB_AGENT_DEPTH = 5;

    public static Builder builder() {
        return new Builder();
    }

    /**
     * This agent as a tool of another: each call runs a task of this agent with the call's {@code task} (and
     * optional {@code context}) as input, and its answer is the call's result.
     *
     * <pre>{@code
     * Agent researcher = Agent.builder().model(model).tools(webSearch).grant(Capability.net("*")).build();
     * Agent lead = Agent.builder().model(model)
     *     .tools(researcher.asTool("research", "Researches a question on the web and reports what it found"))
     *     .grant(Capability.net("docs.oracle.com"))
     *     .build();
     * }</pre>
     *
     * <p>It never adds authority: the sub-agent's task runs for the caller's principal, with the intersection of
     * its own grants and the caller's ({@link Grants#intersect}); a capability the intersection lacks must be
     * allowed by both sides, each by its grants or its approval handler. Its token, cost and wall-time budgets are
     * the smaller of its own and what the calling task has left, and what it spends is charged to the calling task
     * (in its usage and its budget) as each of its steps ends; the caller's {@code toolTimeout} bounds the call too.
     * Its events reach the caller's stream and listeners as {@link AgentEvent.SubAgentEvent}s under the call (its
     * own listeners receive them too). Cancelling the calling task cancels it. A failure (a budget used up, a model
     * error) is an error result for the caller's model. A call that would run an agent already running in the chain
     * of calls (A → B → A), or nest deeper than {@link #MAX_SUB_AGENT_DEPTH}, is refused. The caller's journal records
     * the call, its nested events and its result. When the calling run is journaled and this agent has a run store
     * of its own ({@link Builder#runStore}; it does not inherit the caller's), each call is a durable run in that
     * store too, with the id {@code <caller's run id>/<step>/<call id>} (a digest when longer than a store's ids),
     * which the nested {@link AgentEvent.Started} names: if the process dies during the call, resuming the caller
     * runs the call again, and the call resumes that run from its journal, or gives the answer it recorded,
     * instead of starting over. A stored run under that id that is another agent's, another task's or another
     * principal's, or one that cannot be read, is an error result, and nothing is run.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public Tool asTool(String name, String description) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        return new SubAgentTool(this, name, description);
    }

    /** A builder holding this agent's settings, to make a variant. */
    public Builder toBuilder() {
        var b = new Builder();
        b.model = model;
        b.instructions = instructions;
        b.toolInstructions.addAll(toolInstructions);
        b.tools.addAll(tools.tools());
        b.grants.addAll(grants);
        b.grantsFor = grantsFor;
        b.toolAccess = toolAccess;
        b.memory = memory;
        b.memoryNamespace = memoryNamespace;
        b.recallLimit = recallLimit;
        b.recallTokenBudget = recallTokenBudget;
        b.maxSteps = maxSteps;
        b.maxConcurrentToolCalls = maxConcurrentToolCalls;
        b.toolTimeout = toolTimeout;
        b.maxNestedToolCalls = maxNestedToolCalls;
        b.approvals = approvals;
        b.listeners.addAll(listeners);
        b.budget = budget;
        b.modelRetry = modelRetry;
        b.options = options;
        b.window = window;
        b.name = name;
        b.version = version;
        b.runStore = runStore;
        b.leaseTime = leaseTime;
        return b;
    }

    /** A task for this agent. Nothing runs until {@link Task#execute()} or {@link Task#stream()} is subscribed. */
    public Task task(String input) {
        return new Task(this, Objects.requireNonNull(input, "input"));
    }

    /**
     * Resumes a stored run ({@link Builder#runStore}) after a crash or a pause, in this or any other process that
     * builds the same agent: {@code agent.resume(runId).execute()}. What the journal holds is not done again:
     * completed model replies and finished tool calls come from it. A tool call that started and has no result
     * is in doubt: it runs again only if its tool is {@linkplain Tool#idempotent() idempotent}; otherwise the
     * model is told it may or may not have run. The run fails with {@link RunStoreException.UnknownRun},
     * {@link RunStoreException.RunLeased} (it is running elsewhere now) or {@link RunStoreException.InvalidState}
     * (it has ended, or still awaits a decision or an answer).
     */
    public Task resume(String runId) {
        requireStore("resume");
        return Task.resuming(this, Objects.requireNonNull(runId, "runId"));
    }

    /**
     * Records a person's decision on a tool call that a paused run ({@link RunStatus#AWAITING_APPROVAL}) awaits;
     * {@link #resume} then continues the run. Fails with {@link RunStoreException.InvalidState}, changing
     * nothing, when the call is not pending (or was decided already) or the run is not paused, and with
     * {@link RunStoreException.UnknownRun} for an unknown run.
     */
    public Mono<Void> approve(String runId, String callId, Decision decision) {
        Objects.requireNonNull(decision, "decision");
        if (decision.deferred()) {
            throw new IllegalArgumentException("a person's decision approves or denies; it cannot be deferred");
        }
        return RunJournal.decide(this, requireStore("approve"), runId, callId, new RunEntry.Decided(callId,
                decision));
    }

    /**
     * Answers the question a tool asked in a run paused for it ({@link RunStatus#AWAITING_INPUT}); {@link #resume}
     * then continues the run. For {@link ToolResult#inputRequired(String)} the answer is the call's result; for
     * {@link ToolResult#inputRequired(dev.agentrt.core.tool.InputRequest)} the call runs again and its tool sees the
     * answer ({@link dev.agentrt.core.tool.ToolContext#answered()}). A question with an answer schema
     * ({@link PendingCall#answerSchema()}) takes only JSON text matching it: any other fails with
     * {@code IllegalArgumentException} saying what is wrong, and nothing is recorded. Fails otherwise as
     * {@link #approve} does.
     */
    public Mono<Void> answer(String runId, String callId, String text) {
        Objects.requireNonNull(text, "text");
        return RunJournal.decide(this, requireStore("answer"), runId, callId, new RunEntry.Answered(callId, text));
    }

    /**
     * The tool calls a stored run waits on: the approvals and questions of a paused run (none for a run that is
     * not paused).
     */
    public Flux<PendingCall> pending(String runId) {
        return RunJournal.pending(requireStore("pending"), Objects.requireNonNull(runId, "runId"));
    }

    /**
     * A stored run's events from {@code fromSequence} on (1 for all), then, while the run goes on (in this
     * process or another), its new events as they are journaled, until it ends or pauses. Each carries its
     * sequence number: a client that reconnects asks from the last it saw plus one and misses nothing. Streamed
     * deltas are not journaled. New events of a run in another process are seen by polling the store every
     * {@code pollInterval}.
     */
    public Flux<RunEvent> events(String runId, long fromSequence, Duration pollInterval) {
        return RunJournal.events(requireStore("events"), Objects.requireNonNull(runId, "runId"), fromSequence,
                pollInterval);
    }

    /** {@link #events(String, long, Duration)}, polling every 200 ms. */
    public Flux<RunEvent> events(String runId, long fromSequence) {
        return events(runId, fromSequence, Duration.ofMillis(200));
    }

    /**
     * A conversation that spans tasks and restarts: each {@code session(id).task(input)} continues from the
     * transcript of the session's last run, tool calls and results included, read from the run store; the
     * agent's {@link Builder#window conversation window} decides what of it the model sees.
     */
    public Session session(String sessionId) {
        requireStore("session");
        return new Session(this, sessionId);
    }

    private RunStore requireStore(String what) {
        RunStore store = runStore;
        if (store == null) {
            throw new IllegalStateException(what + " needs a run store: build the agent with runStore(...)");
        }
        return store;
    }

    /** The agent's name, kept with its stored runs (default {@code "agent"}). */
    public String name() {
        return name;
    }

    /** The agent's version, kept with its stored runs (default {@code "1"}). */
    public String version() {
        return version;
    }

    /** Where runs are journaled, or null when they are not. */
    public @Nullable RunStore runStore() {
        return runStore;
    }

    /** How long a run's lease lasts between renewals (default 30 s; renewed every third of it). */
    public Duration leaseTime() {
        return leaseTime;
    }

    public ChatModel model() {
        return model;
    }

    public String instructions() {
        return instructions;
    }

    /**
     * What the agent's tool sources ask the model to be told ({@link ToolSource#instructions()}, an
     * MCP server's instructions), in the order the sources were added; each becomes a system message.
     */
    public List<String> toolInstructions() {
        return toolInstructions;
    }

    public ToolRegistry tools() {
        return tools;
    }

    public @Nullable Memory memory() {
        return memory;
    }

    public String memoryNamespace() {
        return memoryNamespace;
    }

    public int recallLimit() {
        return recallLimit;
    }

    /** The most tokens (estimated at four characters each) recalled memory may add to a task's prompt. */
    public int recallTokenBudget() {
        return recallTokenBudget;
    }

    public int maxSteps() {
        return maxSteps;
    }

    public int maxConcurrentToolCalls() {
        return maxConcurrentToolCalls;
    }

    public Duration toolTimeout() {
        return toolTimeout;
    }

    /** How many other tools one tool call may call (code mode); see {@link Builder#maxNestedToolCalls}. */
    public int maxNestedToolCalls() {
        return maxNestedToolCalls;
    }

    public @Nullable ApprovalHandler approvals() {
        return approvals;
    }

    public List<AgentEvent.Listener> listeners() {
        return listeners;
    }

    public Budget budget() {
        return budget;
    }

    /** How the loop retries a model call that failed in a way that may pass (see {@link Builder#modelRetry}). */
    public RetryPolicy modelRetry() {
        return modelRetry;
    }

    public ChatOptions options() {
        return options;
    }

    public ConversationWindow window() {
        return window;
    }

    public ToolAccess toolAccess() {
        return toolAccess;
    }

    /** What the agent grants every task run for {@code principal} (before task-specific grants). */
    public Grants grantsFor(Principal principal) {
        Collection<Capability> extra = grantsFor.apply(principal);
        return extra == null || extra.isEmpty() ? baseGrants : baseGrants.with(extra);
    }

    /**
     * Configures an {@link Agent}. Not thread-safe; {@link #build()} copies everything into an
     * immutable agent, so one builder can build several.
     */
    public static final class Builder {
        private @Nullable ChatModel model;
        private String instructions = "";
        private final List<String> toolInstructions = new ArrayList<>();
        private final List<Tool> tools = new ArrayList<>();
        private final List<Capability> grants = new ArrayList<>();
        private Function<Principal, ? extends Collection<Capability>> grantsFor = p -> List.of();
        private ToolAccess toolAccess = ToolAccess.ALL;
        private @Nullable Memory memory;
        private String memoryNamespace = "default";
        private int recallLimit = 5;
        private boolean recallLimitSet;
        private int recallTokenBudget = 2_000;
        private int maxSteps = 10;
        private int maxConcurrentToolCalls = 8;
        private Duration toolTimeout = Duration.ofSeconds(60);
        private int maxNestedToolCalls = ToolExecution.DEFAULT_MAX_NESTED_CALLS;
        private @Nullable ApprovalHandler approvals;
        private final List<AgentEvent.Listener> listeners = new ArrayList<>();
        private Budget budget = Budget.UNLIMITED;
        private RetryPolicy modelRetry = DEFAULT_MODEL_RETRY;
        private ChatOptions options = ChatOptions.DEFAULTS;
        private ConversationWindow window = ConversationWindow.UNBOUNDED;
        private String name = "agent";
        private String version = "1";
        private @Nullable RunStore runStore;
        private Duration leaseTime = Duration.ofSeconds(30);

        private Builder() {}

        /** The language model. Required. */
        public Builder model(ChatModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * The language model by name, {@code "anthropic:claude-sonnet-4-5"}, {@code "openai:gpt-4.1-mini"},
         * {@code "ollama:qwen3:4b"}, {@code "local:/models/qwen3"}...: the prefix picks the provider and its key comes
         * from the provider's usual environment variable. See {@link ChatModels#byName(String)}; use
         * {@link ChatModels#byName(String, java.util.function.Function)} to read settings from elsewhere, and the
         * providers' builders for settings a name cannot carry.
         *
         * @throws IllegalArgumentException for a malformed name or an unknown prefix (the message lists the known ones)
         * @throws IllegalStateException when the key the provider needs is not set (the message names the variable)
         */
        public Builder model(String name) {
            this.model = ChatModels.byName(Objects.requireNonNull(name, "model"));
            return this;
        }

        /** The system prompt. */
        public Builder instructions(String instructions) {
            this.instructions = Objects.requireNonNull(instructions, "instructions");
            return this;
        }

        /**
         * Adds tools, one by one or in groups (a {@link ToolSource} such as the file system tools of a
         * directory or an MCP server's tools). Names must be unique.
         */
        public Builder tools(ToolSource... sources) {
            for (ToolSource source : sources) {
                tools(Objects.requireNonNull(source, "tool").tools());
                String text = source.instructions();
                if (text != null && !text.isBlank()) {
                    toolInstructions.add(text);
                }
            }
            return this;
        }

        /** Adds tools. Names must be unique. */
        public Builder tools(Collection<? extends Tool> tools) {
            for (Tool t : tools) {
                this.tools.add(Objects.requireNonNull(t, "tool"));
            }
            return this;
        }

        /** Grants capabilities to every task of the agent. */
        public Builder grant(Capability... capabilities) {
            for (Capability c : capabilities) {
                grants.add(Objects.requireNonNull(c, "capability"));
            }
            return this;
        }

        /** Grants that depend on who runs the task ({@link Task#as}), added to {@link #grant}'s. */
        public Builder grantsFor(Function<Principal, ? extends Collection<Capability>> grantsFor) {
            this.grantsFor = Objects.requireNonNull(grantsFor, "grantsFor");
            return this;
        }

        /** Which tools a caller may use; the others are never shown to the model. */
        public Builder toolAccess(ToolAccess toolAccess) {
            this.toolAccess = Objects.requireNonNull(toolAccess, "toolAccess");
            return this;
        }

        /** Long-term memory: recalled before each task, and where directory contexts are ingested. */
        public Builder memory(Memory memory) {
            this.memory = Objects.requireNonNull(memory, "memory");
            return this;
        }

        /** The memory namespace this agent reads and writes (default {@code "default"}). */
        public Builder memoryNamespace(String namespace) {
            this.memoryNamespace = Objects.requireNonNull(namespace, "memoryNamespace");
            return this;
        }

        /** How many memories to recall for a task (default 5). */
        public Builder recallLimit(int limit) {
            this.recallLimit = limit;
            this.recallLimitSet = true;
            return this;
        }

        /**
         * The most tokens recalled memory may add to a task's prompt (default 2,000), estimated at four characters per
         * token, source lines included. Hits are added best first; one that does not fit is left out and smaller ones
         * after it may still be added.
         */
        public Builder recallTokenBudget(int tokens) {
            this.recallTokenBudget = tokens;
            this.recallLimitSet = true;
            return this;
        }

        /**
         * The most steps (model turns) a task may take (default 10); retries of a step's model call
         * ({@link #modelRetry}) do not count.
         */
        public Builder maxSteps(int maxSteps) {
            this.maxSteps = maxSteps;
            return this;
        }

        /** How many tool calls of one step may run at the same time (default 8). */
        public Builder maxConcurrentToolCalls(int max) {
            this.maxConcurrentToolCalls = max;
            return this;
        }

        /** How long one tool call may run before it is cancelled (default 60 s). */
        public Builder toolTimeout(Duration timeout) {
            this.toolTimeout = Objects.requireNonNull(timeout, "toolTimeout");
            return this;
        }

        /**
         * How many other tools one tool call may call through {@code ToolContext.callTool} (default 50): the
         * calls a {@code code_executor} script makes with {@code tools.name(...)}, say. Calls past it fail in the
         * script with an error; 0 turns code mode's tool calls off.
         */
        public Builder maxNestedToolCalls(int max) {
            this.maxNestedToolCalls = max;
            return this;
        }

        /** Asked when a call needs capabilities the task lacks; without one, such calls are denied. */
        public Builder approvals(ApprovalHandler approvals) {
            this.approvals = Objects.requireNonNull(approvals, "approvals");
            return this;
        }

        /** Receives every event of every task. */
        public Builder listener(AgentEvent.Listener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Token, time and cost limits per task. */
        public Builder budget(Budget budget) {
            this.budget = Objects.requireNonNull(budget, "budget");
            return this;
        }

        /**
         * How a step whose model call fails in a way that may pass ({@link ModelException#isRetryable()}:
         * a connection reset in the middle of the reply, an error event from an overloaded provider, a
         * 429 or 5xx the client gave up on) is retried: the same conversation is sent again after the
         * policy's backoff, at most {@code maxRetries} times per step. A model call has no side effects,
         * so nothing else is repeated: tools that already ran stay run, and a failed reply's tool calls
         * never run. Retries stay within the task's budget: a wait that would outlast the wall-time
         * budget is not started (the task fails with the model's error at once), and cancelling the task
         * during a wait ends it at once. The policy's {@code maxRetryAfter} is not used here. Hosted
         * clients retry failures before a reply starts under their own {@code RetryPolicy}; this one
         * comes on top. {@link RetryPolicy#NONE} turns retrying off. Default
         * {@link Agent#DEFAULT_MODEL_RETRY}.
         */
        public Builder modelRetry(RetryPolicy policy) {
            this.modelRetry = Objects.requireNonNull(policy, "modelRetry");
            return this;
        }

        /** Generation settings sent with every model request. */
        public Builder options(ChatOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /** Which part of the transcript is sent to the model (default: all of it). */
        public Builder window(ConversationWindow window) {
            this.window = Objects.requireNonNull(window, "window");
            return this;
        }

        /** The agent's name, kept with its stored runs. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The agent's version, kept with its stored runs so that a resume by a changed agent can be told. */
        public Builder version(String version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /**
         * Journals every run in {@code store}, write-ahead, so that it survives a crash, can pause for a person
         * and resumes in any process ({@link Agent#resume}). Without one, nothing is journaled and nothing is
         * slower.
         */
        public Builder runStore(RunStore store) {
            this.runStore = Objects.requireNonNull(store, "runStore");
            return this;
        }

        /**
         * How long a run's lease lasts (default 30 s): a process that dies holding it blocks a resume elsewhere
         * until then. Renewed every third of it while the run goes on.
         */
        public Builder leaseTime(Duration leaseTime) {
            this.leaseTime = Objects.requireNonNull(leaseTime, "leaseTime");
            return this;
        }

        public Agent build() {
            ChatModel m = model;
            if (m == null) {
                throw new IllegalStateException("model is not set: call Agent.builder().model(...)");
            }
            if (maxSteps < 1) {
                throw new IllegalArgumentException("maxSteps must be at least 1, was " + maxSteps);
            }
            if (maxConcurrentToolCalls < 1) {
                throw new IllegalArgumentException("maxConcurrentToolCalls must be at least 1, was "
                        + maxConcurrentToolCalls);
            }
            if (toolTimeout.isNegative() || toolTimeout.isZero()) {
                throw new IllegalArgumentException("toolTimeout must be positive, was " + toolTimeout);
            }
            if (maxNestedToolCalls < 0) {
                throw new IllegalArgumentException("maxNestedToolCalls must not be negative, was "
                        + maxNestedToolCalls);
            }
            if (budget.hasTimeLimit() && toolTimeout.compareTo(budget.maxWallTime()) > 0) {
                throw new IllegalArgumentException(
                        "toolTimeout (" + toolTimeout + ") is longer than budget.maxWallTime ("
                                + budget.maxWallTime() + "): lower toolTimeout or raise the budget");
            }
            if (recallLimitSet && memory == null) {
                throw new IllegalStateException(
                        "recallLimit or recallTokenBudget is set but memory is not: call memory(...) or drop them");
            }
            if (recallTokenBudget < 1) {
                throw new IllegalArgumentException("recallTokenBudget must be at least 1, was " + recallTokenBudget);
            }
            if (recallLimit < 1) {
                throw new IllegalArgumentException("recallLimit must be at least 1, was " + recallLimit);
            }
            if (leaseTime.toMillis() < 3) {
                throw new IllegalArgumentException("leaseTime must be at least 3 ms, was " + leaseTime);
            }
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            if (memoryNamespace.isBlank()) {
                throw new IllegalArgumentException("memoryNamespace must not be blank");
            }
            ToolRegistry registry;
            try {
                registry = ToolRegistry.of(tools);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tools: " + e.getMessage(), e);
            }
            return new Agent(this, m, registry);
        }
    }
}
