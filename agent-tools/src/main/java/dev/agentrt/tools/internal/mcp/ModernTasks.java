package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.AgentSchedulers;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tasks extension of the 2026-07-28 revision ({@code io.modelcontextprotocol/tasks}) on the server side, ahead of
 * {@link ServedTasks.Endpoint} (which serves the 2025-11-25 tasks) and the SDK's server: it answers only requests
 * carrying the revision's envelope. A request whose client capabilities declare the extension ({@code
 * extensions["io.modelcontextprotocol/tasks"]}, an object) has its {@code tools/call} of a served tool answered with
 * a task ({@code resultType: "task"}): the server decides, and it decides to run every such call as a task, whether
 * the tools are task-optional or task-required. {@code tasks/get} answers the task in its detailed form (its result
 * once completed, its JSON-RPC error once failed), {@code tasks/cancel} cancels a working task (its tool's run is
 * disposed) and acknowledges, whatever the task's state, as the extension says (cancelling is eventually
 * consistent, and may end in another terminal state). A task whose tool asks a question ({@code
 * ToolResult.inputRequired}) is {@code input_required}, its {@code inputRequests} an elicitation under {@code
 * "question"} ({@link ServedQuestions}); {@code tasks/update} with the response under that key makes the answer the
 * task's result (a response of the wrong shape is {@code -32602}, and the task still waits), an answer that does
 * not come within the server's answer timeout an error result; responses to nothing outstanding are ignored, as the
 * extension says, and every update is acknowledged. The 2025-11-25 {@code tasks/result} and {@code
 * tasks/list} are not part of the extension ({@code -32601}); a legacy {@code params.task} is ignored.
 *
 * <p>A client that does not declare the extension gets complete results, and {@code -32021} (missing required
 * client capability, naming the extension) for the {@code tasks/} methods and for calling a task-required tool. An
 * unknown task id is {@code -32602} ({@code Task not found}), and so is a task of another owner: the revision has
 * no sessions, so a task belongs to the transport that created it (the stdio connection; the HTTP endpoint), kept
 * apart from the 2025-11-25 tasks of the same transport. Over HTTP the clients of one endpoint share that owner:
 * a task id (128 random bits, as the extension allows) is what lets a client reach its task, every request for it
 * passes the endpoint's authorization like any other, and the endpoint holds at most {@code maxTasks} of them.
 * Stateless and thread-safe; the tasks live in the endpoint.
 */
final class ModernTasks implements OwnRequests {
    static final String EXTENSION = "io.modelcontextprotocol/tasks";
    /** The revision's error for a request the server can serve only to a client declaring a capability it lacks. */
    static final int MISSING_CAPABILITY = -32021;
    /** The owner of this transport's 2026-07-28 tasks: no session id (printable) can equal it. */
    private static final String OWNER = "\u0000" + ModernRevision.VERSION;

    private final ServedTasks.Endpoint tasks;
    private final boolean required;

    /**
     * @param required whether the tools are task-required: a client not declaring the extension cannot call them
     */
    ModernTasks(ServedTasks.Endpoint tasks, boolean required) {
        this.tasks = tasks;
        this.required = required;
    }

    /** The {@code capabilities.extensions} {@code server/discover} declares when tasks are served. */
    static Map<String, Object> declared() {
        return Map.of(EXTENSION, Map.of());
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
        if (!ModernRevision.claims(request.params())) {
            return null;
        }
        Map<?, ?> params = (Map<?, ?>) request.params();
        boolean declared = declares(params);
        Mono<Map<String, Object>> result = switch (request.method()) {
            case McpSchema.METHOD_TOOLS_CALL -> call(params, declared);
            case "tasks/get", "tasks/update", "tasks/cancel" -> declared
                    ? task(request.method(), params)
                    : Mono.error(missing("Missing required client capability: " + request.method()
                            + " is served to a client that declares the " + EXTENSION + " extension in its client "
                            + "capabilities"));
            case "tasks/result", "tasks/list" -> Mono.error(new Failure(ErrorCodes.METHOD_NOT_FOUND,
                    "Method not found: " + request.method() + " is a 2025-11-25 tasks method, not part of the "
                            + EXTENSION + " extension of " + ModernRevision.VERSION
                            + " (tasks/get answers a task's result)",
                    null));
            default -> null;
        };
        if (result == null) {
            return null;
        }
        return result.map(ok -> new McpSchema.JSONRPCResponse("2.0", request.id(), ok, null))
                .onErrorResume(Failure.class, f -> Mono.just(error(request.id(), f.code, f.getMessage(), f.data)))
                .onErrorResume(ServedTasks.Refusal.class,
                        r -> Mono.just(error(request.id(), r.code, r.getMessage(), null)));
    }

    /** A call of a served tool as a task, when the client takes one; anything else is declined. */
    private @Nullable Mono<Map<String, Object>> call(Map<?, ?> params, boolean declared) {
        if (!(params.get("name") instanceof String tool) || !tasks.serves(tool)) {
            return null; // the SDK's server answers an unknown tool as it always does
        }
        if (!declared) {
            return required
                    ? Mono.error(missing("Missing required client capability: the tool " + tool + " runs only as a "
                            + "task; declare the " + EXTENSION + " extension in the request's client capabilities"))
                    : null;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> arguments = params.get("arguments") instanceof Map<?, ?> a
                ? (Map<String, Object>) a
                : null;
        @SuppressWarnings("unchecked")
        Map<String, Object> meta = (Map<String, Object>) params.get("_meta");
        // A task id is 128 random bits: drawn off the caller's thread, which may be an event loop.
        return Mono.deferContextual(ctx -> Mono.fromCallable(() -> {
            Map<String, Object> created = task(tasks.start(ctx, OWNER, tool, arguments, meta), false);
            created.put("resultType", "task");
            return created;
        }).subscribeOn(AgentSchedulers.blocking()));
    }

    private Mono<Map<String, Object>> task(String method, Map<?, ?> params) {
        return Mono.fromCallable(() -> {
            if (!(params.get("taskId") instanceof String id)) {
                throw new Failure(ErrorCodes.INVALID_PARAMS, "Invalid params: " + method
                        + " needs \"taskId\", a string naming the task", null);
            }
            if (method.equals("tasks/update") && !(params.get("inputResponses") instanceof Map<?, ?>)) {
                throw new Failure(ErrorCodes.INVALID_PARAMS, "Invalid params: tasks/update needs \"inputResponses\","
                        + " an object of responses by input request key", null);
            }
            ServedTasks.Snapshot task = switch (method) {
                case "tasks/cancel" -> tasks.cancel(OWNER, id);
                case "tasks/update" -> tasks.update(OWNER, id, (Map<?, ?>) params.get("inputResponses"));
                default -> tasks.find(OWNER, id);
            };
            if (task == null) {
                throw new Failure(ErrorCodes.INVALID_PARAMS, (method.equals("tasks/get")
                        ? "Failed to retrieve task"
                        : method.equals("tasks/update") ? "Failed to update task" : "Failed to cancel task")
                        + ": Task not found", null);
            }
            return method.equals("tasks/get") ? task(task, true) : new LinkedHashMap<>();
        });
    }

    /** A task in the extension's form; {@code detailed} adds what it ended with (its result, its error). */
    private static Map<String, Object> task(ServedTasks.Snapshot task, boolean detailed) {
        // The 2025-11-25 tasks call a tool's error result "failed"; here it is completed, the result saying so.
        String status = task.result() != null ? "completed" : task.status();
        var m = new LinkedHashMap<String, Object>();
        m.put("taskId", task.id());
        m.put("status", status);
        if (task.message() != null) {
            m.put("statusMessage", task.message());
        } else if (status.equals("working")) {
            m.put("statusMessage", "The operation is now in progress.");
        }
        m.put("createdAt", task.createdAt().toString());
        m.put("lastUpdatedAt", task.updatedAt().toString());
        m.put("ttlMs", task.ttl());
        m.put("pollIntervalMs", task.pollInterval());
        if (detailed && task.question() != null && status.equals("input_required")) {
            m.put("inputRequests", ServedQuestions.inputRequests(task.question()));
        }
        if (detailed && task.result() != null) {
            // What the direct call would have answered, in this revision's form.
            var result = new LinkedHashMap<>(task.result());
            result.putIfAbsent("resultType", "complete");
            m.put("result", result);
        } else if (detailed && status.equals("failed") && task.error() != null) {
            var error = new LinkedHashMap<String, Object>();
            error.put("code", task.error().code());
            error.put("message", task.error().message());
            if (task.error().data() != null) {
                error.put("data", task.error().data());
            }
            m.put("error", error);
        }
        return m;
    }

    /** Whether the request's client capabilities declare the extension (an object: it has no settings yet). */
    static boolean declares(Map<?, ?> params) {
        return params.get("_meta") instanceof Map<?, ?> meta
                && meta.get(ModernRevision.CLIENT_CAPABILITIES_KEY) instanceof Map<?, ?> capabilities
                && capabilities.get("extensions") instanceof Map<?, ?> extensions
                && extensions.get(EXTENSION) instanceof Map<?, ?>;
    }

    /** The revision's error for a client that lacks the extension: {@code -32021}, naming what it must declare. */
    static McpSchema.JSONRPCResponse.JSONRPCError missingError(String message) {
        return new McpSchema.JSONRPCResponse.JSONRPCError(MISSING_CAPABILITY, message,
                Map.of("requiredCapabilities", Map.of("extensions", Map.of(EXTENSION, Map.of()))));
    }

    private static Failure missing(String message) {
        return new Failure(MISSING_CAPABILITY, message,
                Map.of("requiredCapabilities", Map.of("extensions", Map.of(EXTENSION, Map.of()))));
    }

    private static McpSchema.JSONRPCResponse error(Object id, int code, String message, @Nullable Object data) {
        return new McpSchema.JSONRPCResponse("2.0", id, null,
                new McpSchema.JSONRPCResponse.JSONRPCError(code, message, data));
    }

    /** A JSON-RPC error answering a request. */
    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;
        final transient @Nullable Object data;

        Failure(int code, String message, @Nullable Object data) {
            super(message, null, false, false);
            this.code = code;
            this.data = data;
        }
    }
}
