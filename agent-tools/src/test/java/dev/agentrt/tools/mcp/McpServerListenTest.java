package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.ToolException;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * agentrt's MCP server serving the 2026-07-28 {@code subscriptions/listen} over stdio: our own client subscribes to
 * a served file and hears of its change; on the wire, the acknowledgement honours only what the server serves and
 * is granted, every message carries the listen's id, a second listen lives beside the first until the client
 * cancels that one with {@code notifications/cancelled} (no response), the end of input ends each listen with its
 * graceful result and {@code notifications/cancelled}, and the limits (listens, URIs, a client that stops reading)
 * are kept.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpServerListenTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String MODERN = "2026-07-28";

    @TempDir
    Path temp;
    private Path served;
    private Path outside;
    private String a;
    private String b;

    @BeforeEach
    void files() throws IOException {
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
    void nothingIsLeftRunning() throws InterruptedException {
        McpReconnectTest.awaitCondition(() -> TestServers.children().isEmpty());
        assertThat(TestServers.children()).as("processes left running").isEmpty();
    }

    private static ToolResult call(McpTools tools, String tool, String args) {
        var policy = ToolExecution.builder("t", Principal.ANONYMOUS, Grants.of(tools.capability())).build();
        ToolResult r = ToolRegistry.of(tools.tools()).execute(new ToolCall("c", tool, args), policy).block(WAIT);
        assertThat(r.isError()).as(r.content()).isFalse();
        return r;
    }

    private McpTransportSpec.Stdio listenServer() {
        return McpTransportSpec.stdio(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ListenServerMain.class.getName(), served.toString());
    }

    @Test
    void ourClientHearsTheChangeOfTheFileItSubscribedToAndNothingItWasRefused() throws Exception {
        try (McpTools tools = McpTools.connect("listen", listenServer()).block(WAIT)) {
            assertThat(tools.protocolVersion()).isEqualTo(MODERN);
            var changes = new LinkedBlockingQueue<McpChange>();
            var seen = tools.changes().subscribe(changes::add);
            try {
                tools.subscribeResource(a).block(WAIT);
                assertThat(call(tools, "listens", "{}").content()).isEqualTo("1");

                call(tools, "touch", "{\"uri\":\"" + b + "\"}");
                call(tools, "touch", "{\"uri\":\"" + a + "\"}");
                McpChange change = changes.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(change).isEqualTo(new McpChange.ResourceUpdated("listen", a));

                String secret = outside.resolve("secret.txt").toUri().toString();
                assertThatThrownBy(() -> tools.subscribeResource(secret).block(WAIT))
                        .isInstanceOf(ToolException.class)
                        .hasMessageContaining("acknowledgement leaves the resource out");
                assertThat(tools.resourceSubscriptions()).containsExactly(a);

                // Subscribing to b opens a second listen with a and b; the first is cancelled once it is answered.
                tools.subscribeResource(b).block(WAIT);
                McpReconnectTest.awaitCondition(() -> call(tools, "listens", "{}").content().equals("1"));
                assertThat(call(tools, "listens", "{}").content()).isEqualTo("1");
                call(tools, "touch", "{\"uri\":\"" + b + "\"}");
                assertThat(changes.poll(WAIT.toSeconds(), TimeUnit.SECONDS))
                        .isEqualTo(new McpChange.ResourceUpdated("listen", b));

                tools.unsubscribeResource(a).block(WAIT);
                tools.unsubscribeResource(b).block(WAIT);
                // The server may change its tools and prompts (it declares listChanged): the client keeps listening
                // for that, with no resources.
                McpReconnectTest.awaitCondition(() -> call(tools, "listens", "{}").content().equals("1"));
                assertThat(tools.resourceSubscriptions()).isEmpty();
                assertThat(changes).as("nothing else was sent").isEmpty();
            } finally {
                seen.dispose();
            }
        }
    }

    @Test
    void theTypeScriptV2ClientListensOverStdioHearsTheUpdateAndItsCancelEndsTheListen() throws Exception {
        McpTransportSpec.Stdio server = listenServer();
        var command = new ArrayList<>(List.of(TestServers.node(), TestServers.npmScript("sdk-v2-listen-client.mjs"),
                "stdio", a, server.command()));
        command.addAll(server.args());
        Path stderr = temp.resolve("client.stderr");
        Process client = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        try {
            List<String> lines = new ArrayList<>();
            try (var out = client.inputReader()) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            }
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).as(() -> readQuietly(stderr)).isZero();
            assertThat(lines).as(() -> readQuietly(stderr)).hasSize(4);
            assertThat(lines.get(0)).isEqualTo("{\"honored\":{\"resourceSubscriptions\":[\"" + a + "\"]}}");
            assertThat(lines.get(1)).startsWith("{\"updated\":\"" + a + "\",\"subscriptionId\":\"listen:");
            assertThat(lines.get(2)).isEqualTo("{\"closed\":\"local\"}");
            assertThat(lines.get(3)).as("its notifications/cancelled ended the listen").isEqualTo("{\"listens\":0}");
        } finally {
            client.destroyForcibly().waitFor();
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The server serving over in-process pipes, its output through {@link Gate}, and a raw client of it. */
    private record Served(McpServer server, StdioPeer peer, CompletableFuture<Void> serving, Gate gate) {}

    private Served serve(McpServer server) throws IOException {
        Pipe input = Pipe.open();
        Pipe output = Pipe.open();
        var gate = new Gate(Channels.newOutputStream(output.sink()));
        CompletableFuture<Void> serving = server.serve(Channels.newInputStream(input.source()), gate).toFuture();
        var peer = StdioPeer.streams(Channels.newOutputStream(input.sink()), Channels.newInputStream(output.source()));
        return new Served(server, peer, serving, gate);
    }

    private static String envelope() {
        return "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"" + MODERN + "\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{}}";
    }

    private static String listen(String id, String notifications) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"subscriptions/listen\",\"params\":{"
                + envelope() + (notifications == null ? "" : ",\"notifications\":" + notifications) + "}}";
    }

    private static String ping(int id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"ping\",\"params\":{" + envelope() + "}}";
    }

    private static String cancel(String id) {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":" + id
                + ",\"reason\":\"done\"}}";
    }

    private static String updated(String id, String uri) {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/updated\",\"params\":{\"uri\":\"" + uri
                + "\",\"_meta\":{\"io.modelcontextprotocol/subscriptionId\":" + id + "}}}";
    }

    @Test
    void theWireHonoursWhatIsServedStampsTheListenIdAndEndsListensAsTheSpecSays() throws Exception {
        McpServer server = ResourcesServerMain.builder(served).build();
        Served s = serve(server);
        try (StdioPeer peer = s.peer()) {
            peer.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\",\"params\":{" + envelope() + "}}");
            JsonObject discover = peer.nextObject();
            assertThat(discover.toJson()).contains("\"resources\":{\"subscribe\":true}")
                    .contains("\"tools\":{\"listChanged\":true}")
                    .contains("\"prompts\":{\"listChanged\":true}");

            String secret = outside.resolve("secret.txt").toUri().toString();
            peer.send(listen("\"L1\"", "{\"toolsListChanged\":true,\"promptsListChanged\":true,"
                    + "\"resourcesListChanged\":true,\"resourceSubscriptions\":[\"" + a + "\",\"" + secret
                    + "\",\"memory://secret/s1\",\"memory://notes/n1\",\"" + a + "\"]}"));
            assertThat(peer.nextObject().toJson()).isEqualTo("{\"jsonrpc\":\"2.0\",\"method\":"
                    + "\"notifications/subscriptions/acknowledged\",\"params\":{\"notifications\":{"
                    + "\"toolsListChanged\":true,\"promptsListChanged\":true,"
                    + "\"resourceSubscriptions\":[\"" + a + "\",\"memory://notes/n1\"]},"
                    + "\"_meta\":{\"io.modelcontextprotocol/subscriptionId\":\"L1\"}}}");
            assertThat(server.openListens()).isEqualTo(1);

            server.resourceUpdated(b).block();
            server.resourceUpdated(secret).block();
            server.resourceUpdated(a).block();
            assertThat(peer.nextObject().toJson()).isEqualTo(updated("\"L1\"", a));

            // A second listen, with a numeric id, lives beside the first until the client cancels that one.
            peer.send(listen("7", "{\"resourceSubscriptions\":[\"" + b + "\"]}"));
            assertThat(peer.nextObject().toJson()).contains("\"resourceSubscriptions\":[\"" + b + "\"]")
                    .contains("\"io.modelcontextprotocol/subscriptionId\":7");
            assertThat(server.openListens()).isEqualTo(2);
            peer.send(cancel("\"L1\""));
            peer.send(ping(2));
            assertThat(peer.nextObject().toJson()).as("no response to the cancelled listen").contains("\"id\":2");
            assertThat(server.openListens()).isEqualTo(1);
            server.resourceUpdated(a).block();
            server.resourceUpdated(b).block();
            assertThat(peer.nextObject().toJson()).isEqualTo(updated("7", b));
            peer.send(cancel("\"L1\""));
            peer.send(ping(3));
            assertThat(peer.nextObject().toJson()).as("a second cancel is ignored").contains("\"id\":3");

            // The client's input ends: the listen gets its graceful result, then the cancellation.
            peer.closeInput();
            assertThat(peer.nextObject().toJson()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{"
                    + "\"resultType\":\"complete\",\"_meta\":{\"io.modelcontextprotocol/subscriptionId\":7}}}");
            assertThat(peer.nextObject().toJson()).isEqualTo("{\"jsonrpc\":\"2.0\",\"method\":"
                    + "\"notifications/cancelled\",\"params\":{\"requestId\":7,"
                    + "\"reason\":\"the server ended the subscription\"}}");
            s.serving().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            s.gate().close();
            assertThat(peer.nextLine()).as("nothing more was written").isNull();
            assertThat(server.openListens()).isZero();
        } finally {
            s.gate().close();
        }
    }

    @Test
    void aListenHonouringNothingIsAcknowledgedAndEndedAndBadListensAreRefused() throws Exception {
        McpServer server = ResourcesServerMain.builder(served).maxListens(2).maxListenUris(2).build();
        Served s = serve(server);
        try (StdioPeer peer = s.peer()) {
            peer.send(listen("1", "{\"resourcesListChanged\":true,\"resourceSubscriptions\":[\"memory://nope/x\"]}"));
            assertThat(peer.nextObject().toJson()).contains("\"notifications\":{}")
                    .contains("\"io.modelcontextprotocol/subscriptionId\":1");
            assertThat(peer.nextObject().toJson()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{"
                    + "\"resultType\":\"complete\",\"_meta\":{\"io.modelcontextprotocol/subscriptionId\":1}}}");
            assertThat(peer.nextObject().toJson()).contains("notifications/cancelled").contains("\"requestId\":1");
            assertThat(server.openListens()).isZero();

            peer.send(listen("2", null));
            assertThat(peer.nextObject().toJson()).contains("\"id\":2")
                    .contains("-32602")
                    .contains("subscriptions/listen needs \\\"notifications\\\"");
            peer.send(listen("3", "{\"resourceSubscriptions\":\"" + a + "\"}"));
            assertThat(peer.nextObject().toJson()).contains("\"id\":3")
                    .contains("-32602")
                    .contains("must be an array of resource URI strings");
            peer.send(listen("4", "{\"resourceSubscriptions\":[\"" + a + "\",\"" + b + "\",\"memory://notes/n1\"]}"));
            assertThat(peer.nextObject().toJson()).contains("\"id\":4")
                    .contains("-32602")
                    .contains("at most 2 resources, was 3");

            peer.send(listen("5", "{\"resourceSubscriptions\":[\"" + a + "\"]}"));
            assertThat(peer.nextObject().toJson()).contains("acknowledged");
            peer.send(listen("6", "{\"resourceSubscriptions\":[\"" + a + "\"]}"));
            assertThat(peer.nextObject().toJson()).contains("acknowledged");
            peer.send(listen("7", "{\"resourceSubscriptions\":[\"" + a + "\"]}"));
            assertThat(peer.nextObject().toJson()).contains("\"id\":7")
                    .contains("-32603")
                    .contains("Subscription limit reached: this server keeps at most 2");
            peer.send(listen("6", "{\"resourceSubscriptions\":[\"" + a + "\"]}"));
            assertThat(peer.nextObject().toJson()).contains("\"id\":6").contains("-32603");
            assertThat(server.openListens()).isEqualTo(2);

            peer.send(cancel("5"));
            peer.send(listen("8", "{\"resourceSubscriptions\":[\"" + b + "\"]}"));
            assertThat(peer.nextObject().toJson()).as("room again after a cancel")
                    .contains("acknowledged")
                    .contains("\"io.modelcontextprotocol/subscriptionId\":8");
            peer.closeInput();
            s.serving().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            s.gate().close();
            List<String> rest = new ArrayList<>();
            for (String line = peer.nextLine(); line != null; line = peer.nextLine()) {
                rest.add(line);
            }
            assertThat(rest).hasSize(4)
                    .anyMatch(l -> l.contains("\"id\":6,\"result\""))
                    .anyMatch(l -> l.contains("\"id\":8,\"result\""));
            assertThat(server.openListens()).isZero();
        } finally {
            s.gate().close();
        }
    }

    @Test
    void aClientThatStopsReadingHasItsListenEndedRatherThanHeldInMemory() throws Exception {
        McpServer server = ResourcesServerMain.builder(served).build();
        Served s = serve(server);
        try (StdioPeer peer = s.peer()) {
            peer.send(listen("1", "{\"resourceSubscriptions\":[\"" + a + "\"]}"));
            assertThat(peer.nextObject().toJson()).contains("acknowledged");
            s.gate().shut();
            // The writer blocks on the first update; the rest wait until there are too many.
            int sent = 0;
            while (server.openListens() == 1 && sent < 10_000) {
                server.resourceUpdated(a).block();
                sent++;
            }
            assertThat(server.openListens()).as("the listen ended after %d updates", sent).isZero();
            assertThat(sent).isLessThan(1_000);
            s.gate().open();
            int updates = 0;
            JsonObject last;
            while (true) {
                last = peer.nextObject();
                if (!last.toJson().contains("resources/updated")) {
                    break;
                }
                updates++;
            }
            assertThat(updates).isLessThan(sent);
            assertThat(last.toJson()).as("the server tells the client it ended the listen")
                    .contains("notifications/cancelled")
                    .contains("\"requestId\":1");
            peer.closeInput();
            s.serving().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            s.gate().close();
        }
    }

    /** The server's output, which the test can stop (writes wait) and let go again: a client that stops reading. */
    private static final class Gate extends OutputStream {
        private final OutputStream out;
        private volatile CountDownLatch shut = new CountDownLatch(0);

        Gate(OutputStream out) {
            this.out = out;
        }

        void shut() {
            shut = new CountDownLatch(1);
        }

        void open() {
            shut.countDown();
        }

        private void pass() throws IOException {
            try {
                shut.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
        }

        @Override
        public void write(int b) throws IOException {
            pass();
            out.write(b);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            pass();
            out.write(bytes, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            open();
            out.close();
        }
    }
}
