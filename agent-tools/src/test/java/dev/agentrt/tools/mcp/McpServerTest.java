package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Principal;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link McpServer} run as a subprocess JVM ({@link ExposedToolsMain}), called by the SDK's own
 * client and by {@link McpTools}.
 */
class McpServerTest {
    private static McpTransportSpec.Stdio serverProcess() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return McpTransportSpec.stdio(java, "-cp", System.getProperty("java.class.path"),
                ExposedToolsMain.class.getName());
    }

    @Test
    void theSdksClientListsAndCallsTheExposedToolsUnderTheServersGrants() {
        var spec = serverProcess();
        var params = ServerParameters.builder(spec.command()).args(spec.args()).build();
        var transport = new StdioClientTransport(params, McpJsonDefaults.getMapper());
        McpSyncClient client = McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(90))
                .initializationTimeout(Duration.ofSeconds(90))
                .build();
        try {
            McpSchema.InitializeResult init = client.initialize();
            assertThat(init.serverInfo().name()).isEqualTo("agentrt-test");
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name)
                    .containsExactly("echo", "refund", "lookup");
            McpSchema.CallToolResult echo = client.callTool(McpSchema.CallToolRequest.builder("echo")
                    .arguments(Map.of("text", "hi"))
                    .build());
            assertThat(echo.isError()).isFalse();
            assertThat(((McpSchema.TextContent) echo.content().getFirst()).text()).isEqualTo("echo: hi");

            McpSchema.CallToolResult refund = client.callTool(McpSchema.CallToolRequest.builder("refund")
                    .arguments(Map.of())
                    .build());
            assertThat(refund.isError()).isTrue();
            assertThat(((McpSchema.TextContent) refund.content().getFirst()).text())
                    .startsWith("Permission denied")
                    .contains("payments:refund");

            McpSchema.CallToolResult invalid = client.callTool(McpSchema.CallToolRequest.builder("echo")
                    .arguments(Map.of("text", 7))
                    .build());
            assertThat(invalid.isError()).isTrue();
            assertThat(((McpSchema.TextContent) invalid.content().getFirst()).text()).contains("Invalid arguments");
        } finally {
            client.closeGracefully();
        }
    }

    @Test
    void mcpToolsRoundTripsThroughOurOwnServer() {
        try (McpTools tools = McpTools.builder("self", serverProcess()).connect().block(Duration.ofSeconds(60))) {
            McpTestPeers.assertExposedToolsAnswerUnderTheServersGrants(tools);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theTypeScriptSdksClientListsCallsAndPingsOurServer(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path stderr = dir.resolve("stderr.txt");
        Process client = new ProcessBuilder(TestServers.node(), TestServers.npmScript("sdk-client.mjs"), java, "-cp",
                System.getProperty("java.class.path"), StdioServerMain.class.getName())
                .redirectError(stderr.toFile())
                .start();
        String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = client.waitFor();
        assertThat(exit).as(() -> "the TypeScript client failed: " + readQuietly(stderr)).isZero();
        JsonObject seen = JsonValue.parse(out.trim()).asObject();
        assertThat(seen.getString("server")).contains("stdio-test");
        assertThat(seen.getArray("tools").orElseThrow().items()).extracting(t -> ((JsonValue.JsonString) t).value())
                .containsExactly("echo", "gate");
        assertThat(seen.getString("echo")).contains("echo: from TypeScript");
        assertThat(seen.getBoolean("echoIsError")).contains(false);
        assertThat(seen.getObject("ping")).contains(JsonObject.EMPTY);
        assertThat(seen.getLong("unknown")).contains(-32601L);
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Test
    void theServerShowsOnlyTheToolsItsAccessPolicyAllows() {
        McpServer server = McpServer.builder(ExposedToolsMain.tools())
                .principal(Principal.of("support", "agent"))
                .access((principal, tool) -> !tool.name().equals("refund"))
                .build();
        assertThat(server.tools()).extracting(t -> t.name()).containsExactly("echo", "lookup");
    }
}
