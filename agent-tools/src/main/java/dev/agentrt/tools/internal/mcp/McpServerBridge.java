package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.spec.McpSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Serves a registry's tools with the SDK's server over a pair of streams, through our {@link
 * StdioServerTransport}. Every {@code tools/call}
 * goes through {@link ToolRegistry#execute} under a fresh {@link ToolExecution} from the policy, so the
 * capability checks, schema validation and timeout of an agent's own calls apply unchanged.
 */
public final class McpServerBridge {
    private static final Logger log = LoggerFactory.getLogger(McpServerBridge.class);

    private McpServerBridge() {}

    /**
     * Serves until {@code in} ends and the calls still running are answered (for at most {@code
     * drainTimeout}), or the subscription is cancelled.
     */
    public static Mono<Void> serve(ToolRegistry registry, Supplier<ToolExecution> policy, String name,
            String version, InputStream in, OutputStream out, Duration drainTimeout) {
        return Mono.defer(() -> {
            var transport = new StdioServerTransport(name, in, out, McpJson.mapper(), drainTimeout);
            McpAsyncServer server = McpServer.async(transport)
                    .serverInfo(name, version)
                    .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                    .validateToolInputs(false)
                    .tools(specifications(registry, policy))
                    .build();
            log.debug("MCP server '{}' serving {} tools", name, registry.tools().size());
            return transport.serve()
                    .doFinally(s -> server.closeGracefully()
                            .onErrorResume(e -> Mono.empty())
                            .subscribe());
        });
    }

    private static List<McpServerFeatures.AsyncToolSpecification> specifications(ToolRegistry registry,
            Supplier<ToolExecution> policy) {
        AtomicLong calls = new AtomicLong();
        var specs = new ArrayList<McpServerFeatures.AsyncToolSpecification>();
        for (ToolSpec spec : registry.specs(policy.get())) {
            var tool = McpSchema.Tool.builder(spec.name(), McpJson.toMap(spec.parameters()))
                    .description(spec.description())
                    .build();
            specs.add(McpServerFeatures.AsyncToolSpecification.builder()
                    .tool(tool)
                    .callHandler((exchange, request) -> {
                        Map<String, Object> args = request.arguments() == null ? Map.of() : request.arguments();
                        var call = new ToolCall("mcp-" + calls.incrementAndGet(), spec.name(),
                                McpJson.fromJava(args).toJson());
                        return registry.execute(call, policy.get()).map(McpServerBridge::toResult);
                    })
                    .build());
        }
        return specs;
    }

    private static McpSchema.CallToolResult toResult(ToolResult r) {
        return McpSchema.CallToolResult.builder(List.of(McpSchema.TextContent.builder(r.content()).build()))
                .isError(r.isError())
                .build();
    }
}
