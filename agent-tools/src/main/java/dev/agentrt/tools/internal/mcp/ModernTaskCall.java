package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A 2026-07-28 {@code tools/call} that the server answered with a task ({@code resultType: "task"}, the {@code
 * io.modelcontextprotocol/tasks} extension, which the client declares in every request's capabilities): the task is
 * asked for ({@code tasks/get}) at the server's {@code pollIntervalMs}, kept between {@value
 * McpTaskCall#MIN_POLL_MILLIS} ms and {@value McpTaskCall#MAX_POLL_MILLIS} ms (as for the 2025-11-25 tasks of
 * {@link McpTaskCall}), until it ends: completed gives the tool's result it carries, failed the JSON-RPC error it
 * carries, cancelled an error saying so. The polls are a loop ({@code expand}), so a long task holds no more than a
 * short one. A task that asks for input ({@code input_required}) has its {@code inputRequests} answered as a request's
 * own {@code input_required} rounds are ({@link ModernRequester}: the connection's elicitation handler, sampling and
 * roots; what the client did not declare is refused), sent with {@code tasks/update}, and is followed on: at most
 * {@value ModernRequester#MAX_ROUNDS} updates of at most {@value ModernRequester#MAX_INPUT_REQUESTS} requests each,
 * an input request answered once (a key seen again is not answered again). Input that cannot be given fails the
 * call and cancels the task, as does a status that is none of the extension's.
 * The call cancelled before the task ended (the agent's cancel, the caller's timeout) cancels the task ({@code
 * tasks/cancel}); so does a call cancelled before the answer that names the task, when that answer still comes (over
 * stdio: {@link ModernRequester} takes it for a while). Over HTTP the cancel closes the request's stream, and an
 * answer in flight then is lost: that task runs until the server's own time limits end it. The call's progress says
 * when it became a task. An answer that is not a task of the extension's form fails the call saying what the server
 * sent.
 */
final class ModernTaskCall {
    private static final Logger log = LoggerFactory.getLogger(ModernTaskCall.class);
    static final String EXTENSION = "io.modelcontextprotocol/tasks";
    private static final int MAX_SHOWN = 200;
    /** The statuses a task ends in; in any other, the call's end leaves it to be cancelled. */
    private static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled");

    private ModernTaskCall() {}

    /**
     * The answers to the input requests {@code asked} (by the server's keys) of a request {@code method}, as the
     * connection gives them ({@code ModernRequester}); fails on the first that cannot be given.
     */
    @FunctionalInterface
    interface Answers {
        Mono<Map<String, Object>> answer(String method, Map<?, ?> asked);
    }

    /** Sends one request of the revision (its envelope added) and emits its result. */
    @FunctionalInterface
    interface Sender {
        Mono<Object> send(String method, Map<String, Object> params);
    }

    /**
     * One state of the task, as {@code tasks/get} showed it, or as the creating answer did ({@code created}: without
     * what the task ended with, so asked for at once even when its status is terminal).
     */
    private record Task(String id, String status, long pollMillis, Map<?, ?> shown, boolean created) {}

    /** Follows the task {@code created} (the answer to {@code tools/call}) to the tool's result. */
    static Mono<McpSchema.CallToolResult> follow(String server, Sender send, Answers answers, Map<?, ?> created,
            Scheduler timers) {
        return Mono.defer(() -> {
            Task first = task(server, created, "tools/call", true);
            var ended = new AtomicBoolean();
            var answered = new HashSet<String>();
            var rounds = new AtomicInteger();
            return Mono.just(first)
                    .expand(task -> {
                        if (task.created()) {
                            return poll(server, send, task, timers, false);
                        }
                        return switch (task.status()) {
                            case "working" -> poll(server, send, task, timers, true);
                            case "input_required" -> input(server, send, answers, task, answered, rounds)
                                    .then(poll(server, send, task, timers, true));
                            default -> Mono.empty();
                        };
                    })
                    .last()
                    .flatMap(task -> {
                        if (TERMINAL.contains(task.status())) {
                            ended.set(true);
                        }
                        return result(server, task);
                    })
                    .doOnError(e -> {
                        if (!ended.get()) {
                            cancel(server, send, first.id());
                        }
                    })
                    .doOnCancel(() -> {
                        if (!ended.get()) {
                            cancel(server, send, first.id());
                        }
                    });
        });
    }

    /**
     * Answers the input requests of {@code task} not answered before ({@code answered}, the keys answered so far) with
     * one {@code tasks/update}; completes when the server took it. Fails when the server asks too much, or for what
     * cannot be given.
     */
    private static Mono<Void> input(String server, Sender send, Answers answers, Task task, Set<String> answered,
            AtomicInteger rounds) {
        if (!(task.shown().get("inputRequests") instanceof Map<?, ?> asked) || asked.isEmpty()) {
            return Mono.error(new IllegalStateException("MCP server '" + server + "''s task " + shown(task.id())
                    + " is input_required without inputRequests"));
        }
        var fresh = new LinkedHashMap<Object, Object>();
        asked.forEach((k, v) -> {
            if (!answered.contains(String.valueOf(k))) {
                fresh.put(k, v);
            }
        });
        if (fresh.isEmpty()) {
            return Mono.empty(); // answered already: the server has yet to take it in
        }
        if (fresh.size() > ModernRequester.MAX_INPUT_REQUESTS) {
            return Mono.error(new IllegalStateException("MCP server '" + server + "''s task " + shown(task.id())
                    + " asked for " + fresh.size() + " inputs at once, more than the "
                    + ModernRequester.MAX_INPUT_REQUESTS + " a round may have; the task is cancelled"));
        }
        if (rounds.incrementAndGet() > ModernRequester.MAX_ROUNDS) {
            return Mono.error(new IllegalStateException("MCP server '" + server + "''s task " + shown(task.id())
                    + " still asked for input after " + ModernRequester.MAX_ROUNDS + " rounds; the task is "
                    + "cancelled"));
        }
        fresh.keySet().forEach(k -> answered.add(String.valueOf(k)));
        return answers.answer("tools/call (task " + shown(task.id()) + ")", fresh)
                .flatMap(responses -> send.send("tasks/update", Map.of("taskId", task.id(), "inputResponses",
                        responses)))
                .then();
    }

    /** The task's next state, asked after its poll interval ({@code wait}) or at once. */
    private static Mono<Task> poll(String server, Sender send, Task task, Scheduler timers, boolean wait) {
        Mono<Long> delay = wait
                ? Mono.delay(Duration.ofMillis(task.pollMillis()), timers)
                : Mono.just(0L);
        return delay.then(Mono.defer(() -> send.send("tasks/get", Map.of("taskId", task.id()))))
                .map(answer -> {
                    Task next = task(server, answer, "tasks/get", false);
                    if (!next.id().equals(task.id())) {
                        throw new IllegalStateException("MCP server '" + server + "' answered tasks/get for task "
                                + shown(task.id()) + " with another task, " + shown(next.id()));
                    }
                    return next;
                });
    }

    private static Mono<McpSchema.CallToolResult> result(String server, Task task) {
        return switch (task.status()) {
            case "completed" -> {
                if (!(task.shown().get("result") instanceof Map<?, ?> result)) {
                    yield Mono.error(new IllegalStateException("MCP server '" + server + "' completed task "
                            + shown(task.id()) + " without a result"));
                }
                var copy = new LinkedHashMap<Object, Object>(result);
                copy.remove("resultType");
                try {
                    yield Mono.just(McpJson.mapper().convertValue(copy, McpSchema.CallToolResult.class));
                } catch (RuntimeException e) {
                    yield Mono.error(new IllegalStateException("MCP server '" + server + "''s task result is not a "
                            + "tool's result: " + shown(McpJson.write(result)), e));
                }
            }
            case "failed" -> {
                if (task.shown().get("error") instanceof Map<?, ?> error && error.get("code") instanceof Number code
                        && error.get("message") instanceof String message) {
                    yield Mono.error(new McpError(new McpSchema.JSONRPCResponse.JSONRPCError(code.intValue(),
                            message, error.get("data"))));
                }
                yield Mono.error(new IllegalStateException("MCP server '" + server + "' failed task "
                        + shown(task.id()) + " without a JSON-RPC error"));
            }
            case "cancelled" -> Mono.error(new IllegalStateException("MCP server '" + server
                    + "' cancelled the task" + (task.shown().get("statusMessage") instanceof String m
                            ? ": " + shown(m)
                            : "")));
            default -> Mono.error(new IllegalStateException("MCP server '" + server + "' gave the task the status "
                    + shown(task.status()) + ", which is none of the tasks extension's (working, input_required, "
                    + "completed, failed, cancelled)"));
        };
    }

    private static Task task(String server, @Nullable Object value, String answering, boolean created) {
        if (!(value instanceof Map<?, ?> task)) {
            throw new IllegalStateException("MCP server '" + server + "' answered " + answering
                    + " with something that is not a task: " + shown(McpJson.write(value)));
        }
        if (!(task.get("taskId") instanceof String id) || id.isEmpty()) {
            throw new IllegalStateException("MCP server '" + server + "' answered " + answering
                    + " with a task without a taskId: " + shown(McpJson.write(value)));
        }
        if (!(task.get("status") instanceof String status)) {
            throw new IllegalStateException("MCP server '" + server + "' answered " + answering
                    + " with a task without a status: " + shown(McpJson.write(value)));
        }
        long poll = task.get("pollIntervalMs") instanceof Number n ? n.longValue() : 1_000;
        return new Task(id, status, Math.clamp(poll, McpTaskCall.MIN_POLL_MILLIS, McpTaskCall.MAX_POLL_MILLIS),
                task, created);
    }

    /** Sends {@code tasks/cancel} for {@code taskId}, at most 10 s waited for; a failure is only logged. */
    static void cancel(String server, Sender send, String taskId) {
        send.send("tasks/cancel", Map.of("taskId", taskId))
                .timeout(Duration.ofSeconds(10))
                .subscribe(null, e -> log.debug("MCP server '{}': tasks/cancel of {} failed: {}", server, taskId,
                        McpErrors.why(e)));
    }

    static String shown(@Nullable String text) {
        if (text == null) {
            return "null";
        }
        String quoted = "\"" + text + "\"";
        return quoted.length() <= MAX_SHOWN ? quoted : quoted.substring(0, MAX_SHOWN) + "…\" (cut)";
    }
}
