package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Tools called as tasks (MCP 2025-11-25) on our {@link McpServer} over stdio, spoken to line by line over OS pipes
 * in process, so the tools' latches and the server's clock are the test's: creation, status, result, failure,
 * cancellation, listing and its pages, sessions that do not see each other's tasks, the cap, expiry on an injected
 * clock, required task support, and the end of the connection cancelling running tasks. The timeouts are hang
 * guards only: no assertion depends on how fast anything is.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpServerTasksTest {
    private static final Instant T0 = Instant.parse("2026-12-07T03:00:00Z");

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(T0);

        void advance(Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    /** The {@code hold} tool's side: it runs until released or cancelled, and says which. */
    static final class Hold {
        final AtomicInteger runs = new AtomicInteger();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch cancelled = new CountDownLatch(1);
        final Sinks.One<String> release = Sinks.one();
    }

    static List<Tool> tools(Hold hold) {
        Tool echo = McpTestPeers.echoTool();
        Tool fail = McpTestPeers.failTool();
        Tool held = Tool.builder("hold")
                .description("Runs until the test releases it")
                .handler((args, ctx) -> hold.release.asMono()
                        .map(ToolResult::text)
                        .doOnSubscribe(s -> {
                            hold.runs.incrementAndGet();
                            hold.entered.countDown();
                        })
                        .doOnCancel(hold.cancelled::countDown))
                .build();
        return List.of(echo, fail, held);
    }

    /** One client connection to {@code server} over pipes, initialized in 2025-11-25. */
    static final class Connection implements AutoCloseable {
        final StdioPeer peer;
        final CompletableFuture<Void> serving;
        final JsonObject initialized;
        final List<JsonObject> notifications = new ArrayList<>();
        private final OutputStream serverOut;
        private int ids;

        Connection(McpServer server) throws IOException {
            Pipe input = Pipe.open();
            Pipe output = Pipe.open();
            serverOut = Channels.newOutputStream(output.sink());
            serving = server.serve(Channels.newInputStream(input.source()), serverOut).toFuture();
            peer = StdioPeer.streams(Channels.newOutputStream(input.sink()), Channels.newInputStream(output.source()));
            initialized = peer.initialize("2025-11-25").getObject("result").orElseThrow();
        }

        /** Sends a request and returns its response, keeping the notifications that come before it. */
        JsonObject request(String method, String params) {
            int id = ++ids;
            peer.send("{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"%s\",\"params\":%s}".formatted(id, method, params));
            while (true) {
                JsonObject message = peer.nextObject();
                if (message.getLong("id").filter(i -> i == id).isPresent()) {
                    return message;
                }
                notifications.add(message);
            }
        }

        JsonObject result(String method, String params) {
            JsonObject response = request(method, params);
            return response.getObject("result")
                    .orElseThrow(() -> new AssertionError(method + " failed: " + response));
        }

        /** Creates a task of {@code tool}; returns the task. */
        JsonObject createTask(String tool, String arguments, String task) {
            return result("tools/call",
                    "{\"name\":\"%s\",\"arguments\":%s,\"task\":%s}".formatted(tool, arguments, task))
                    .getObject("task")
                    .orElseThrow();
        }

        /** Reads until a notification of {@code method} comes (one that came already counts). */
        JsonObject awaitNotification(String method) {
            while (true) {
                for (JsonObject n : notifications) {
                    if (n.getString("method").filter(method::equals).isPresent()) {
                        notifications.remove(n);
                        return n;
                    }
                }
                notifications.add(peer.nextObject());
            }
        }

        void end() throws Exception {
            peer.closeInput();
            serving.get(60, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws IOException {
            peer.close();
            serverOut.close();
        }
    }

    private static McpServer server(Hold hold, McpTaskOptions tasks) {
        return McpServer.builder(tools(hold)).name("tasks").tasks(tasks).build();
    }

    private static String id(JsonObject task) {
        return task.getString("taskId").orElseThrow();
    }

    private static void assertError(JsonObject response, long code, String text) {
        JsonObject error = response.getObject("error")
                .orElseThrow(() -> new AssertionError("expected an error, got " + response));
        assertThat(error.getLong("code")).contains(code);
        assertThat(error.getString("message").orElseThrow()).contains(text);
    }

    private static String text(JsonObject result) {
        return result.getArray("content").orElseThrow().items().getFirst().asObject().getString("text").orElseThrow();
    }

    @Test
    void theServerDeclaresTasksAndListsEveryToolWithItsTaskSupport() throws Exception {
        var hold = new Hold();
        try (var c = new Connection(server(hold, McpTaskOptions.optional()))) {
            assertThat(c.initialized.getObject("capabilities").orElseThrow().getObject("tasks")).contains(
                    JsonValue.parse("{\"list\":{},\"cancel\":{},\"requests\":{\"tools\":{\"call\":{}}}}").asObject());
            var tools = c.result("tools/list", "{}").getArray("tools").orElseThrow().items();
            assertThat(tools).extracting(t -> t.asObject().getString("name").orElseThrow())
                    .containsExactly("echo", "fail", "hold");
            assertThat(tools).allSatisfy(t -> assertThat(t.asObject().getObject("execution"))
                    .contains(JsonValue.parse("{\"taskSupport\":\"optional\"}").asObject()));
            assertThat(tools.getFirst().asObject().getObject("inputSchema").orElseThrow().getObject("properties"))
                    .isPresent();
            // optional: a direct call is served as before
            assertThat(text(c.result("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"direct\"}}")))
                    .isEqualTo("echo: direct");
        }
    }

    @Test
    void withoutTaskOptionsNothingChanges() throws Exception {
        try (var c = new Connection(McpServer.builder(tools(new Hold())).build())) {
            assertThat(c.initialized.getObject("capabilities").orElseThrow().has("tasks")).isFalse();
            var tools = c.result("tools/list", "{}").getArray("tools").orElseThrow().items();
            assertThat(tools).allSatisfy(t -> assertThat(t.asObject().has("execution")).isFalse());
            assertError(c.request("tasks/list", "{}"), -32601, "");
        }
    }

    @Test
    void aTaskIsAnsweredAtOnceAndItsResultComesFromTasksResult() throws Exception {
        var hold = new Hold();
        var clock = new TestClock();
        try (var c = new Connection(server(hold, McpTaskOptions.optional()
                .withPollInterval(Duration.ofMillis(250))
                .withClock(clock)))) {
            JsonObject task = c.createTask("hold", "{}", "{\"ttl\":60000}");
            assertThat(id(task)).matches("[0-9a-f]{32}");
            assertThat(task.getString("status")).contains("working");
            assertThat(task.getString("createdAt")).contains("2026-12-07T03:00:00Z");
            assertThat(task.getString("lastUpdatedAt")).contains("2026-12-07T03:00:00Z");
            assertThat(task.getLong("ttl")).contains(60_000L);
            assertThat(task.getLong("pollInterval")).contains(250L);
            hold.entered.await();
            JsonObject status = c.result("tasks/get", "{\"taskId\":\"%s\"}".formatted(id(task)));
            assertThat(status.getString("status")).contains("working");
            clock.advance(Duration.ofSeconds(5));
            hold.release.tryEmitValue("released");
            JsonObject result = c.result("tasks/result", "{\"taskId\":\"%s\"}".formatted(id(task)));
            assertThat(text(result)).isEqualTo("released");
            assertThat(result.getBoolean("isError")).contains(false);
            assertThat(result.getObject("_meta")
                    .orElseThrow()
                    .getObject("io.modelcontextprotocol/related-task")
                    .orElseThrow()
                    .getString("taskId")).contains(id(task));
            JsonObject done = c.result("tasks/get", "{\"taskId\":\"%s\"}".formatted(id(task)));
            assertThat(done.getString("status")).contains("completed");
            assertThat(done.getString("lastUpdatedAt")).contains("2026-12-07T03:00:05Z");
            JsonObject notified = c.awaitNotification("notifications/tasks/status").getObject("params").orElseThrow();
            assertThat(notified.getString("taskId")).contains(id(task));
            assertThat(notified.getString("status")).contains("completed");
            // tasks/result answers again, the same
            assertThat(text(c.result("tasks/result", "{\"taskId\":\"%s\"}".formatted(id(task)))))
                    .isEqualTo("released");
        }
    }

    @Test
    void aToolsErrorResultFailsTheTaskAndTasksResultGivesIt() throws Exception {
        try (var c = new Connection(server(new Hold(), McpTaskOptions.optional()))) {
            JsonObject task = c.createTask("fail", "{}", "{}");
            assertThat(task.getString("status")).as("a task begins working, even one whose tool answers at once")
                    .contains("working");
            assertThat(task.getLong("ttl")).as("no ttl asked: the server's maximum").contains(3_600_000L);
            JsonObject result = c.result("tasks/result", "{\"taskId\":\"%s\"}".formatted(id(task)));
            assertThat(result.getBoolean("isError")).contains(true);
            assertThat(text(result)).contains("it broke");
            assertThat(c.result("tasks/get", "{\"taskId\":\"%s\"}".formatted(id(task))).getString("status"))
                    .contains("failed");
        }
    }

    @Test
    void cancellingATaskCancelsItsToolAndTheTaskStaysCancelled() throws Exception {
        var hold = new Hold();
        try (var c = new Connection(server(hold, McpTaskOptions.optional()))) {
            JsonObject task = c.createTask("hold", "{}", "{\"ttl\":60000}");
            hold.entered.await();
            JsonObject cancelled = c.result("tasks/cancel", "{\"taskId\":\"%s\"}".formatted(id(task)));
            assertThat(cancelled.getString("status")).contains("cancelled");
            assertThat(cancelled.getString("statusMessage")).contains("The task was cancelled by request.");
            assertThat(hold.cancelled.await(60, TimeUnit.SECONDS)).as("the tool saw its cancellation").isTrue();
            hold.release.tryEmitValue("too late");
            assertThat(c.result("tasks/get", "{\"taskId\":\"%s\"}".formatted(id(task))).getString("status"))
                    .contains("cancelled");
            assertError(c.request("tasks/cancel", "{\"taskId\":\"%s\"}".formatted(id(task))), -32602,
                    "it is already cancelled");
            assertError(c.request("tasks/result", "{\"taskId\":\"%s\"}".formatted(id(task))), -32602,
                    "was cancelled; it has no result");
        }
    }

    @Test
    void aSessionSeesOnlyItsOwnTasks() throws Exception {
        var hold = new Hold();
        McpServer server = server(hold, McpTaskOptions.optional());
        try (var mine = new Connection(server); var other = new Connection(server)) {
            JsonObject task = mine.createTask("hold", "{}", "{}");
            hold.entered.await();
            for (String method : List.of("tasks/get", "tasks/result", "tasks/cancel")) {
                assertError(other.request(method, "{\"taskId\":\"%s\"}".formatted(id(task))), -32602,
                        "Task not found");
            }
            assertThat(other.result("tasks/list", "{}").getArray("tasks").orElseThrow().items()).isEmpty();
            assertError(mine.request("tasks/get", "{\"taskId\":\"no-such-task\"}"), -32602, "Task not found");
            assertError(mine.request("tasks/get", "{}"), -32602, "taskId");
            assertThat(mine.result("tasks/list", "{}").getArray("tasks").orElseThrow().items())
                    .extracting(t -> t.asObject().getString("taskId").orElseThrow())
                    .containsExactly(id(task));
            assertThat(hold.cancelled.getCount()).as("the other session's cancel reached nothing").isEqualTo(1);
            assertThat(mine.result("tasks/get", "{\"taskId\":\"%s\"}".formatted(id(task))).getString("status"))
                    .contains("working");
        }
    }

    @Test
    void overTheCapANewTaskIsRefusedUntilOneEnds() throws Exception {
        var hold = new Hold();
        try (var c = new Connection(server(hold, McpTaskOptions.optional().withMaxTasks(2)))) {
            JsonObject done = c.createTask("echo", "{\"text\":\"first\"}", "{}");
            assertThat(text(c.result("tasks/result", "{\"taskId\":\"%s\"}".formatted(id(done))))).isEqualTo(
                    "echo: first");
            JsonObject a = c.createTask("hold", "{}", "{}");
            JsonObject b = c.createTask("hold", "{}", "{}"); // drops the ended echo task to make room
            assertError(c.request("tasks/get", "{\"taskId\":\"%s\"}".formatted(id(done))), -32602, "Task not found");
            assertError(c.request("tools/call", "{\"name\":\"hold\",\"arguments\":{},\"task\":{}}"), -32600,
                    "too many tasks: this session has 2 tasks running");
            assertThat(c.result("tasks/list", "{}").getArray("tasks").orElseThrow().items())
                    .extracting(t -> t.asObject().getString("taskId").orElseThrow())
                    .containsExactly(id(a), id(b));
            c.result("tasks/cancel", "{\"taskId\":\"%s\"}".formatted(id(a)));
            JsonObject next = c.createTask("echo", "{\"text\":\"next\"}", "{}");
            assertThat(text(c.result("tasks/result", "{\"taskId\":\"%s\"}".formatted(id(next))))).isEqualTo(
                    "echo: next");
            assertThat(hold.runs).as("the refused task never ran").hasValue(2);
        }
    }

    @Test
    void tasksListIsPaged() throws Exception {
        try (var c = new Connection(server(new Hold(), McpTaskOptions.optional()))) {
            var created = new ArrayList<String>();
            for (int i = 0; i < 25; i++) {
                created.add(id(c.createTask("echo", "{\"text\":\"" + i + "\"}", "{}")));
            }
            JsonObject first = c.result("tasks/list", "{}");
            String cursor = first.getString("nextCursor").orElseThrow();
            JsonObject second = c.result("tasks/list", "{\"cursor\":\"%s\"}".formatted(cursor));
            assertThat(second.has("nextCursor")).isFalse();
            var listed = new ArrayList<String>();
            for (JsonObject page : List.of(first, second)) {
                page.getArray("tasks")
                        .orElseThrow()
                        .items()
                        .forEach(t -> listed.add(t.asObject().getString("taskId").orElseThrow()));
            }
            assertThat(first.getArray("tasks").orElseThrow().items()).hasSize(20);
            assertThat(listed).isEqualTo(created);
            assertError(c.request("tasks/list", "{\"cursor\":\"not-ours\"}"), -32602, "cursor");
        }
    }

    @Test
    void anEndedTaskIsDroppedOnceItsTtlHasPassed() throws Exception {
        var clock = new TestClock();
        try (var c = new Connection(server(new Hold(), McpTaskOptions.optional()
                .withMaxTtl(Duration.ofMinutes(1))
                .withClock(clock)))) {
            JsonObject task = c.createTask("echo", "{\"text\":\"kept\"}", "{\"ttl\":1000}");
            JsonObject capped = c.createTask("echo", "{\"text\":\"capped\"}", "{\"ttl\":36000000}");
            assertThat(capped.getLong("ttl")).as("capped at the server's maximum").contains(60_000L);
            assertThat(text(c.result("tasks/result", "{\"taskId\":\"%s\"}".formatted(id(task))))).isEqualTo(
                    "echo: kept");
            clock.advance(Duration.ofMillis(999));
            assertThat(c.result("tasks/get", "{\"taskId\":\"%s\"}".formatted(id(task))).getString("status"))
                    .contains("completed");
            clock.advance(Duration.ofMillis(1));
            assertError(c.request("tasks/result", "{\"taskId\":\"%s\"}".formatted(id(task))), -32602,
                    "Task not found");
            assertThat(c.result("tasks/list", "{}").getArray("tasks").orElseThrow().items())
                    .extracting(t -> t.asObject().getString("taskId").orElseThrow())
                    .containsExactly(id(capped));
            assertError(c.request("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"x\"},"
                    + "\"task\":{\"ttl\":\"soon\"}}"), -32602, "task.ttl");
        }
    }

    @Test
    void aToolThatRequiresTasksRefusesADirectCall() throws Exception {
        try (var c = new Connection(server(new Hold(), McpTaskOptions.required()))) {
            var tools = c.result("tools/list", "{}").getArray("tools").orElseThrow().items();
            assertThat(tools).allSatisfy(t -> assertThat(t.asObject().getObject("execution"))
                    .contains(JsonValue.parse("{\"taskSupport\":\"required\"}").asObject()));
            assertError(c.request("tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"direct\"}}"), -32601,
                    "must be called as a task");
            JsonObject task = c.createTask("echo", "{\"text\":\"as a task\"}", "{}");
            assertThat(text(c.result("tasks/result", "{\"taskId\":\"%s\"}".formatted(id(task))))).isEqualTo(
                    "echo: as a task");
            // an unknown tool is the SDK's to answer, as for a direct call
            JsonObject unknown = c.request("tools/call", "{\"name\":\"nope\",\"arguments\":{},\"task\":{}}");
            assertThat(unknown.has("error") || unknown.getObject("result")
                    .orElseThrow()
                    .getBoolean("isError")
                    .orElse(false)).isTrue();
        }
    }

    @Test
    void whenTheConnectionEndsItsRunningTasksAreCancelled() throws Exception {
        var hold = new Hold();
        try (var c = new Connection(server(hold, McpTaskOptions.optional()))) {
            c.createTask("hold", "{}", "{}");
            hold.entered.await();
            c.end();
            assertThat(hold.cancelled.getCount()).as("cancelled before serving ended").isZero();
        }
    }
}
