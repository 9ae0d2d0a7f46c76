package dev.agentrt.tools.mcp;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * An {@link McpServer} whose tool {@code ask} asks the user a question ({@link ToolResult#inputRequired}), beside
 * {@code echo}; run over stdio as a subprocess by {@link McpServerQuestionsTest}, and served over HTTP there. The
 * system property {@code answer.timeout.ms} sets its {@link McpServer.Builder#answerTimeout}.
 */
public final class AskingServerMain {
    static final String NAME = "asking";

    private AskingServerMain() {}

    /** The question {@code ask} asks about {@code topic}. */
    static String question(String topic) {
        return "What is your name? (asked about " + topic + ")";
    }

    static McpServer server(Duration answerTimeout, Clock clock) {
        return server(answerTimeout, clock, null);
    }

    /** With {@code tasks}, the tools are served as tasks too (2025-11-25, and the 2026-07-28 extension). */
    static McpServer server(Duration answerTimeout, Clock clock, @Nullable McpTaskOptions tasks) {
        Tool ask = Tool.builder("ask")
                .description("Asks the user for their name")
                .parameters(JsonValue.parse("""
                        {"type":"object","properties":{"topic":{"type":"string"}},"required":["topic"]}""")
                        .asObject())
                .handler((args, ctx) -> Mono.just(ToolResult.inputRequired(question(args.getString("topic")
                        .orElseThrow()))))
                .build();
        var builder = McpServer.builder(List.of(ask, McpTestPeers.echoTool()))
                .name(NAME)
                .grants(Grants.none())
                .answerTimeout(answerTimeout)
                .clock(clock);
        return (tasks == null ? builder : builder.tasks(tasks)).build();
    }

    public static void main(String[] args) {
        server(Duration.ofMillis(Long.getLong("answer.timeout.ms", 600_000)), Clock.systemUTC(),
                Boolean.getBoolean("tasks") ? McpTaskOptions.optional() : null).serveStdio().block();
    }
}
