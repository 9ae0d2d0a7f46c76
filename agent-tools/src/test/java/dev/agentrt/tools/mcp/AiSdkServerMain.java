package dev.agentrt.tools.mcp;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.ServerTelemetry;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The MCP server {@link McpAiSdkClientTest} points the Vercel AI SDK's MCP client at, over stdio when run as a
 * subprocess (its argument: the directory it serves as resources) and over HTTP in the test's JVM: {@link
 * InspectedServerMain}'s tools ({@code echo}, {@code refund} denied by the grants, {@code lookup} granted, {@code
 * divide} with its error result), {@link StructuredServerMain}'s ({@code weather} with an output schema, {@code
 * forecast}, {@code nothing}, {@code chart} with an image), {@link ProgressServerMain}'s {@code count}, which
 * reports progress, {@code ask}, which asks the user a question, and any {@code extra} tools; the files of the directory as resources, one a page, and the prompts {@code
 * review} and {@code résumé}. It exits by itself when its input closes.
 */
public final class AiSdkServerMain {
    static final String NAME = "agentrt-ai-sdk";

    private AiSdkServerMain() {}

    static McpServer.Builder builder(Path dir, List<Tool> extra) {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var tools = new ArrayList<Tool>();
        tools.addAll(InspectedServerMain.tools());
        tools.addAll(StructuredServerMain.tools());
        tools.addAll(ProgressServerMain.tools());
        tools.add(Tool.builder("ask")
                .description("Asks the user a question about the topic")
                .parameters(JsonValue.parse("""
                        {"type":"object","properties":{"topic":{"type":"string"}},"required":["topic"]}""")
                        .asObject())
                .handler((args, ctx) -> Mono.just(ToolResult.inputRequired("What is your name? (asked about "
                        + args.getString("topic").orElseThrow() + ")")))
                .build());
        tools.addAll(extra);
        return McpServer.builder(tools)
                .name(NAME)
                .version("1.2.3")
                .grants(Grants.of(Capability.custom("crm"), Capability.fileRead(real)))
                .telemetry(ServerTelemetry.NONE)
                .resources(McpFileResources.of(dir, "**"))
                .resourcePageSize(1)
                .prompt("review", "Review a file",
                        List.of(McpServer.PromptArgument.required("path", "the file to review"),
                                McpServer.PromptArgument.optional("focus", "what to look at")),
                        args -> List.of(Message.user("Review " + args.get("path") + " for "
                                + args.getOrDefault("focus", "bugs") + "."), Message.assistant("I will.")))
                // a name that is not plain ASCII, which travels Base64-encoded in the Mcp-Name header
                .prompt("résumé", "Sums a text up", List.of(), args -> List.of(Message.user("Sum it up.")));
    }

    /**
     * Serves over stdio, with one more tool: {@code grow}, which adds the tool {@code grown} to the server (so that
     * the clients are told the tools changed) and answers once that is done.
     */
    public static void main(String[] args) {
        var server = new AtomicReference<McpServer>();
        Tool grown = Tool.builder("grown")
                .description("Was added while serving")
                .handler((a, ctx) -> Mono.just(ToolResult.text("here")))
                .build();
        Tool grow = Tool.builder("grow")
                .description("Adds the tool grown")
                .handler((a, ctx) -> server.get().addTool(grown).thenReturn(ToolResult.text("grew")))
                .build();
        server.set(builder(Path.of(args[0]), List.of(grow)).build());
        server.get().serveStdio().block();
    }
}
