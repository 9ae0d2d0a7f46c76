package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.ToolException;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Grants;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * {@link McpServer} over stdio, spoken to line by line: as a subprocess JVM ({@link StdioServerMain})
 * reading its real stdin, and in process over OS pipes where a test needs a latch inside a tool.
 * Every line the server cannot use gets the JSON-RPC error the spec prescribes, and the server keeps
 * serving; a call still running when stdin ends is answered before the process exits.
 * The timeouts are hang guards only: no assertion depends on how fast anything is.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpServerStdioTest {
    private static final AtomicInteger ids = new AtomicInteger(100);
    private static StdioPeer shared;
    private Leaks leaks;

    @BeforeEach
    void watchForLeaks() {
        leaks = new Leaks();
    }

    @AfterEach
    void nothingIsLeftRunning() throws InterruptedException {
        leaks.assertNoThreadsLeft("agentrt-mcp-serve-");
    }

    @BeforeAll
    static void startSharedServer() {
        shared = StdioPeer.java(StdioServerMain.class);
        JsonObject init = shared.initialize("2025-06-18");
        assertThat(init.getObject("result").orElseThrow().getString("protocolVersion")).contains("2025-06-18");
    }

    @AfterAll
    static void stopSharedServer() throws Exception {
        if (shared != null) {
            shared.closeInput();
            assertThat(shared.nextLine()).as("output after stdin ended").isNull();
            assertThat(shared.process().waitFor(60, TimeUnit.SECONDS)).as("the server exited").isTrue();
            assertThat(shared.process().exitValue()).isZero();
        }
    }

    private static String echo(int id, String text) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"text\":\"" + text + "\"}}}";
    }

    private static void assertEchoAnswered(JsonObject response, int id, String text) {
        assertThat(response.getLong("id")).as(response.toJson()).contains((long) id);
        JsonObject result = response.getObject("result").orElseThrow(() -> new AssertionError(response.toJson()));
        assertThat(result.getArray("content").orElseThrow().get(0).asObject().getString("text"))
                .contains("echo: " + text);
    }

    private static void assertError(JsonObject response, int code, @Nullable JsonValue id, String messagePart) {
        assertThat(response.getString("jsonrpc")).contains("2.0");
        assertThat(response.get("id")).as(response.toJson()).isEqualTo(id == null ? JsonValue.nullValue() : id);
        JsonObject error = response.getObject("error").orElseThrow(() -> new AssertionError(response.toJson()));
        assertThat(error.getLong("code")).as(response.toJson()).contains((long) code);
        assertThat(error.getString("message").orElseThrow()).containsIgnoringCase(messagePart);
    }

    static Stream<Arguments> badLines() {
        byte[] notUtf8 = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'};
        return Stream.of(
                Arguments.of("garbage text", line("this is not JSON"), -32700, null, "parse error"),
                Arguments.of("truncated JSON", line("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/ca"), -32700,
                        null, "parse error"),
                Arguments.of("JSON with text after it", line("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"} x"),
                        -32700, null, "parse error"),
                Arguments.of("not UTF-8", notUtf8, -32700, null, "UTF-8"),
                Arguments.of("an object that is no message", line("{\"hello\":\"world\"}"), -32600, null,
                        "invalid request"),
                Arguments.of("no method", line("{\"jsonrpc\":\"2.0\",\"id\":6}"), -32600, JsonValue.of(6),
                        "\"method\""),
                Arguments.of("wrong jsonrpc version", line("{\"jsonrpc\":\"1.0\",\"id\":\"x\",\"method\":\"ping\"}"),
                        -32600, JsonValue.of("x"), "\"jsonrpc\""),
                Arguments.of("an object as id", line("{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}"),
                        -32600, null, "\"id\""),
                Arguments.of("a method that is no string", line("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":5}"),
                        -32600, JsonValue.of(7), "\"method\""),
                Arguments.of("params as an array",
                        line("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/list\",\"params\":[1]}"), -32600,
                        JsonValue.of(8), "\"params\""),
                Arguments.of("a string", line("\"just a string\""), -32600, null, "JSON object"),
                Arguments.of("a number", line("42"), -32600, null, "JSON object"),
                Arguments.of("a batch under 2025-06-18",
                        line("[{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}]"), -32600, null, "batch"),
                Arguments.of("an empty array", line("[]"), -32600, null, "batch"),
                Arguments.of("a malformed response", line("{\"jsonrpc\":\"2.0\",\"id\":10,\"result\":{},\"error\":{}}"),
                        -32600, null, "response"),
                Arguments.of("a second initialize", line("""
                        {"jsonrpc":"2.0","id":11,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
                        "capabilities":{},"clientInfo":{"name":"again","version":"1"}}}"""), -32600, JsonValue.of(11),
                        "already initialized"),
                Arguments.of("an unknown method", line("{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"no/such\"}"),
                        -32601,
                        JsonValue.of(12), "no/such"),
                Arguments.of("a blank line", line(""), 0, null, ""),
                Arguments.of("a line of spaces and CR", line("   \r"), 0, null, ""),
                Arguments.of("an unknown notification", line("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}"), 0,
                        null, ""),
                Arguments.of("a response to nothing", line("{\"jsonrpc\":\"2.0\",\"id\":\"nope\",\"result\":{}}"), 0,
                        null, ""));
    }

    private static byte[] line(String text) {
        return (text + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLines")
    void everyLineTheServerCannotUseGetsItsErrorAndTheNextRequestIsAnswered(String what, byte[] bad, int code,
            @Nullable JsonValue id, String message) {
        int next = ids.incrementAndGet();
        shared.sendBytes(bad);
        shared.send(echo(next, what));
        JsonObject first = shared.nextObject();
        if (code == 0) {
            assertEchoAnswered(first, next, what);
            return;
        }
        assertError(first, code, id, message);
        assertEchoAnswered(shared.nextObject(), next, what);
    }

    @Test
    void aLineOverTheSizeCapIsRejectedWithTheIdAtItsEndAndTheNextRequestIsAnswered() {
        // The id comes last, after 17 MiB of arguments, as the TypeScript SDK orders its fields.
        var huge = new StringBuilder(18 * 1024 * 1024);
        huge.append(
                "{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"");
        huge.repeat("x", 17 * 1024 * 1024);
        huge.append("\"}},\"id\":\"huge-1\"}");
        int next = ids.incrementAndGet();
        shared.send(huge.toString());
        shared.send(echo(next, "after the huge line"));
        JsonObject rejected = shared.nextObject();
        assertError(rejected, -32600, JsonValue.of("huge-1"), "over the limit of 16777216 bytes");
        assertEchoAnswered(shared.nextObject(), next, "after the huge line");
    }

    @Test
    void pingIsAnsweredBeforeInitializationAndOtherRequestsGetAnErrorUntilTheClientSaysInitialized()
            throws InterruptedException {
        try (StdioPeer peer = StdioPeer.java(StdioServerMain.class)) {
            peer.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}");
            JsonObject pong = peer.nextObject();
            assertThat(pong.getLong("id")).contains(1L);
            assertThat(pong.getObject("result")).contains(JsonObject.EMPTY);

            peer.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}");
            assertError(peer.nextObject(), -32600, JsonValue.of(2), "not initialized");
            peer.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"); // too early: ignored
            peer.send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}");
            assertError(peer.nextObject(), -32600, JsonValue.of(3), "not initialized");

            peer.send("""
                    {"jsonrpc":"2.0","id":4,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
                    "capabilities":{},"clientInfo":{"name":"raw-test","version":"1"}}}""");
            assertThat(peer.nextObject().getObject("result")).isPresent();
            peer.send("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}");
            assertThat(peer.nextObject().getLong("id")).contains(5L);
            peer.send("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/list\"}");
            assertError(peer.nextObject(), -32600, JsonValue.of(6), "not initialized");

            peer.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            peer.send("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}");
            JsonObject tools = peer.nextObject();
            assertThat(tools.getLong("id")).contains(7L);
            assertThat(tools.getObject("result").orElseThrow().getArray("tools").orElseThrow().items())
                    .extracting(t -> t.asObject().getString("name").orElseThrow())
                    .containsExactly("echo", "gate");
        }
    }

    @Test
    void batchesAreServedWhenTheClientNegotiated2025_03_26() throws InterruptedException {
        try (StdioPeer peer = StdioPeer.java(StdioServerMain.class)) {
            JsonObject init = peer.initialize("2025-03-26");
            assertThat(init.getObject("result").orElseThrow().getString("protocolVersion")).contains("2025-03-26");
            peer.send("[" + echo(1, "in a batch") + ",{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"},"
                    + "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"},{\"jsonrpc\":\"2.0\",\"id\":3},7]");
            JsonArray answers = peer.next().asArray();
            Map<String, JsonObject> byId = new HashMap<>();
            for (JsonValue a : answers.items()) {
                byId.put(a.asObject().get("id").toJson(), a.asObject());
            }
            assertThat(answers.items()).hasSize(4);
            assertEchoAnswered(byId.get("1"), 1, "in a batch");
            assertThat(byId.get("2").getObject("result")).contains(JsonObject.EMPTY);
            assertError(byId.get("3"), -32600, JsonValue.of(3), "\"method\"");
            assertError(byId.get("null"), -32600, null, "JSON object");

            peer.send("[{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}]"); // nothing to answer
            peer.send("[]");
            assertError(peer.nextObject(), -32600, null, "empty");
            peer.send("[{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"initialize\",\"params\":{}}]");
            JsonObject refused = peer.next().asArray().get(0).asObject();
            assertError(refused, -32600, JsonValue.of(4), "batch");
        }
    }

    @Test
    void whenStdinEndsACallStillRunningIsAnsweredAndThenTheProcessExits() throws Exception {
        try (var gate = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                StdioPeer peer = StdioPeer.java(StdioServerMain.class, "-Dgate.port=" + gate.getLocalPort(),
                        "-Dorg.slf4j.simpleLogger.log.dev.agentrt.tools.internal.mcp.StdioServerTransport=debug")) {
            peer.initialize("2025-06-18");
            peer.send("{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\",\"params\":{\"name\":\"gate\"}}");
            try (Socket tool = gate.accept()) { // the tool is running
                peer.closeInput();
                // The server has seen the end of its input while the call runs (its debug log says so).
                peer.awaitStderr("the input ended; answering the 1 call(s) still running");
                var release = new PrintWriter(tool.getOutputStream(), true, StandardCharsets.UTF_8);
                release.println("go");
                JsonObject answer = peer.nextObject();
                assertThat(answer.getLong("id")).contains(42L);
                assertThat(answer.getObject("result")
                        .orElseThrow()
                        .getArray("content")
                        .orElseThrow()
                        .get(0)
                        .asObject()
                        .getString("text")).contains("released: go");
            }
            assertThat(peer.nextLine()).as("output after the last answer").isNull();
            assertThat(peer.process().waitFor(60, TimeUnit.SECONDS)).as("the server exited by itself").isTrue();
            assertThat(peer.process().exitValue()).isZero();
        }
    }

    // ---- in process, over OS pipes

    /** A server over pipes whose {@code gate} tool ({@link GateTool}) holds each call until the test releases it. */
    private static final class PipedServer implements AutoCloseable {
        final GateTool gate = new GateTool("gate");
        final StdioPeer peer;
        final CompletableFuture<Void> serving;
        private final OutputStream serverOut;

        PipedServer(Duration drainTimeout) throws IOException {
            Pipe input = Pipe.open();
            Pipe output = Pipe.open();
            serverOut = Channels.newOutputStream(output.sink());
            serving = McpServer.builder(List.of(gate.tool))
                    .name("piped")
                    .drainTimeout(drainTimeout)
                    .build()
                    .serve(Channels.newInputStream(input.source()), serverOut)
                    .toFuture();
            peer = StdioPeer.streams(Channels.newOutputStream(input.sink()), Channels.newInputStream(output.source()));
            peer.initialize("2025-06-18");
        }

        /** Waits for serving to end, then closes the server's output (it leaves that to its caller). */
        void awaitServingEnded() throws Exception {
            serving.get(60, TimeUnit.SECONDS);
            serverOut.close();
        }

        @Override
        public void close() throws IOException {
            gate.release.countDown();
            peer.close();
            serverOut.close();
        }
    }

    @Test
    void aCallThatOutlivesTheDrainTimeoutIsCancelledAndAnsweredWithAnError() throws Exception {
        try (var server = new PipedServer(Duration.ofMillis(200))) {
            server.peer.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"gate\"}}");
            server.gate.entered.await();
            server.peer.closeInput(); // and the gate is never opened
            assertError(server.peer.nextObject(), -32603, JsonValue.of(1), "did not finish within 200 ms");
            server.awaitServingEnded();
            assertThat(server.peer.nextLine()).isNull();
            assertThat(server.gate.interrupted.await(60, TimeUnit.SECONDS)).as("the tool was interrupted").isTrue();
        }
    }

    @Test
    void aCallTheClientCancelsIsInterruptedAndNotAnswered() throws Exception {
        try (var server = new PipedServer(Duration.ofSeconds(60))) {
            server.peer.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"gate\"}}");
            server.gate.entered.await();
            server.peer.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                    + "\"params\":{\"requestId\":1,\"reason\":\"user\"}}");
            assertThat(server.gate.interrupted.await(60, TimeUnit.SECONDS)).as("the tool was interrupted").isTrue();
            server.peer.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");
            assertThat(server.peer.nextObject().getLong("id")).contains(2L);
            server.peer.closeInput();
            // Nothing is running, so serving ends at once and nothing more is written: no answer to request 1.
            server.awaitServingEnded();
            assertThat(server.peer.nextLine()).isNull();
        }
    }

    @Test
    void aClientThatStopsReadingEndsServingWithAnErrorNamingTheServer() throws Exception {
        Pipe input = Pipe.open();
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        CompletableFuture<Void> serving = McpServer.expose(StdioServerMain.tools(), Grants.none())
                .serve(Channels.newInputStream(input.source()), broken)
                .toFuture();
        try (OutputStream toServer = Channels.newOutputStream(input.sink())) {
            toServer.write("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n".getBytes(StandardCharsets.UTF_8));
            toServer.flush();
            assertThatThrownBy(() -> serving.get(60, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(ToolException.class)
                    .hasMessageContaining("MCP server 'agentrt' could not write to its client: Broken pipe");
        }
    }
}
