package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The MCP Inspector's CLI (2.12.0) in the 2026-07-28 era ({@code --protocol-era modern}), which calls tools through
 * its ext-tasks session, against our {@link McpServer} whose tools must be called as tasks: over stdio ({@link
 * TaskServerMain}, which the CLI spawns) and streamable HTTP (stateful and stateless). The server refuses a call
 * that does not declare the tasks extension ({@code -32021}), so a tool's result printed proves the CLI declared it
 * and followed the task to its end; a tool's error result comes back as such (exit 5). Process timeouts are hang
 * guards only.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class McpModernTasksInspectorTest {
    private static final long GUARD_SECONDS = 180;

    @RegisterExtension
    final McpHttpFixture http = new McpHttpFixture();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"stdio", "http", "http-stateless"})
    void theInspectorCliFollowsTheServersTasksInTheModernEra(String transport) throws Exception {
        List<String> target;
        if (transport.equals("stdio")) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            target = List.of(java, "-Dtasks.required=true", "-cp", System.getProperty("java.class.path"),
                    TaskServerMain.class.getName());
        } else {
            McpServer server = McpServer.builder(McpModernTasksTest.tools(new McpModernTasksTest.Gates(), "gate"))
                    .name("task-test")
                    .tasks(McpTaskOptions.required().withPollInterval(Duration.ofMillis(50)))
                    .build();
            McpHttpServer served = http.serve(server,
                    McpHttpOptions.defaults().stateless(transport.endsWith("stateless")));
            target = List.of(served.url().toString());
        }
        Run echo = inspect(target, "--method", "tools/call", "--tool-name", "echo", "--tool-arg", "text=as a task");
        assertThat(echo.exit()).as("%s", echo).isZero();
        JsonObject result = JsonValue.parse(echo.stdout().strip()).asObject().getObject("result").orElseThrow();
        assertThat(result.getArray("content").orElseThrow().get(0).asObject().getString("text"))
                .as("%s", echo)
                .contains("echo: as a task");

        Run fail = inspect(target, "--method", "tools/call", "--tool-name", "fail");
        assertThat(fail.exit()).as("a tool's error result; %s", fail).isEqualTo(5);
        JsonObject failed = JsonValue.parse(fail.stdout().strip()).asObject().getObject("result").orElseThrow();
        assertThat(failed.getBoolean("isError")).as("%s", fail).contains(true);
        assertThat(failed.getArray("content").orElseThrow().get(0).asObject().getString("text")).contains("it broke");
    }

    /** What one CLI run printed and how it exited. */
    record Run(List<String> command, int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return String.join(" ", command) + "\nexit " + exit + "\n--- stdout\n" + stdout + "\n--- stderr\n"
                    + stderr;
        }
    }

    /**
     * Runs the CLI in the modern era against {@code target}, with its home, catalog and client config in the test's
     * directory, so that nothing of the user's is read or written.
     */
    private Run inspect(List<String> target, String... method) throws Exception {
        Path js = TestServers.NPM.resolve("@modelcontextprotocol/inspector/clients/launcher/build/index.js");
        var command = new ArrayList<>(List.of(TestServers.node(), js.toString(), "--cli", "--format", "json",
                "--quiet", "--protocol-era", "modern"));
        command.addAll(List.of(method));
        command.add("--");
        command.addAll(target);
        String id = UUID.randomUUID().toString();
        Path out = dir.resolve(id + ".out");
        Path err = dir.resolve(id + ".err");
        Path home = Files.createDirectories(dir.resolve("home"));
        var builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment()
                .putAll(Map.of("HOME", home.toString(), "MCP_CATALOG_PATH", home.resolve("mcp.json").toString(),
                        "MCP_CLIENT_CONFIG_PATH", home.resolve("client.json").toString()));
        Process cli = builder.start();
        cli.getOutputStream().close();
        if (!cli.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
            cli.descendants().forEach(ProcessHandle::destroyForcibly);
            cli.destroyForcibly();
            throw new AssertionError("the Inspector CLI did not finish (hang guard): " + command);
        }
        return new Run(command, cli.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
