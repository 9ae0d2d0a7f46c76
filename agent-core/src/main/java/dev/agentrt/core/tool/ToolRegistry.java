package dev.agentrt.core.tool;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.CapabilityDeniedException;
import dev.agentrt.core.ToolException;
import dev.agentrt.core.internal.ToolSession;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonSchema;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.ApprovalHandler;
import dev.agentrt.core.security.ApprovalRequest;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Grants;
import org.jspecify.annotations.Nullable;
import reactor.core.Exceptions;
import reactor.core.Fuseable;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The tools of an agent and the one path every call takes: find the tool, parse and validate the
 * arguments against its schema, check the capabilities the call needs against the task's grants
 * (asking the approval handler for what is missing), invoke with a timeout. Every failure on that
 * path becomes an error {@link ToolResult} the model can read; {@link #execute} never emits an error.
 *
 * <pre>{@code
 * ToolRegistry registry = ToolRegistry.of(readFile, search);
 * ToolResult r = registry.execute(call, ToolExecution.of("t1", Principal.ANONYMOUS, grants)).block();
 * }</pre>
 *
 * <p>Immutable and thread-safe; schemas are compiled once, here. Blocking tools and capability
 * checks that touch the file system run on {@link AgentSchedulers#blocking()}.
 */
public final class ToolRegistry {
    private static final ToolRegistry EMPTY = new ToolRegistry(List.of());

    static {
        // The agent loop runs a task's calls under one session (its step, the grants approvals extended);
        // the session is internal, so it reaches run() through this hook instead of a public method.
        ToolSession.install((registry, call, session) -> registry.run(call, session));
    }
    /** Results longer than this are cut, so one tool cannot flood the model's context. */
    public static final int MAX_RESULT_CHARS = 100_000;

    private final List<Tool> tools;
    private final Map<String, Entry> byName;
    private final List<ToolSpec> specs;

    private ToolRegistry(List<Tool> tools) {
        this(tools, null);
    }

    private ToolRegistry(List<Tool> tools, @Nullable ToolRegistry base) {
        this.tools = List.copyOf(tools);
        var map = new HashMap<String, Entry>();
        var specList = new ArrayList<ToolSpec>();
        for (Tool tool : this.tools) {
            ToolSpec spec = tool.spec();
            Entry known = base == null ? null : base.byName.get(spec.name());
            JsonSchema schema;
            try {
                schema = known != null && known.tool == tool ? known.schema : JsonSchema.compile(spec.parameters());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "tool '" + spec.name() + "' has an invalid schema: " + e.getMessage(), e);
            }
            if (map.putIfAbsent(spec.name(), new Entry(tool, spec, schema)) != null) {
                throw new IllegalArgumentException("two tools are named '" + spec.name() + "'");
            }
            specList.add(spec);
        }
        this.byName = Map.copyOf(map);
        this.specs = List.copyOf(specList);
    }

    public static ToolRegistry empty() {
        return EMPTY;
    }

    public static ToolRegistry of(Tool... tools) {
        return of(List.of(tools));
    }

    /** Fails with {@code IllegalArgumentException} for duplicate names or an invalid schema. */
    public static ToolRegistry of(Collection<? extends Tool> tools) {
        return tools.isEmpty() ? EMPTY : new ToolRegistry(List.copyOf(tools));
    }

    /** This registry plus {@code tool}; the schemas already compiled are reused. */
    public ToolRegistry plus(Tool tool) {
        var all = new ArrayList<Tool>(tools);
        all.add(tool);
        return new ToolRegistry(all, this);
    }

    public List<Tool> tools() {
        return tools;
    }

    public Optional<Tool> find(String name) {
        Entry e = byName.get(name);
        return e == null ? Optional.empty() : Optional.of(e.tool);
    }

    /** The specs of every tool, in registration order. */
    public List<ToolSpec> specs() {
        return specs;
    }

    /** The specs of the tools this caller may use: what the model is shown. */
    public List<ToolSpec> specs(ToolExecution execution) {
        ToolAccess access = execution.access();
        if (access == ToolAccess.ALL) {
            return specs;
        }
        var visible = new ArrayList<ToolSpec>(specs.size());
        for (ToolSpec s : specs) {
            if (access.allows(execution.principal(), s)) {
                visible.add(s);
            }
        }
        return List.copyOf(visible);
    }

    /**
     * Runs one call under {@code execution}'s policy. Never errors: every failure is an error result. Cold:
     * each subscription runs the call anew; what an approver grants "for the task" lasts for this call.
     */
    public Mono<ToolResult> execute(ToolCall call, ToolExecution execution) {
        Objects.requireNonNull(call, "call");
        return run(call, new ToolSession(execution));
    }

    private Mono<ToolResult> run(ToolCall call, ToolSession execution) {
        return Mono.defer(() -> {
            long start = execution.hasEvents() ? System.nanoTime() : 0;
            ToolCall parent = execution.parent();
            if (execution.hasEvents()) {
                execution.emit(new AgentEvent.ToolCallRequested(execution.taskId(), execution.step(), call,
                        parent == null ? null : parent.id()));
            }
            Entry entry = byName.get(call.name());
            if (entry == null || !execution.access().allows(execution.principal(), entry.spec)
                    || (parent != null && parent.name().equals(call.name()))) {
                return done(call, execution, start, ToolResult.error(ToolErrorKind.UNKNOWN_TOOL,
                        "Unknown tool \"" + clip(call.name(), 64) + "\". Available tools: "
                                + names(execution.policy(), parent) + "."));
            }
            JsonObject args;
            try {
                JsonValue parsed = JsonValue.parse(call.arguments());
                if (!(parsed instanceof JsonObject o)) {
                    return done(call, execution, start, invalid(call, "the arguments must be a JSON object, got "
                            + parsed.typeName()));
                }
                args = o;
            } catch (JsonParseException e) {
                return done(call, execution, start, invalid(call, "the arguments are not valid JSON ("
                        + clip(e.getMessage(), 200) + ")"));
            }
            if (!entry.schema.isValid(args)) {
                return done(call, execution, start, invalid(call, String.join("; ", entry.schema.validate(args))));
            }
            List<Capability> required;
            try {
                required = entry.tool.requiredCapabilities(args);
            } catch (RuntimeException e) {
                return done(call, execution, start, invalid(call, describe(e)));
            }
            // The common case stays synchronous: a check that touches neither the file system nor an
            // approver, and a tool whose Mono already holds its value. Anything else goes through Reactor.
            Mono<Void> pending = checkNow(call, execution, required);
            if (pending == null) {
                return invoke(entry, args, call, execution, start);
            }
            return pending.then(Mono.defer(() -> invoke(entry, args, call, execution, start)))
                    .onErrorResume(e -> e instanceof ToolSession.Paused
                            ? Mono.error(e)
                            : done(call, execution, start, toResult(call, e, execution.timeout())));
        });
    }

    private Mono<ToolResult> invoke(Entry entry, JsonObject args, ToolCall call, ToolSession execution, long start) {
        Function<ToolCall, Mono<Void>> starting = execution.starting();
        if (starting != null) {
            // Write-ahead: the start is recorded (a durable run's journal) before the tool runs.
            return starting.apply(call).then(Mono.defer(() -> invokeNow(entry, args, call, execution, start)));
        }
        return invokeNow(entry, args, call, execution, start);
    }

    private Mono<ToolResult> invokeNow(Entry entry, JsonObject args, ToolCall call, ToolSession execution,
            long start) {
        Mono<ToolResult> invocation;
        if (entry.tool.blocking()) {
            invocation = contained(Mono.defer(() -> invokeTool(this, entry, args, call, execution)), call, execution)
                    .subscribeOn(AgentSchedulers.blocking());
        } else {
            AgentEvent.Listener.@Nullable Scope scope = execution.enter(call);
            try {
                invocation = invokeTool(this, entry, args, call, execution);
            } finally {
                if (scope != null) {
                    scope.close();
                }
            }
            if (invocation instanceof Fuseable.ScalarCallable<?> scalar) {
                // Mono.just / empty / error: the value is there already, nothing can time out.
                ToolResult r;
                try {
                    r = (ToolResult) scalar.call();
                } catch (Exception e) {
                    return done(call, execution, start, toResult(call, e, execution.timeout()));
                }
                return done(call, execution, start, r != null ? r : noResult(call));
            }
            invocation = contained(invocation, call, execution);
        }
        return invocation.timeout(execution.timeout())
                .switchIfEmpty(Mono.fromSupplier(() -> noResult(call)))
                .onErrorResume(e -> Mono.just(toResult(call, e, execution.timeout())))
                .flatMap(r -> done(call, execution, start, r));
    }

    private static Mono<ToolResult> invokeTool(ToolRegistry registry, Entry entry, JsonObject args, ToolCall call,
            ToolSession execution) {
        var context = new Context(registry, call, execution);
        try {
            Mono<ToolResult> m = entry.tool.invoke(args, context);
            return (m != null ? m : Mono.<ToolResult>empty()).doFinally(signal -> context.release());
        } catch (VirtualMachineError | LinkageError e) {
            context.release();
            return Mono.error(fatal(e));
        } catch (RuntimeException e) {
            context.release();
            return Mono.error(e);
        }
    }

    /**
     * Subscribes to a tool's {@code Mono} so that an error Reactor treats as fatal to the JVM, thrown
     * while the tool runs on the subscribing thread, still answers the call. Reactor rethrows such
     * errors out of {@code subscribe} (a {@code Mono.fromCallable} whose body overflows its stack on a
     * hostile regular expression, a {@code NoSuchMethodError} from a library of another version on the
     * class path): the call would stay unanswered until its timeout and the worker thread would die.
     */
    private static Mono<ToolResult> contained(Mono<ToolResult> tool, ToolCall call, ToolSession execution) {
        return Mono.create(sink -> {
            // The subscription runs in what the task's listeners enter for the call (Listener.enterTool).
            AgentEvent.Listener.@Nullable Scope scope = execution.enter(call);
            if (scope == null) {
                try {
                    sink.onCancel(tool.subscribe(sink::success, sink::error, sink::success,
                            reactor.util.context.Context.of(sink.contextView())));
                } catch (VirtualMachineError | LinkageError e) {
                    sink.error(fatal(e));
                }
                return;
            }
            var entered = new Entered(scope);
            try {
                sink.onCancel(tool.subscribe(r -> {
                    entered.leave();
                    sink.success(r);
                }, e -> {
                    entered.leave();
                    sink.error(e);
                }, () -> {
                    entered.leave();
                    sink.success();
                }, reactor.util.context.Context.of(sink.contextView())));
            } catch (VirtualMachineError | LinkageError e) {
                entered.leave();
                sink.error(fatal(e));
            } finally {
                entered.leave();
            }
        });
    }

    /**
     * What the listeners entered for a call, left on the thread that entered it: when the tool answers during
     * the subscription (a blocking tool does), before the answer goes on, so the rest of the run does not run in
     * the call's scope; otherwise when the subscription returns. Only the entering thread touches it.
     */
    private static final class Entered {
        private final AgentEvent.Listener.Scope scope;
        private final Thread thread = Thread.currentThread();
        private boolean left;

        Entered(AgentEvent.Listener.Scope scope) {
            this.scope = scope;
        }

        void leave() {
            if (!left && Thread.currentThread() == thread) {
                left = true;
                scope.close();
            }
        }
    }

    private static ToolException fatal(Throwable e) {
        if (e instanceof StackOverflowError) {
            return new ToolException("the tool overflowed its stack (it recursed too deeply)", e);
        }
        if (e instanceof LinkageError) {
            return new ToolException("the tool could not run: " + describe(e) + " (a library on the class path is "
                    + "not the version the tool was built against)", e);
        }
        return new ToolException("the tool failed: " + describe(e), e);
    }

    private static ToolResult noResult(ToolCall call) {
        return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "Tool \"" + call.name() + "\" returned no result.");
    }

    /** Completes empty when allowed; errors with {@link CapabilityDeniedException} otherwise. */
    static Mono<Void> authorize(ToolCall call, ToolSession execution, List<Capability> required) {
        return Mono.defer(() -> {
            Mono<Void> pending = checkNow(call, execution, required);
            return pending == null ? Mono.empty() : pending;
        });
    }

    /**
     * Decides what can be decided without waiting: {@code null} when every capability is granted (the
     * grant already recorded), otherwise the rest of the decision — a file-system check on the blocking
     * scheduler, the approval handler, or the denial.
     */
    private static @Nullable Mono<Void> checkNow(ToolCall call, ToolSession execution, List<Capability> required) {
        if (required.isEmpty()) {
            return null;
        }
        if (Grants.needsFileSystem(required)) {
            return Mono.fromCallable(() -> execution.grants().missing(required))
                    .subscribeOn(AgentSchedulers.blocking())
                    .flatMap(missing -> {
                        Mono<Void> rest = decide(call, execution, required, missing);
                        return rest == null ? Mono.<Void>empty() : rest;
                    });
        }
        return decide(call, execution, required, execution.grants().missing(required));
    }

    private static @Nullable Mono<Void> decide(ToolCall call, ToolSession execution, List<Capability> required,
            List<Capability> missing) {
        if (missing.isEmpty()) {
            if (execution.hasEvents()) {
                execution.emit(new AgentEvent.PermissionGranted(execution.taskId(), execution.step(), call, required));
            }
            return null;
        }
        ApprovalHandler approvals = execution.approvals();
        if (approvals == null) {
            return deny(call, execution, missing, "not granted to this agent");
        }
        execution.emit(new AgentEvent.ApprovalRequested(execution.taskId(), execution.step(), call, missing));
        return Mono.defer(() -> approvals.decide(new ApprovalRequest(execution.principal(), call.name(), call.id(),
                call.arguments(), missing)))
                .onErrorResume(e -> Mono.just(Decision.deny("the approval handler failed: " + describe(e))))
                .defaultIfEmpty(Decision.deny("no approval was given"))
                .flatMap(d -> {
                    execution.emit(new AgentEvent.ApprovalDecided(execution.taskId(), execution.step(), call, d));
                    if (d.deferred()) {
                        if (execution.canPause()) {
                            return Mono.error(new ToolSession.Paused(call, missing, d.reason()));
                        }
                        return deny(call, execution, missing, execution.parent() != null
                                ? "the decision was deferred to a person, but a call made by a tool cannot wait for one"
                                : "the decision was deferred to a person, but this run has no run store to wait in");
                    }
                    if (!d.approved()) {
                        return deny(call, execution, missing, "not approved: " + d.reason());
                    }
                    if (d.kind() == Decision.Kind.APPROVE_FOR_TASK) {
                        execution.extend(missing);
                    }
                    return Mono.<Void>empty();
                });
    }

    private static Mono<Void> deny(ToolCall call, ToolSession execution, List<Capability> missing, String why) {
        String needs = String.join(", ", missing.stream().map(Capability::describe).toList());
        String message = "Permission denied: tool \"" + call.name() + "\" needs " + needs + ", which is " + why
                + ". Do not retry the same call; use another approach, or tell the user which permission is needed.";
        execution.emit(new AgentEvent.PermissionDenied(execution.taskId(), execution.step(), call, missing, message));
        return Mono.error(new CapabilityDeniedException(message, missing));
    }

    private static ToolResult toResult(ToolCall call, Throwable e, Duration timeout) {
        if (e instanceof CapabilityDeniedException) {
            return ToolResult.error(ToolErrorKind.PERMISSION_DENIED, e.getMessage());
        }
        if (e instanceof TimeoutException) {
            return ToolResult.error(ToolErrorKind.TIMEOUT, "Tool \"" + call.name() + "\" did not finish within "
                    + human(timeout) + " and was cancelled.");
        }
        Throwable cause = Exceptions.unwrap(e);
        return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "Tool \"" + call.name() + "\" failed: "
                + clip(describe(cause), 2000));
    }

    /** Answers a call of a tool made by a tool without running it: its requested and failed events, and the result. */
    private Mono<ToolResult> refuse(ToolCall call, ToolSession execution, ToolResult result) {
        long start = execution.hasEvents() ? System.nanoTime() : 0;
        if (execution.hasEvents()) {
            ToolCall parent = execution.parent();
            execution.emit(new AgentEvent.ToolCallRequested(execution.taskId(), execution.step(), call,
                    parent == null ? null : parent.id()));
        }
        return done(call, execution, start, result);
    }

    private Mono<ToolResult> done(ToolCall call, ToolSession execution, long start, ToolResult result) {
        ToolResult r = result.content().length() > MAX_RESULT_CHARS ? truncate(result) : result;
        if (execution.hasEvents()) {
            long took = System.nanoTime() - start;
            if (r.isError()) {
                execution.emit(new AgentEvent.ToolCallFailed(execution.taskId(), execution.step(), call,
                        r.errorKind(), r.content(), took));
            } else {
                execution.emit(new AgentEvent.ToolCallCompleted(execution.taskId(), execution.step(), call,
                        r.content(), took));
            }
        }
        return Mono.just(r);
    }

    private static ToolResult truncate(ToolResult r) {
        String c = r.content();
        String cut = c.substring(0, MAX_RESULT_CHARS) + "\n…[truncated " + (c.length() - MAX_RESULT_CHARS)
                + " characters]";
        return new ToolResult(cut, r.errorKind(), r.media(), r.inputRequest());
    }

    private ToolResult invalid(ToolCall call, String why) {
        return ToolResult.error(ToolErrorKind.INVALID_ARGUMENTS, "Invalid arguments for tool \"" + call.name() + "\": "
                + why + ". Call it again with one JSON object that matches its parameter schema.");
    }

    private String names(ToolExecution execution, @Nullable ToolCall caller) {
        List<ToolSpec> visible = specs(execution);
        var sb = new StringBuilder();
        for (ToolSpec s : visible) {
            if (caller != null && caller.name().equals(s.name())) {
                continue;
            }
            if (!sb.isEmpty()) {
                sb.append(", ");
            }
            sb.append(s.name());
        }
        return sb.isEmpty() ? "none" : sb.toString();
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank()
                ? e.getClass().getSimpleName()
                : e instanceof ToolException ? m : e.getClass().getSimpleName() + ": " + m;
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String clip(@Nullable String s, int max) {
        if (s == null) {
            return "";
        }
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    private record Entry(Tool tool, ToolSpec spec, JsonSchema schema) {}

    /** The most progress reports one call passes on (see {@link ToolContext#progress}). */
    public static final int MAX_PROGRESS_REPORTS = 1000;
    private static final int MAX_PROGRESS_MESSAGE = 1000;

    /** The {@link ToolContext} of one call. */
    private static final class Context implements ToolContext {
        private final ToolRegistry registry;
        private final ToolCall call;
        private final ToolSession execution;
        private final AtomicInteger nestedCalls = new AtomicInteger();
        private double lastProgress = Double.NEGATIVE_INFINITY;
        private int progressReports;
        /** What this call holds of the task's budget ({@link #reserve}); guarded by this. */
        private long heldTokens;
        private double heldCost;
        private boolean released;

        Context(ToolRegistry registry, ToolCall call, ToolSession execution) {
            this.registry = registry;
            this.call = call;
            this.execution = execution;
        }

        @Override
        public List<ToolSpec> tools() {
            if (execution.parent() != null || execution.policy().maxNestedCalls() == 0) {
                return List.of();
            }
            List<ToolSpec> visible = registry.specs(execution.policy());
            var callable = new ArrayList<ToolSpec>(visible.size());
            for (ToolSpec s : visible) {
                if (!s.name().equals(call.name())) {
                    callable.add(s);
                }
            }
            return List.copyOf(callable);
        }

        @Override
        public Mono<ToolResult> callTool(String name, JsonObject arguments) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(arguments, "arguments");
            return Mono.defer(() -> {
                int n = nestedCalls.incrementAndGet();
                var nested = new ToolCall(call.id() + "/" + n, name, arguments.toJson());
                ToolSession session = execution.nested(call);
                if (execution.parent() != null) {
                    return registry.refuse(nested, session, ToolResult.error(ToolErrorKind.UNKNOWN_TOOL,
                            "Tool \"" + clip(name, 64) + "\" cannot be called here: tool \"" + call.name()
                                    + "\" was itself called by a tool, and such calls cannot call other tools."));
                }
                int max = execution.policy().maxNestedCalls();
                if (n > max) {
                    return registry.refuse(nested, session, ToolResult.error(ToolErrorKind.EXECUTION_FAILED,
                            "Not run: the limit of " + max + " tool calls per call of \"" + call.name()
                                    + "\" is reached. Do the rest in another step, with fewer calls."));
                }
                return registry.run(nested, session);
            });
        }

        @Override
        public ToolTrace trace() {
            return execution.trace(call);
        }

        @Override
        public boolean canAwaitInput() {
            return execution.canAwaitInput();
        }

        @Override
        public Optional<Answer> answered() {
            return execution.answered(call.id());
        }

        @Override
        public void progress(double progress, @Nullable Double total, @Nullable String message) {
            if (!execution.hasEvents() || !Double.isFinite(progress) || (total != null && !Double.isFinite(total))) {
                return;
            }
            synchronized (this) {
                if (progress <= lastProgress || progressReports >= MAX_PROGRESS_REPORTS) {
                    return;
                }
                lastProgress = progress;
                progressReports++;
            }
            String text = message == null || message.length() <= MAX_PROGRESS_MESSAGE
                    ? message
                    : message.substring(0, MAX_PROGRESS_MESSAGE) + "…";
            execution.emit(new AgentEvent.ToolProgress(execution.taskId(), execution.step(), call, progress, total,
                    text));
        }

        @Override
        public String taskId() {
            return execution.taskId();
        }

        @Override
        public String callId() {
            return call.id();
        }

        @Override
        public dev.agentrt.core.security.Principal principal() {
            return execution.principal();
        }

        @Override
        public Mono<Void> require(List<Capability> capabilities) {
            return authorize(call, execution, List.copyOf(capabilities));
        }

        @Override
        public dev.agentrt.core.security.Grants grants() {
            return execution.grants();
        }

        @Override
        public Optional<dev.agentrt.core.Budget> budgetLeft() {
            ToolSession.Account account = execution.account();
            return account == null ? Optional.of(dev.agentrt.core.Budget.UNLIMITED) : account.left();
        }

        @Override
        public Optional<dev.agentrt.core.Budget> reserve(dev.agentrt.core.Budget wanted) {
            Objects.requireNonNull(wanted, "wanted");
            ToolSession.Account account = execution.account();
            if (account == null) {
                return ToolContext.super.reserve(wanted);
            }
            Optional<dev.agentrt.core.Budget> held = account.reserve(wanted);
            held.ifPresent(b -> {
                synchronized (this) {
                    if (released) {
                        // The call already ended: nothing is held for it past its end.
                        account.release(b.maxTokens(), b.maxCost());
                        return;
                    }
                    heldTokens = saturatedAdd(heldTokens, b.maxTokens());
                    heldCost += b.maxCost();
                }
            });
            return held;
        }

        @Override
        public void charge(dev.agentrt.core.model.Usage usage) {
            Objects.requireNonNull(usage, "usage");
            ToolSession.Account account = execution.account();
            if (account != null) {
                long tokens;
                double cost;
                synchronized (this) {
                    // What was spent comes out of what this call holds, so that it is not counted twice.
                    tokens = Math.min(heldTokens, usage.totalTokens());
                    cost = Math.min(heldCost, usage.cost());
                    heldTokens -= tokens;
                    heldCost -= cost;
                }
                account.charge(usage);
                if (tokens > 0 || cost > 0) {
                    account.release(tokens, cost);
                }
            }
        }

        /** Gives back what the call still holds of the task's budget: called once, when the call ends. */
        void release() {
            ToolSession.Account account = execution.account();
            long tokens;
            double cost;
            synchronized (this) {
                released = true;
                tokens = heldTokens;
                cost = heldCost;
                heldTokens = 0;
                heldCost = 0;
            }
            if (account != null && (tokens > 0 || cost > 0)) {
                account.release(tokens, cost);
            }
        }

        private static long saturatedAdd(long a, long b) {
            long r = a + b;
            return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
        }

        @Override
        public void subAgentEvent(String agent, AgentEvent event) {
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(event, "event");
            if (execution.hasEvents()) {
                execution.emit(new AgentEvent.SubAgentEvent(execution.taskId(), execution.step(), call, agent, event));
            }
        }
    }
}
