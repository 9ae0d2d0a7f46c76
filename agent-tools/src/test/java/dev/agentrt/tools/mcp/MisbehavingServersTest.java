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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Servers that crash, hang or talk nonsense (src/test/resources/mcp/fake-server.js): the agent gets
 * an error as soon as the server's failure shows, and no process or thread outlives the connection.
 * Timeouts are long where the test is about noticing a failure, so a failure reported by a timeout
 * would carry the wrong message; the JUnit timeout only guards against a hang. A server whose tool list is paged
 * is listed whole at connect, and one that pages without end only up to the client's bound.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
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

    private static McpTools.Builder fake(String mode, String... args) {
        return McpTools.builder("fake", TestServers.fake(mode, args))
                .connectTimeout(Duration.ofSeconds(60))
                .callTimeout(Duration.ofSeconds(60));
    }

    private static ToolResult call(McpTools tools, String tool) {
        return ToolRegistry.of(tools.tools())
                .execute(new ToolCall("c", tool, "{}"),
                        ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability())))
                .block(Duration.ofSeconds(90));
    }

    @Test
    void aServerThatCrashesOnInitializeFailsTheConnectWithItsExitCodeAndStderr() {
        assertThatThrownBy(() -> fake("crash-on-init").connect().block(Duration.ofSeconds(90)))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("'fake'")
                .hasMessageContaining("exited with code 4")
                .hasMessageContaining("crashing on initialize");
    }

    @Test
    void aServerThatCrashesDuringACallGivesAnErrorResultNotAnException() {
        try (McpTools tools = fake("crash-on-call").connect().block(Duration.ofSeconds(90))) {
            long pid = tools.pid().orElseThrow();
            ToolResult r = call(tools, "ping");
            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(r.content()).contains("exited with code 3").contains("crashing on tools/call");
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        }
    }

    @Test
    void aServerThatHangsAndIgnoresSigtermTimesOutAndIsKilled() {
        assertThatThrownBy(() -> fake("hang").connectTimeout(Duration.ofSeconds(3))
                .connect()
                .block(Duration.ofSeconds(90)))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("did not complete the MCP handshake within 3000 ms");
        // nothingIsLeftRunning: it was killed although it ignores SIGTERM
    }

    @Test
    void aServerThatAnswersOnlyWithGarbageTimesOutAndTheMessageQuotesTheGarbage() {
        assertThatThrownBy(() -> fake("invalid").connectTimeout(Duration.ofSeconds(3))
                .connect()
                .block(Duration.ofSeconds(90)))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("did not complete the MCP handshake within 3000 ms")
                .hasMessageContaining("lines to stdout that are not JSON-RPC: this is not JSON-RPC");
    }

    @Test
    void bannersAndGarbageLinesAreSkippedAndAnAnswerOverTheSizeCapFailsOnlyItsOwnCall() {
        try (McpTools tools = fake("noisy").connect().block(Duration.ofSeconds(90))) {
            assertThat(tools.tools()).extracting(t -> t.spec().name()).containsExactly("ping", "big");
            assertThat(call(tools, "ping").content()).isEqualTo("pong");
            ToolResult big = call(tools, "big");
            assertThat(big.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(big.content()).contains("'fake'").contains("over the limit of 16777216 bytes");
            assertThat(call(tools, "ping").content()).as("the session goes on").isEqualTo("pong");
        }
    }

    @Test
    void aTruncatedAnswerFailsItsCallAtOnceQuotingTheLine() {
        try (McpTools tools = fake("broken-answer").connect().block(Duration.ofSeconds(90))) {
            ToolResult r = call(tools, "ping");
            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(r.content()).contains("'fake' answered with a message that is not valid JSON-RPC")
                    .contains("\"result\":{\"content\":[{\"ty");
        }
    }

    @Test
    void aServerThatClosesItsStdoutButKeepsRunningFailsTheCallAndIsKilled() throws Exception {
        try (McpTools tools = fake("close-stdout").connect().block(Duration.ofSeconds(90))) {
            ProcessHandle server = ProcessHandle.of(tools.pid().orElseThrow()).orElseThrow();
            ToolResult r = call(tools, "ping");
            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(r.content()).contains("'fake' closed its stdout but is still running")
                    .contains("closing stdout");
            server.onExit().get(60, TimeUnit.SECONDS); // killed without anyone closing the connection
        }
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

    // ---- a paged tool list (initialize era)

    @Test
    void everyPageOfAPagedToolListIsOfferedFromTheStart() {
        try (McpTools tools = fake("paged").connect().block(Duration.ofSeconds(90))) {
            assertThat(tools.protocolVersion()).isNotEqualTo("2026-07-28");
            assertThat(tools.tools()).extracting(t -> t.spec().name())
                    .containsExactly("ping", "two", "three", "four");
            assertThat(call(tools, "four").content()).isEqualTo("pong");
        }
    }

    @Test
    void aServerPagingWithoutEndIsListedUpToThePageBoundAndStillServes(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("lists.log");
        try (McpTools tools = fake("endless-pages", log.toString()).connect().block(Duration.ofSeconds(90))) {
            assertThat(tools.tools()).hasSize(50);
            assertThat(tools.tools().getFirst().spec().name()).isEqualTo("t0");
            assertThat(tools.tools().getLast().spec().name()).isEqualTo("t49");
            assertThat(call(tools, "t7").content()).isEqualTo("pong");
        }
        // The SDK's own look at the first page after initialize, then the client's fifty pages; no more.
        assertThat(Files.readAllLines(log)).filteredOn(l -> !l.equals("list -")).hasSize(49);
        assertThat(Files.readAllLines(log)).hasSizeLessThanOrEqualTo(51);
    }
}
