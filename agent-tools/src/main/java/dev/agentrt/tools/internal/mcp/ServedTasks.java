package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.AgentSchedulers;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.context.ContextView;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Task-augmented {@code tools/call} (MCP 2025-11-25 tasks), served ahead of the SDK's server, which has no tasks:
 * {@link Endpoint} answers {@code tools/call} with {@code params.task}, {@code tasks/get}, {@code tasks/result},
 * {@code tasks/list} and {@code tasks/cancel} ({@link OwnRequests}), and {@code tools/list} with each tool's
 * {@code execution.taskSupport}; {@link #declare} adds the {@code tasks} capability to the initialize result.
 *
 * <p>A task runs its tool through the same {@link Runner} as a direct call (the server's registry, grants, policy
 * and timeout) at once, detached from the request that created it, which is answered with the task. Tasks belong
 * to the session that created them (the stdio connection, the HTTP session): another session's task id is not
 * found ({@code -32602}), exactly as an unknown one. A session holds at most {@link Settings#maxTasks} tasks: a new
 * one evicts the oldest ended task (its result dropped early, which the spec allows), and is refused ({@code
 * -32600}) when all are running. A task's ttl is the client's, capped at {@link Settings#maxTtl} (which is also the
 * default); an ended task is dropped once its ttl from creation has passed on {@link Settings#clock}, checked at
 * each request of its session (a running task is bounded by the tool's timeout instead). When the session ends, its
 * running tasks are cancelled and all of its tasks dropped.
 *
 * <p>A tool's {@code isError} result makes the task {@code failed} (as the spec says of tool calls); {@code
 * tasks/result} answers what the direct call would have answered, with {@code io.modelcontextprotocol/related-task}
 * in its {@code _meta}. {@code notifications/tasks/status} goes to the session when a task ends by itself. Requests
 * of the 2026-07-28 revision are declined here: {@link ModernTasks} serves that revision's tasks extension with the
 * same tasks (bounds, runner, clock) through {@link Endpoint#start}, {@link Endpoint#find} and {@link
 * Endpoint#cancel}, under an owner of its own; a 2026-07-28 task whose tool asks a question waits {@code
 * input_required} for {@link Endpoint#update}. A 2025-11-25 task whose tool asks is {@code input_required} (its
 * session told) while its session's client is sent {@code elicitation/create} with the related-task {@code _meta};
 * a client that did not declare elicitation is not asked, and the result says the question could not be asked.
 * Thread-safe.
 */
public final class ServedTasks {
    private static final Logger log = LoggerFactory.getLogger(ServedTasks.class);
    static final String RELATED_TASK = "io.modelcontextprotocol/related-task";
    static final String STATUS_NOTIFICATION = "notifications/tasks/status";
    /** How many tasks one {@code tasks/list} answer holds at most. */
    static final int PAGE_SIZE = 20;
    private static final TypeRef<Map<String, Object>> MAP = new TypeRef<>() {};
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled");

    /**
     * How tasks are served.
     *
     * @param required whether tools must be called as tasks ({@code taskSupport: "required"}; a direct call is
     *     {@code -32601}) or may be ({@code "optional"})
     * @param maxTasks how many tasks one session holds at most, running or ended
     * @param maxTtl the longest a task is kept from its creation, and the ttl of a task the client gave none
     * @param pollInterval the interval between {@code tasks/get} the server suggests
     * @param clock the time of {@code createdAt}, {@code lastUpdatedAt} and of expiry
     */
    public record Settings(boolean required, int maxTasks, Duration maxTtl, Duration pollInterval, Clock clock) {}

    /** Runs tool {@code tool} as a direct {@code tools/call} would (see {@code McpServerBridge}). */
    @FunctionalInterface
    interface Runner {
        Mono<McpSchema.CallToolResult> call(String tool, @Nullable Map<String, Object> arguments,
                @Nullable Map<String, Object> meta, @Nullable ProgressRelay progress);
    }

    /**
     * The result a client's {@code response} to the question a task's tool asked makes (see {@link
     * ServedQuestions#response}); throws a {@link Refusal} for a response of the wrong shape.
     */
    @FunctionalInterface
    interface Answerer {
        McpSchema.CallToolResult answer(String tool, String question, @Nullable Object response);
    }

    /**
     * Sends the client of {@code session} (null: the one client of a stdio connection) {@code elicitation/create}, or
     * gives null when it cannot be asked (it did not declare elicitation; the session is gone).
     */
    @FunctionalInterface
    interface Asker {
        @Nullable
        Mono<McpSchema.ElicitResult> ask(@Nullable String session, McpSchema.ElicitFormRequest request);
    }

    /** Sends a notification to the client of {@code session} (null: the one client of a stdio connection). */
    @FunctionalInterface
    interface Notifier {
        Mono<Void> send(@Nullable String session, String method, Object params);
    }

    private final Settings settings;

    public ServedTasks(Settings settings) {
        this.settings = settings;
    }

    Settings settings() {
        return settings;
    }

    /** The initialize result {@code result} with the {@code tasks} capability: list, cancel, tools/call. */
    Object declare(Object result) {
        Map<String, Object> shaped = new LinkedHashMap<>(McpJson.mapper().convertValue(result, MAP));
        Map<String, Object> capabilities = shaped.get("capabilities") instanceof Map<?, ?> m
                ? new LinkedHashMap<>(McpJson.mapper().convertValue(m, MAP))
                : new LinkedHashMap<>();
        capabilities.put("tasks", Map.of("list", Map.of(), "cancel", Map.of(),
                "requests", Map.of("tools", Map.of("call", Map.of()))));
        shaped.put("capabilities", capabilities);
        return shaped;
    }

    /**
     * The tasks of one transport serving {@code tools} (the tools current at each request, as the SDK's server lists
     * them) through {@code runner}.
     */
    Endpoint endpoint(Supplier<List<McpSchema.Tool>> tools, Runner runner, Notifier notifier, Asker asker,
            Answerer answerer, Duration answerTimeout) {
        return new Endpoint(tools, runner, notifier, asker, answerer, answerTimeout);
    }

    /** One transport's tasks, by session; {@link #close()} when the transport stops serving. */
    final class Endpoint implements OwnRequests, Disposable {
        private final Supplier<List<McpSchema.Tool>> tools;
        private final Runner runner;
        private final Notifier notifier;
        private final Asker asker;
        private final Answerer answerer;
        private final Duration answerTimeout;
        private final ConcurrentHashMap<String, Owner> owners = new ConcurrentHashMap<>();
        private final AtomicLong sequence = new AtomicLong();
        private volatile boolean closed;

        private Endpoint(Supplier<List<McpSchema.Tool>> tools, Runner runner, Notifier notifier, Asker asker,
                Answerer answerer, Duration answerTimeout) {
            this.tools = tools;
            this.runner = runner;
            this.notifier = notifier;
            this.asker = asker;
            this.answerer = answerer;
            this.answerTimeout = answerTimeout;
        }

        /** The current tools as {@code tools/list} shows them, each with its {@code execution.taskSupport}. */
        private List<Map<String, Object>> listed() {
            var listed = new ArrayList<Map<String, Object>>();
            for (McpSchema.Tool tool : tools.get()) {
                var shown = new LinkedHashMap<>(McpJson.mapper().convertValue(tool, MAP));
                shown.put("execution", Map.of("taskSupport", settings.required() ? "required" : "optional"));
                listed.add(shown);
            }
            return listed;
        }

        /** This answerer first, then {@code next} for what it declines. */
        OwnRequests before(OwnRequests next) {
            return request -> {
                Mono<McpSchema.JSONRPCResponse> mine = answer(request);
                return mine != null ? mine : next.answer(request);
            };
        }

        @Override
        public @Nullable Mono<McpSchema.JSONRPCResponse> answer(McpSchema.JSONRPCRequest request) {
            Map<?, ?> params = request.params() instanceof Map<?, ?> m ? m : Map.of();
            if (ModernRevision.claims(request.params())) {
                return null;
            }
            Mono<Object> result = switch (request.method()) {
                case McpSchema.METHOD_TOOLS_LIST -> Mono.fromSupplier(() -> Map.of("tools", listed()));
                case McpSchema.METHOD_TOOLS_CALL -> call(params);
                case "tasks/get" -> owned(ctx -> Mono.just(json(task(ctx, params), false)));
                case "tasks/result" -> owned(ctx -> result(task(ctx, params)));
                case "tasks/list" -> owned(ctx -> Mono.just(list(owner(ctx), params)));
                case "tasks/cancel" -> owned(ctx -> Mono.just(cancel(task(ctx, params))));
                default -> null;
            };
            if (result == null) {
                return null;
            }
            return result.map(ok -> new McpSchema.JSONRPCResponse("2.0", request.id(), ok, null))
                    .onErrorResume(Refusal.class, r -> Mono.just(new McpSchema.JSONRPCResponse("2.0", request.id(),
                            null, new McpSchema.JSONRPCResponse.JSONRPCError(r.code, r.getMessage(), null))));
        }

        /** A task-augmented call of a served tool; a direct call of one that must be a task is refused. */
        private @Nullable Mono<Object> call(Map<?, ?> params) {
            if (!(params.get("name") instanceof String tool) || !serves(tool)) {
                return null; // the SDK's server answers an unknown tool as it always does
            }
            if (params.get("task") == null) {
                return settings.required()
                        ? Mono.error(new Refusal(ErrorCodes.METHOD_NOT_FOUND, "Method not found: the tool " + tool
                                + " must be called as a task (its execution.taskSupport is \"required\"): give "
                                + "params.task"))
                        : null;
            }
            return Mono.deferContextual(ctx -> {
                long ttl = ttl(params.get("task"));
                @SuppressWarnings("unchecked")
                Map<String, Object> arguments = params.get("arguments") instanceof Map<?, ?> a
                        ? (Map<String, Object>) a
                        : null;
                @SuppressWarnings("unchecked")
                Map<String, Object> meta = params.get("_meta") instanceof Map<?, ?> a ? (Map<String, Object>) a : null;
                // A task id is 128 random bits: drawn off the caller's thread, which may be an event loop.
                return Mono.fromCallable(() -> start(ctx, key(session(ctx)), true, tool, arguments, meta,
                        ttl, task -> Map.of("task", json(task, true))))
                        .subscribeOn(AgentSchedulers.blocking());
            });
        }

        /**
         * Whether {@code tool} is one of the served tools, which are the ones a task may run: another name is the
         * SDK's server's to answer (an unknown tool).
         */
        boolean serves(String tool) {
            return tools.get().stream().anyMatch(t -> t.name().equals(tool));
        }

        /**
         * Starts a task of owner {@code owner} running {@code tool} (in the context {@code ctx} of the request that
         * created it) and gives it as created (working: the tool has not run yet), kept for {@link Settings#maxTtl}; with the same bounds and refusals as a 2025-11-25 task, and
         * no {@code notifications/tasks/status} (that is the 2025-11-25 notification). Blocks briefly (the id's
         * randomness): call it off event loops. Fails with a {@link Refusal} the caller answers with.
         */
        Snapshot start(ContextView ctx, String owner, String tool, @Nullable Map<String, Object> arguments,
                @Nullable Map<String, Object> meta) {
            return start(ctx, owner, false, tool, arguments, meta, settings.maxTtl().toMillis(), this::snapshot);
        }

        /** Task {@code id} of owner {@code owner} as it is now, or null when the owner has no such task. */
        @Nullable
        Snapshot find(String owner, String id) {
            Task task = lookup(owner, id);
            return task == null ? null : snapshot(task);
        }

        /**
         * Cancels task {@code id} of owner {@code owner} (its tool's run disposed) if it is still working; an ended
         * task is left as it is. Null when the owner has no such task.
         */
        @Nullable
        Snapshot cancel(String owner, String id) {
            Task task = lookup(owner, id);
            if (task == null) {
                return null;
            }
            if (task.end("cancelled", "The task was cancelled by request.", settings.clock().instant(),
                    Outcome.cancelled(task.id))) {
                task.stop();
            }
            return snapshot(task);
        }

        /**
         * Answers the question task {@code id} of owner {@code owner} waits on (status {@code input_required}) with
         * the response under {@link ServedQuestions#INPUT} in {@code inputResponses}: the answer is the task's
         * result. Responses to nothing outstanding (a task not waiting, another key) are ignored, as the 2026-07-28
         * tasks extension says. Null when the owner has no such task; throws a {@link Refusal} for a response of the
         * wrong shape (the task still waits).
         */
        @Nullable
        Snapshot update(String owner, String id, Map<?, ?> inputResponses) {
            Task task = lookup(owner, id);
            if (task == null) {
                return null;
            }
            String question;
            String tool;
            synchronized (task) {
                question = task.question;
                tool = task.tool;
            }
            if (question == null || tool == null || !inputResponses.containsKey(ServedQuestions.INPUT)) {
                return snapshot(task);
            }
            McpSchema.CallToolResult result = answerer.answer(tool, question,
                    inputResponses.get(ServedQuestions.INPUT));
            if (task.resume(question, settings.clock().instant())) {
                task.stop();
                finish(false, null, task, result);
            }
            return snapshot(task);
        }

        private @Nullable Task lookup(String owner, String id) {
            Owner o = owners.get(owner);
            if (o == null) {
                return null;
            }
            synchronized (o) {
                o.purge(settings.clock().instant());
                return o.tasks.get(id);
            }
        }

        private Snapshot snapshot(Task task) {
            synchronized (task) {
                Outcome outcome = task.last;
                return new Snapshot(task.id, task.status, task.message, task.createdAt, task.updatedAt, task.ttl,
                        settings.pollInterval().toMillis(), outcome == null ? null : outcome.result(),
                        outcome == null ? null : outcome.error(), task.question);
            }
        }

        private long ttl(@Nullable Object task) {
            if (!(task instanceof Map<?, ?> t)) {
                throw new Refusal(ErrorCodes.INVALID_PARAMS, "Invalid params: \"task\" must be an object");
            }
            Object ttl = t.get("ttl");
            long max = settings.maxTtl().toMillis();
            if (ttl == null) {
                return max;
            }
            if (!(ttl instanceof Integer || ttl instanceof Long) || ((Number) ttl).longValue() < 0) {
                throw new Refusal(ErrorCodes.INVALID_PARAMS,
                        "Invalid params: \"task.ttl\" must be a non-negative integer (milliseconds), was " + ttl);
            }
            return Math.min(((Number) ttl).longValue(), max);
        }

        /** Starts a task; its state as created, by {@code seed}, is taken before the tool runs (and may end it). */
        private <T> T start(ContextView ctx, String key, boolean notify, String tool,
                @Nullable Map<String, Object> arguments, @Nullable Map<String, Object> meta, long ttl,
                java.util.function.Function<Task, T> seed) {
            String session = session(ctx);
            Owner owner = owners.computeIfAbsent(key, k -> new Owner());
            Instant now = settings.clock().instant();
            Task task;
            synchronized (owner) {
                if (owner.ended || closed) {
                    throw new Refusal(ErrorCodes.INTERNAL_ERROR, "Internal error: the session is ending");
                }
                owner.purge(now);
                if (owner.tasks.size() >= settings.maxTasks() && !owner.evictEnded()) {
                    // The 2025-11-25 tasks belong to a session; the 2026-07-28 ones to a connection or endpoint.
                    String holder = notify ? "session" : "connection";
                    throw new Refusal(ErrorCodes.INVALID_REQUEST, "Invalid request: too many tasks: this " + holder
                            + " has " + settings.maxTasks() + " tasks running, the most this server holds for one "
                            + holder + "; wait for one to end or cancel one (tasks/cancel)");
                }
                task = new Task(newId(), sequence.incrementAndGet(), now, ttl);
                owner.tasks.put(task.id, task);
            }
            // As created: a tool that answers at once may end the task before the answer is made.
            T created = seed.apply(task);
            ProgressRelay progress = notify
                    ? ProgressRelay.of(meta, n -> notifier.send(session, McpSchema.METHOD_NOTIFICATION_PROGRESS, n))
                    : null;
            Disposable running = runner.call(tool, arguments, meta, progress)
                    .contextWrite(ctx)
                    .subscribe(result -> {
                        String question = result.meta() == null
                                ? null
                                : result.meta().get(ServedQuestions.ASKED) instanceof String q ? q : null;
                        if (question != null && !notify) {
                            // A 2026-07-28 task asks: it waits, input_required, for tasks/update or the timeout.
                            asks(task, tool, question);
                            return;
                        }
                        if (question != null) {
                            // A 2025-11-25 task asks its session's client, if it may (else: the not-asked result).
                            Mono<McpSchema.ElicitResult> asking = asker.ask(session, ServedQuestions.form(question,
                                    Map.of(RELATED_TASK, Map.of("taskId", task.id))));
                            if (asking != null) {
                                asks(session, task, tool, question, asking);
                                return;
                            }
                        }
                        finish(notify, session, task, result);
                    }, e -> {
                        log.warn("MCP server: the task {} of tool {} failed", task.id, tool, e);
                        ended(notify, session, task, "failed", "The tool call failed.",
                                new Outcome(null, new McpSchema.JSONRPCResponse.JSONRPCError(
                                        ErrorCodes.INTERNAL_ERROR, "Internal error: " + e.getMessage(), null)));
                    });
            task.running(running);
            return created;
        }

        /** Ends {@code task} with its tool's {@code result}: failed for an error result, else completed. */
        private void finish(boolean notify, @Nullable String session, Task task, McpSchema.CallToolResult result) {
            Map<String, Object> shown = new LinkedHashMap<>(McpJson.mapper().convertValue(result, MAP));
            var resultMeta = shown.get("_meta") instanceof Map<?, ?> m
                    ? new LinkedHashMap<>(McpJson.mapper().convertValue(m, MAP))
                    : new LinkedHashMap<String, Object>();
            resultMeta.remove(ServedQuestions.ASKED);
            resultMeta.put(RELATED_TASK, Map.of("taskId", task.id));
            shown.put("_meta", resultMeta);
            boolean failed = Boolean.TRUE.equals(result.isError());
            ended(notify, session, task, failed ? "failed" : "completed",
                    failed ? "The tool answered with an error." : null, new Outcome(shown, null));
        }

        /**
         * {@code task}'s tool asked {@code question}: the task waits for the answer ({@link #update}) for at most the
         * answer timeout, after which it ends with an error result saying no answer came.
         */
        private void asks(Task task, String tool, String question) {
            if (!task.ask(tool, question, settings.clock().instant())) {
                return;
            }
            task.waiting(Mono.delay(answerTimeout).subscribe(x -> {
                if (task.resume(question, settings.clock().instant())) {
                    finish(false, null, task, McpSchema.CallToolResult.builder(List.of(McpSchema.TextContent.builder(
                            "The tool " + tool + " asked the user a question and no answer came within "
                                    + answerTimeout + ". The question was: " + question)
                            .build()))
                            .isError(true)
                            .build());
                }
            }));
        }

        /**
         * A 2025-11-25 {@code task}'s tool asked {@code question}, which {@code asking} sends its session's client: the
         * task is {@code input_required} (its session told) until the answer, which is its result, or the answer
         * timeout, or the failure to ask, which end it with an error result saying so.
         */
        private void asks(@Nullable String session, Task task, String tool, String question,
                Mono<McpSchema.ElicitResult> asking) {
            if (!task.ask(tool, question, settings.clock().instant())) {
                return;
            }
            notifier.send(session, STATUS_NOTIFICATION, json(task, false))
                    .subscribe(null, e -> log.debug("MCP server: the status of task {} was not sent", task.id, e));
            task.waiting(asking.timeout(answerTimeout).map(answer -> {
                try {
                    return answerer.answer(tool, question, McpJson.mapper().convertValue(answer, MAP));
                } catch (Refusal r) {
                    return failure(r.getMessage() + ". The question was: " + question);
                }
            })
                    .onErrorResume(e -> !(e instanceof Error), e -> Mono.just(failure(e instanceof TimeoutException
                            ? "The tool " + tool + " asked the user a question and no answer came within "
                                    + answerTimeout
                                    + ". The question was: " + question
                            : ServedQuestions.notAsked(tool, question, "asking the client failed: " + e.getMessage())
                                    .content())))
                    .subscribe(result -> {
                        if (task.resume(question, settings.clock().instant())) {
                            finish(true, session, task, result);
                        }
                    }));
        }

        private static McpSchema.CallToolResult failure(String text) {
            return McpSchema.CallToolResult.builder(List.of(McpSchema.TextContent.builder(text).build()))
                    .isError(true)
                    .build();
        }

        /** Ends {@code task} by itself (not cancelled): tells its session, which may be listening. */
        private void ended(boolean notify, @Nullable String session, Task task, String status,
                @Nullable String message, Outcome outcome) {
            if (task.end(status, message, settings.clock().instant(), outcome) && notify) {
                notifier.send(session, STATUS_NOTIFICATION, json(task, false))
                        .subscribe(null, e -> log.debug("MCP server: the status of task {} was not sent", task.id, e));
            }
        }

        private Mono<Object> result(Task task) {
            return task.outcome.asMono().map(outcome -> {
                if (outcome.error() != null) {
                    throw new Refusal(outcome.error().code(), outcome.error().message());
                }
                return (Object) outcome.result();
            });
        }

        private Map<String, Object> cancel(Task task) {
            Instant now = settings.clock().instant();
            if (!task.end("cancelled", "The task was cancelled by request.", now, Outcome.cancelled(task.id))) {
                throw new Refusal(ErrorCodes.INVALID_PARAMS,
                        "Invalid params: cannot cancel task " + task.id + ", it is already " + task.status);
            }
            task.stop();
            return json(task, false);
        }

        private Map<String, Object> list(Owner owner, Map<?, ?> params) {
            long after = 0;
            if (params.get("cursor") != null) {
                after = cursor(params.get("cursor"));
            }
            List<Task> page;
            boolean more;
            synchronized (owner) {
                owner.purge(settings.clock().instant());
                long from = after;
                List<Task> rest = owner.tasks.values().stream().filter(t -> t.sequence > from).toList();
                page = rest.subList(0, Math.min(PAGE_SIZE, rest.size()));
                more = rest.size() > PAGE_SIZE;
            }
            var result = new LinkedHashMap<String, Object>();
            result.put("tasks", page.stream().map(t -> json(t, false)).toList());
            if (more) {
                result.put("nextCursor", Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(("after:" + page.getLast().sequence).getBytes(StandardCharsets.UTF_8)));
            }
            return result;
        }

        private static long cursor(Object cursor) {
            if (cursor instanceof String text) {
                try {
                    String decoded = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                    if (decoded.startsWith("after:")) {
                        return Long.parseLong(decoded.substring("after:".length()));
                    }
                } catch (IllegalArgumentException e) {
                    // not one of ours: refused below
                }
            }
            throw new Refusal(ErrorCodes.INVALID_PARAMS, "Invalid params: the cursor is not one this server gave");
        }

        private <T> Mono<Object> owned(java.util.function.Function<ContextView, Mono<T>> answer) {
            return Mono.deferContextual(ctx -> answer.apply(ctx).map(v -> (Object) v));
        }

        /** The task {@code params.taskId} of the requesting session; not found for any other. */
        private Task task(ContextView ctx, Map<?, ?> params) {
            if (!(params.get("taskId") instanceof String id)) {
                throw new Refusal(ErrorCodes.INVALID_PARAMS, "Invalid params: the request needs a string \"taskId\"");
            }
            Owner owner = owners.get(key(session(ctx)));
            Task task = null;
            if (owner != null) {
                synchronized (owner) {
                    owner.purge(settings.clock().instant());
                    task = owner.tasks.get(id);
                }
            }
            if (task == null) {
                throw new Refusal(ErrorCodes.INVALID_PARAMS, "Failed to retrieve task: Task not found");
            }
            return task;
        }

        private Owner owner(ContextView ctx) {
            return owners.computeIfAbsent(key(session(ctx)), k -> new Owner());
        }

        /** Ends the tasks of HTTP session {@code session}: running ones cancelled, all dropped. */
        void end(String session) {
            Owner owner = owners.remove(key(session));
            if (owner != null) {
                owner.end(settings.clock().instant());
            }
        }

        /** Ends the tasks of every session (the transport stopped serving). Idempotent. */
        @Override
        public void dispose() {
            closed = true;
            for (String key : List.copyOf(owners.keySet())) {
                Owner owner = owners.remove(key);
                if (owner != null) {
                    owner.end(settings.clock().instant());
                }
            }
        }

        @Override
        public boolean isDisposed() {
            return closed;
        }

        private static String key(@Nullable String session) {
            return session == null ? "" : session;
        }

        private static @Nullable String session(ContextView ctx) {
            ServedRequest served = ctx.getOrDefault(ServedRequest.class, null);
            return served == null ? null : served.sessionId();
        }
    }

    private Map<String, Object> json(Task task, boolean created) {
        var m = new LinkedHashMap<String, Object>();
        synchronized (task) {
            m.put("taskId", task.id);
            m.put("status", task.status);
            if (task.message != null) {
                m.put("statusMessage", task.message);
            } else if (created) {
                m.put("statusMessage", "The operation is now in progress.");
            }
            m.put("createdAt", task.createdAt.toString());
            m.put("lastUpdatedAt", task.updatedAt.toString());
        }
        m.put("ttl", task.ttl);
        m.put("pollInterval", settings.pollInterval().toMillis());
        return m;
    }

    private static String newId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * A task as it is at one moment, for the 2026-07-28 extension ({@code ModernTasks}), which shows tasks in its own
     * form: {@code status} as the 2025-11-25 tasks have it ({@code failed} for a tool's error result too), and once
     * ended with the direct call's {@code result} or its JSON-RPC {@code error} (a cancelled task has no result).
     */
    record Snapshot(String id, String status, @Nullable String message, Instant createdAt, Instant updatedAt,
            long ttl, long pollInterval, @Nullable Map<String, Object> result,
            McpSchema.JSONRPCResponse.@Nullable JSONRPCError error, @Nullable String question) {}

    /** A JSON-RPC error answering a tasks request. */
    static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;

        Refusal(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    /** What {@code tasks/result} answers: the tool's result, or a JSON-RPC error. */
    private record Outcome(@Nullable Map<String, Object> result,
            McpSchema.JSONRPCResponse.@Nullable JSONRPCError error) {
        static Outcome cancelled(String id) {
            return new Outcome(null, new McpSchema.JSONRPCResponse.JSONRPCError(ErrorCodes.INVALID_PARAMS,
                    "Invalid params: task " + id + " was cancelled; it has no result", null));
        }
    }

    /** The tasks of one session, in creation order. */
    private static final class Owner {
        final LinkedHashMap<String, Task> tasks = new LinkedHashMap<>();
        boolean ended;

        /** Drops the ended tasks whose ttl has passed at {@code now}. */
        void purge(Instant now) {
            tasks.values().removeIf(t -> t.expired(now));
        }

        /** Drops the oldest ended task; false if every task is running. */
        boolean evictEnded() {
            for (var it = tasks.values().iterator(); it.hasNext();) {
                if (it.next().ended()) {
                    it.remove();
                    return true;
                }
            }
            return false;
        }

        void end(Instant now) {
            List<Task> all;
            synchronized (this) {
                ended = true;
                all = List.copyOf(tasks.values());
                tasks.clear();
            }
            for (Task task : all) {
                if (task.end("cancelled", "The session ended.", now, Outcome.cancelled(task.id))) {
                    task.stop();
                }
            }
        }
    }

    /** One task: its status (terminal ones final), its outcome once ended, and the tool's run. */
    private static final class Task {
        final String id;
        final long sequence;
        final Instant createdAt;
        final long ttl;
        final Sinks.One<Outcome> outcome = Sinks.one();
        String status = "working";
        @Nullable
        String message;
        /** The question the tool asked, while the task is {@code input_required}; and the tool. */
        @Nullable
        String question;
        @Nullable
        String tool;
        /** The outcome once ended (as {@link #outcome} holds it, for a reader that must not wait). */
        @Nullable
        Outcome last;
        Instant updatedAt;
        /** The tool's run and the timers of its questions' answers: what {@link #stop} disposes. */
        private final Disposable.Composite stoppable = Disposables.composite();

        Task(String id, long sequence, Instant createdAt, long ttl) {
            this.id = id;
            this.sequence = sequence;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
            this.ttl = ttl;
        }

        synchronized boolean ended() {
            return TERMINAL.contains(status);
        }

        synchronized boolean expired(Instant now) {
            return TERMINAL.contains(status) && !now.isBefore(createdAt.plusMillis(ttl));
        }

        /** A working task waits on the answer to {@code question}; false if it had ended already. */
        synchronized boolean ask(String tool, String question, Instant now) {
            if (!status.equals("working")) {
                return false;
            }
            this.status = "input_required";
            this.message = "The tool asks the user a question.";
            this.tool = tool;
            this.question = question;
            this.updatedAt = now;
            return true;
        }

        /** The task waiting on {@code question} works again (answered, or given up); false if it was not waiting. */
        synchronized boolean resume(String question, Instant now) {
            if (!status.equals("input_required") || !question.equals(this.question)) {
                return false;
            }
            this.status = "working";
            this.message = null;
            this.question = null;
            this.updatedAt = now;
            return true;
        }

        /** Moves a working task to {@code status} with its outcome; false if it had ended already. */
        boolean end(String status, @Nullable String message, Instant now, Outcome outcome) {
            synchronized (this) {
                if (TERMINAL.contains(this.status)) {
                    return false;
                }
                this.status = status;
                this.message = message;
                this.question = null;
                this.updatedAt = now;
                this.last = outcome;
            }
            this.outcome.tryEmitValue(outcome);
            return true;
        }

        /** The tool's run, disposed at once if the task was cancelled before it started. */
        void running(Disposable run) {
            // A composite that was disposed disposes what is added to it afterwards.
            stoppable.add(run);
        }

        /** The timer of a question's answer, disposed at once if the task was stopped first. */
        void waiting(Disposable timer) {
            stoppable.add(timer);
        }

        /** Cancels the tool's run, and the timers of its questions' answers. */
        void stop() {
            stoppable.dispose();
        }
    }
}
