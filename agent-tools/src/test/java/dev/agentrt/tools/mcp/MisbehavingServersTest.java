package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.ToolException;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;

/**
 * Servers that crash, hang or talk nonsense (src/test/resources/mcp/fake-server.js): the agent gets
 * an error, quickly, and no process or thread outlives the connection.
 */
class MisbehavingServersTest {
    @AfterEach
    void nothingIsLeftRunning() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((!TestServers.children().isEmpty() || TestServers.transportThreads() > 0)
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(TestServers.children()).as("processes left running").isEmpty();
        assertThat(TestServers.transportThreads()).as("transport threads left running").isZero();
    }

    private static McpTools.Builder fake(String mode) {
        return McpTools.builder("fake", TestServers.fake(mode))
                .connectTimeout(Duration.ofSeconds(3))
                .callTimeout(Duration.ofSeconds(3));
    }

    @Test
    void aServerThatCrashesOnInitializeFailsTheConnectWithItsExitCodeAndStderr() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> fake("crash-on-init").connect().block(Duration.ofSeconds(30)))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("'fake'")
                .hasMessageContaining("exited with code 4")
                .hasMessageContaining("crashing on initialize");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aServerThatCrashesDuringACallGivesAnErrorResultNotAnException() {
        try (McpTools tools = fake("crash-on-call").connect().block(Duration.ofSeconds(30))) {
            long pid = tools.pid().orElseThrow();
            ToolResult r = ToolRegistry.of(tools.tools())
                    .execute(new ToolCall("c", "ping", "{}"),
                            ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability())))
                    .block(Duration.ofSeconds(30));
            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(r.content()).contains("exited with code 3").contains("crashing on tools/call");
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        }
    }

    @Test
    void aServerThatHangsAndIgnoresSigtermTimesOutAndIsKilled() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> fake("hang").connect().block(Duration.ofSeconds(30)))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("did not complete the MCP handshake within 3000 ms");
        // 3 s connect timeout + 2 s SIGTERM grace before the kill
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(9));
    }

    @Test
    void aServerThatPrintsInvalidJsonRpcFailsTheConnectNamingTheLine() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> fake("invalid").connect().block(Duration.ofSeconds(30)))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("not JSON-RPC: this is not JSON-RPC");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aMissingExecutableFailsTheConnectClearly() {
        assertThatThrownBy(() -> McpTools.connect("nope", McpTransportSpec.stdio("/nonexistent/mcp-server"))
                .block(Duration.ofSeconds(30)))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("could not start MCP server 'nope'");
    }

    @Test
    void aHundredConnectCloseCyclesLeaveNoProcessOrThread() {
        var threads = ManagementFactory.getThreadMXBean();
        // one warm-up cycle: the SDK, Reactor and the JDK start their shared threads once
        fake("ok").connect().block(Duration.ofSeconds(30)).close();
        int threadsBefore = threads.getThreadCount();
        List<ProcessHandle> processesBefore = TestServers.children();
        for (int i = 0; i < 100; i++) {
            try (McpTools tools = fake("ok").connect().block(Duration.ofSeconds(30))) {
                assertThat(tools.tools()).hasSize(1);
            }
        }
        int threadsAfter = threads.getThreadCount();
        System.out.printf("leak check: threads %d -> %d, child processes %d -> %d, transport threads %d%n",
                threadsBefore, threadsAfter, processesBefore.size(), TestServers.children().size(),
                TestServers.transportThreads());
        assertThat(TestServers.children()).isEmpty();
        assertThat(threadsAfter - threadsBefore).as("threads grew by").isLessThan(10);
    }
}
