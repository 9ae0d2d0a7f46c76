package dev.agentrt.tools.mcp;

import static dev.agentrt.tools.mcp.McpTestPeers.answer;
import static dev.agentrt.tools.mcp.McpTestPeers.idOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link McpTools} over streamable HTTP when the server dies or its answer's stream ends early: the
 * call fails as soon as that shows, with an error naming the server and what happened, never by its
 * 60 s timeout. Real servers (the official TypeScript SDK's, and the reference server-everything)
 * are killed in the middle of a call; a scripted server ({@link RawHttpServer}) cuts streams in the
 * exact ways a test needs. Every call here has a 60 s timeout and the JUnit timeout is a hang guard:
 * a call that failed by its timeout would carry another message.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpToolsHttpTest {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    @RegisterExtension
    final LeakCheck leaks = LeakCheck.threadsAndProcesses("HttpClient-");

    private static ToolResult call(McpTools tools, String tool, String args) {
        return McpTestPeers.call(tools, tool, args, Duration.ofSeconds(90));
    }

    private static CompletableFuture<ToolResult> callLater(McpTools tools, String tool, String args) {
        return McpTestPeers.execute(tools, tool, args).toFuture();
    }

    private static McpTools connect(String url) {
        return McpTools.builder("remote", McpTransportSpec.http(url))
                .callTimeout(CALL_TIMEOUT)
                .connectTimeout(CALL_TIMEOUT)
                .connect()
                .block(Duration.ofSeconds(90));
    }

    private static void assertFailedFast(ToolResult r, String url, String... parts) {
        assertThat(r.errorKind()).as(r.content()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(r.content()).contains("MCP server 'remote' (" + url + ") did not answer tools/call");
        for (String part : parts) {
            assertThat(r.content()).contains(part);
        }
    }

    // ---- real servers, killed mid-call

    @Test
    void theTypeScriptSdksServerKilledMidCallFailsTheCallAtOnce() throws Exception {
        Process server = new ProcessBuilder(TestServers.node(), TestServers.npmScript("http-server.mjs")).start();
        try (BufferedReader out = server.inputReader(); BufferedReader err = server.errorReader()) {
            String url = "http://127.0.0.1:" + out.readLine().split(" ")[1] + "/mcp";
            try (McpTools tools = connect(url)) {
                assertThat(call(tools, "echo", "{\"text\":\"hi\"}").content()).isEqualTo("echo: hi");
                CompletableFuture<ToolResult> waiting = callLater(tools, "wait", "{}");
                assertThat(err.readLine()).isEqualTo("wait called");
                server.destroyForcibly().waitFor();
                assertFailedFast(waiting.get(90, TimeUnit.SECONDS), url);
            }
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    @Test
    void serverEverythingKilledMidCallFailsTheCallAtOnceAlthoughItsStreamsAreResumable() throws Exception {
        int port = TestServers.freePort();
        var builder = new ProcessBuilder(TestServers.node(), TestServers.npmServer("server-everything"),
                "streamableHttp");
        builder.environment().put("PORT", Integer.toString(port));
        Process server = builder.start();
        String url = "http://127.0.0.1:" + port + "/mcp";
        try (BufferedReader log = server.inputReader(); BufferedReader err = server.errorReader()) {
            awaitLine(err, "listening");
            try (McpTools tools = connect(url)) {
                // A GET without a session is logged and refused; once its line is read, every line the
                // connect caused has been read too, so the next POST line is the call's.
                try (HttpClient http = HttpClient.newHttpClient()) {
                    http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                            HttpResponse.BodyHandlers.discarding());
                }
                awaitLine(log, "Received MCP GET request");
                CompletableFuture<ToolResult> running = callLater(tools, "trigger-long-running-operation",
                        "{\"duration\":600,\"steps\":2}");
                awaitLine(log, "Received MCP POST request");
                server.destroyForcibly().waitFor();
                assertFailedFast(running.get(90, TimeUnit.SECONDS), url);
            }
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    private static void awaitLine(BufferedReader log, String text) throws IOException {
        String line;
        while ((line = log.readLine()) != null && !line.contains(text)) {
            // skip
        }
        assertThat(line).as("the server's output ended before '" + text + "'").isNotNull();
    }

    // ---- a scripted server

    /** An MCP server over {@link RawHttpServer}: the handshake and tools/list done right, tools/call as given. */
    private static RawHttpServer scripted(RawHttpServer.Handler call, RawHttpServer.Handler get) throws IOException {
        return McpTestPeers.scripted("{\"tools\":{}}", Map.of("tools/call", call), get);
    }

    private static RawHttpServer scripted(RawHttpServer.Handler call) throws IOException {
        return scripted(call, (request, response) -> response.send(405, null, ""));
    }

    private static final String PROGRESS = "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":"
            + "\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"working\"}}\n\n";

    @Test
    void aStreamThatEndsWithoutTheAnswerFailsTheCall() throws Exception {
        try (var server = scripted((request, response) -> {
            response.startEvents();
            response.chunk(PROGRESS);
            response.end();
        }); McpTools tools = connect(server.url())) {
            assertFailedFast(call(tools, "work", "{}"), server.url(), "it ended the response stream");
        }
    }

    @Test
    void aStreamThatBreaksAfterAnEventFailsTheCall() throws Exception {
        try (var server = scripted((request, response) -> {
            response.startEvents();
            response.chunk(PROGRESS);
            response.breakOff();
        }); McpTools tools = connect(server.url())) {
            assertFailedFast(call(tools, "work", "{}"), server.url(), "the response stream broke");
        }
    }

    @Test
    void aStreamWithEventIdsIsResumedAndTheAnswerThatComesOnTheResumedStreamIsTaken() throws Exception {
        var callId = new java.util.concurrent.atomic.AtomicReference<String>();
        try (var server = scripted((request, response) -> {
            callId.set(idOf(request));
            response.startEvents();
            response.chunk("id: e1\nretry: 5\ndata:\n\n"); // a priming event, then the server closes (SEP-1699)
            response.chunk(PROGRESS.replace("event: message\n", "id: e2\n"));
            response.end();
        }, (request, response) -> {
            if (request.header("Last-Event-ID") == null) {
                response.send(405, null, ""); // the stream for messages outside requests: none
                return;
            }
            response.startEvents();
            response.chunk("id: e3\ndata: " + answer(callId.get(), "answered after resuming") + "\n\n");
            response.end();
        }); McpTools tools = connect(server.url())) {
            ToolResult r = call(tools, "work", "{}");
            assertThat(r.isError()).as(r.content()).isFalse();
            assertThat(r.content()).isEqualTo("answered after resuming");
            RawHttpServer.Request resume = server.requests()
                    .stream()
                    .filter(q -> q.method().equals("GET") && q.header("Last-Event-ID") != null)
                    .findFirst()
                    .orElseThrow();
            assertThat(resume.header("Last-Event-ID")).isEqualTo("e2");
            assertThat(resume.header("Mcp-Session-Id")).isEqualTo("session-1");
            assertThat(resume.header("MCP-Protocol-Version")).isEqualTo("2025-06-18");
        }
    }

    @Test
    void aResumableStreamOfAServerThatIsGoneFailsTheCallWhenResumingIsRefused() throws Exception {
        var holder = new java.util.concurrent.atomic.AtomicReference<RawHttpServer>();
        try (var server = scripted((request, response) -> {
            response.startEvents();
            response.chunk("id: e1\ndata:\n\n");
            holder.get().stopListening(); // the server is going away: nothing will take the resume
            response.breakOff();
        }, (request, response) -> {
            // The client's GET stream: none, and the connection is not kept for the resume to reuse.
            response.send(405, null, "");
            response.breakOff();
        }); McpTools tools = connect(server.url())) {
            holder.set(server);
            assertFailedFast(call(tools, "work", "{}"), server.url(), "the response stream broke",
                    "resuming it brought nothing more", "connection refused");
        }
    }

    @Test
    void aResumeTheServerRefusesFailsTheCallWithItsStatus() throws Exception {
        try (var server = scripted((request, response) -> {
            response.startEvents();
            response.chunk("id: e1\ndata:\n\n");
            response.breakOff();
        }); McpTools tools = connect(server.url())) {
            assertFailedFast(call(tools, "work", "{}"), server.url(), "resuming the stream failed (HTTP 405)");
        }
    }

    @Test
    void aRequestTheServerOnlyAcceptsFailsTheCall() throws Exception {
        try (var server = scripted((request, response) -> response.send(202, null, ""));
                McpTools tools = connect(server.url())) {
            ToolResult r = call(tools, "work", "{}");
            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(r.content()).contains("MCP server 'remote' (" + server.url()
                    + ") accepted tools/call (HTTP 202) but sent no answer");
        }
    }

    @Test
    void anHttpErrorFailsTheCallQuotingTheBody() throws Exception {
        try (var server = scripted((request, response) -> response.send(500, "text/plain", "the database is down"));
                McpTools tools = connect(server.url())) {
            ToolResult r = call(tools, "work", "{}");
            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(r.content()).contains("answered tools/call with HTTP 500: the database is down");
        }
    }

    @Test
    void aCallThatMeetsAnExpiredSessionRunsAgainInANewSession() throws Exception {
        var calls = new AtomicInteger();
        try (var server = scripted((request, response) -> {
            if (calls.incrementAndGet() == 1) {
                response.json(404, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32001,"
                        + "\"message\":\"Session not found\"}}");
            } else {
                response.json(200, answer(idOf(request), "in " + request.header("Mcp-Session-Id")));
            }
        }); McpTools tools = connect(server.url())) {
            assertThat(call(tools, "work", "{}").content()).isEqualTo("in session-2");
            assertThat(call(tools, "work", "{}").content()).isEqualTo("in session-2");
            var initializes = server.requests().stream().filter(q -> q.body().contains("\"initialize\"")).toList();
            assertThat(initializes).hasSize(2);
            assertThat(initializes.get(1).header("Mcp-Session-Id")).as("a new session is asked for without one")
                    .isNull();
        }
    }

    @Test
    void whenStartingANewSessionFailsTheCallSaysWhy() throws Exception {
        var initializes = new AtomicInteger();
        try (var server = new RawHttpServer((request, response) -> {
            String body = request.body();
            if (request.method().equals("DELETE")) {
                response.send(200, null, "");
            } else if (body.contains("\"initialize\"")) {
                if (initializes.incrementAndGet() == 1) {
                    response.json(200,
                            """
                                    {"jsonrpc":"2.0","id":%s,"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},\
                                    "serverInfo":{"name":"scripted","version":"1"}}}"""
                                    .formatted(idOf(request)),
                            "Mcp-Session-Id", "only-session");
                } else {
                    response.send(503, "text/plain", "shutting down");
                }
            } else if (body.contains("tools/list")) {
                response.json(200, "{\"jsonrpc\":\"2.0\",\"id\":" + idOf(request)
                        + ",\"result\":{\"tools\":[{\"name\":\"work\",\"inputSchema\":{\"type\":\"object\"}}]}}");
            } else if (body.contains("tools/call")) {
                response.send(404, "text/plain", "unknown session");
            } else {
                response.send(202, null, "");
            }
        }); McpTools tools = connect(server.url())) {
            ToolResult r = call(tools, "work", "{}");
            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(r.content()).contains("MCP server 'remote' (" + server.url() + ") no longer knows the session "
                    + "(HTTP 404), and starting a new one failed: answered initialize with HTTP 503: shutting down");
        }
    }

    @Test
    void anAnswerOnAJsonBodyAndAnswersOnAStreamAreBothTaken() throws Exception {
        var calls = new AtomicInteger();
        try (var server = scripted((request, response) -> {
            if (calls.incrementAndGet() == 1) {
                response.json(200, answer(idOf(request), "as JSON"));
            } else {
                response.startEvents();
                response.chunk(PROGRESS);
                response.chunk("data: " + answer(idOf(request), "on a stream") + "\n\n");
                response.end();
            }
        }); McpTools tools = connect(server.url())) {
            assertThat(call(tools, "work", "{}").content()).isEqualTo("as JSON");
            assertThat(call(tools, "work", "{}").content()).isEqualTo("on a stream");
        }
    }
}
