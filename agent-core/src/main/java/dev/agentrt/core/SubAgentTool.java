package dev.agentrt.core;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreException;
import dev.agentrt.core.security.ApprovalHandler;
import dev.agentrt.core.security.ApprovalRequest;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * An agent as another agent's tool ({@link Agent#asTool}). Each call runs a task of the sub-agent with the call's
 * {@code task} as input, for the caller's principal, under the intersection of the sub-agent's grants and the
 * caller's, with a budget no larger than what the caller has left, which the call holds ({@link ToolContext#reserve})
 * so that sub-agents running side by side cannot together spend more than the caller has (a sub-agent without a
 * budget of its own holds all that is left, and one started beside it then finds none); the sub-agent's events go to
 * the caller's stream nested under the call, and what it spends is charged to the caller as each of its steps ends. Its answer is the
 * call's result; its failure (a budget used up, a model error) is an error result for the caller's model.
 * Cancelling the call cancels the sub-agent's run.
 *
 * <p>Called from a journaled run, a sub-agent with a run store of its own runs each call as a durable run in that
 * store, under an id made from the caller's run, step and call ({@link #childRunId}); the tool is then
 * {@linkplain #idempotent() idempotent}, so that resuming the caller after a crash runs the call again, which resumes
 * that run, or gives the answer it recorded, instead of starting over.
 *
 * <p>The agents a run is nested in travel in the Reactor context of the run ({@link #entering}): a call that would
 * run an agent already running in the chain, or nest deeper than {@link Agent#MAX_SUB_AGENT_DEPTH}, is refused.
 */
final class SubAgentTool implements Tool {
    /** The Reactor context key of the chain of agents running, outermost first. */
    private static final Object CHAIN = new Object() {
        @Override
        public String toString() {
            return "agentrt.sub-agent-chain";
        }
    };

    private final Agent agent;
    private final ToolSpec spec;

    SubAgentTool(Agent agent, String name, String description) {
        this.agent = agent;
        JsonObject parameters = JsonValue
                .parse("""
                        {"type":"object",
                         "properties":{
                           "task":{"type":"string","minLength":1,
                                   "description":"The task for this agent, complete in itself: it sees nothing else of your conversation."},
                           "context":{"type":"string",
                                      "description":"Anything it needs to know beyond the task: facts, findings, constraints."}},
                         "required":["task"],
                         "additionalProperties":false}""")
                .asObject();
        this.spec = new ToolSpec(name, description, parameters);
    }

    /** The Reactor context key of the journaled run the calls are made in ({@link Parent}), absent when unjournaled. */
    private static final Object PARENT = new Object() {
        @Override
        public String toString() {
            return "agentrt.sub-agent-parent";
        }
    };

    /** A journaled run whose calls may run sub-agents durably: its id, and the step its calls are made in. */
    record Parent(String runId, IntSupplier step) {}

    /**
     * Adds {@code agent} to the chain of agents in a run's Reactor context, and says whether the run is journaled
     * ({@code parent}, or null): a sub-agent started from an unjournaled run never journals its own.
     */
    static Function<Context, Context> entering(Agent agent, @Nullable Parent parent) {
        return context -> {
            List<Agent> chain = context.getOrDefault(CHAIN, List.of());
            var longer = new ArrayList<Agent>(chain.size() + 1);
            longer.addAll(chain);
            longer.add(agent);
            Context c = context.put(CHAIN, List.copyOf(longer));
            return parent == null ? c.delete(PARENT) : c.put(PARENT, parent);
        };
    }

    /**
     * The id of the sub-agent run made for the call {@code callId} in step {@code step} of the run {@code runId}:
     * readable where it fits in a store's ids, else a digest of the same.
     */
    static String childRunId(String runId, int step, String callId) {
        String id = runId + "/" + step + "/" + callId;
        if (id.length() <= RunRecord.MAX_ID_LENGTH && id.chars().noneMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            return id;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return "sub-" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /**
     * Idempotent when the sub-agent has a run store: a call in doubt after a crash runs again, and resumes the
     * sub-agent's run from its journal (or gives the answer it recorded) rather than starting it afresh.
     */
    @Override
    public boolean idempotent() {
        return agent.runStore() != null;
    }

    @Override
    public ToolSpec spec() {
        return spec;
    }

    @Override
    public Mono<ToolResult> invoke(JsonObject arguments, ToolContext context) {
        String task = arguments.getString("task").orElse("");
        String extra = arguments.getString("context").orElse("");
        String input = extra.isBlank() ? task : task + "\n\nContext from the caller:\n" + extra;
        return Mono.deferContextual(view -> {
            List<Agent> chain = view.getOrDefault(CHAIN, List.of());
            ToolResult refused = refusal(chain);
            if (refused != null) {
                return Mono.just(refused);
            }
            // Held for this call, not merely read: sub-agents run in one step each carve theirs out of what the
            // others have not taken, so together they cannot spend more than the caller has.
            Optional<Budget> held = context.reserve(agent.budget());
            if (held.isEmpty()) {
                return Mono.just(ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "Agent \"" + spec.name()
                        + "\" was not run: this task has used up its budget."));
            }
            Budget budget = held.get();
            var nesting = new Nesting(context.grants(), budget, approvals(context));
            var spending = new Spending(context);
            Consumer<AgentEvent> events = event -> {
                spending.account(event);
                context.subAgentEvent(agent.name(), event);
            };
            Parent parent = view.getOrDefault(PARENT, null);
            RunStore store = agent.runStore();
            Task plain = agent.task(input).as(context.principal());
            Mono<ToolResult> result = parent == null || store == null
                    ? new TaskRun(agent, plain.nestedIn(nesting), events, null, TaskRun.captureContexts(agent))
                            .run()
                            .map(this::answer)
                    : durable(store, plain.withId(childRunId(parent.runId(), parent.step().getAsInt(),
                            context.callId())), nesting, events, context);
            return result.onErrorResume(e -> Mono.just(failure(e)));
        });
    }

    private ToolResult answer(AgentResult result) {
        return answer(result.text());
    }

    private ToolResult answer(String text) {
        return text.isBlank()
                ? ToolResult.text("(agent \"" + spec.name() + "\" finished without an answer)")
                : ToolResult.text(text);
    }

    /**
     * The sub-agent's run for this call, journaled in its store under an id made from the caller's run and the call:
     * started the first time, resumed from its journal when the caller's resume runs the call again, and not run
     * at all once it has its answer. A stored run under that id that is not this call's (another agent, another
     * input or principal) is refused, as is one that ended without an answer.
     */
    private Mono<ToolResult> durable(RunStore store, Task task, Nesting nesting, Consumer<AgentEvent> events,
            ToolContext caller) {
        String childId = task.newRunId();
        // Nested last: a task's other variants (withId) do not keep the nesting.
        Task sub = task.nestedIn(nesting);
        Object @Nullable [] captured = TaskRun.captureContexts(agent);
        return store.find(childId)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(found -> {
                    if (found.isEmpty()) {
                        return TaskRun.durable(agent, sub, events, null, captured)
                                .flatMap(TaskRun::run)
                                .map(this::answer);
                    }
                    RunRecord record = found.get();
                    String mismatch = mismatch(record, sub);
                    if (mismatch != null) {
                        return Mono.error(new RunStoreException.InvalidState("its run \"" + childId + "\" in the store "
                                + "is not this call's (" + mismatch + "); nothing was run"));
                    }
                    return switch (record.status()) {
                        case RUNNING -> TaskRun.durable(agent, Task.resuming(agent, childId).nestedIn(nesting),
                                events, null, captured)
                                .flatMap(TaskRun::run)
                                .map(this::answer);
                        case COMPLETED -> RunJournal.load(store, childId).map(replay -> {
                            // What it spent was charged to the caller's run before the crash, which the caller's
                            // journal does not hold: charged again now.
                            caller.charge(replay.usage);
                            return answer(replay.lastText);
                        });
                        default -> Mono.error(new RunStoreException.InvalidState("its run \"" + childId + "\" ended "
                                + record.status() + (record.outcome() == null ? "" : " (" + record.outcome() + ")")
                                + " before the calling run recorded it; it is not run again"));
                    };
                });
    }

    /** Why a stored run is not the one this call made, or null when it is. */
    private @Nullable String mismatch(RunRecord record, Task sub) {
        if (!record.agentName().equals(agent.name())) {
            return "it is agent \"" + record.agentName() + "\"'s";
        }
        if (!record.input().equals(sub.input())) {
            return "it was given another task";
        }
        if (!record.principal().equals(sub.principal())) {
            return "it runs for another principal";
        }
        return null;
    }

    private @Nullable ToolResult refusal(List<Agent> chain) {
        for (Agent running : chain) {
            if (running == agent) {
                return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "Agent \"" + spec.name() + "\" was not run: "
                        + "it is already running in this chain of calls (" + describe(chain) + " → " + agent.name()
                        + "), and an agent may not call itself, directly or through others. Do the work yourself.");
            }
        }
        // The outermost agent is the task's own; each one after it is a sub-agent.
        if (chain.size() > Agent.MAX_SUB_AGENT_DEPTH) {
            return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "Agent \"" + spec.name() + "\" was not run: "
                    + "sub-agents are nested " + (chain.size() - 1) + " deep (" + describe(chain)
                    + "), the most allowed is " + Agent.MAX_SUB_AGENT_DEPTH + ". Do the work yourself.");
        }
        return null;
    }

    private static String describe(List<Agent> chain) {
        return String.join(" → ", chain.stream().map(Agent::name).toList());
    }

    /**
     * Decides on what the intersection lacks: the caller must allow it (its grants, or its approval handler, asked
     * through {@code require} so the caller's events record it), and so must the sub-agent (its own grants, or its own
     * approval handler). Approves once: each side remembers its own approvals for the task, so the next call is asked
     * again of both and passes where both still allow it.
     */
    private ApprovalHandler approvals(ToolContext caller) {
        var own = new OwnGrants(agent.grantsFor(caller.principal()));
        return request -> caller.require(request.missing())
                .then(Mono.defer(() -> own.decide(request)))
                .onErrorResume(CapabilityDeniedException.class,
                        e -> Mono.just(Decision.deny("the calling agent may not do this either (" + e.getMessage()
                                + ")")));
    }

    /** The sub-agent's own grants in one run, with what its approval handler granted for the task. */
    private final class OwnGrants {
        private Grants grants;

        OwnGrants(Grants grants) {
            this.grants = grants;
        }

        Mono<Decision> decide(ApprovalRequest request) {
            return Mono.fromCallable(() -> current().missing(request.missing()))
                    .subscribeOn(AgentSchedulers.blocking())
                    .flatMap(missing -> {
                        if (missing.isEmpty()) {
                            return Mono.just(Decision.approveOnce());
                        }
                        ApprovalHandler handler = agent.approvals();
                        if (handler == null) {
                            return Mono.just(Decision.deny("not granted to agent \"" + agent.name() + "\""));
                        }
                        return handler.decide(new ApprovalRequest(request.principal(), request.toolName(),
                                request.callId(), request.arguments(), missing))
                                .map(d -> {
                                    if (d.kind() == Decision.Kind.APPROVE_FOR_TASK) {
                                        extend(missing);
                                    }
                                    return d.approved() ? new Decision(Decision.Kind.APPROVE_ONCE, d.reason()) : d;
                                });
                    });
        }

        private synchronized Grants current() {
            return grants;
        }

        private synchronized void extend(List<Capability> approved) {
            grants = grants.with(approved);
        }
    }

    private ToolResult failure(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        AgentResult partial = e instanceof BudgetExceededException b
                ? b.partialResult()
                : e instanceof ModelException m ? m.partialResult().orElse(null) : null;
        String said = partial == null || partial.text().isBlank() ? "" : " Its last reply: " + partial.text();
        return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "Agent \"" + spec.name() + "\" did not finish the "
                + "task: " + message + "." + said);
    }

    /** Charges what the sub-agent spends to its caller: each step as it ends, the rest when the run ends. */
    private static final class Spending {
        private final ToolContext caller;
        private Usage charged = Usage.ZERO;

        Spending(ToolContext caller) {
            this.caller = caller;
        }

        void account(AgentEvent event) {
            Usage now = switch (event) {
                case AgentEvent.StepDone s -> add(s.stepUsage());
                case AgentEvent.Completed c -> rest(c.result().usage());
                case AgentEvent.Failed f -> rest(f.partial().usage());
                default -> Usage.ZERO;
            };
            if (!now.equals(Usage.ZERO)) {
                caller.charge(now);
            }
        }

        private synchronized Usage add(Usage step) {
            charged = charged.plus(step);
            return step;
        }

        /** What {@code total} holds beyond what was charged already. */
        private synchronized Usage rest(Usage total) {
            Usage c = charged;
            Usage rest = new Usage(Math.max(0, total.inputTokens() - c.inputTokens()),
                    Math.max(0, total.outputTokens() - c.outputTokens()),
                    Math.max(0, total.cacheReadTokens() - c.cacheReadTokens()),
                    Math.max(0, total.cacheWriteTokens() - c.cacheWriteTokens()),
                    Math.max(0, total.reasoningTokens() - c.reasoningTokens()), Math.max(0, total.cost() - c.cost()));
            charged = charged.plus(rest);
            return rest;
        }
    }
}
