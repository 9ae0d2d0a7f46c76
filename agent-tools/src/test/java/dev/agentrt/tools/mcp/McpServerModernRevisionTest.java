package dev.agentrt.tools.mcp;

import static dev.agentrt.tools.mcp.McpTestPeers.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.tool.ServerTelemetry;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * agentrt's MCP server in protocol revision 2026-07-28: no initialize handshake, {@code server/discover}, the
 * protocol version and the client's capabilities in every request's {@code _meta}, results with {@code resultType}.
 * Spoken to by the v2 TypeScript SDK's client ({@code @modelcontextprotocol/client}, pinned to the revision) over
 * stdio and streamable HTTP, stateful and stateless, and by raw JSON for what a hostile or broken client sends. The
 * 2025 revisions stay what they were on the same server, negotiated per connection (stdio) or per request (HTTP).
 * Timeouts are hang guards only.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class McpServerModernRevisionTest {
    private static final String MODERN = "2026-07-28";
    private static final String CAPABILITIES = "\"io.modelcontextprotocol/clientCapabilities\":{}";
    private static final String CLIENT_INFO = "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}";

    @RegisterExtension
    final McpHttpFixture http = new McpHttpFixture();
    /** What the server's telemetry saw of each tools/call: its attributes. */
    private final Queue<Map<String, Object>> served = new ConcurrentLinkedQueue<>();

    /** A request of the revision: its envelope in {@code params._meta}, beside {@code extra} params. */
    private static String modern(Object id, String method, String extra) {
        return modern(id, method, extra, "\"io.modelcontextprotocol/protocolVersion\":\"" + MODERN + "\","
                + CLIENT_INFO + "," + CAPABILITIES);
    }

    private static String modern(Object id, String method, String extra, String meta) {
        String idJson = id instanceof String s ? "\"" + s + "\"" : String.valueOf(id);
        return "{\"jsonrpc\":\"2.0\",\"id\":" + idJson + ",\"method\":\"" + method + "\",\"params\":{"
                + (extra.isEmpty() ? "" : extra + ",") + "\"_meta\":{" + meta + "}}}";
    }

    private static void assertError(JsonObject response, Object id, int code, String text) {
        assertThat(response.get("id")).as("%s", response)
                .isEqualTo(JsonValue.parse(
                        id instanceof String s ? "\"" + s + "\"" : String.valueOf(id)));
        JsonObject error = response.getObject("error").orElseThrow(() -> new AssertionError("no error: " + response));
        assertThat(error.getLong("code")).as("%s", response).contains((long) code);
        assertThat(error.getString("message").orElseThrow()).as("%s", response).contains(text);
    }

    // ---- the v2 SDK's client

    @Test
    void theV2ClientSpeaksTheRevisionOverStdio(@TempDir Path dir) throws Exception {
        var command = new ArrayList<>(List.of("stdio", Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), InspectedServerMain.class.getName()));
        JsonObject seen = v2Client(dir, command);
        assertSawTheTools(seen);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theV2ClientSpeaksTheRevisionOverHttp(boolean stateless, @TempDir Path dir) throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults().stateless(stateless));
        JsonObject seen = v2Client(dir, List.of("http", server.url().toString()));
        assertSawTheTools(seen);
        assertThat(seen.get("sessionId")).isEqualTo(JsonValue.nullValue());
        // echo, divide, refund: each recorded by the telemetry as served in the revision, outside any session
        assertThat(served).hasSize(3).allSatisfy(attributes -> {
            assertThat(attributes).containsEntry("mcp.protocol.version", MODERN).doesNotContainKey("mcp.session.id");
        });
    }

    private static void assertSawTheTools(JsonObject seen) {
        assertThat(seen.getString("era")).as("%s", seen).contains("modern");
        assertThat(seen.getString("protocolVersion")).contains(MODERN);
        assertThat(seen.getString("server")).contains(InspectedServerMain.NAME);
        assertThat(seen.getArray("tools").orElseThrow().items()).extracting(t -> ((JsonValue.JsonString) t).value())
                .containsExactly("echo", "refund", "lookup", "divide");
        assertThat(seen.getString("echo")).contains("echo: from the v2 SDK");
        assertThat(seen.getBoolean("echoIsError")).contains(false);
        assertThat(seen.getString("divide")).contains("cannot divide by zero");
        assertThat(seen.getBoolean("divideIsError")).contains(true);
        assertThat(seen.getString("refund")).hasValueSatisfying(t -> assertThat(t).startsWith("Permission denied")
                .contains("payments:refund"));
        assertThat(seen.getBoolean("refundIsError")).contains(true);
        assertThat(seen.getLong("unknownTool")).contains(-32602L);
    }

    private static JsonObject v2Client(Path dir, List<String> args) throws Exception {
        return McpTestPeers.runNodeClient(dir, "sdk-v2-client.mjs", args);
    }

    private McpHttpServer serve(McpHttpOptions options) {
        return http.serve(InspectedServerMain.server(recordCalls()), options);
    }

    private ServerTelemetry recordCalls() {
        return (operation, target, carrier, attributes) -> {
            served.add(Map.copyOf(attributes));
            return ServerTelemetry.Call.NONE;
        };
    }

    // ---- raw stdio

    /** The server serving a pair of pipes in this JVM, spoken to line by line. */
    private static final class PipedServer implements AutoCloseable {
        final StdioPeer peer;
        final CompletableFuture<Void> serving;
        final OutputStream serverOut;

        PipedServer() throws IOException {
            this(InspectedServerMain.server(ServerTelemetry.NONE));
        }

        PipedServer(McpServer server) throws IOException {
            Pipe input = Pipe.open();
            Pipe output = Pipe.open();
            serverOut = Channels.newOutputStream(output.sink());
            serving = server
                    .serve(Channels.newInputStream(input.source()), serverOut)
                    .toFuture();
            peer = StdioPeer.streams(Channels.newOutputStream(input.sink()), Channels.newInputStream(output.source()));
        }

        JsonObject ask(String line) {
            peer.send(line);
            return peer.nextObject();
        }

        /** Ends the input and waits for serving to end: nothing is left running. */
        @Override
        public void close() throws IOException {
            peer.closeInput();
            try {
                serving.get(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IOException("serving did not end cleanly", e);
            }
            serverOut.close();
            peer.close();
        }
    }

    @Nested
    class OverStdio {
        @Test
        void refusesABrokenEnvelopeClearlyAndServesTheNextRequest() throws Exception {
            try (var server = new PipedServer()) {
                JsonObject unknown = server.ask(modern(1, "server/discover", "",
                        "\"io.modelcontextprotocol/protocolVersion\":\"2099-01-01\"," + CAPABILITIES));
                assertError(unknown, 1, -32022, "Unsupported protocol version: 2099-01-01");
                JsonObject data = unknown.getObject("error").orElseThrow().getObject("data").orElseThrow();
                assertThat(data.getArray("supported").orElseThrow().items()).containsExactly(JsonValue.of(MODERN));
                assertThat(data.getString("requested")).contains("2099-01-01");

                assertError(server.ask(modern(2, "tools/list", "",
                        "\"io.modelcontextprotocol/protocolVersion\":\"" + MODERN + "\"")), 2, -32602,
                        "missing: io.modelcontextprotocol/clientCapabilities");
                assertError(server.ask(modern(3, "tools/list", "",
                        "\"io.modelcontextprotocol/protocolVersion\":7," + CAPABILITIES)), 3, -32602,
                        "io.modelcontextprotocol/protocolVersion: expected a protocol version string");
                assertError(server.ask(modern(4, "tools/list", "", "\"io.modelcontextprotocol/protocolVersion\":\""
                        + MODERN + "\"," + CAPABILITIES + ",\"io.modelcontextprotocol/clientInfo\":\"me\"")), 4,
                        -32602, "io.modelcontextprotocol/clientInfo");
                assertError(server.ask(modern(5, "initialize", "\"protocolVersion\":\"" + MODERN + "\"")), 5, -32601,
                        "initialize is not part of protocol revision 2026-07-28");

                // none of that opened the connection: it now begins, in the revision, with server/discover
                JsonObject discover = server.ask(modern("d", "server/discover", "")).getObject("result").orElseThrow();
                assertThat(discover.getArray("supportedVersions").orElseThrow().items())
                        .containsExactly(JsonValue.of(MODERN));
                assertThat(discover.getObject("capabilities").orElseThrow().getObject("tools").orElseThrow().toJson())
                        .isEqualTo("{\"listChanged\":true}");
                assertThat(discover.getString("resultType")).contains("complete");
                assertThat(discover.getObject("_meta")
                        .orElseThrow()
                        .getObject("io.modelcontextprotocol/serverInfo")
                        .orElseThrow()
                        .getString("name")).contains(InspectedServerMain.NAME);

                JsonObject echo = server
                        .ask(modern(6, "tools/call", "\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}"))
                        .getObject("result")
                        .orElseThrow();
                assertThat(text(echo)).isEqualTo("echo: hi");
                assertThat(echo.getString("resultType")).contains("complete");
            }
        }

        @Test
        void aConnectionInTheRevisionNeedsTheEnvelopeOnEveryRequest() throws Exception {
            try (var server = new PipedServer()) {
                JsonObject tools = server.ask(modern(1, "tools/list", "")).getObject("result").orElseThrow();
                assertThat(tools.getArray("tools").orElseThrow().size()).isEqualTo(4);
                assertThat(tools.getLong("ttlMs")).contains(0L);
                assertThat(tools.getString("cacheScope")).contains("private");

                assertError(server.ask("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}"), 2, -32602,
                        "missing: io.modelcontextprotocol/protocolVersion, io.modelcontextprotocol/clientCapabilities");
                assertError(server.ask("""
                        {"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2025-11-25",\
                        "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"""), 3, -32602,
                        "missing: io.modelcontextprotocol/protocolVersion");
                assertError(server.ask(modern(4, "no/such", "")), 4, -32601, "no/such");

                JsonObject refund = server.ask(modern(5, "tools/call", "\"name\":\"refund\""))
                        .getObject("result")
                        .orElseThrow();
                assertThat(refund.getBoolean("isError")).contains(true);
                assertThat(text(refund)).contains("payments:refund");
            }
        }

        @Test
        void aClientWhoseDiscoverTimedOutFallsBackToInitializeOnTheSameConnection() throws Exception {
            // A slow server start: the client gave up waiting for server/discover and sent initialize; the late
            // discover answer did not commit the connection to the revision.
            try (var server = new PipedServer()) {
                assertThat(server.ask(modern("d", "server/discover", "")).getObject("result")).isPresent();
                JsonObject init = server.peer.initialize("2025-11-25");
                assertThat(init.getObject("result").orElseThrow().getString("protocolVersion")).contains("2025-11-25");
                JsonObject tools = server.ask("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}")
                        .getObject("result")
                        .orElseThrow();
                assertThat(tools.getArray("tools").orElseThrow().size()).isEqualTo(4);
                assertThat(tools.has("resultType")).isFalse();
                assertError(server.ask(modern(3, "tools/list", "")), 3, -32600, "needs a connection of its own");
            }
        }

        @Test
        void aConnectionThatBeganWithInitializeStaysIn2025() throws Exception {
            try (var server = new PipedServer()) {
                JsonObject init = server.peer.initialize("2025-11-25");
                assertThat(init.getObject("result").orElseThrow().getString("protocolVersion")).contains("2025-11-25");
                assertError(server.ask(modern(1, "tools/list", "")), 1, -32600, "needs a connection of its own");
                JsonObject tools = server.ask("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}")
                        .getObject("result")
                        .orElseThrow();
                assertThat(tools.getArray("tools").orElseThrow().size()).isEqualTo(4);
                assertThat(tools.has("resultType")).isFalse();
            }
        }
    }

    // ---- raw HTTP

    private HttpResponse<String> post(McpHttpServer server, String body, String... headers) throws Exception {
        return http.send(McpHttpFixture.post(server, body, headers));
    }

    @Nested
    class OverHttp {
        /**
         * {@code Mcp-Name} must stand for what the body names, once decoded from its {@code =?base64?...?=} form (the
         * Vercel AI SDK's client sends it for every call, in that form for a name that is not plain ASCII); for a
         * method that names nothing it means nothing.
         */
        @ParameterizedTest
        @ValueSource(booleans = {false, true})
        void refusesAnMcpNameHeaderThatIsNotWhatTheBodyNames(boolean stateless) throws Exception {
            McpHttpServer server = serve(McpHttpOptions.defaults().stateless(stateless));
            String echo = "\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}";

            var other = post(server, modern(1, "tools/call", echo), "MCP-Protocol-Version", MODERN, "Mcp-Method",
                    "tools/call", "Mcp-Name", "refund");
            assertThat(other.statusCode()).isEqualTo(400);
            assertError(McpHttpFixture.answer(other), 1, -32020,
                    "the body names echo but the Mcp-Name header names refund");

            var encodedOther = post(server, modern(2, "tools/call", echo), "Mcp-Name", "=?base64?cmVmdW5k?=");
            assertThat(encodedOther.statusCode()).isEqualTo(400);
            assertError(McpHttpFixture.answer(encodedOther), 2, -32020, "the Mcp-Name header names refund");

            var notBase64 = post(server, modern(3, "tools/call", echo), "Mcp-Name", "=?base64?ZWNobw=!?=");
            assertThat(notBase64.statusCode()).isEqualTo(400);
            assertError(McpHttpFixture.answer(notBase64), 3, -32020, "Base64 of UTF-8");

            var notUtf8 = post(server, modern(4, "tools/call", echo), "Mcp-Name", "=?base64?/w==?=");
            assertThat(notUtf8.statusCode()).isEqualTo(400);
            assertError(McpHttpFixture.answer(notUtf8), 4, -32020, "Base64 of UTF-8");

            var noName = post(server, modern(5, "tools/call", "\"arguments\":{}"), "Mcp-Name", "echo");
            assertThat(noName.statusCode()).isEqualTo(400);
            assertError(McpHttpFixture.answer(noName), 5, -32020, "the Mcp-Name header names echo");

            var encoded = post(server, modern(6, "tools/call", echo), "MCP-Protocol-Version", MODERN, "Mcp-Method",
                    "tools/call", "Mcp-Name", "=?base64?ZWNobw==?=");
            assertThat(encoded.statusCode()).isEqualTo(200);
            assertThat(text(McpHttpFixture.answer(encoded).getObject("result").orElseThrow())).isEqualTo("echo: hi");

            var list = post(server, modern(7, "tools/list", ""), "Mcp-Name", "anything");
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(McpHttpFixture.answer(list).getObject("result").orElseThrow().getArray("tools")).isPresent();
        }

        /** With the tasks extension, {@code Mcp-Name} names the task of {@code tasks/get}, {@code update} and {@code cancel}. */
        @ParameterizedTest
        @ValueSource(strings = {"tasks/get", "tasks/update", "tasks/cancel"})
        void refusesAnMcpNameHeaderThatIsNotTheTaskOfTheBody(String method) throws Exception {
            McpHttpServer server = http.serve(McpServer.builder(InspectedServerMain.tools())
                    .tasks(McpTaskOptions.optional())
                    .build(), McpHttpOptions.defaults());
            String meta = "\"io.modelcontextprotocol/protocolVersion\":\"" + MODERN + "\",\"io.modelcontextprotocol/"
                    + "clientCapabilities\":{\"extensions\":{\"io.modelcontextprotocol/tasks\":{}}}";
            var other = post(server, modern(1, method, "\"taskId\":\"t-1\"", meta), "Mcp-Name", "t-2");
            assertThat(other.statusCode()).isEqualTo(400);
            assertError(McpHttpFixture.answer(other), 1, -32020,
                    "the body names t-1 but the Mcp-Name header names t-2");

            var same = post(server, modern(2, method, "\"taskId\":\"t-1\"", meta), "Mcp-Name", "t-1");
            assertThat(McpHttpFixture.answer(same).getObject("error").orElseThrow().getLong("code"))
                    .isNotEqualTo(Optional.of(-32020L));
        }

        @ParameterizedTest
        @ValueSource(booleans = {false, true})
        void refusesABrokenRequestWith400AndTheRevisionsErrorAndServesTheNext(boolean stateless) throws Exception {
            McpHttpServer server = serve(McpHttpOptions.defaults().stateless(stateless));

            var unknown = post(server, modern(1, "tools/list", "",
                    "\"io.modelcontextprotocol/protocolVersion\":\"2099-01-01\"," + CAPABILITIES));
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertError(McpHttpFixture.answer(unknown), 1, -32022, "Unsupported protocol version: 2099-01-01");

            var noCapabilities = post(server, modern(2, "tools/list", "",
                    "\"io.modelcontextprotocol/protocolVersion\":\"" + MODERN + "\""));
            assertThat(noCapabilities.statusCode()).isEqualTo(400);
            assertError(McpHttpFixture.answer(noCapabilities), 2, -32602,
                    "missing: io.modelcontextprotocol/clientCapabilities");

            var headerWithoutEnvelope = post(server, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}",
                    "MCP-Protocol-Version", MODERN);
            assertThat(headerWithoutEnvelope.statusCode()).isEqualTo(400);
            assertError(McpHttpFixture.answer(headerWithoutEnvelope), 3, -32602,
                    "missing: io.modelcontextprotocol/protocolVersion");

            var versionMismatch = post(server, modern(4, "tools/list", ""), "MCP-Protocol-Version", "2099-01-01");
            assertThat(versionMismatch.statusCode()).isEqualTo(400);
            assertError(McpHttpFixture.answer(versionMismatch), 4, -32020, "headers and body disagree");

            var methodMismatch = post(server, modern(5, "tools/list", ""), "Mcp-Method", "tools/call");
            assertThat(methodMismatch.statusCode()).isEqualTo(400);
            assertError(McpHttpFixture.answer(methodMismatch), 5, -32020, "Mcp-Method header names tools/call");

            var initialize = post(server, modern(6, "initialize", "\"protocolVersion\":\"" + MODERN + "\""));
            assertThat(initialize.statusCode()).isEqualTo(400);
            assertError(McpHttpFixture.answer(initialize), 6, -32601,
                    "initialize is not part of protocol revision 2026-07-28");

            var response = post(server, "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}", "MCP-Protocol-Version", MODERN);
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(McpHttpFixture.answer(response).getObject("error").orElseThrow().getLong("code"))
                    .contains(-32600L);

            var unknownMethod = post(server, modern(8, "no/such", ""), "MCP-Protocol-Version", MODERN, "Mcp-Method",
                    "no/such");
            assertThat(unknownMethod.statusCode()).isEqualTo(404);
            assertError(McpHttpFixture.answer(unknownMethod), 8, -32601, "no/such");

            // a header that names no revision is the 2025 transport's unsupported-version refusal, as before
            var garbage = post(server, "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/list\"}",
                    "MCP-Protocol-Version", "latest");
            assertThat(garbage.statusCode()).isEqualTo(400);
            assertError(McpHttpFixture.answer(garbage), 11, -32600, "unsupported MCP-Protocol-Version latest");

            var get = http.client()
                    .send(HttpRequest.newBuilder(server.url())
                            .header("Accept", "text/event-stream")
                            .header("MCP-Protocol-Version", MODERN)
                            .GET()
                            .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(405);
            assertThat(get.headers().firstValue("Allow")).contains("POST");
            assertThat(McpHttpFixture.answer(get).getObject("error").orElseThrow().getString("message").orElseThrow())
                    .contains("every message is posted");

            // the server goes on serving, in both revisions
            var discover = post(server, modern("d", "server/discover", ""), "MCP-Protocol-Version", MODERN);
            assertThat(discover.statusCode()).isEqualTo(200);
            assertThat(discover.headers().firstValue("Mcp-Session-Id")).isEmpty();
            assertThat(McpHttpFixture.answer(discover)
                    .getObject("result")
                    .orElseThrow()
                    .getArray("supportedVersions")
                    .orElseThrow()
                    .items()).containsExactly(JsonValue.of(MODERN));
            var call = post(server, modern(9, "tools/call", "\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}"),
                    "MCP-Protocol-Version", MODERN, "Mcp-Method", "tools/call", "Mcp-Name", "echo");
            assertThat(call.statusCode()).isEqualTo(200);
            JsonObject result = McpHttpFixture.answer(call).getObject("result").orElseThrow();
            assertThat(text(result)).isEqualTo("echo: hi");
            assertThat(result.getString("resultType")).contains("complete");

            var legacy = post(server, """
                    {"jsonrpc":"2.0","id":10,"method":"initialize","params":{"protocolVersion":"2025-11-25",\
                    "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
            assertThat(legacy.statusCode()).isEqualTo(200);
            assertThat(McpHttpFixture.answer(legacy).getObject("result").orElseThrow().getString("protocolVersion"))
                    .contains("2025-11-25");
            assertThat(McpHttpFixture.answer(legacy).getObject("result").orElseThrow().has("resultType")).isFalse();
            assertThat(legacy.headers().firstValue("Mcp-Session-Id").isPresent()).isEqualTo(!stateless);
        }

        @Test
        void theOriginCheckAndTheBearerTokenApplyToTheRevisionToo() throws Exception {
            McpHttpServer server = serve(McpHttpOptions.defaults().bearerTokens("s3cret"::equals));
            String echo = modern(1, "tools/call", "\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}");

            var noToken = post(server, echo);
            assertThat(noToken.statusCode()).isEqualTo(401);
            assertThat(noToken.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h)
                    .startsWith("Bearer"));
            var foreign = post(server, echo, "Authorization", "Bearer s3cret", "Origin", "https://evil.example");
            assertThat(foreign.statusCode()).isEqualTo(403);
            assertThat(served).isEmpty();

            var ok = post(server, echo, "Authorization", "Bearer s3cret");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("Content-Type")).as("a tool call is answered as a stream, which "
                    + "the client cancels by closing it")
                    .hasValueSatisfying(t -> assertThat(t).startsWith(
                            "text/event-stream"));
            assertThat(text(McpHttpFixture.answer(ok).getObject("result").orElseThrow())).isEqualTo("echo: hi");
            assertThat(served).hasSize(1);
        }
    }

    // ---- what the server serves besides tools, in the revision

    /** How a test reaches a server: one request, its JSON answer. */
    @FunctionalInterface
    interface Asker {
        JsonObject ask(String request) throws Exception;
    }

    @ParameterizedTest
    @ValueSource(strings = {"stdio", "http", "http-stateless"})
    void servesResourcesAndPromptsPageByPageInTheRevision(String transport, @TempDir Path dir) throws Exception {
        Path files = Files.createDirectories(dir.resolve("served"));
        for (String name : List.of("a.md", "b.md", "c.md")) {
            Files.writeString(files.resolve(name), "# " + name + "\n");
        }
        McpServer server = ResourcesServerMain.builder(files).build();
        PipedServer piped = null;
        Asker asker;
        if (transport.equals("stdio")) {
            piped = new PipedServer(server);
            asker = piped::ask;
        } else {
            McpHttpServer overHttp = http.serve(server,
                    McpHttpOptions.defaults().stateless(transport.endsWith("stateless")));
            asker = request -> McpHttpFixture.answer(post(overHttp, request, "MCP-Protocol-Version", MODERN));
        }
        try {
            JsonObject first = asker.ask(modern(1, "resources/list", "")).getObject("result").orElseThrow();
            assertThat(first.getArray("resources").orElseThrow().size()).isEqualTo(2);
            assertThat(first.getString("resultType")).contains("complete");
            assertThat(first.getString("cacheScope")).contains("private");
            String cursor = first.getString("nextCursor").orElseThrow();
            JsonObject second = asker.ask(modern(2, "resources/list", "\"cursor\":\"" + cursor + "\""))
                    .getObject("result")
                    .orElseThrow();
            assertThat(second.getArray("resources").orElseThrow().items())
                    .doesNotContainAnyElementsOf(first.getArray("resources").orElseThrow().items());
            assertError(asker.ask(modern(3, "resources/list", "\"cursor\":\"not-a-cursor\"")), 3, -32602, "cursor");

            String uri = files.resolve("a.md").toUri().toString();
            JsonObject read = asker.ask(modern(4, "resources/read", "\"uri\":\"" + uri + "\""))
                    .getObject("result")
                    .orElseThrow();
            assertThat(read.getArray("contents").orElseThrow().get(0).asObject().getString("text"))
                    .contains("# a.md\n");
            assertThat(read.getLong("ttlMs")).contains(0L);
            JsonObject outside = asker.ask(modern(5, "resources/read", "\"uri\":\"" + dir.resolve("x.md").toUri()
                    + "\""));
            assertThat(outside.getObject("error").orElseThrow().getLong("code")).as("%s", outside).contains(-32002L);

            JsonObject prompts = asker.ask(modern(6, "prompts/list", "")).getObject("result").orElseThrow();
            assertThat(prompts.getArray("prompts").orElseThrow().items())
                    .extracting(p -> p.asObject().getString("name").orElseThrow())
                    .contains("review", "picky");
            JsonObject review = asker.ask(modern(7, "prompts/get",
                    "\"name\":\"review\",\"arguments\":{\"path\":\"a.md\"}")).getObject("result").orElseThrow();
            assertThat(review.getString("resultType")).contains("complete");
            assertThat(review.getArray("messages")
                    .orElseThrow()
                    .get(0)
                    .asObject()
                    .getObject("content")
                    .orElseThrow()
                    .getString("text")).contains("Review a.md for bugs.");
            assertError(asker.ask(modern(8, "prompts/get", "\"name\":\"review\"")), 8, -32602, "path");
        } finally {
            if (piped != null) {
                piped.close();
            }
        }
    }

    @Test
    void sendsProgressBeforeTheAnswerOverStdio() throws Exception {
        var server = McpServer.builder(ProgressServerMain.tools()).name("progress").build();
        try (var piped = new PipedServer(server)) {
            piped.peer.send(modern(1, "tools/call", "\"name\":\"count\",\"arguments\":{\"n\":3}",
                    "\"progressToken\":\"job\",\"io.modelcontextprotocol/protocolVersion\":\"" + MODERN + "\","
                            + CAPABILITIES));
            for (int i = 1; i <= 3; i++) {
                JsonObject progress = piped.peer.nextObject();
                assertThat(progress.getString("method")).as("%s", progress).contains("notifications/progress");
                assertThat(progress.getObject("params").orElseThrow().getString("progressToken")).contains("job");
            }
            JsonObject result = piped.peer.nextObject().getObject("result").orElseThrow();
            assertThat(text(result)).isEqualTo("counted 3");
            assertThat(result.getString("resultType")).contains("complete");
        }
    }

    @Test
    void sendsProgressBeforeTheAnswerOverHttpAsAnEventStream() throws Exception {
        McpHttpServer server = http.serve(McpServer.builder(ProgressServerMain.tools()).name("progress").build(),
                McpHttpOptions.defaults());
        var response = post(server, modern(1, "tools/call", "\"name\":\"count\",\"arguments\":{\"n\":2}",
                "\"progressToken\":7,\"io.modelcontextprotocol/protocolVersion\":\"" + MODERN + "\","
                        + CAPABILITIES),
                "MCP-Protocol-Version", MODERN);
        assertThat(response.headers().firstValue("Content-Type")).contains("text/event-stream");
        List<JsonObject> events = response.body()
                .lines()
                .filter(l -> l.startsWith("data: "))
                .map(l -> JsonValue.parse(l.substring(6)).asObject())
                .toList();
        assertThat(events).hasSize(3);
        assertThat(events.subList(0, 2)).allSatisfy(e -> assertThat(e.getString("method"))
                .contains("notifications/progress"));
        JsonObject result = events.get(2).getObject("result").orElseThrow();
        assertThat(text(result)).isEqualTo("counted 2");
        assertThat(result.getString("resultType")).contains("complete");
    }

    @Test
    void cancelsACallTheClientCancelsOverStdio() throws Exception {
        var gate = new GateTool("gate"); // never released
        try (var piped = new PipedServer(McpServer.builder(List.of(gate.tool)).name("gate").build())) {
            piped.peer.send(modern(1, "tools/call", "\"name\":\"gate\""));
            gate.entered.await();
            piped.peer.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{"
                    + "\"requestId\":1}}");
            gate.interrupted.await();
            // the cancelled call is not answered: the next line is the answer to the next request
            JsonObject next = piped.ask(modern(2, "tools/list", ""));
            assertThat(next.get("id")).isEqualTo(JsonValue.of(2));
        }
    }
}
