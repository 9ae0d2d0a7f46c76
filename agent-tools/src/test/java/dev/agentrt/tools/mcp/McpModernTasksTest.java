package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tasks extension of MCP 2026-07-28 ({@code io.modelcontextprotocol/tasks}) on our {@link McpServer}, spoken to
 * in raw JSON over stdio (OS pipes, in process) and streamable HTTP (stateful and stateless): the extension in
 * {@code server/discover}; a declaring client's call answered with a task that settles with the tool's result
 * ({@code tasks/get}); a tool's error result as a completed task; cancelling (the tool sees it), again, and after
 * the end; what a client not declaring the extension gets; the 2025-11-25 methods and {@code params.task} of no
 * effect; malformed, unknown and foreign task ids; the cap; expiry on an injected clock; and the end of serving
 * cancelling running tasks. The tools' latches are the test's: no assertion depends on time (the timeouts are hang
 * guards only; waiting for a task to end polls {@code tasks/get}, as a client does).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpModernTasksTest {
    private static final String MODERN = "2026-07-28";
    private static final String EXTENSION = "io.modelcontextprotocol/tasks";
    private static final String DECLARING = "\"io.modelcontextprotocol/protocolVersion\":\"" + MODERN + "\","
            + "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"raw\",\"version\":\"1\"},"
            + "\"io.modelcontextprotocol/clientCapabilities\":{\"extensions\":{\"" + EXTENSION + "\":{}}}";
    private static final String PLAIN = "\"io.modelcontextprotocol/protocolVersion\":\"" + MODERN + "\","
            + "\"io.modelcontextprotocol/clientCapabilities\":{}";
    private static final McpTaskOptions OPTIONS = McpTaskOptions.optional()
            .withMaxTtl(Duration.ofMinutes(1))
            .withPollInterval(Duration.ofMillis(50));

    @RegisterExtension
    final McpHttpFixture http = new McpHttpFixture();

    /** The {@code hold} calls, by their {@code name} argument: each runs until released or cancelled. */
    static final class Gates {
        final Map<String, Gate> byName = new ConcurrentHashMap<>();

        Gate gate(String name) {
            return byName.computeIfAbsent(name, n -> new Gate());
        }
    }

    static final class Gate {
        final AtomicInteger runs = new AtomicInteger();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch cancelled = new CountDownLatch(1);
        final Sinks.One<String> release = Sinks.one();
    }

    static List<Tool> tools(Gates gates) {
        return tools(gates, "hold");
    }

    /** {@code echo}, {@code fail} and the gated tool, named {@code hold}. */
    static List<Tool> tools(Gates gates, String hold) {
        Tool echo = McpTestPeers.echoTool();
        Tool fail = McpTestPeers.failTool();
        Tool held = Tool.builder(hold)
                .description("Runs until the test releases it")
                .parameters(JsonValue.parse("""
                        {"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""").asObject())
                .handler((args, ctx) -> {
                    Gate gate = gates.gate(args.getString("name").orElseThrow());
                    return gate.release.asMono()
                            .map(ToolResult::text)
                            .doOnSubscribe(s -> {
                                gate.runs.incrementAndGet();
                                gate.entered.countDown();
                            })
                            .doOnCancel(gate.cancelled::countDown);
                })
                .build();
        return List.of(echo, fail, held);
    }

    private static McpServer server(Gates gates, McpTaskOptions tasks) {
        return McpServer.builder(tools(gates)).name("modern-tasks").tasks(tasks).build();
    }

    /** A client that sends one request and reads its answer. */
    interface Client extends AutoCloseable {
        JsonObject ask(String request) throws Exception;

        @Override
        default void close() throws IOException {}
    }

    /** One stdio connection to a server, over pipes. */
    static final class Piped implements Client {
        final StdioPeer peer;
        final CompletableFuture<Void> serving;
        final OutputStream serverOut;

        Piped(McpServer server) throws IOException {
            Pipe input = Pipe.open();
            Pipe output = Pipe.open();
            serverOut = Channels.newOutputStream(output.sink());
            serving = server.serve(Channels.newInputStream(input.source()), serverOut).toFuture();
            peer = StdioPeer.streams(Channels.newOutputStream(input.sink()), Channels.newInputStream(output.source()));
        }

        @Override
        public JsonObject ask(String request) {
            peer.send(request);
            return peer.nextObject();
        }

        /** Ends the input and waits for serving to end. */
        @Override
        public void close() throws IOException {
            peer.closeInput();
            try {
                serving.get(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IOException("serving did not end cleanly", e);
            }
            serverOut.close();
            peer.close();
        }
    }

    private Client client(String transport, McpServer server) throws IOException {
        if (transport.equals("stdio")) {
            return new Piped(server);
        }
        McpHttpServer served = http.serve(server, McpHttpOptions.defaults().stateless(transport.endsWith("stateless")));
        return request -> McpHttpFixture
                .answer(http.send(McpHttpFixture.post(served, request, "MCP-Protocol-Version", MODERN)));
    }

    private static int ids;

    private static String request(String method, String params, String meta) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + (++ids) + ",\"method\":\"" + method + "\",\"params\":{"
                + (params.isEmpty() ? "" : params + ",") + "\"_meta\":{" + meta + "}}}";
    }

    private static JsonObject result(Client c, String method, String params) throws Exception {
        JsonObject response = c.ask(request(method, params, DECLARING));
        return response.getObject("result").orElseThrow(() -> new AssertionError(method + " failed: " + response));
    }

    private static JsonObject call(Client c, String tool, String arguments) throws Exception {
        return result(c, "tools/call", "\"name\":\"" + tool + "\",\"arguments\":" + arguments);
    }

    private static JsonObject get(Client c, String id) throws Exception {
        return result(c, "tasks/get", "\"taskId\":\"" + id + "\"");
    }

    /** Polls {@code tasks/get} while the task is working, as a client does; the task as it ended. */
    private static JsonObject settled(Client c, String id) throws Exception {
        while (true) {
            JsonObject task = get(c, id);
            if (!task.getString("status").orElseThrow().equals("working")) {
                return task;
            }
            Thread.onSpinWait();
        }
    }

    private static String id(JsonObject task) {
        return task.getString("taskId").orElseThrow();
    }

    private static void assertError(JsonObject response, long code, String text) {
        JsonObject error = response.getObject("error")
                .orElseThrow(() -> new AssertionError("expected an error, got " + response));
        assertThat(error.getLong("code")).as("%s", response).contains(code);
        assertThat(error.getString("message").orElseThrow()).as("%s", response).contains(text);
    }

    private static String text(JsonObject result) {
        return result.getArray("content").orElseThrow().items().getFirst().asObject().getString("text").orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"stdio", "http", "http-stateless"})
    void taskNotificationsAreRefusedToAClientNotDeclaringTheExtension(String transport) throws Exception {
        try (Client c = client(transport, server(new Gates(), OPTIONS))) {
            String listen = "\"notifications\":{\"toolsListChanged\":true,\"taskIds\":[\"any\"]}";
            JsonObject refused = c.ask(request("subscriptions/listen", listen, PLAIN));
            assertError(refused, -32021, "\"taskIds\"");
            assertThat(refused.get("error").asObject().get("data").toJson()).contains(EXTENSION);
            assertError(c.ask(request("subscriptions/listen",
                    "\"notifications\":{\"taskIds\":\"not a list\"}", DECLARING)), -32602, "\"taskIds\"");
        }
    }

    @Test
    void aDeclaringClientsTaskIdsAreLeftOutOfTheAcknowledgementAsNoTaskNotificationIsSent() throws Exception {
        try (Client c = client("stdio", server(new Gates(), OPTIONS))) {
            JsonObject ack = c.ask(request("subscriptions/listen",
                    "\"notifications\":{\"toolsListChanged\":true,\"taskIds\":[\"any\"]}", DECLARING));
            assertThat(ack.getString("method")).hasValue("notifications/subscriptions/acknowledged");
            assertThat(ack.get("params").asObject().get("notifications").toJson())
                    .isEqualTo("{\"toolsListChanged\":true}");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"stdio", "http", "http-stateless"})
    void aDeclaringClientsCallsAreTasksItFollowsAndCancels(String transport) throws Exception {
        var gates = new Gates();
        try (Client c = client(transport, server(gates, OPTIONS))) {
            JsonObject discover = result(c, "server/discover", "");
            assertThat(discover.getObject("capabilities").orElseThrow().getObject("extensions"))
                    .contains(JsonValue.parse("{\"" + EXTENSION + "\":{}}").asObject());

            // created: a task, seeded working, the server's ttl and poll interval; a legacy params.task is ignored
            JsonObject created = result(c, "tools/call",
                    "\"name\":\"hold\",\"arguments\":{\"name\":\"A\"},\"task\":{\"ttl\":999999999999999}");
            assertThat(created.getString("resultType")).contains("task");
            assertThat(created.getString("status")).contains("working");
            assertThat(id(created)).hasSize(32);
            assertThat(created.getLong("ttlMs")).contains(60_000L);
            assertThat(created.getLong("pollIntervalMs")).contains(50L);
            assertThat(created.getString("createdAt")).isPresent();
            assertThat(created.has("result")).isFalse();
            Gate a = gates.gate("A");
            assertThat(a.entered.await(60, TimeUnit.SECONDS)).isTrue();
            JsonObject working = get(c, id(created));
            assertThat(working.getString("status")).contains("working");
            assertThat(working.getString("resultType")).as("tasks/get's own result").contains("complete");

            // settles with what the direct call would have answered
            a.release.tryEmitValue("released");
            JsonObject done = settled(c, id(created));
            assertThat(done.getString("status")).contains("completed");
            JsonObject result = done.getObject("result").orElseThrow();
            assertThat(text(result)).isEqualTo("released");
            assertThat(result.getString("resultType")).contains("complete");
            assertThat(a.runs.get()).isEqualTo(1);

            // a tool's error result completes the task: failed is for JSON-RPC errors
            JsonObject failed = settled(c, id(call(c, "fail", "{}")));
            assertThat(failed.getString("status")).contains("completed");
            assertThat(failed.getObject("result").orElseThrow().getBoolean("isError")).contains(true);
            assertThat(text(failed.getObject("result").orElseThrow())).contains("it broke");

            // cancelled: acknowledged, the tool stopped; again, and after completion, still acknowledged
            JsonObject b = call(c, "hold", "{\"name\":\"B\"}");
            assertThat(gates.gate("B").entered.await(60, TimeUnit.SECONDS)).isTrue();
            JsonObject ack = result(c, "tasks/cancel", "\"taskId\":\"" + id(b) + "\"");
            assertThat(ack.getString("resultType")).contains("complete");
            assertThat(ack.has("status")).isFalse();
            assertThat(gates.gate("B").cancelled.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(get(c, id(b)).getString("status")).contains("cancelled");
            assertThat(get(c, id(b)).has("result")).isFalse();
            assertThat(result(c, "tasks/cancel", "\"taskId\":\"" + id(b) + "\"").getString("resultType"))
                    .contains("complete");
            assertThat(result(c, "tasks/cancel", "\"taskId\":\"" + id(created) + "\"").getString("resultType"))
                    .contains("complete");
            assertThat(get(c, id(created)).getString("status")).as("completed before the cancel")
                    .contains(
                            "completed");

            // tasks/update: no task of this server asks for input, so every response answers nothing outstanding
            assertThat(result(c, "tasks/update", "\"taskId\":\"" + id(created)
                    + "\",\"inputResponses\":{\"never-asked\":{\"action\":\"accept\"}}").getString("resultType"))
                    .contains("complete");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"stdio", "http", "http-stateless"})
    void refusesMalformedUnknownAndUndeclaredTaskRequestsClearly(String transport) throws Exception {
        var gates = new Gates();
        try (Client c = client(transport, server(gates, OPTIONS))) {
            JsonObject echo = call(c, "echo", "{\"text\":\"hi\"}");
            assertThat(echo.getString("status")).as("seeded working, even for a tool that answers at once")
                    .contains("working");
            String done = id(settled(c, id(echo)));
            assertError(c.ask(request("tasks/get", "\"taskId\":\"no-such-task\"", DECLARING)), -32602,
                    "Failed to retrieve task: Task not found");
            assertError(c.ask(request("tasks/cancel", "\"taskId\":\"no-such-task\"", DECLARING)), -32602,
                    "Task not found");
            assertError(c.ask(request("tasks/update", "\"taskId\":\"no-such-task\",\"inputResponses\":{}",
                    DECLARING)), -32602, "Task not found");
            assertError(c.ask(request("tasks/get", "\"taskId\":5", DECLARING)), -32602, "\"taskId\"");
            assertError(c.ask(request("tasks/get", "", DECLARING)), -32602, "\"taskId\"");
            assertError(c.ask(request("tasks/cancel", "\"taskId\":{\"id\":\"" + done + "\"}", DECLARING)), -32602,
                    "\"taskId\"");
            assertError(c.ask(request("tasks/update", "\"taskId\":\"" + done + "\"", DECLARING)), -32602,
                    "\"inputResponses\"");
            assertError(c.ask(request("tasks/result", "\"taskId\":\"" + done + "\"", DECLARING)), -32601,
                    "not part of the " + EXTENSION);
            assertError(c.ask(request("tasks/list", "", DECLARING)), -32601, "tasks/list");

            // a client that does not declare the extension: complete results, and no tasks/ methods
            JsonObject plain = c.ask(request("tools/call", "\"name\":\"echo\",\"arguments\":{\"text\":\"direct\"}",
                    PLAIN)).getObject("result").orElseThrow();
            assertThat(plain.getString("resultType")).contains("complete");
            assertThat(text(plain)).isEqualTo("echo: direct");
            for (String method : List.of("tasks/get", "tasks/cancel")) {
                JsonObject refused = c.ask(request(method, "\"taskId\":\"" + done + "\"", PLAIN));
                assertError(refused, -32021, "Missing required client capability");
                assertThat(refused.getObject("error").orElseThrow().getObject("data")).contains(JsonValue.parse(
                        "{\"requiredCapabilities\":{\"extensions\":{\"" + EXTENSION + "\":{}}}}").asObject());
            }
            // an unknown tool is the SDK's error, as without tasks
            JsonObject unknown = c.ask(request("tools/call", "\"name\":\"nope\",\"arguments\":{}", DECLARING));
            assertThat(unknown.has("error") || unknown.getObject("result")
                    .flatMap(r -> r.getBoolean("isError"))
                    .orElse(false)).as("%s", unknown).isTrue();
            // the completed task is still there: nothing above changed it
            assertThat(get(c, done).getString("status")).contains("completed");
        }
    }

    @Test
    void toolsThatMustBeTasksRefuseAClientThatDoesNotDeclareTheExtension() throws Exception {
        var gates = new Gates();
        try (Client c = new Piped(server(gates, McpTaskOptions.required()))) {
            JsonObject refused = c.ask(request("tools/call", "\"name\":\"hold\",\"arguments\":{\"name\":\"X\"}",
                    PLAIN));
            assertError(refused, -32021, "runs only as a task");
            assertThat(refused.getObject("error").orElseThrow().getObject("data")).contains(JsonValue.parse(
                    "{\"requiredCapabilities\":{\"extensions\":{\"" + EXTENSION + "\":{}}}}").asObject());
            assertThat(gates.byName).as("the tool never ran").isEmpty();
            JsonObject task = call(c, "echo", "{\"text\":\"as a task\"}");
            assertThat(task.getString("resultType")).contains("task");
            assertThat(text(settled(c, id(task)).getObject("result").orElseThrow())).isEqualTo("echo: as a task");
        }
    }

    @Test
    void holdsAtMostMaxTasksAndRefusesMoreUntilOneEnds() throws Exception {
        var gates = new Gates();
        try (Client c = new Piped(server(gates, OPTIONS.withMaxTasks(2)))) {
            JsonObject a = call(c, "hold", "{\"name\":\"A\"}");
            JsonObject b = call(c, "hold", "{\"name\":\"B\"}");
            assertThat(gates.gate("A").entered.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(gates.gate("B").entered.await(60, TimeUnit.SECONDS)).isTrue();
            assertError(c.ask(request("tools/call", "\"name\":\"hold\",\"arguments\":{\"name\":\"C\"}", DECLARING)),
                    -32600, "too many tasks: this connection has 2 tasks running");
            assertThat(gates.byName).as("the refused call never ran its tool").doesNotContainKey("C");
            // an ended task makes room (the oldest ended one is dropped)
            result(c, "tasks/cancel", "\"taskId\":\"" + id(a) + "\"");
            assertThat(gates.gate("A").cancelled.await(60, TimeUnit.SECONDS)).isTrue();
            JsonObject d = call(c, "hold", "{\"name\":\"D\"}");
            assertThat(gates.gate("D").entered.await(60, TimeUnit.SECONDS)).isTrue();
            assertError(c.ask(request("tasks/get", "\"taskId\":\"" + id(a) + "\"", DECLARING)), -32602,
                    "Task not found");
            gates.gate("B").release.tryEmitValue("b");
            gates.gate("D").release.tryEmitValue("d");
            assertThat(text(settled(c, id(b)).getObject("result").orElseThrow())).isEqualTo("b");
            assertThat(text(settled(c, id(d)).getObject("result").orElseThrow())).isEqualTo("d");
        }
    }

    @Test
    void anEndedTaskExpiresAfterItsTtlOnTheServersClock() throws Exception {
        var clock = new McpServerTasksTest.TestClock();
        try (Client c = new Piped(server(new Gates(), OPTIONS.withClock(clock)))) {
            JsonObject created = call(c, "echo", "{\"text\":\"kept\"}");
            JsonObject done = settled(c, id(created));
            assertThat(done.getString("createdAt")).contains("2026-12-07T03:00:00Z");
            clock.advance(Duration.ofSeconds(59));
            assertThat(get(c, id(created)).getString("status")).contains("completed");
            clock.advance(Duration.ofSeconds(1));
            assertError(c.ask(request("tasks/get", "\"taskId\":\"" + id(created) + "\"", DECLARING)), -32602,
                    "Task not found");
        }
    }

    @Test
    void aConnectionsTasksAreItsOwnAndEndWithIt() throws Exception {
        var gates = new Gates();
        McpServer server = server(gates, OPTIONS);
        Piped one = new Piped(server);
        try (Piped other = new Piped(server)) {
            JsonObject held = call(one, "hold", "{\"name\":\"A\"}");
            assertThat(gates.gate("A").entered.await(60, TimeUnit.SECONDS)).isTrue();
            assertError(other.ask(request("tasks/get", "\"taskId\":\"" + id(held) + "\"", DECLARING)), -32602,
                    "Task not found");
            assertError(other.ask(request("tasks/cancel", "\"taskId\":\"" + id(held) + "\"", DECLARING)), -32602,
                    "Task not found");
            assertThat(get(one, id(held)).getString("status")).as("untouched by the other").contains("working");
            one.close(); // the connection ends: its running task is cancelled
            assertThat(gates.gate("A").cancelled.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(gates.gate("A").runs.get()).isEqualTo(1);
        }
    }

    @Test
    void overHttpThe2025SessionsTasksAndTheRevisionsTasksDoNotSeeEachOther() throws Exception {
        var gates = new Gates();
        McpHttpServer served = http.serve(server(gates, OPTIONS), McpHttpOptions.defaults());
        McpHttpFixture.Session session = http.initialize(served, "{}");
        JsonObject legacy = McpHttpFixture.answer(http.send(McpHttpFixture.post(served, """
                {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"hold","arguments":{"name":"L"},\
                "task":{"ttl":60000}}}""", McpHttpFixture.inSession(session.id()))))
                .getObject("result")
                .orElseThrow()
                .getObject("task")
                .orElseThrow();
        assertThat(gates.gate("L").entered.await(60, TimeUnit.SECONDS)).isTrue();
        Client modern = request -> McpHttpFixture
                .answer(http.send(McpHttpFixture.post(served, request, "MCP-Protocol-Version",
                        MODERN)));
        assertError(modern.ask(request("tasks/get", "\"taskId\":\"" + id(legacy) + "\"", DECLARING)), -32602,
                "Task not found");
        assertError(modern.ask(request("tasks/cancel", "\"taskId\":\"" + id(legacy) + "\"", DECLARING)), -32602,
                "Task not found");
        JsonObject task = call(modern, "hold", "{\"name\":\"M\"}");
        assertThat(gates.gate("M").entered.await(60, TimeUnit.SECONDS)).isTrue();
        JsonObject fromSession = McpHttpFixture.answer(http.send(McpHttpFixture.post(served,
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"" + id(task) + "\"}}",
                McpHttpFixture.inSession(session.id()))));
        assertError(fromSession, -32602, "Task not found");
        assertThat(gates.gate("L").cancelled.getCount()).isEqualTo(1);
        assertThat(gates.gate("M").cancelled.getCount()).isEqualTo(1);
        served.close(); // closing the server cancels both
        assertThat(gates.gate("L").cancelled.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gates.gate("M").cancelled.await(60, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aServerWithoutTasksDeclaresNoExtensionAndAnswersCallsDirectly() throws Exception {
        try (Client c = new Piped(McpServer.builder(tools(new Gates())).name("plain").build())) {
            JsonObject discover = result(c, "server/discover", "");
            assertThat(discover.getObject("capabilities").orElseThrow().has("extensions")).isFalse();
            JsonObject direct = call(c, "echo", "{\"text\":\"x\"}");
            assertThat(direct.getString("resultType")).contains("complete");
            assertThat(text(direct)).isEqualTo("echo: x");
        }
    }
}
