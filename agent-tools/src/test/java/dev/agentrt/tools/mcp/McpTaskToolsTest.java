package dev.agentrt.tools.mcp;

import static dev.agentrt.tools.mcp.McpTestPeers.call;
import static dev.agentrt.tools.mcp.McpTestPeers.npmScript;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Tools that must run as tasks (MCP 2025-11-25 tasks, {@code execution.taskSupport: "required"}), called by the
 * client as tasks: against server-everything's {@code simulate-research-query} (a task tool on the TypeScript SDK's
 * experimental tasks API) and a raw server of ours ({@code src/test/npm/task-server.mjs}) whose task completes,
 * never ends, reports a status MCP does not have, or is named only after the call was given up.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class McpTaskToolsTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @RegisterExtension
    final LeakCheck leaks = LeakCheck.processes();

    private static JsonObject counts(McpTools tools) {
        ToolResult r = call(tools, "count", "{}", WAIT);
        assertThat(r.isError()).as(r.content()).isFalse();
        return (JsonObject) JsonValue.parse(r.content());
    }

    @Test
    void serverEverythingsResearchTaskIsCalledAsATaskAndItsReportReachesTheModel() {
        try (McpTools everything = McpTools.connect("everything", TestServers.everything()).block(WAIT)) {
            ToolResult r = call(everything, "simulate-research-query", "{\"topic\":\"tide pools\"}", WAIT);
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
            ToolResult r = call(everything, "simulate-research-query", "{\"topic\":\"python\",\"ambiguous\":true}",
                    WAIT);
            assertThat(r.isError()).as(r.content()).isFalse();
            assertThat(r.content()).contains("python (snake)");
            assertThat(asked).hasSize(1);
            assertThat(asked.get(0).message()).isNotBlank();
        }
    }

    @Test
    void aTaskThatCompletesGivesItsResult() {
        try (McpTools tools = McpTools.connect("tasks", npmScript("task-server.mjs", "done")).block(WAIT)) {
            ToolResult r = call(tools, "job", "{\"x\":\"hi\"}", WAIT);
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
        try (McpTools tools = McpTools.builder("tasks", npmScript("task-server.mjs", "never"))
                .callTimeout(Duration.ofSeconds(2))
                .connect()
                .block(WAIT)) {
            ToolResult r = call(tools, "job", "{\"x\":\"forever\"}", WAIT);
            assertThat(r.isError()).isTrue();
            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TIMEOUT);
            assertThat(r.content()).contains("did not answer within 2000 ms");
            JsonObject counts = counts(tools);
            assertThat(counts.getLong("cancel")).as(counts.toJson()).contains(1L);
            assertThat(counts.getString("cancelled")).contains("task-1");
        }
    }

    @Test
    void aCallGivenUpBeforeTheServerNamedItsTaskCancelsTheTaskOnceItIsNamed() {
        try (McpTools tools = McpTools.connect("tasks", npmScript("task-server.mjs", "late")).block(WAIT)) {
            reactor.core.Disposable call = McpTestPeers.execute(tools, "job", "{\"x\":\"late\"}").subscribe();
            // The server holds the task's creation until "release": wait until it has the request.
            while (counts(tools).getLong("pending").orElseThrow() == 0) {
                Thread.onSpinWait();
            }
            call.dispose(); // the agent gives up: the task's id is not known yet
            assertThat(call(tools, "release", "{}", WAIT).content()).isEqualTo("released");
            JsonObject counts = counts(tools);
            while (counts.getLong("cancel").orElseThrow() == 0) {
                counts = counts(tools);
            }
            assertThat(counts.getString("cancelled")).contains("task-1");
            assertThat(counts.getLong("cancel")).contains(1L);
            assertThat(counts.getLong("get")).as("a call given up is not polled").contains(0L);
        }
    }

    @Test
    void aTaskStatusMcpDoesNotHaveFailsTheCallSayingWhatTheServerSent() {
        try (McpTools tools = McpTools.connect("tasks", npmScript("task-server.mjs", "garbage")).block(WAIT)) {
            ToolResult r = call(tools, "job", "{\"x\":\"boom\"}", WAIT);
            assertThat(r.isError()).isTrue();
            assertThat(r.content()).contains("MCP tool \"job\" on server 'tasks' failed")
                    .contains("the server gave the task the status \"exploded\", which is none of MCP's");
            assertThat(counts(tools).getLong("cancel")).as("nothing to cancel: the call failed").contains(0L);
        }
    }
}
