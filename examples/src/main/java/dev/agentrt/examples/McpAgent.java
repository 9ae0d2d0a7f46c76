package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.examples.support.Offline;
import dev.agentrt.tools.mcp.McpServer;
import dev.agentrt.tools.mcp.McpTools;
import dev.agentrt.tools.mcp.McpTransportSpec;
import reactor.core.publisher.Mono;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

/**
 * Shows: an agent using the tools of an MCP server over stdio; the server is agentrt's own {@link McpServer} (a
 * world-time tool) started as a subprocess, and any MCP server command or HTTP URL works the same way.
 * Needs: nothing (offline, scripted model); the same environment variables as {@link QuickStart} for a real model.
 * You will see: the server's tools, the agent's call through MCP, and its answer; the subprocess ends with it.
 */
public final class McpAgent {
    private McpAgent() {}

    public static void main(String[] args) {
        run(System.out, System.getenv());
    }

    /** The recipe: connect to an MCP server, give its tools to an agent, grant the server. */
    static AgentResult recipe(ChatModel model, McpTransportSpec server, PrintStream out) {
        try (McpTools clock = McpTools.builder("clock", server).connect().block(Duration.ofSeconds(60))) {
            out.println("MCP server 'clock' offers: " + clock.tools().stream().map(t -> t.spec().name()).toList());
            Agent agent = Agent.builder()
                    .model(model)
                    .instructions("Answer questions about time with the clock tools.")
                    .tools(clock)
                    .grant(McpTools.capability("clock")) // every tool of the server "clock"
                    .maxSteps(4)
                    .build();
            AgentResult result = agent.task("What time is it in Tokyo?").executeBlocking();
            out.println("Answer: " + result.text());
            return result;
        } // closing the tools ends the subprocess
    }

    /** Runs the recipe against {@link ClockServer} in a subprocess; {@code main} and the test call it. */
    static AgentResult run(PrintStream out, Map<String, String> env) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Any command works here, e.g. McpTransportSpec.stdio("npx", "-y", "@modelcontextprotocol/server-everything").
        McpTransportSpec server = McpTransportSpec.stdio(java, "-cp", System.getProperty("java.class.path"),
                ClockServer.class.getName());
        try (Offline offline = Offline.start(out, env)) {
            return recipe(offline.model(McpAgent::scripted), server, out);
        }
    }

    /** Offline: ask the server for Tokyo's time, then answer with what it said. */
    private static ChatModel scripted() {
        return ScriptedChatModel.responding(request -> {
            var last = request.messages().get(request.messages().size() - 1);
            return last instanceof Message.ToolResult r
                    ? Reply.text("In Tokyo it is " + r.content() + ".")
                    : Reply.toolCall("world_time", "{\"zone\":\"Asia/Tokyo\"}");
        });
    }

    /** The MCP server: agentrt tools served over stdio. Run by {@link McpAgent} as a subprocess. */
    public static final class ClockServer {
        private ClockServer() {}

        public static void main(String[] args) {
            Tool worldTime = Tool.builder("world_time")
                    .description("The current time in an IANA time zone, e.g. Europe/Oslo")
                    .parameters(JsonValue.parse("""
                            {"type":"object","properties":{"zone":{"type":"string"}},"required":["zone"]}""")
                            .asObject())
                    .requires(Capability.custom("clock", "read"))
                    .handler((in, ctx) -> Mono.fromCallable(() -> ToolResult.text(
                            ZonedDateTime.now(ZoneId.of(in.getString("zone").orElseThrow()))
                                    .toLocalTime()
                                    .withNano(0)
                                    .toString())))
                    .build();
            McpServer.expose(List.of(worldTime), Grants.of(Capability.custom("clock"))).serveStdio().block();
        }
    }
}
