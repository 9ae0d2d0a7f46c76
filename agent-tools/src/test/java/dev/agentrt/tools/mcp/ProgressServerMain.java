package dev.agentrt.tools.mcp;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;

import java.util.List;

/**
 * An {@link McpServer} over this process's stdin and stdout whose {@code count} tool reports its
 * progress, run as a subprocess by {@link McpServerProgressTest} through the TypeScript SDK's client.
 * {@code count} with {@code n} reports {@code 1/n "step 1"} … {@code n/n "step n"} from its own
 * (virtual) thread, with a report that goes back to 1 after the second one (the registry drops it:
 * progress must increase), and answers {@code "counted n"}.
 */
public final class ProgressServerMain {
    private ProgressServerMain() {}

    static List<Tool> tools() {
        Tool count = Tool.builder("count")
                .description("Counts to n, reporting each step")
                .parameters(JsonValue.parse("""
                        {"type":"object","properties":{"n":{"type":"integer","minimum":1,"maximum":100}},\
                        "required":["n"]}""").asObject())
                .blockingHandler((args, ctx) -> {
                    long n = args.getLong("n").orElseThrow();
                    for (long i = 1; i <= n; i++) {
                        ctx.progress(i, (double) n, "step " + i);
                        if (i == 2) {
                            ctx.progress(1, (double) n, "back to one");
                        }
                    }
                    return ToolResult.text("counted " + n);
                })
                .build();
        return List.of(count);
    }

    public static void main(String[] args) {
        McpServer.builder(tools()).name("progress-test").grants(Grants.none()).build().serveStdio().block();
    }
}
