package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Tools called as tasks on our {@link McpServer} over streamable HTTP, by raw 2025-11-25 requests: sessions that do
 * not see each other's tasks, and a session whose end (DELETE) cancels its running tasks. Our own {@link McpTools}
 * client speaks 2026-07-28 to this server (it finds it by {@code server/discover}), where tasks are an extension
 * not served here: it calls the tools directly. The timeouts are hang guards only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpServerTasksHttpTest {
    private static final String JSON = "application/json";
    private final List<McpHttpServer> servers = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void close() {
        servers.forEach(McpHttpServer::close);
        http.close();
    }

    private McpHttpServer serve(McpServerTasksTest.Hold hold, McpTaskOptions tasks) {
        McpHttpServer server = McpServer.builder(McpServerTasksTest.tools(hold))
                .name("tasks-http")
                // Longer than the test's guard: a tool ends only when released or cancelled, never by this timeout.
                .timeout(Duration.ofMinutes(10))
                .tasks(tasks)
                .build()
                .serveHttp();
        servers.add(server);
        return server;
    }

    @Test
    void ourClientSpeaks2026AndFollowsTheTasksOfTheExtensionThere() {
        McpHttpServer server = serve(new McpServerTasksTest.Hold(), McpTaskOptions.required());
        try (McpTools tools = McpTools.builder("tasks", McpTransportSpec.http(server.url().toString()))
                .connect()
                .block(Duration.ofSeconds(60))) {
            var registry = ToolRegistry.of(tools.tools());
            var execution = ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability()));
            // McpTools finds 2026-07-28 by server/discover; there tasks are an extension, which the client declares:
            // the server answers with a task (its tools must be tasks), which the client follows to the result.
            ToolResult echo = registry.execute(new ToolCall("1", "echo", "{\"text\":\"direct\"}"), execution)
                    .block(Duration.ofSeconds(60));
            assertThat(echo.isError()).as(echo.content()).isFalse();
            assertThat(echo.content()).isEqualTo("echo: direct");
        }
    }

    @Test
    void anotherSessionCannotSeeATaskAndDeletingTheSessionCancelsIt() throws Exception {
        var hold = new McpServerTasksTest.Hold();
        McpHttpServer server = serve(hold, McpTaskOptions.optional());
        String mine = open(server);
        String other = open(server);
        JsonObject created = result(post(server, mine, 2, "tools/call",
                "{\"name\":\"hold\",\"arguments\":{},\"task\":{\"ttl\":60000}}"));
        String taskId = created.getObject("task").orElseThrow().getString("taskId").orElseThrow();
        hold.entered.await();
        for (String method : List.of("tasks/get", "tasks/result", "tasks/cancel")) {
            JsonObject error = JsonValue.parse(post(server, other, 3, method, "{\"taskId\":\"" + taskId + "\"}")
                    .body()).asObject().getObject("error").orElseThrow();
            assertThat(error.getLong("code")).contains(-32602L);
            assertThat(error.getString("message").orElseThrow()).contains("Task not found");
        }
        assertThat(result(post(server, other, 4, "tasks/list", "{}")).getArray("tasks").orElseThrow().items())
                .isEmpty();
        assertThat(result(post(server, mine, 5, "tasks/get", "{\"taskId\":\"" + taskId + "\"}"))
                .getString("status")).contains("working");
        HttpResponse<String> deleted = http.send(HttpRequest.newBuilder(server.url())
                .header("Mcp-Session-Id", mine)
                .DELETE()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(hold.cancelled.await(60, TimeUnit.SECONDS)).as("the session's end cancelled the tool").isTrue();
    }

    private String open(McpHttpServer server) throws IOException, InterruptedException {
        HttpResponse<String> init = http.send(HttpRequest.newBuilder(server.url())
                .header("Content-Type", JSON)
                .header("Accept", JSON + ", text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",\
                        "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"""))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
        JsonObject capabilities = JsonValue.parse(init.body())
                .asObject()
                .getObject("result")
                .orElseThrow()
                .getObject("capabilities")
                .orElseThrow();
        assertThat(capabilities.getObject("tasks").orElseThrow().has("cancel")).isTrue();
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        HttpResponse<String> initialized = http.send(request(server, session,
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"),
                HttpResponse.BodyHandlers.ofString());
        assertThat(initialized.statusCode()).isEqualTo(202);
        return session;
    }

    private HttpResponse<String> post(McpHttpServer server, String session, int id, String method, String params)
            throws IOException, InterruptedException {
        return http.send(request(server, session,
                "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}"),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(McpHttpServer server, String session, String body) {
        return HttpRequest.newBuilder(server.url())
                .header("Content-Type", JSON)
                .header("Accept", JSON)
                .header("Mcp-Session-Id", session)
                .header("MCP-Protocol-Version", "2025-11-25")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static JsonObject result(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JsonValue.parse(response.body())
                .asObject()
                .getObject("result")
                .orElseThrow(() -> new AssertionError(response.body()));
    }
}
