package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The reference client of the MCP tasks extension ({@code @modelcontextprotocol/ext-tasks} 0.2.2, a task session over
 * the v2 TypeScript SDK's client in 2026-07-28) against our {@link McpServer}, over stdio ({@link TaskServerMain} as
 * its subprocess) and streamable HTTP (stateful and stateless, in process): the server's extension seen, a call
 * answered with a task the client follows to the tool's result, a tool error result as a completed task, a running
 * task cancelled (the tool sees it), an unknown task, a client not declaring the extension and the 2025-11-25 {@code
 * tasks/result} refused with the extension's errors, cancelling an ended task acknowledged, and a plain SDK call
 * answered directly. The test tells the client on its stdin when the gate tool has started: no step waits on time.
 * The timeout is a hang guard only.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class McpModernTasksInteropTest {
    @RegisterExtension
    final McpHttpFixture http = new McpHttpFixture();

    @Test
    void theExtTasksClientFollowsAndCancelsTasksOverStdio(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path stderr = dir.resolve("stderr.txt");
        try (var gate = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Process client = start(stderr, "stdio", java, "-Dgate.port=" + gate.getLocalPort(), "-cp",
                    System.getProperty("java.class.path"), TaskServerMain.class.getName());
            try (Socket a = gate.accept();
                    BufferedReader fromA = new BufferedReader(new InputStreamReader(a.getInputStream(),
                            StandardCharsets.UTF_8))) {
                assertThat(fromA.readLine()).isEqualTo("A");
                say(client.getOutputStream(), "entered A");
                client.getOutputStream().close();
                assertThat(fromA.readLine()).as("tasks/cancel reached the gate").isEqualTo("cancelled");
            }
            assertSeen(finish(client, stderr));
        }
    }

    @ParameterizedTest(name = "stateless={0}")
    @ValueSource(booleans = {false, true})
    void theExtTasksClientFollowsAndCancelsTasksOverHttp(boolean stateless, @TempDir Path dir) throws Exception {
        var gates = new McpModernTasksTest.Gates();
        McpServer server = McpServer.builder(McpModernTasksTest.tools(gates, "gate"))
                .name("task-test")
                .tasks(McpTaskOptions.optional().withPollInterval(Duration.ofMillis(50)))
                .build();
        McpHttpServer served = http.serve(server, McpHttpOptions.defaults().stateless(stateless));
        Path stderr = dir.resolve("stderr.txt");
        Process client = start(stderr, "http", served.url().toString());
        McpModernTasksTest.Gate a = gates.gate("A");
        assertThat(a.entered.await(120, TimeUnit.SECONDS)).isTrue();
        say(client.getOutputStream(), "entered A");
        client.getOutputStream().close();
        JsonObject seen = finish(client, stderr);
        assertThat(a.cancelled.await(60, TimeUnit.SECONDS)).as("tasks/cancel reached the tool").isTrue();
        assertThat(a.runs.get()).isEqualTo(1);
        assertSeen(seen);
    }

    private static void assertSeen(JsonObject seen) {
        assertThat(seen.getString("era")).contains("modern");
        assertThat(seen.getObject("extensions")).contains(
                JsonValue.parse("{\"io.modelcontextprotocol/tasks\":{}}").asObject());
        assertThat(seen.getObject("echo")).contains(JsonValue.parse("""
                {"kind":"task","taskIdLength":32,"status":"completed","text":"echo: from a v2 task"}""")
                .asObject());
        assertThat(seen.getObject("fail")).contains(JsonValue.parse("""
                {"kind":"task","status":"completed","isError":true,"text":"it broke"}""").asObject());
        assertThat(seen.getObject("gate")).contains(JsonValue.parse("""
                {"kind":"task","outcome":"cancelled","status":"cancelled"}""").asObject());
        JsonObject unknown = seen.getObject("unknown").orElseThrow();
        assertThat(unknown.getLong("code")).contains(-32602L);
        assertThat(unknown.getString("message").orElseThrow()).contains("Task not found");
        JsonObject undeclared = seen.getObject("undeclared").orElseThrow();
        assertThat(undeclared.getLong("code")).contains(-32021L);
        assertThat(undeclared.getObject("data")).contains(JsonValue.parse(
                "{\"requiredCapabilities\":{\"extensions\":{\"io.modelcontextprotocol/tasks\":{}}}}").asObject());
        assertThat(seen.getObject("taskResult").orElseThrow().getLong("code")).contains(-32601L);
        assertThat(seen.getObject("cancelEnded").orElseThrow().getString("resultType")).contains("complete");
        assertThat(seen.getString("afterCancelEnded")).contains("completed");
        assertThat(seen.getObject("direct").orElseThrow().getString("text")).contains("echo: directly");
    }

    private static Process start(Path stderr, String... args) throws IOException {
        var command = new java.util.ArrayList<String>();
        command.add(TestServers.node());
        command.add(TestServers.npmScript("sdk-v2-task-client.mjs"));
        command.addAll(java.util.List.of(args));
        return new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    }

    private static JsonObject finish(Process client, Path stderr) throws Exception {
        String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(client.waitFor()).as(() -> "the ext-tasks client failed: " + read(stderr)).isZero();
        return JsonValue.parse(out.trim()).asObject();
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
