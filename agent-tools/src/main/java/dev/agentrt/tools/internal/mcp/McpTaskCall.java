package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@code tools/call} made as a task (MCP 2025-11-25 tasks), for a tool whose {@code execution.taskSupport} is
 * {@code required}: the call creates a task, whose status is asked ({@code tasks/get}) at the server's
 * {@code pollInterval} (kept between {@value #MIN_POLL_MILLIS} ms and {@value #MAX_POLL_MILLIS} ms) until it is
 * done or needs input, and then its result is asked ({@code tasks/result}), which the server answers once the task
 * has ended; the requests it makes meanwhile (elicitation, sampling) reach the client's handlers as any request
 * does. The polls are a loop ({@code expand}), not a chain that grows by one operator per poll, so a long task
 * polled often holds no more than a short one; a {@code pollInterval} of 0 is polled at the floor, one of a day
 * at the ceiling (the call's timeout ends the wait either way). A call cancelled (the agent's, or the caller's
 * timeout) cancels the task ({@code tasks/cancel}), also when it is cancelled before the server's answer has named
 * the task: the answer is still awaited (for at most the call's timeout) and the task it names cancelled. A status that is none of MCP's, or an answer that is not a
 * task, fails the call saying what the server sent.
 */
final class McpTaskCall {
    private static final Logger log = LoggerFactory.getLogger(McpTaskCall.class);
    static final long MIN_POLL_MILLIS = 100;
    static final long MAX_POLL_MILLIS = 5_000;
    private static final int MAX_SHOWN = 200;

    private McpTaskCall() {}

    /** One status of a task. */
    private record Task(String id, String status, String message, long pollMillis) {}

    /** The tool's result, as {@code tools/call} would have answered it. */
    static Mono<McpSchema.CallToolResult> call(McpConnection connection, String server, String tool,
            Map<String, Object> arguments, Map<String, Object> meta, Duration timeout) {
        var taskId = new AtomicReference<@Nullable String>();
        var params = new LinkedHashMap<String, Object>();
        params.put("name", tool);
        params.put("arguments", arguments);
        params.put("_meta", meta);
        params.put("task", Map.of("ttl", timeout.toMillis()));
        return Mono.defer(() -> {
            // The request is not cancelled with the call: a call cancelled before the server has named its task
            // learns the name when the answer comes and cancels the task then, rather than leave it running.
            var cancelled = new AtomicBoolean();
            var cancelSent = new AtomicBoolean();
            Runnable cancelTask = () -> {
                String id = taskId.get();
                if (cancelled.get() && id != null && cancelSent.compareAndSet(false, true)) {
                    cancel(connection, server, id);
                }
            };
            Sinks.One<Task> created = Sinks.one();
            connection.request(McpSchema.METHOD_TOOLS_CALL, params)
                    .timeout(timeout, connection.timers())
                    .map(answer -> task(answer instanceof Map<?, ?> m ? m.get("task") : null, "tools/call"))
                    .subscribe(task -> {
                        taskId.set(task.id());
                        cancelTask.run();
                        created.tryEmitValue(task);
                    }, created::tryEmitError);
            return created.asMono()
                    .flatMap(task -> await(connection, task))
                    .doOnCancel(() -> {
                        cancelled.set(true);
                        cancelTask.run();
                    });
        });
    }

    /** Polls while the task is working (each status replaces the last: nothing accumulates), then ends it. */
    private static Mono<McpSchema.CallToolResult> await(McpConnection connection, Task created) {
        return Mono.just(created)
                .expand(task -> task.status().equals("working") ? poll(connection, task) : Mono.empty())
                .last()
                .flatMap(task -> ended(connection, task));
    }

    /** The task's next status, asked after its poll interval. */
    private static Mono<Task> poll(McpConnection connection, Task task) {
        return Mono.delay(Duration.ofMillis(task.pollMillis()), connection.timers())
                .then(Mono.defer(() -> connection.request("tasks/get", Map.of("taskId", task.id()))))
                .map(status -> {
                    Task next = task(status, "tasks/get");
                    if (!next.id().equals(task.id())) {
                        throw new IllegalStateException("the server answered tasks/get for task " + shown(task.id())
                                + " with another task, " + shown(next.id()));
                    }
                    return next;
                });
    }

    private static Mono<McpSchema.CallToolResult> ended(McpConnection connection, Task task) {
        return switch (task.status()) {
            case "input_required", "completed", "failed" -> connection
                    .request("tasks/result", Map.of("taskId", task.id()))
                    .map(McpTaskCall::result);
            case "cancelled" -> Mono.error(new IllegalStateException("the server cancelled the task"
                    + (task.message().isEmpty() ? "" : ": " + shown(task.message()))));
            default -> Mono.error(new IllegalStateException("the server gave the task the status "
                    + shown(task.status()) + ", which is none of MCP's (working, input_required, completed, "
                    + "failed, cancelled)"));
        };
    }

    private static Task task(@Nullable Object value, String answering) {
        if (!(value instanceof Map<?, ?> task)) {
            throw new IllegalStateException("the server answered " + answering + " without a task: "
                    + shown(McpJson.write(value)));
        }
        if (!(task.get("taskId") instanceof String id) || id.isEmpty()) {
            throw new IllegalStateException("the server answered " + answering + " with a task without a taskId: "
                    + shown(McpJson.write(value)));
        }
        if (!(task.get("status") instanceof String status)) {
            throw new IllegalStateException("the server answered " + answering + " with a task without a status: "
                    + shown(McpJson.write(value)));
        }
        long poll = task.get("pollInterval") instanceof Number n ? n.longValue() : 1_000;
        String message = task.get("statusMessage") instanceof String s ? s : "";
        return new Task(id, status, message, Math.clamp(poll, MIN_POLL_MILLIS, MAX_POLL_MILLIS));
    }

    private static McpSchema.CallToolResult result(Object value) {
        try {
            return McpJson.mapper().convertValue(value, McpSchema.CallToolResult.class);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the server's task result is not a tool's result: "
                    + shown(McpJson.write(value)), e);
        }
    }

    private static void cancel(McpConnection connection, String server, @Nullable String taskId) {
        if (taskId == null) {
            return;
        }
        connection.request("tasks/cancel", Map.of("taskId", taskId))
                .timeout(Duration.ofSeconds(10))
                .subscribe(null, e -> log.debug("MCP server '{}': tasks/cancel of {} failed: {}", server, taskId,
                        McpErrors.why(e)));
    }

    private static String shown(@Nullable String text) {
        if (text == null) {
            return "null";
        }
        String quoted = "\"" + text + "\"";
        return quoted.length() <= MAX_SHOWN ? quoted : quoted.substring(0, MAX_SHOWN) + "…\" (cut)";
    }
}
