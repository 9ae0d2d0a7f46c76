package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Tools that must run as tasks (MCP 2025-11-25 tasks, {@code execution.taskSupport: "required"}), called by the
 * client as tasks: against server-everything's {@code simulate-research-query} (a task tool on the TypeScript SDK's
 * experimental tasks API) and a raw server of ours ({@code src/test/npm/task-server.mjs}) whose task completes,
 * never ends, or reports a status MCP does not have.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class McpTaskToolsTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private Leaks leaks;

    @BeforeEach
    void watchForLeaks() {
        leaks = new Leaks();
    }

    @AfterEach
    void nothingIsLeftRunning() throws Exception {
        leaks.assertNoProcessesLeft();
    }

    private static McpTransportSpec taskServer(String mode) {
        return McpTransportSpec.stdio(TestServers.node(), TestServers.npmScript("task-server.mjs"), mode);
    }

    private static ToolResult call(McpTools tools, String tool, String args) {
        ToolResult r = ToolRegistry.of(tools.tools())
                .execute(new ToolCall("c1", tool, args),
                        ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability())))
                .block(WAIT);
        assertThat(r).isNotNull();
        return r;
    }

    private static JsonObject counts(McpTools tools) {
        ToolResult r = call(tools, "count", "{}");
        assertThat(r.isError()).as(r.content()).isFalse();
        return (JsonObject) JsonValue.parse(r.content());
    }

    @Test
    void serverEverythingsResearchTaskIsCalledAsATaskAndItsReportReachesTheModel() {
        try (McpTools everything = McpTools.connect("everything", TestServers.everything()).block(WAIT)) {
            ToolResult r = call(everything, "simulate-research-query", "{\"topic\":\"tide pools\"}");
            assertThat(r.isError()).as(r.content()).isFalse();
            assertThat(r.content()).contains("tide pools");
        }
    }

    @Test
    void aTaskThatNeedsInputAsksTheApplicationsElicitationHandlerAndGoesOn() {
        var asked = new java.util.concurrent.CopyOnWriteArrayList<McpElicitationRequest>();
        try (McpTools everything = McpTools.builder("everything", TestServers.everything())
                .elicitation(request -> {
                    asked.add(request);
                    return reactor.core.publisher.Mono.just(McpElicitationAnswer.accept(
                            JsonObject.builder().put("interpretation", "snake").build()));
                })
                .connect()
                .block(WAIT)) {
            ToolResult r = call(everything, "simulate-research-query", "{\"topic\":\"python\",\"ambiguous\":true}");
            assertThat(r.isError()).as(r.content()).isFalse();
            assertThat(r.content()).contains("python (snake)");
            assertThat(asked).hasSize(1);
            assertThat(asked.get(0).message()).isNotBlank();
        }
    }

    @Test
    void aTaskThatCompletesGivesItsResult() {
        try (McpTools tools = McpTools.connect("tasks", taskServer("done")).block(WAIT)) {
            ToolResult r = call(tools, "job", "{\"x\":\"hi\"}");
            assertThat(r.isError()).as(r.content()).isFalse();
            assertThat(r.content()).isEqualTo("job done: hi");
            JsonObject counts = counts(tools);
            assertThat(counts.getLong("get")).as(counts.toJson()).contains(1L);
            assertThat(counts.getLong("plainCallsOfJob")).as("never called without a task").contains(0L);
            assertThat(counts.getLong("cancel")).contains(0L);
        }
    }

    @Test
    void aTaskThatNeverEndsTimesOutAndIsCancelledOnTheServer() {
        try (McpTools tools = McpTools.builder("tasks", taskServer("never"))
                .callTimeout(Duration.ofSeconds(2))
                .connect()
                .block(WAIT)) {
            ToolResult r = call(tools, "job", "{\"x\":\"forever\"}");
            assertThat(r.isError()).isTrue();
            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TIMEOUT);
            assertThat(r.content()).contains("did not answer within 2000 ms");
            JsonObject counts = counts(tools);
            assertThat(counts.getLong("cancel")).as(counts.toJson()).contains(1L);
            assertThat(counts.getString("cancelled")).contains("task-1");
        }
    }

    @Test
    void aTaskStatusMcpDoesNotHaveFailsTheCallSayingWhatTheServerSent() {
        try (McpTools tools = McpTools.connect("tasks", taskServer("garbage")).block(WAIT)) {
            ToolResult r = call(tools, "job", "{\"x\":\"boom\"}");
            assertThat(r.isError()).isTrue();
            assertThat(r.content()).contains("MCP tool \"job\" on server 'tasks' failed")
                    .contains("the server gave the task the status \"exploded\", which is none of MCP's");
            assertThat(counts(tools).getLong("cancel")).as("nothing to cancel: the call failed").contains(0L);
        }
    }
}
