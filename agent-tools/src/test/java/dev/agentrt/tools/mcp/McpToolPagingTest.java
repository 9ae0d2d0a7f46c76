package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server of the initialize era whose {@code tools/list} is paged (src/test/resources/mcp/fake-server.js): the
 * client connects with every page's tools, and a server that hands out cursors without end is listed up to the
 * client's page bound, not for ever.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpToolPagingTest {
    @RegisterExtension
    final LeakCheck leaks = LeakCheck.threadsAndProcesses("agentrt-mcp-");

    private static McpTools.Builder fake(String... args) {
        var command = new java.util.ArrayList<String>();
        command.add(Path.of("src/test/resources/mcp/fake-server.js").toAbsolutePath().toString());
        command.addAll(List.of(args));
        return McpTools.builder("fake", McpTransportSpec.stdio(TestServers.node(), command, Map.of()))
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
