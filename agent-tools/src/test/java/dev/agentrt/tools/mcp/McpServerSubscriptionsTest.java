package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * agentrt's MCP server taking resource subscriptions and sending {@code notifications/resources/updated} when the
 * application says a served resource changed ({@link McpServer#resourceUpdated}): to the official TypeScript SDK's
 * client over stateful HTTP (on its GET stream), to a raw client over stdio; refused, with the error a read would
 * get, for what the server does not serve or is not granted; refused over stateless HTTP, which cannot notify.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpServerSubscriptionsTest {
    @TempDir
    Path temp;
    private Path served;
    private Path outside;
    private final List<McpHttpServer> servers = new ArrayList<>();
    private Leaks leaks;

    @BeforeEach
    void files() throws IOException {
        leaks = new Leaks();
        Path root = temp.toRealPath();
        served = Files.createDirectory(root.resolve("served"));
        outside = Files.createDirectory(root.resolve("outside"));
        Files.writeString(served.resolve("a.md"), "# A\n");
        Files.writeString(served.resolve("b.md"), "# B\n");
        Files.writeString(outside.resolve("secret.txt"), "outside the served directory");
    }

    @AfterEach
    void nothingIsLeftRunning() throws Exception {
        servers.forEach(McpHttpServer::close);
        leaks.assertNoProcessesLeft();
    }

    private McpHttpServer serve(McpServer server, boolean stateless) {
        McpHttpServer http = server.serveHttp(McpHttpOptions.defaults().stateless(stateless));
        servers.add(http);
        return http;
    }

    /** The TypeScript client, started; its stdout lines arrive in {@code lines}. */
    private Process typeScriptClient(McpHttpServer server, BlockingQueue<String> lines, String... uris)
            throws IOException {
        var command = new ArrayList<>(List.of(TestServers.node(), TestServers.npmScript("sdk-subscribe-client.mjs"),
                server.url().toString()));
        command.addAll(List.of(uris));
        Process client = new ProcessBuilder(command).redirectError(temp.resolve("stderr.txt").toFile()).start();
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

    private JsonObject line(BlockingQueue<String> lines) throws Exception {
        String line = lines.poll(60, TimeUnit.SECONDS);
        assertThat(line).as(() -> "a line from the TypeScript client; its stderr: " + stderr()).isNotNull();
        return JsonValue.parse(line).asObject();
    }

    private String stderr() {
        try {
            return Files.readString(temp.resolve("stderr.txt"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void assertRefused(JsonObject refusal, int code, String messagePart) {
        assertThat(refusal.getLong("error")).as(refusal.toJson()).contains((long) code);
        assertThat(refusal.getString("message").orElseThrow()).contains(messagePart);
    }

    @Test
    void theTypeScriptClientGetsUpdatesOfWhatItSubscribedToOverStatefulHttpAndNothingElse() throws Exception {
        McpServer server = ResourcesServerMain.builder(served).build();
        McpHttpServer http = serve(server, false);
        String a = served.resolve("a.md").toUri().toString();
        String secret = outside.resolve("secret.txt").toUri().toString();
        var lines = new LinkedBlockingQueue<String>();
        Process client = typeScriptClient(http, lines, a, secret, "memory://secret/s1", "memory://nope/x",
                "https://example.com/a.md");

        JsonObject ready = line(lines);
        assertThat(ready.getObject("resources").orElseThrow().getBoolean("subscribe")).contains(true);
        assertThat(ready.getObject("subscribe").orElseThrow().toJson()).isEqualTo("{}");
        JsonObject refusals = ready.getObject("refusals").orElseThrow();
        assertRefused(refusals.getObject(secret).orElseThrow(), -32002, "outside the directories this server serves");
        assertRefused(refusals.getObject("memory://secret/s1").orElseThrow(), -32002, "not granted");
        assertRefused(refusals.getObject("memory://nope/x").orElseThrow(), -32002, "no memory namespace nope");
        assertRefused(refusals.getObject("https://example.com/a.md").orElseThrow(), -32002,
                "file:// and memory:// resources only");

        // The client's GET stream opens on its own time, and what is sent before it is dropped: the updates are
        // sent until the client has one. Each round tells of two resources it did not subscribe to first.
        String done = null;
        while (done == null) {
            server.resourceUpdated(served.resolve("b.md").toUri().toString()).block();
            server.resourceUpdated("memory://notes/n1").block();
            server.resourceUpdated(a).block();
            done = lines.poll(1, TimeUnit.SECONDS);
        }
        JsonArray updates = JsonValue.parse(done).asObject().getArray("updates").orElseThrow();
        assertThat(updates.size()).isPositive();
        assertThat(updates.items()).allMatch(u -> u.equals(JsonValue.of(a)));
        assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(client.exitValue()).as(this::stderr).isZero();
    }

    @Test
    void aStatelessServerDeclaresNoSubscriptionsAndRefusesThemSayingWhy() throws Exception {
        McpHttpServer http = serve(ResourcesServerMain.builder(served).build(), true);
        var lines = new LinkedBlockingQueue<String>();
        Process client = typeScriptClient(http, lines, served.resolve("a.md").toUri().toString());
        JsonObject ready = line(lines);
        assertThat(ready.getObject("resources").orElseThrow().getBoolean("subscribe")).isNotEqualTo(
                java.util.Optional.of(true));
        assertRefused(ready.getObject("subscribe").orElseThrow(), -32601,
                "a stateless server cannot send notifications, so it offers no resource subscriptions");
        assertThat(line(lines).getArray("updates").orElseThrow().size()).isZero();
        assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(client.exitValue()).as(this::stderr).isZero();
    }

    @Test
    void overStdioASubscribedClientGetsTheUpdateAndAnUnknownUriIsRefused() throws Exception {
        McpServer server = ResourcesServerMain.builder(served).build();
        Pipe input = Pipe.open();
        Pipe output = Pipe.open();
        OutputStream serverOut = Channels.newOutputStream(output.sink());
        CompletableFuture<Void> serving = server.serve(Channels.newInputStream(input.source()), serverOut).toFuture();
        try (StdioPeer peer = StdioPeer.streams(Channels.newOutputStream(input.sink()),
                Channels.newInputStream(output.source()))) {
            JsonObject init = peer.initialize("2025-11-25");
            assertThat(init.toJson()).contains("\"resources\":{\"subscribe\":true");
            peer.send("""
                    {"jsonrpc":"2.0","id":1,"method":"resources/subscribe","params":{"uri":"memory://notes/n1"}}""");
            JsonObject ok = peer.nextObject();
            assertThat(ok.toJson()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
            peer.send("""
                    {"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":"memory://nope/x"}}""");
            JsonObject refused = peer.nextObject();
            assertThat(refused.toJson()).contains("-32002").contains("this server serves no memory namespace nope");
            peer.send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/subscribe\",\"params\":{}}");
            assertThat(peer.nextObject().toJson()).contains("-32602").contains("the request needs \\\"uri\\\"");

            server.resourceUpdated("memory://nope/x").block();
            server.resourceUpdated("memory://notes/n2").block();
            server.resourceUpdated("memory://notes/n1").block();
            JsonObject update = peer.nextObject();
            assertThat(update.toJson()).isEqualTo("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/updated\","
                    + "\"params\":{\"uri\":\"memory://notes/n1\"}}");

            peer.send("""
                    {"jsonrpc":"2.0","id":4,"method":"resources/unsubscribe","params":{"uri":"memory://notes/n1"}}""");
            assertThat(peer.nextObject().toJson()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{}}");
            server.resourceUpdated("memory://notes/n1").block();
            peer.send("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"ping\"}");
            assertThat(peer.nextObject().toJson()).as("no update after unsubscribing").contains("\"id\":5");
            peer.closeInput();
            serving.get(60, TimeUnit.SECONDS);
        } finally {
            serverOut.close();
        }
    }
}
