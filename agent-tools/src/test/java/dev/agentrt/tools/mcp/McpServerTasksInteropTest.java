package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The official TypeScript SDK's client (v1, {@code client.experimental.tasks}) calling tools as tasks on our {@link
 * McpServer} over stdio ({@link TaskServerMain} as its subprocess): create, poll and take the result; a failing
 * task; the cap; listing; cancelling (the tool sees it) and cancelling again; an unknown task; and the end of the
 * session cancelling the task still running (the tool sees it). The gate tools report to this test over a loopback
 * socket, and the test tells the client on its stdin when each has started: no step waits on time. The timeout is
 * a hang guard only.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class McpServerTasksInteropTest {
    @Test
    void theTypeScriptSdksClientRunsFollowsListsAndCancelsTasks(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path stderr = dir.resolve("stderr.txt");
        try (var gate = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Process client = new ProcessBuilder(TestServers.node(), TestServers.npmScript("sdk-task-client.mjs"), java,
                    "-Dgate.port=" + gate.getLocalPort(), "-Dtasks.max=2", "-cp", System.getProperty("java.class.path"),
                    TaskServerMain.class.getName())
                    .redirectError(stderr.toFile())
                    .start();
            OutputStream toClient = client.getOutputStream();
            try (Socket a = gate.accept();
                    BufferedReader fromA = reader(a)) {
                assertThat(fromA.readLine()).isEqualTo("A");
                say(toClient, "entered A");
                try (Socket b = gate.accept(); BufferedReader fromB = reader(b)) {
                    assertThat(fromB.readLine()).isEqualTo("B");
                    say(toClient, "entered B");
                    toClient.close(); // nothing more to say: the client's stdin ends
                    assertThat(fromA.readLine()).as("tasks/cancel reached gate A").isEqualTo("cancelled");
                    assertThat(fromB.readLine()).as("the session's end reached gate B").isEqualTo("cancelled");
                }
            }
            String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(client.waitFor()).as(() -> "the TypeScript client failed: " + read(stderr)).isZero();
            JsonObject seen = JsonValue.parse(out.trim()).asObject();

            assertThat(seen.getObject("capabilities")).contains(
                    JsonValue.parse("{\"list\":{},\"cancel\":{},\"requests\":{\"tools\":{\"call\":{}}}}").asObject());
            assertThat(seen.getObject("taskSupport")).contains(JsonValue.parse(
                    "{\"echo\":\"optional\",\"fail\":\"optional\",\"gate\":\"optional\"}").asObject());

            List<JsonObject> echo = seen.getArray("echo")
                    .orElseThrow()
                    .items()
                    .stream()
                    .map(JsonValue::asObject)
                    .toList();
            assertThat(echo.getFirst().getString("type")).contains("taskCreated");
            assertThat(echo.getFirst().getString("status")).contains("working");
            assertThat(echo.getFirst().getLong("ttl")).contains(60_000L);
            assertThat(echo.getFirst().getLong("pollInterval")).contains(50L);
            assertThat(echo.get(echo.size() - 2).getString("status")).as("polled to the end").contains("completed");
            assertThat(echo.getLast()).isEqualTo(
                    JsonValue.parse("{\"type\":\"result\",\"text\":\"echo: from a task\"}").asObject());

            assertThat(seen.getObject("fail")).contains(JsonValue.parse(
                    "{\"status\":\"failed\",\"isError\":true,\"text\":\"it broke\",\"relatedTask\":true}").asObject());
            assertThat(seen.getObject("created")).contains(JsonValue.parse(
                    "{\"status\":\"working\",\"idLength\":32,\"distinct\":true}").asObject());
            JsonObject overCap = seen.getObject("overCap").orElseThrow();
            assertThat(overCap.getLong("code")).contains(-32600L);
            assertThat(overCap.getString("message").orElseThrow()).contains("too many tasks");
            // the ended echo and fail tasks made room for A and B, which are all the session holds
            assertThat(seen.getArray("listed").orElseThrow().items())
                    .containsExactly(JsonValue.of("A:working"), JsonValue.of("B:working"));
            assertThat(seen.getString("cancelA")).contains("cancelled");
            assertThat(seen.getString("afterCancelA")).contains("cancelled");
            assertThat(seen.getObject("cancelAgain").orElseThrow().getLong("code")).contains(-32602L);
            for (String unknown : List.of("unknown", "unknownResult")) {
                JsonObject error = seen.getObject(unknown).orElseThrow();
                assertThat(error.getLong("code")).contains(-32602L);
                assertThat(error.getString("message").orElseThrow()).contains("Task not found");
            }
        }
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    private static void say(OutputStream to, String line) throws IOException {
        to.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        to.flush();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
