package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The reference knowledge-graph server, {@code @modelcontextprotocol/server-memory} from npm: its tools declare
 * output schemas (so every answer's structured content is checked against them), it keeps the graph in a file
 * across restarts, and it serves that graph as a resource whose updates a subscriber is told of.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class McpMemoryServerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ENTITY = """
            {"entities":[{"name":"agentrt","entityType":"project","observations":["runs agents on the JVM"]},\
            {"name":"Endive","entityType":"library","observations":["runs WebAssembly in pure Java"]}]}""";

    @RegisterExtension
    final LeakCheck leaks = LeakCheck.threadsAndProcesses("agentrt-mcp-");

    @TempDir
    Path dir;

    private McpTools connect(Path file) {
        var server = McpTransportSpec.stdio(TestServers.node(), List.of(TestServers.npmServer("server-memory")),
                Map.of("MEMORY_FILE_PATH", file.toString()));
        return McpTools.builder("memory", server).connectTimeout(WAIT).callTimeout(WAIT).connect().block(WAIT);
    }

    private static ToolResult call(McpTools tools, String tool, String args) {
        ToolResult r = McpTestPeers.call(tools, tool, args, WAIT);
        assertThat(r.isError()).as(r.content()).isFalse();
        return r;
    }

    @Test
    void aGraphBuiltThroughItsToolsIsSearchableAndReadBackAfterTheServerRestarts() throws Exception {
        Path file = dir.resolve("graph.jsonl");
        try (McpTools tools = connect(file)) {
            assertThat(tools.tools()).extracting(t -> t.spec().name())
                    .contains("create_entities", "create_relations", "search_nodes", "read_graph");
            assertThat(tools.tools()
                    .stream()
                    .filter(t -> t.spec().name().equals("create_entities"))
                    .findFirst()
                    .orElseThrow()
                    .spec()
                    .outputSchema()).as("its output schema, as the server declares it")
                    .isNotNull();

            ToolResult created = call(tools, "create_entities", ENTITY);
            assertThat(JsonValue.parse(created.content()).asArray().size()).as(created.content()).isEqualTo(2);
            call(tools, "create_relations", """
                    {"relations":[{"from":"agentrt","to":"Endive","relationType":"runs code on"}]}""");

            JsonObject found = JsonValue.parse(call(tools, "search_nodes", "{\"query\":\"JVM\"}").content()).asObject();
            assertThat(found.get("entities").asArray().items()).extracting(e -> e.asObject().getString("name"))
                    .containsExactly(java.util.Optional.of("agentrt"));
        }
        assertThat(Files.readString(file)).contains("\"agentrt\"").contains("runs code on");

        try (McpTools again = connect(file)) {
            JsonObject graph = JsonValue.parse(call(again, "read_graph", "{}").content()).asObject();
            assertThat(graph.get("entities").asArray().size()).isEqualTo(2);
            assertThat(graph.get("relations").asArray().items()).singleElement()
                    .satisfies(r -> assertThat(r.asObject().getString("relationType")).hasValue("runs code on"));
        }
    }

    @Test
    void argumentsOutsideTheToolsSchemaAreRefusedBeforeTheServerSeesThem() throws Exception {
        Path file = dir.resolve("graph.jsonl");
        try (McpTools tools = connect(file)) {
            ToolResult r = McpTestPeers.call(tools, "create_entities", "{\"entities\":[{\"name\":7}]}", WAIT);

            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
            JsonObject graph = JsonValue.parse(call(tools, "read_graph", "{}").content()).asObject();
            assertThat(graph.get("entities").asArray().size()).as("nothing was written").isZero();
        }
    }

    @Test
    void theGraphIsAResourceWhoseUpdatesReachASubscriber() throws Exception {
        try (McpTools tools = connect(dir.resolve("graph.jsonl"))) {
            var seen = new LinkedBlockingQueue<McpChange>();
            Disposable listening = tools.changes().subscribe(seen::add);
            tools.subscribeResource("memory://knowledge-graph").block(WAIT);

            call(tools, "create_entities", ENTITY);

            assertThat(McpTestPeers.nextChange(seen, McpChange.ResourceUpdated.class, new ArrayList<>(), WAIT))
                    .isEqualTo(new McpChange.ResourceUpdated("memory", "memory://knowledge-graph"));
            ToolResult read = call(tools, "read_resource", "{\"uri\":\"memory://knowledge-graph\"}");
            assertThat(read.content()).contains("agentrt").contains("Endive");
            listening.dispose();
        }
    }
}
