package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stdio server that dies is started again by the next call, and the server's tools stay pinned:
 * a listing that changes them (after a restart, or on {@code tools/list_changed}) is reported and
 * the changed tools are refused. Servers: src/test/resources/mcp/fake-server.js. Waits are for
 * conditions (a process gone, a listener called); the backoff runs on a clock the test moves.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpReconnectTest {
    @TempDir
    Path dir;

    @AfterEach
    void nothingIsLeftRunning() throws InterruptedException {
        awaitCondition(() -> TestServers.children().isEmpty() && TestServers.transportThreads() == 0);
        assertThat(TestServers.children()).as("processes left running").isEmpty();
        assertThat(TestServers.transportThreads()).as("transport threads left running").isZero();
    }

    interface Condition {
        boolean holds();
    }

    /** Waits for a condition the test caused (a killed process seen gone); the JUnit timeout guards a hang. */
    static void awaitCondition(Condition c) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!c.holds() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    McpTransportSpec counting(String mode) {
        Path script = Path.of("src/test/resources/mcp/fake-server.js").toAbsolutePath();
        return McpTransportSpec.stdio(TestServers.node(), script.toString(), mode, dir.resolve("starts").toString());
    }

    int starts() throws IOException {
        Path file = dir.resolve("starts");
        return Files.exists(file) ? Integer.parseInt(Files.readString(file).strip()) : 0;
    }

    static ToolResult call(McpTools tools, String tool) {
        return ToolRegistry.of(tools.tools())
                .execute(new ToolCall("c", tool, "{}"),
                        ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability())))
                .block(Duration.ofSeconds(90));
    }

    static void kill(McpTools tools) throws InterruptedException {
        long pid = tools.pid().orElseThrow();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        awaitCondition(() -> !tools.isConnected());
        assertThat(tools.isConnected()).as("the death of the server was noticed").isFalse();
    }

    @Test
    void aServerThatDiedIsStartedAgainByTheNextCallAndTheAgentsCallsResume() throws Exception {
        try (McpTools tools = McpTools.builder("fake", TestServers.fake("ok"))
                .connect()
                .block(Duration.ofSeconds(60))) {
            assertThat(call(tools, "ping").content()).isEqualTo("pong");
            long firstPid = tools.pid().orElseThrow();

            kill(tools);
            ToolResult afterRestart = call(tools, "ping");

            assertThat(afterRestart.isError()).as(afterRestart.content()).isFalse();
            assertThat(afterRestart.content()).isEqualTo("pong");
            assertThat(tools.isConnected()).isTrue();
            assertThat(tools.pid()).isPresent().isNotEqualTo(java.util.OptionalLong.of(firstPid));
            assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }

    @Test
    void withoutReconnectADeadServerStaysDeadWithAClearError() throws Exception {
        try (McpTools tools = McpTools.builder("fake", TestServers.fake("ok"))
                .reconnect(false)
                .connect()
                .block(Duration.ofSeconds(60))) {
            kill(tools);

            ToolResult r = call(tools, "ping");

            assertThat(r.isError()).isTrue();
            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(r.content()).contains("'fake'").contains("the server is gone");
            assertThat(tools.pid()).isEmpty();
        }
    }

    @Test
    void aRestartThatFailsBacksOffAndTriesAgainOnlyWhenTheBackoffHasPassed() throws Exception {
        var clock = new AtomicLong(1_000_000);
        try (McpTools tools = McpTools.builder("fake", counting("once"))
                .reconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(3))
                .clock(clock::get)
                .connect()
                .block(Duration.ofSeconds(60))) {
            assertThat(call(tools, "ping").content()).isEqualTo("pong 1");
            kill(tools);

            ToolResult failed = call(tools, "ping");
            assertThat(failed.isError()).isTrue();
            assertThat(failed.content()).contains("starting it again failed").contains("exited with code 4");
            assertThat(starts()).isEqualTo(2);

            // Within the backoff: refused at once, nothing started.
            clock.addAndGet(999);
            ToolResult early = call(tools, "ping");
            assertThat(early.content()).contains("next attempt is in 1 ms").contains("exited with code 4");
            assertThat(starts()).isEqualTo(2);

            // After it: one more attempt, then a doubled wait, capped.
            clock.addAndGet(1);
            assertThat(call(tools, "ping").content()).contains("starting it again failed");
            assertThat(starts()).isEqualTo(3);
            assertThat(call(tools, "ping").content()).contains("next attempt is in 2000 ms");
            clock.addAndGet(2000);
            call(tools, "ping");
            assertThat(starts()).isEqualTo(4);
            assertThat(call(tools, "ping").content()).contains("next attempt is in 3000 ms");
        }
    }

    @Test
    void aServerThatComesBackWithAChangedToolIsReportedAndThatToolRefused() throws Exception {
        var changes = new CopyOnWriteArrayList<McpTools.ToolsChange>();
        try (McpTools tools = McpTools.builder("fake", counting("restarts"))
                .onToolsChanged(changes::add)
                .connect()
                .block(Duration.ofSeconds(60))) {
            assertThat(call(tools, "ping").content()).isEqualTo("pong 1");
            kill(tools);

            ToolResult refused = call(tools, "ping");

            assertThat(starts()).as("the server was started again").isEqualTo(2);
            assertThat(refused.isError()).isTrue();
            assertThat(refused.content()).contains("\"ping\"")
                    .contains("'fake'")
                    .contains("is not called")
                    .contains("changed its description or schemas since it was pinned");
            assertThat(changes).containsExactly(new McpTools.ToolsChange("fake", java.util.Set.of("ping"),
                    java.util.Set.of(), java.util.Set.of()));
            // The model still sees the description pinned at connect, not the new one.
            assertThat(tools.tools().getFirst().spec().description()).isEqualTo("Answers pong");
        }
    }

    @Test
    void anApplicationThatAcceptsToolChangesKeepsCallingTheChangedTool() throws Exception {
        try (McpTools tools = McpTools.builder("fake", counting("restarts"))
                .acceptToolChanges(true)
                .connect()
                .block(Duration.ofSeconds(60))) {
            kill(tools);

            assertThat(call(tools, "ping").content()).isEqualTo("pong 2");
        }
    }

    @Test
    void aToolListChangedNotificationIsComparedWithThePinnedTools() throws Exception {
        var change = new CompletableFuture<McpTools.ToolsChange>();
        try (McpTools tools = McpTools.builder("fake", TestServers.fake("list-changes"))
                .onToolsChanged(change::complete)
                .connect()
                .block(Duration.ofSeconds(60))) {
            assertThat(call(tools, "ping").content()).isEqualTo("pong");

            assertThat(call(tools, "bump").content()).isEqualTo("bumped");

            assertThat(change.get(60, TimeUnit.SECONDS)).isEqualTo(new McpTools.ToolsChange("fake",
                    java.util.Set.of("ping"), java.util.Set.of(), java.util.Set.of()));
            assertThat(call(tools, "ping").content()).contains("since it was pinned");
            assertThat(call(tools, "bump").content()).as("an unchanged tool still works").isEqualTo("bumped");
        }
    }

    @Test
    void closingWhileTheServerIsDownLeavesNothingRunningAndCallsFailClearly() throws Exception {
        McpTools tools = McpTools.builder("fake", TestServers.fake("ok")).connect().block(Duration.ofSeconds(60));
        kill(tools);
        tools.close();

        ToolResult r = call(tools, "ping");

        assertThat(r.isError()).isTrue();
        assertThat(r.content()).contains("the connection was closed");
        assertThat(TestServers.children()).isEmpty();
        assertThat(List.of(tools.isConnected())).containsExactly(false);
    }
}
