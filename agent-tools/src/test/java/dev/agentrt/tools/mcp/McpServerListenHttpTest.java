package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.ToolException;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * agentrt's MCP server serving the 2026-07-28 {@code subscriptions/listen} and cancellation over streamable HTTP,
 * stateful and stateless: our own client subscribes to a served file and hears of its change, and closing its
 * stream ends the listen on the server; on the wire, a listen is an event stream (its acknowledgement, its
 * updates, its graceful result when the server closes) and a refusal a JSON-RPC error; closing the event stream of
 * a running tool call cancels the tool; requests over the in-flight limit get 503 with {@code Retry-After}; and the
 * v2 TypeScript SDK's client listens, hears the update, and sees its subscription end locally and gracefully.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpServerListenHttpTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String MODERN = "2026-07-28";
    private static final String SSE = "text/event-stream";
    /** Short, so a stream its client closed is found out soon (the server learns of it when a write fails). */
    private static final Duration KEEP_ALIVE = Duration.ofMillis(20);

    @TempDir
    Path temp;
    private Path served;
    private Path outside;
    private String a;
    private String b;
    private final List<McpHttpServer> servers = new ArrayList<>();
    private HttpClient http;
    private Leaks leaks;

    @BeforeEach
    void setUp() throws IOException {
        leaks = new Leaks();
        http = HttpClient.newHttpClient();
        Path root = temp.toRealPath();
        served = Files.createDirectory(root.resolve("served"));
        outside = Files.createDirectory(root.resolve("outside"));
        Files.writeString(served.resolve("a.md"), "# A\n");
        Files.writeString(served.resolve("b.md"), "# B\n");
        Files.writeString(outside.resolve("secret.txt"), "outside the served directory");
        a = served.resolve("a.md").toUri().toString();
        b = served.resolve("b.md").toUri().toString();
    }

    @AfterEach
    void nothingIsLeftRunning() throws Exception {
        servers.forEach(McpHttpServer::close);
        http.close();
        leaks.assertNoThreadsLeft("HTTP-Dispatcher", "idle-timeout-task", "agentrt-mcp-", "HttpClient-");
        leaks.assertNoProcessesLeft();
    }

    private McpHttpServer serve(McpServer server, McpHttpOptions options) {
        McpHttpServer s = server.serveHttp(options.keepAlive(KEEP_ALIVE));
        servers.add(s);
        return s;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void ourClientHearsTheChangeOfTheFileItSubscribedToAndItsClosedStreamEndsTheListen(boolean stateless)
            throws Exception {
        McpServer server = ResourcesServerMain.builder(served).build();
        McpHttpServer endpoint = serve(server, McpHttpOptions.defaults().stateless(stateless));
        try (McpTools tools = McpTools.connect("listen", McpTransportSpec.http(endpoint.url().toString()))
                .block(WAIT)) {
            assertThat(tools.protocolVersion()).isEqualTo(MODERN);
            var changes = new LinkedBlockingQueue<McpChange>();
            var seen = tools.changes().subscribe(changes::add);
            try {
                tools.subscribeResource(a).block(WAIT);
                // The client's listen (it also asks for the tool and prompt list changes the server declares)
                // opened anew with a; the one it replaced ends once the server sees its stream closed.
                McpReconnectTest.awaitCondition(() -> server.openListens() == 1);
                assertThat(server.openListens()).isEqualTo(1);
                server.resourceUpdated(b).block();
                server.resourceUpdated(a).block();
                assertThat(changes.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
                        .isEqualTo(new McpChange.ResourceUpdated("listen", a));

                String secret = outside.resolve("secret.txt").toUri().toString();
                assertThatThrownBy(() -> tools.subscribeResource(secret).block(WAIT))
                        .isInstanceOf(ToolException.class)
                        .hasMessageContaining("acknowledgement leaves the resource out");
                assertThat(tools.resourceSubscriptions()).containsExactly(a);

                tools.unsubscribeResource(a).block(WAIT);
                // The listen with a is replaced by one for the list changes alone; its closed stream ends it.
                McpReconnectTest.awaitCondition(() -> server.openListens() == 1);
                assertThat(server.openListens()).as("the closed stream ended the listen").isEqualTo(1);
                assertThat(tools.resourceSubscriptions()).isEmpty();
                server.resourceUpdated(a).block();
                assertThat(changes).isEmpty();
            } finally {
                seen.dispose();
            }
        }
    }

    @Test
    void aListenIsAnEventStreamThatTheServerEndsGracefullyWhenItCloses() throws Exception {
        McpServer server = ResourcesServerMain.builder(served).maxListens(2).build();
        McpHttpServer endpoint = serve(server, McpHttpOptions.defaults().stateless(true));

        HttpResponse<String> discover = http.send(post(endpoint, request(1, "server/discover", ""), null),
                HttpResponse.BodyHandlers.ofString());
        assertThat(discover.body()).contains("\"resources\":{\"subscribe\":true}")
                .contains("\"tools\":{\"listChanged\":true}")
                .doesNotContain("\"resources\":{\"listChanged");

        HttpResponse<String> notSse = http.send(post(endpoint, listen("\"x\"", a), "application/json"),
                HttpResponse.BodyHandlers.ofString());
        assertThat(notSse.statusCode()).isEqualTo(406);
        HttpResponse<String> noFilter = http.send(post(endpoint, request("\"y\"", "subscriptions/listen", ""), SSE),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noFilter.statusCode()).isEqualTo(200);
        assertThat(noFilter.body()).contains("-32602").contains("\"id\":\"y\"");

        try (Events first = events(endpoint, listen("\"one\"", a)); Events second = events(endpoint, listen("2", b))) {
            assertThat(first.response.headers().firstValue("Content-Type")).contains(SSE);
            assertThat(first.next().toJson()).isEqualTo("{\"jsonrpc\":\"2.0\",\"method\":"
                    + "\"notifications/subscriptions/acknowledged\",\"params\":{\"notifications\":{"
                    + "\"toolsListChanged\":true,\"resourceSubscriptions\":[\"" + a + "\"]},"
                    + "\"_meta\":{\"io.modelcontextprotocol/subscriptionId\":\"one\"}}}");
            assertThat(second.next().toJson()).contains("\"io.modelcontextprotocol/subscriptionId\":2");
            assertThat(server.openListens()).isEqualTo(2);

            HttpResponse<String> third = http.send(post(endpoint, listen("3", a), SSE),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(third.statusCode()).isEqualTo(200);
            assertThat(JsonValue.parse(third.body()).asObject().toJson()).contains("\"id\":3")
                    .contains("-32603")
                    .contains("Subscription limit reached: this server keeps at most 2");

            server.resourceUpdated(b).block();
            server.resourceUpdated(a).block();
            assertThat(first.next().toJson()).isEqualTo("{\"jsonrpc\":\"2.0\",\"method\":"
                    + "\"notifications/resources/updated\",\"params\":{\"uri\":\"" + a + "\","
                    + "\"_meta\":{\"io.modelcontextprotocol/subscriptionId\":\"one\"}}}");
            assertThat(second.next().toJson()).contains("\"uri\":\"" + b + "\"");

            endpoint.close();
            assertThat(first.next().toJson()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"one\",\"result\":{"
                    + "\"resultType\":\"complete\",\"_meta\":{\"io.modelcontextprotocol/subscriptionId\":\"one\"}}}");
            assertThat(first.next()).as("the stream ends").isNull();
            assertThat(second.next().toJson()).contains("\"id\":2,\"result\"");
            assertThat(second.next()).isNull();
            assertThat(server.openListens()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void closingTheStreamOfAToolCallCancelsTheToolAndRequestsOverTheLimitGet503(boolean stateless)
            throws Exception {
        var started = new CountDownLatch(1);
        var cancelled = new CountDownLatch(1);
        Tool hold = Tool.builder("hold")
                .description("Runs until it is cancelled")
                .handler((args, ctx) -> Mono.<ToolResult>create(sink -> {
                    sink.onCancel(cancelled::countDown);
                    started.countDown();
                }))
                .build();
        McpServer server = McpServer.builder(List.of(hold)).timeout(Duration.ofMinutes(10)).build();
        McpHttpServer endpoint = serve(server,
                McpHttpOptions.defaults().stateless(stateless).maxRequestsInFlight(1));

        // Accepting both, as clients do (the v2 TypeScript SDK's too), and asking for no progress: a tool call is
        // still answered as a stream, the one kind of answer whose closing the server can notice.
        try (Events call = new Events(http.send(post(endpoint, request(1, "tools/call",
                ",\"name\":\"hold\",\"arguments\":{}"), null), HttpResponse.BodyHandlers.ofLines()))) {
            assertThat(call.response.statusCode()).isEqualTo(200);
            assertThat(call.response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                    .startsWith("text/event-stream"));
            assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

            HttpResponse<String> over = http.send(post(endpoint, request(2, "tools/list", ""), null),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(over.statusCode()).isEqualTo(503);
            assertThat(over.headers().firstValue("Retry-After")).contains("1");
            JsonObject error = JsonValue.parse(over.body()).asObject();
            assertThat(error.toJson()).contains("\"id\":2")
                    .contains("-32603")
                    .contains("1 requests are in flight, the most this server serves at once");
            assertThat(cancelled.getCount()).as("nothing cancelled the call yet").isOne();
        }
        // The client closed the call's stream: the server finds out at its next keep-alive and cancels the tool.
        assertThat(cancelled.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the tool was cancelled").isTrue();
        McpReconnectTest.awaitCondition(() -> status(endpoint, request(3, "tools/list", "")) == 200);
        HttpResponse<String> after = http.send(post(endpoint, request(4, "tools/list", ""), null),
                HttpResponse.BodyHandlers.ofString());
        assertThat(after.statusCode()).as("the cancelled call no longer counts").isEqualTo(200);
        assertThat(after.body()).contains("\"hold\"");
    }

    @Test
    void theTypeScriptV2ClientListensHearsTheUpdateAndSeesItsSubscriptionEnd() throws Exception {
        McpServer server = ResourcesServerMain.builder(served).build();
        McpHttpServer endpoint = serve(server, McpHttpOptions.defaults());
        String secret = outside.resolve("secret.txt").toUri().toString();

        var closing = new LinkedBlockingQueue<String>();
        Process local = typeScriptClient(endpoint, closing, "local", a, secret);
        var staying = new LinkedBlockingQueue<String>();
        Process graceful = typeScriptClient(endpoint, staying, "graceful", b);
        try {
            JsonObject honored = line(closing, "local");
            assertThat(honored.toJson()).isEqualTo("{\"honored\":{\"resourceSubscriptions\":[\"" + a + "\"]}}");
            assertThat(line(staying, "graceful").toJson())
                    .isEqualTo("{\"honored\":{\"resourceSubscriptions\":[\"" + b + "\"]}}");
            assertThat(server.openListens()).isEqualTo(2);

            server.resourceUpdated(secret).block();
            server.resourceUpdated(a).block();
            JsonObject update = line(closing, "local");
            assertThat(update.getString("updated")).contains(a);
            assertThat(update.getString("subscriptionId")).isPresent();

            try (OutputStream in = local.getOutputStream()) {
                in.write("close\n".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(line(closing, "local").toJson()).isEqualTo("{\"closed\":\"local\"}");
            assertThat(local.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(local.exitValue()).as(() -> stderr("local")).isZero();
            McpReconnectTest.awaitCondition(() -> server.openListens() == 1);
            assertThat(server.openListens()).as("the closed stream ended the listen").isEqualTo(1);

            endpoint.close();
            assertThat(line(staying, "graceful").toJson()).isEqualTo("{\"closed\":\"graceful\"}");
            assertThat(graceful.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(graceful.exitValue()).as(() -> stderr("graceful")).isZero();
            assertThat(server.openListens()).isZero();
        } finally {
            local.destroyForcibly().waitFor();
            graceful.destroyForcibly().waitFor();
        }
    }

    @Test
    void limitsThatAreNotPositiveAreRefused() {
        McpServer.Builder builder = McpServer.builder(List.of());
        assertThatThrownBy(() -> builder.maxListens(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxListens must be positive, was 0");
        assertThatThrownBy(() -> builder.maxListenUris(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxListenUris must be positive, was -1");
        McpHttpOptions options = McpHttpOptions.defaults();
        assertThat(options.maxRequestsInFlight()).isEqualTo(512);
        assertThat(options.keepAlive()).isEqualTo(Duration.ofSeconds(15));
        assertThatThrownBy(() -> options.maxRequestsInFlight(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxRequestsInFlight must be positive, was 0");
        assertThatThrownBy(() -> options.keepAlive(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keepAlive must be positive, was PT0S");
        assertThatThrownBy(() -> options.keepAlive(null)).isInstanceOf(NullPointerException.class);
    }

    // ---- helpers

    private Process typeScriptClient(McpHttpServer server, BlockingQueue<String> lines, String name,
            String... uris) throws IOException {
        var command = new ArrayList<>(List.of(TestServers.node(), TestServers.npmScript("sdk-v2-listen-client.mjs"),
                "http", server.url().toString()));
        command.addAll(List.of(uris));
        Process client = new ProcessBuilder(command).redirectError(temp.resolve(name + ".stderr").toFile()).start();
        Thread.ofVirtual().start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("{\"readFailed\":\"" + e + "\"}");
            }
        });
        return client;
    }

    private JsonObject line(BlockingQueue<String> lines, String name) throws InterruptedException {
        String line = lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(line).as(() -> "a line from the TypeScript client; its stderr: " + stderr(name)).isNotNull();
        return JsonValue.parse(line).asObject();
    }

    private String stderr(String name) {
        try {
            return Files.readString(temp.resolve(name + ".stderr"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The status of posting {@code body}; -1 if the exchange failed. */
    private int status(McpHttpServer server, String body) {
        try {
            return http.send(post(server, body, null), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String envelope() {
        return "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"" + MODERN + "\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{}}";
    }

    private static String request(Object id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":{" + envelope()
                + params + "}}";
    }

    private static String listen(String id, String uri) {
        return request(id, "subscriptions/listen", ",\"notifications\":{\"toolsListChanged\":true,"
                + "\"resourceSubscriptions\":[\"" + uri + "\"]}");
    }

    private static HttpRequest post(McpHttpServer server, String body, @Nullable String accept) {
        return HttpRequest.newBuilder(server.url())
                .header("Content-Type", "application/json")
                .header("Accept", accept == null ? "application/json, text/event-stream" : accept)
                .header("MCP-Protocol-Version", MODERN)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private Events events(McpHttpServer server, String body) throws Exception {
        return new Events(http.send(post(server, body, SSE), HttpResponse.BodyHandlers.ofLines()));
    }

    /** An event stream, read message by message; closing it closes the connection. */
    private static final class Events implements AutoCloseable {
        final HttpResponse<Stream<String>> response;
        private final Iterator<String> lines;

        Events(HttpResponse<Stream<String>> response) {
            this.response = response;
            this.lines = response.body().iterator();
        }

        /** The next message, or null once the stream has ended (SSE comments are skipped). */
        @Nullable
        JsonObject next() {
            var data = new StringBuilder();
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        return JsonValue.parse(data.toString()).asObject();
                    }
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
            return null;
        }

        @Override
        public void close() {
            response.body().close();
        }
    }
}
