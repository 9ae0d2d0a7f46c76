package dev.agentrt.tools.mcp;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.ServerTelemetry;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;

/**
 * The MCP server {@link McpInspectorCliTest} points the MCP Inspector at, over stdio when run as a
 * subprocess and over HTTP in the test's JVM: {@link ExposedToolsMain}'s tools ({@code echo}, {@code
 * refund} denied by the grants, {@code lookup} granted) and {@code divide}, which answers a tool
 * error result when asked to divide by zero. It exits by itself when its input closes.
 */
public final class InspectedServerMain {
    static final String NAME = "agentrt-inspected";

    private InspectedServerMain() {}

    static List<Tool> tools() {
        Tool divide = Tool.builder("divide")
                .description("Divides a by b")
                .parameters(JsonValue.parse("""
                        {"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},\
                        "required":["a","b"]}""").asObject())
                .handler((args, ctx) -> {
                    double a = args.getDouble("a").orElseThrow();
                    double b = args.getDouble("b").orElseThrow();
                    return Mono.just(b == 0
                            ? ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "cannot divide by zero")
                            : ToolResult.text("quotient: " + (a / b)));
                })
                .build();
        var tools = new ArrayList<>(ExposedToolsMain.tools());
        tools.add(divide);
        return List.copyOf(tools);
    }

    static McpServer server(ServerTelemetry telemetry) {
        return McpServer.builder(tools())
                .name(NAME)
                .grants(Grants.of(Capability.custom("crm")))
                .telemetry(telemetry)
                .build();
    }

    public static void main(String[] args) {
        server(ServerTelemetry.NONE).serveStdio().block();
    }
}
