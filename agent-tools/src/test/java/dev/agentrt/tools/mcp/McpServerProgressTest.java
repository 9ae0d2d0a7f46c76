package dev.agentrt.tools.mcp;

import static dev.agentrt.tools.mcp.McpHttpFixture.BOTH;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Grants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Progress from agentrt's MCP server: a served tool's {@code ToolContext.progress} reports reach a client
 * that sent a {@code progressToken}, as {@code notifications/progress}, in order and before the answer;
 * a client that sent none gets none. Spoken to by the official TypeScript SDK's client (its {@code
 * onprogress}) over stdio and streamable HTTP, and raw. The tool is {@link ProgressServerMain}'s {@code
 * count}, which also makes one report that goes backwards: it is never sent. The timeouts are hang
 * guards only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpServerProgressTest {
    @RegisterExtension
    final McpHttpFixture http = new McpHttpFixture();

    @Test
    void theTypeScriptSdksClientGetsEveryProgressReportBeforeTheAnswerOverStdio(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        JsonObject seen = typeScriptClient(dir, "stdio", java, "-cp", System.getProperty("java.class.path"),
                ProgressServerMain.class.getName());
        assertCountedToFiveWithProgress(seen);
    }

    @Test
    void theTypeScriptSdksClientGetsEveryProgressReportBeforeTheAnswerOverHttp(@TempDir Path dir) throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults());
        JsonObject seen = typeScriptClient(dir, "http", server.url().toString());
        assertCountedToFiveWithProgress(seen);
        // Its GET stream opened, and the roots/list the server sent on it when told the roots changed came.
        assertThat(seen.getLong("getStatus")).contains(200L);
        assertThat(seen.getBoolean("rootsListed")).contains(true);
    }

    private static void assertCountedToFiveWithProgress(JsonObject seen) {
        var progress = new ArrayList<String>();
        for (JsonValue p : seen.getArray("progress").orElseThrow().items()) {
            JsonObject o = p.asObject();
            progress.add(number(o, "progress") + "/" + number(o, "total") + " "
                    + o.getString("message").orElseThrow());
        }
        assertThat(progress).containsExactly("1.0/5.0 step 1", "2.0/5.0 step 2", "3.0/5.0 step 3", "4.0/5.0 step 4",
                "5.0/5.0 step 5");
        assertThat(strings(seen.getArray("order").orElseThrow())).containsExactly("progress 1", "progress 2",
                "progress 3", "progress 4", "progress 5", "result");
        assertThat(seen.getString("result")).contains("counted 5");
        assertThat(seen.getString("quietResult")).contains("counted 2");
        // No progress without a token: the SDK reports a notification for a token it did not send as an error.
        assertThat(strings(seen.getArray("errors").orElseThrow())).isEmpty();
    }

    @Test
    void overStdioAStringTokenGetsItsReportsThenTheAnswerAndACallWithoutOneGetsOnlyTheAnswer() throws Exception {
        Pipe input = Pipe.open();
        Pipe output = Pipe.open();
        OutputStream serverOut = Channels.newOutputStream(output.sink());
        CompletableFuture<Void> serving = McpServer.builder(ProgressServerMain.tools())
                .name("piped")
                .grants(Grants.none())
                .build()
                .serve(Channels.newInputStream(input.source()), serverOut)
                .toFuture();
        try (StdioPeer peer = StdioPeer.streams(Channels.newOutputStream(input.sink()),
                Channels.newInputStream(output.source()))) {
            peer.initialize("2025-06-18");
            peer.send(call(7, "{\"n\":3}", "{\"progressToken\":\"job-7\"}"));
            for (int i = 1; i <= 3; i++) {
                JsonObject n = peer.nextObject();
                assertThat(n.getString("method")).contains("notifications/progress");
                JsonObject params = n.getObject("params").orElseThrow();
                assertThat(params.getString("progressToken")).contains("job-7");
                assertThat(number(params, "progress")).isEqualTo(i);
                assertThat(number(params, "total")).isEqualTo(3);
                assertThat(params.getString("message")).contains("step " + i);
            }
            assertThat(text(peer.nextObject(), 7)).isEqualTo("counted 3");
            // Without a token, and with one that is neither a string nor an integer: only the answer.
            peer.send(call(8, "{\"n\":2}", "{}"));
            assertThat(text(peer.nextObject(), 8)).isEqualTo("counted 2");
            peer.send(call(9, "{\"n\":2}", "{\"progressToken\":1.5}"));
            assertThat(text(peer.nextObject(), 9)).isEqualTo("counted 2");
            // An integer token is sent back as the integer it was.
            peer.send(call(10, "{\"n\":1}", "{\"progressToken\":42}"));
            JsonObject n = peer.nextObject();
            assertThat(n.getObject("params").orElseThrow().getLong("progressToken")).contains(42L);
            assertThat(text(peer.nextObject(), 10)).isEqualTo("counted 1");
            peer.closeInput();
            serving.get(60, TimeUnit.SECONDS);
            serverOut.close();
            assertThat(peer.nextLine()).isNull();
        }
    }

    @Test
    void overHttpACallWithATokenIsAnsweredAsAnEventStreamOfItsReportsThenTheAnswer() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults());
        String session = open(server);
        HttpResponse<String> sse = post(server, call(2, "{\"n\":3}", "{\"progressToken\":\"t-2\"}"), BOTH,
                session);
        assertThat(sse.statusCode()).isEqualTo(200);
        assertThat(sse.headers().firstValue("Content-Type")).contains("text/event-stream");
        List<JsonObject> messages = sse.body()
                .lines()
                .filter(l -> l.startsWith("data: "))
                .map(l -> JsonValue.parse(l.substring(6)).asObject())
                .toList();
        assertThat(messages).hasSize(4);
        for (int i = 1; i <= 3; i++) {
            JsonObject params = messages.get(i - 1).getObject("params").orElseThrow();
            assertThat(messages.get(i - 1).getString("method")).contains("notifications/progress");
            assertThat(params.getString("progressToken")).contains("t-2");
            assertThat(number(params, "progress")).isEqualTo(i);
        }
        assertThat(text(messages.get(3), 2)).isEqualTo("counted 3");

        // A client that accepts only JSON gets the answer alone: a JSON answer has no room for notifications.
        HttpResponse<String> json = post(server, call(3, "{\"n\":3}", "{\"progressToken\":\"t-3\"}"),
                "application/json", session);
        assertThat(json.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(text(JsonValue.parse(json.body()).asObject(), 3)).isEqualTo("counted 3");
        // Without a token, a client that accepts both gets JSON, as before.
        HttpResponse<String> plain = post(server, call(4, "{\"n\":2}", "{}"), BOTH, session);
        assertThat(plain.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(text(JsonValue.parse(plain.body()).asObject(), 4)).isEqualTo("counted 2");
    }

    @Test
    void aStatelessServerAnswersACallWithATokenWithoutProgress() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults().stateless(true));
        HttpResponse<String> answer = post(server, call(2, "{\"n\":3}", "{\"progressToken\":\"t\"}"), BOTH,
                null);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(text(JsonValue.parse(answer.body()).asObject(), 2)).isEqualTo("counted 3");
    }

    // ---- helpers

    private McpHttpServer serve(McpHttpOptions options) {
        return http.serve(McpServer.builder(ProgressServerMain.tools())
                .name("progress-http")
                .grants(Grants.none())
                .build(), options);
    }

    private static String call(int id, String arguments, String meta) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"count\","
                + "\"arguments\":" + arguments + ",\"_meta\":" + meta + "}}";
    }

    /** A message posted as a client that accepts {@code accept}, in {@code session} unless it is null. */
    private HttpResponse<String> post(McpHttpServer server, String body, String accept, String session)
            throws Exception {
        String[] headers = session == null
                ? new String[]{"MCP-Protocol-Version", McpHttpFixture.VERSION}
                : McpHttpFixture.inSession(session);
        return http.send(McpHttpFixture.post(server, body, headers).setHeader("Accept", accept));
    }

    private String open(McpHttpServer server) throws Exception {
        return http.initialize(server, "{}").id();
    }

    private static String text(JsonObject response, long id) {
        assertThat(response.getLong("id")).as(response.toJson()).contains(id);
        return McpTestPeers.text(response.getObject("result").orElseThrow());
    }

    private static double number(JsonObject o, String name) {
        return ((JsonValue.JsonNumber) o.get(name)).value().doubleValue();
    }

    private static List<String> strings(JsonArray array) {
        return array.items().stream().map(v -> ((JsonValue.JsonString) v).value()).toList();
    }

    private static JsonObject typeScriptClient(Path dir, String... args) throws Exception {
        return McpTestPeers.runNodeClient(dir, "sdk-progress-client.mjs", List.of(args));
    }
}
