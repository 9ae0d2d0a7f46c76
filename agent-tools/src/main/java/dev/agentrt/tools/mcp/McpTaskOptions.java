package dev.agentrt.tools.mcp;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link McpServer} serves its tools as tasks (MCP 2025-11-25 tasks, {@link McpServer.Builder#tasks}). A
 * client calls a tool as a task by giving {@code params.task} (with an optional {@code ttl} in milliseconds) in its
 * {@code tools/call}: the server answers at once with the task ({@code taskId}, 128 random bits; status {@code
 * working}) and runs the tool exactly as a direct call (the same grants, access policy and timeout); the client
 * follows it with {@code tasks/get}, takes its result with {@code tasks/result} (which waits for the end), lists
 * its tasks with {@code tasks/list} and cancels one with {@code tasks/cancel} (the tool is cancelled).
 *
 * <pre>{@code
 * McpServer.builder(tools)
 *     .tasks(McpTaskOptions.optional().withMaxTasks(8).withMaxTtl(Duration.ofMinutes(10)))
 *     .build();
 * }</pre>
 *
 * <p>Tasks belong to the stdio connection or HTTP session that created them: another session's task id is
 * answered as an unknown one ({@code -32602}). A session holds at most {@link #maxTasks} tasks, running or ended: a
 * new task drops the oldest ended one to make room, and is refused ({@code -32600}) when all are running. An ended
 * task, with its result, is dropped once its ttl from creation has passed on {@link #clock} (the client's ttl, at
 * most {@link #maxTtl}, which is also the ttl of a task the client gave none); a running task is bounded by the
 * server's timeout instead. When the session ends, its running tasks are cancelled and all of its tasks dropped.
 *
 * <p>In the 2026-07-28 revision tasks are the {@code io.modelcontextprotocol/tasks} extension, and the server
 * decides: a {@code tools/call} whose client capabilities declare the extension is answered with a task ({@code
 * resultType: "task"}, its {@code ttlMs} this {@link #maxTtl}, its {@code pollIntervalMs} this {@link
 * #pollInterval}), followed with {@code tasks/get} (the result once completed), {@code tasks/update} and {@code
 * tasks/cancel}; a client not declaring it gets a complete result, or {@code -32021} when {@link #taskRequired}.
 * Those tasks belong to the stdio connection or the HTTP endpoint (the revision has no sessions; their ids are
 * unguessable), held at most {@link #maxTasks} there, and end when it stops serving.
 *
 * @param taskRequired whether a tool must be called as a task ({@code execution.taskSupport: "required"}, and a
 *     direct call is refused with {@code -32601}) or may be ({@code "optional"})
 * @param maxTasks the most tasks one session holds; positive
 * @param maxTtl the longest an ended task is kept from its creation; positive
 * @param pollInterval the interval between {@code tasks/get} the server suggests; positive
 * @param clock the time of the tasks' timestamps and of their expiry
 */
public record McpTaskOptions(boolean taskRequired, int maxTasks, Duration maxTtl, Duration pollInterval, Clock clock) {
    public McpTaskOptions {
        if (maxTasks < 1) {
            throw new IllegalArgumentException("maxTasks must be positive, was " + maxTasks);
        }
        positive(maxTtl, "maxTtl");
        positive(pollInterval, "pollInterval");
        Objects.requireNonNull(clock, "clock");
    }

    /** Tools may be called as tasks or directly: 32 tasks a session, kept for at most an hour, polled each second. */
    public static McpTaskOptions optional() {
        return new McpTaskOptions(false, 32, Duration.ofHours(1), Duration.ofSeconds(1), Clock.systemUTC());
    }

    /** As {@link #optional()}, but tools must be called as tasks. */
    public static McpTaskOptions required() {
        return new McpTaskOptions(true, 32, Duration.ofHours(1), Duration.ofSeconds(1), Clock.systemUTC());
    }

    public McpTaskOptions withMaxTasks(int maxTasks) {
        return new McpTaskOptions(taskRequired, maxTasks, maxTtl, pollInterval, clock);
    }

    public McpTaskOptions withMaxTtl(Duration maxTtl) {
        return new McpTaskOptions(taskRequired, maxTasks, maxTtl, pollInterval, clock);
    }

    public McpTaskOptions withPollInterval(Duration pollInterval) {
        return new McpTaskOptions(taskRequired, maxTasks, maxTtl, pollInterval, clock);
    }

    /** The clock tasks are stamped and expired by; {@link Clock#systemUTC()} unless a test needs its own. */
    public McpTaskOptions withClock(Clock clock) {
        return new McpTaskOptions(taskRequired, maxTasks, maxTtl, pollInterval, clock);
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + d);
        }
    }
}
