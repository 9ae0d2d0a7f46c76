package dev.agentrt.tools.mcp;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;

import java.util.List;

/**
 * An MCP server over stdio made of agentrt tools, run as a subprocess by {@link McpServerTest}:
 * {@code echo} needs nothing, {@code refund} needs {@code payments:refund}, which is not granted,
 * and {@code lookup} needs {@code crm:*}, which is.
 */
public final class ExposedToolsMain {
    private ExposedToolsMain() {}

    static List<Tool> tools() {
        Tool echo = Tool.builder("echo")
                .description("Repeats the text")
                .parameters(JsonValue.parse("""
                        {"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}""").asObject())
                .handler((args, ctx) -> reactor.core.publisher.Mono
                        .just(ToolResult.text("echo: " + args.getString("text").orElseThrow())))
                .build();
        Tool refund = Tool.builder("refund")
                .description("Refunds an order")
                .requires(Capability.custom("payments", "refund"))
                .handler((args, ctx) -> reactor.core.publisher.Mono.just(ToolResult.text("refunded")))
                .build();
        Tool lookup = Tool.builder("lookup")
                .description("Looks a customer up")
                .requires(Capability.custom("crm", "read"))
                .blockingHandler((args, ctx) -> ToolResult.text("customer 42"))
                .build();
        return List.of(echo, refund, lookup);
    }

    public static void main(String[] args) {
        McpServer.builder(tools())
                .name("agentrt-test")
                .grants(Grants.of(Capability.custom("crm")))
                .build()
                .serveStdio()
                .block();
    }
}
