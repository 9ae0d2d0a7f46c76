package dev.agentrt.tools.mcp;

import static dev.agentrt.tools.mcp.McpReconnectTest.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
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
import reactor.core.Disposable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server's progress notifications become {@link AgentEvent.ToolProgress} events of the call they
 * belong to, and a call the agent cancels or that times out is cancelled on the server
 * ({@code notifications/cancelled} naming the call's request id). Servers: our fake server
 * (src/test/resources/mcp/fake-server.js) and the reference server-everything.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpProgressAndCancellationTest {
    @TempDir
    Path dir;

    @AfterEach
    void nothingIsLeftRunning() throws InterruptedException {
        awaitCondition(() -> TestServers.children().isEmpty() && TestServers.transportThreads() == 0);
        assertThat(TestServers.children()).as("processes left running").isEmpty();
    }

    Path log() {
        return dir.resolve("log");
    }

    List<String> logLines() {
        try {
            return Files.exists(log()) ? Files.readAllLines(log()) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    McpTransportSpec slow() {
        Path script = Path.of("src/test/resources/mcp/fake-server.js").toAbsolutePath();
        return McpTransportSpec.stdio(TestServers.node(), script.toString(), "slow", log().toString());
    }

    static List<String> progressOf(McpTools tools, String tool, String arguments) {
        var model = ScriptedChatModel.of(Reply.toolCall(tool, arguments), Reply.text("ok"));
        Agent agent = Agent.builder().model(model).tools(tools.tools()).grant(tools.capability()).build();
        return agent.task("go")
                .stream()
                .ofType(AgentEvent.ToolProgress.class)
                .map(p -> p.call().name() + " " + p.progress() + "/" + p.total() + " " + p.message())
                .collectList()
                .block(Duration.ofSeconds(90));
    }

    @Test
    void aServersProgressForACallBecomesThatCallsEventsInOrderAndNothingElseDoes() {
        try (McpTools tools = McpTools.connect("fake", TestServers.fake("progress")).block(Duration.ofSeconds(60))) {
            // Reports repeating a value, or for a token this client did not give, are dropped.
            assertThat(progressOf(tools, "ping", "{}")).containsExactly("ping 1.0/3.0 one", "ping 2.0/3.0 two",
                    "ping 3.0/3.0 three");
        }
    }

    @Test
    void theReferenceServersLongRunningOperationReportsItsSteps() {
        try (McpTools tools = McpTools.connect("everything", TestServers.everything())
                .block(Duration.ofSeconds(60))) {
            assertThat(progressOf(tools, "trigger-long-running-operation", "{\"duration\": 0.03, \"steps\": 3}"))
                    .containsExactly("trigger-long-running-operation 1.0/3.0 null",
                            "trigger-long-running-operation 2.0/3.0 null",
                            "trigger-long-running-operation 3.0/3.0 null");
        }
    }

    @Test
    void aCallTheAgentCancelsIsCancelledOnTheServerByItsRequestId() throws Exception {
        try (McpTools tools = McpTools.connect("slow", slow()).block(Duration.ofSeconds(60))) {
            Disposable running = ToolRegistry.of(tools.tools())
                    .execute(new ToolCall("c1", "ping", "{}"),
                            ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability())))
                    .subscribe();
            awaitCondition(() -> logLines().stream().anyMatch(l -> l.startsWith("call ")));
            String[] call = logLines().getFirst().split(" ");

            running.dispose();
            awaitCondition(() -> logLines().stream().anyMatch(l -> l.startsWith("cancelled ")));

            assertThat(logLines()).containsExactly(String.join(" ", call),
                    "cancelled " + call[1] + " the agent cancelled the call");
            assertThat(call[2]).startsWith("agentrt-slow-");
        }
    }

    @Test
    void aCallThatTimesOutIsCancelledOnTheServerAndTheModelIsToldItTimedOut() throws Exception {
        // The server never answers, so the timeout always passes, whatever the machine's speed.
        try (McpTools tools = McpTools.builder("slow", slow())
                .callTimeout(Duration.ofMillis(300))
                .connect()
                .block(Duration.ofSeconds(60))) {
            ToolResult r = ToolRegistry.of(tools.tools())
                    .execute(new ToolCall("c1", "ping", "{}"),
                            ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability())))
                    .block(Duration.ofSeconds(60));

            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TIMEOUT);
            awaitCondition(() -> logLines().stream().anyMatch(l -> l.startsWith("cancelled ")));
            String id = logLines().getFirst().split(" ")[1];
            assertThat(logLines()).contains("cancelled " + id + " the client's timeout of 300 ms passed");
        }
    }
}
