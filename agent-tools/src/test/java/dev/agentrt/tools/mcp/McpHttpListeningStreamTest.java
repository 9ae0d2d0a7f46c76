package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link McpTools} over streamable HTTP receives what a server sends outside of a request on the GET stream the
 * client opens after initialization: resource updates from a server of ours, {@code tools/list_changed} and a
 * {@code roots/list} request from the official TypeScript SDK's server, and nothing is asked again of a server
 * that has no such stream (405). Hostile streams (dropped again and again, an oversized event, garbage) have a
 * bounded, clear outcome; calls keep working and nothing is left running after close.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpHttpListeningStreamTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The first GET and the reconnects the client makes before it gives the stream up. */
    private static final int GETS_BEFORE_GIVING_UP = 6;

    @TempDir
    Path temp;
    @RegisterExtension
    final LeakCheck leaks = LeakCheck.threadsAndProcesses("HttpClient-");

    private static McpTools connect(String url, Path... roots) {
        return McpTools.builder("remote", McpTransportSpec.http(url))
                .callTimeout(WAIT)
                .connectTimeout(WAIT)
                .roots(roots)
                .connect()
                .block(WAIT);
    }

    private static ToolResult call(McpTools tools, String tool) {
        return McpTestPeers.call(tools, tool, "{}", WAIT);
    }

    // ---- real peers

    @Test
    void aResourceUpdateFromOurServerArrivesOnTheGetStream() throws Exception {
        Path served = Files.createDirectory(temp.toRealPath().resolve("served"));
        Files.writeString(served.resolve("a.md"), "# A\n");
        String uri = served.resolve("a.md").toUri().toString();
        McpServer server = ResourcesServerMain.builder(served).build();
        BlockingQueue<McpChange> seen = new LinkedBlockingQueue<>();
        HttpClient upstream = HttpClient.newHttpClient();
        try (McpHttpServer http = server.serveHttp(McpHttpOptions.defaults().stateless(false));
                var classic = classicOnly(upstream, http.url());
                McpTools tools = connect(classic.url())) {
            assertThat(tools.protocolVersion()).isEqualTo("2025-11-25");
            Disposable changes = tools.changes().subscribe(seen::add);
            tools.subscribeResource(uri).block(WAIT);

            server.resourceUpdated(uri).block(WAIT);

            assertThat(seen.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo(new McpChange.ResourceUpdated("remote", uri));
            changes.dispose();
        } finally {
            upstream.shutdownNow();
        }
    }

    /**
     * Our server, seen through a proxy that answers {@code server/discover} with "method not found": the client
     * then initializes in 2025-11-25, where the GET stream is how the server's notifications come.
     */
    private static RawHttpServer classicOnly(HttpClient upstream, URI target) throws IOException {
        return new RawHttpServer((request, response) -> {
            if (request.body().contains("\"server/discover\"")) {
                String id = JsonValue.parse(request.body()).asObject().get("id").toJson();
                response.json(200, "{\"jsonrpc\":\"2.0\",\"id\":" + id
                        + ",\"error\":{\"code\":-32601,\"message\":\"Method not found\"}}");
                return;
            }
            var forward = HttpRequest.newBuilder(target)
                    .method(request.method(), request.body().isEmpty()
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(request.body()));
            for (String h : List.of("Accept", "Content-Type", "Mcp-Session-Id", "MCP-Protocol-Version",
                    "Last-Event-ID")) {
                String value = request.header(h);
                if (value != null) {
                    forward.header(h, value);
                }
            }
            HttpResponse<InputStream> answer = upstream.send(forward.build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            String session = answer.headers().firstValue("Mcp-Session-Id").orElse("");
            String type = answer.headers().firstValue("Content-Type").orElse(null);
            try (InputStream body = answer.body()) {
                if (type == null || !type.startsWith("text/event-stream")) {
                    response.send(answer.statusCode(), type, new String(body.readAllBytes(), StandardCharsets.UTF_8),
                            "Mcp-Session-Id", session);
                    return;
                }
                response.startEvents("Mcp-Session-Id", session);
                byte[] buffer = new byte[8192];
                int n;
                while ((n = body.read(buffer)) >= 0) {
                    if (n > 0) {
                        response.chunk(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    }
                }
                response.end();
            }
        });
    }

    @Test
    void theTypeScriptServersListChangedAndRootsRequestOnTheGetStreamReachTheClient() throws Exception {
        Path root = Files.createDirectory(temp.toRealPath().resolve("work"));
        Process server = new ProcessBuilder(TestServers.node(), TestServers.npmScript("listening-server.mjs"))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        var change = new CompletableFuture<McpTools.ToolsChange>();
        try (BufferedReader out = server.inputReader()) {
            String url = "http://127.0.0.1:" + out.readLine().split(" ")[1] + "/mcp";
            try (McpTools tools = McpTools.builder("remote", McpTransportSpec.http(url))
                    .callTimeout(WAIT)
                    .connectTimeout(WAIT)
                    .roots(root)
                    .onToolsChanged(change::complete)
                    .connect()
                    .block(WAIT)) {
                assertThat(call(tools, "ping").content()).isEqualTo("pong");

                // The server asks roots/list on the GET stream while the call waits; the answer goes by POST.
                ToolResult changed = call(tools, "change");

                assertThat(changed.isError()).as(changed.content()).isFalse();
                assertThat(changed.content()).startsWith("roots: file:///").contains(root.getFileName().toString());
                assertThat(change.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                        .isEqualTo(new McpTools.ToolsChange("remote", Set.of("ping"), Set.of(), Set.of()));
                assertThat(call(tools, "ping").content()).contains("since it was pinned");
            }
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    @Test
    void ourStatelessServerAnswers405AndCallsWork() throws Exception {
        Path served = Files.createDirectory(temp.toRealPath().resolve("served"));
        McpServer server = ResourcesServerMain.builder(served).build();
        try (McpHttpServer http = server.serveHttp(McpHttpOptions.defaults().stateless(true));
                McpTools tools = connect(http.url().toString())) {
            assertThat(tools.tools()).isNotEmpty();
        }
    }

    // ---- scripted servers

    /**
     * An MCP server over {@link RawHttpServer} with one resource: the handshake, tools/list, resources/list and
     * tools/call done right, GET as given.
     */
    private static RawHttpServer scripted(RawHttpServer.Handler get) throws IOException {
        return McpTestPeers.scripted("{\"tools\":{},\"resources\":{\"listChanged\":true}}", Map.of(
                "resources/list", (request, response) -> response.json(200, """
                        {"jsonrpc":"2.0","id":%s,"result":{"resources":[{"uri":"memory://x/1",\
                        "name":"one"}]}}""".formatted(McpTestPeers.idOf(request))),
                "tools/call", (request, response) -> response.json(200,
                        McpTestPeers.answer(McpTestPeers.idOf(request), "done"))),
                get);
    }

    private static long gets(RawHttpServer server) {
        return server.requests().stream().filter(q -> q.method().equals("GET")).count();
    }

    @Test
    void aServerWithoutAGetStreamIsNotAskedAgainAndCallsWork() throws Exception {
        try (var server = scripted((request, response) -> response.send(405, null, "", "Allow", "POST"));
                McpTools tools = connect(server.url())) {
            assertThat(call(tools, "work").content()).isEqualTo("done");
            assertThat(call(tools, "work").content()).isEqualTo("done");
            RawHttpServer.Request get = server.requests()
                    .stream()
                    .filter(q -> q.method().equals("GET"))
                    .findFirst()
                    .orElseThrow();
            assertThat(get.header("Accept")).isEqualTo("text/event-stream");
            assertThat(get.header("Mcp-Session-Id")).isEqualTo("session-1");
            assertThat(get.header("MCP-Protocol-Version")).isEqualTo("2025-06-18");
            assertThat(get.header("Last-Event-ID")).isNull();
            assertThat(gets(server)).as("a 405 is not asked again").isEqualTo(1);
        }
    }

    @Test
    void aStreamDroppedAgainAndAgainIsGivenUpAfterBoundedReconnectsAndCallsWork() throws Exception {
        var opened = new AtomicInteger();
        var lastAllowed = new CountDownLatch(1);
        var beyond = new CompletableFuture<String>();
        try (var server = scripted((request, response) -> {
            int n = opened.incrementAndGet();
            if (n > GETS_BEFORE_GIVING_UP) {
                beyond.complete("GET " + n);
            }
            response.startEvents();
            // retry 0: the client's backoff starts at no wait, so the test does not wait for its timers.
            response.chunk("retry: 0\n\n");
            response.breakOff();
            if (n == GETS_BEFORE_GIVING_UP) {
                lastAllowed.countDown();
            }
        })) {
            McpTools tools = connect(server.url());
            assertThat(lastAllowed.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(call(tools, "work").content()).isEqualTo("done");
            tools.close();
            assertThat(beyond).as("no GET after the client gave up").isNotDone();
            assertThat(gets(server)).isEqualTo(GETS_BEFORE_GIVING_UP);
        }
    }

    @Test
    void aStreamThatBringsEventsIsResumedWithTheLastEventIdAndItsMessagesArrive() throws Exception {
        var resumedWith = new CompletableFuture<String>();
        BlockingQueue<McpChange> seen = new LinkedBlockingQueue<>();
        var holding = new CountDownLatch(1);
        var subscribed = new CountDownLatch(1);
        try (var server = scripted((request, response) -> {
            String last = request.header("Last-Event-ID");
            response.startEvents();
            if (last == null) {
                response.chunk("retry: 0\nid: e1\ndata: {\"jsonrpc\":\"2.0\",\"method\":"
                        + "\"notifications/resources/list_changed\"}\n\n");
                response.breakOff();
            } else {
                resumedWith.complete(last);
                subscribed.await();
                response.chunk("id: e2\ndata: {\"jsonrpc\":\"2.0\",\"method\":"
                        + "\"notifications/resources/list_changed\"}\n\n");
                holding.await();
            }
        }); McpTools tools = connect(server.url())) {
            Disposable changes = tools.changes().subscribe(seen::add);
            subscribed.countDown();
            assertThat(resumedWith.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("e1");
            assertThat(seen.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo(new McpChange.ResourcesListChanged("remote", List.of("memory://x/1")));
            changes.dispose();
            holding.countDown();
        }
    }

    @Test
    void anOversizedEventIsSkippedNotHeldAndWhatFollowsItArrives() throws Exception {
        BlockingQueue<McpChange> seen = new LinkedBlockingQueue<>();
        var held = new CompletableFuture<RawHttpServer.Response>();
        var release = new CountDownLatch(1);
        try (var server = scripted((request, response) -> {
            response.startEvents();
            held.complete(response);
            release.await();
        }); McpTools tools = connect(server.url())) {
            Disposable changes = tools.changes().subscribe(seen::add);
            RawHttpServer.Response stream = held.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // A notification over the client's 16 MiB message limit, in 1 MiB chunks: only scanned, then skipped.
            String mib = "x".repeat(1 << 20);
            stream.chunk("data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"data\":\"");
            for (int i = 0; i < 20; i++) {
                stream.chunk(mib);
            }
            stream.chunk("\"}}\n\n");
            stream.chunk("data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/list_changed\"}\n\n");

            assertThat(seen.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo(new McpChange.ResourcesListChanged("remote", List.of("memory://x/1")));
            assertThat(call(tools, "work").content()).isEqualTo("done");
            assertThat(gets(server)).as("the stream stayed open").isEqualTo(1);
            changes.dispose();
            release.countDown();
        }
    }

    @Test
    void garbageOnTheStreamIsSkippedAndWhatFollowsArrives() throws Exception {
        BlockingQueue<McpChange> seen = new LinkedBlockingQueue<>();
        var held = new CompletableFuture<RawHttpServer.Response>();
        var release = new CountDownLatch(1);
        try (var server = scripted((request, response) -> {
            response.startEvents();
            response.chunk("this is no field\n\u0000\u0001garbage\ndata: {not json\n\n:comment\nevent: odd\n"
                    + "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/list_changed\"}\n\n"
                    + "data: [1, 2]\n\ndata: {\"jsonrpc\":\"2.0\",\"method\":"
                    + "\"notifications/resources/list_changed\"}\n\n");
            held.complete(response);
            release.await();
        })) {
            McpTools tools = connect(server.url());
            Disposable changes = tools.changes().subscribe(seen::add);
            RawHttpServer.Response stream = held.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // The events were sent before the subscription: one more, now that it listens.
            stream.chunk("data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/list_changed\"}\n\n");
            assertThat(seen.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo(new McpChange.ResourcesListChanged("remote", List.of("memory://x/1")));
            assertThat(call(tools, "work").content()).isEqualTo("done");
            changes.dispose();

            tools.close();

            // The client closed the stream's connection: writing to it fails, sooner or later.
            assertThat(stream.writeUntilRefused(": still there?\n", Long.MAX_VALUE, true))
                    .isInstanceOf(IOException.class);
            release.countDown();
            assertThat(gets(server)).isEqualTo(1);
        }
    }
}
