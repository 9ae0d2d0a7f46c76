package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.security.Capability;
import dev.agentrt.sandbox.CodeExecutor;
import dev.agentrt.sandbox.ExecutionResult;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Shows: an agent that answers by running JavaScript in the {@code code_executor} sandbox: the code
 * reads a CSV file the agent was granted, logs, and returns an object; the agent reads the result.
 * Needs: nothing (offline, scripted); the same environment variables as {@link QuickStart} for a real model.
 * You will see: the code's output and value as the tool returned them, then the agent's answer.
 */
public final class SandboxedCode {
    private SandboxedCode() {}

    static final String SALES = """
            region,amount
            north,120
            south,80
            north,45
            east,200
            """;

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("agentrt-sandboxed-code");
        try {
            run(System.out, System.getenv(), dir);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static AgentResult run(PrintStream out, Map<String, String> env, Path dir) {
        Path sales;
        try {
            sales = Files.writeString(dir.resolve("sales.csv"), SALES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChatModel model = hostedOrNull(out, env);
        if (model == null) {
            out.println("Running OFFLINE on a scripted model.");
            String code = """
                    const rows = readFile(%s).trim().split('\\n').slice(1).map(l => l.split(','));
                    const totals = {};
                    for (const [region, amount] of rows) totals[region] = (totals[region] ?? 0) + Number(amount);
                    console.log('rows:', rows.length);
                    return totals;""".formatted(JsonValue.of(sales.toString()).toJson());
            String arguments = """
                    {"language":"javascript","code":%s,"files":[{"path":%s,"access":"read"}]}"""
                    .formatted(JsonValue.of(code).toJson(), JsonValue.of(sales.toString()).toJson());
            model = ScriptedChatModel.of(Reply.toolCall(CodeExecutor.NAME, arguments),
                    Reply.text("East sold the most (200), then north (165) and south (80)."));
        }
        try (CodeExecutor executor = CodeExecutor.javascript()) {
            Agent agent = Agent.builder()
                    .model(model)
                    .instructions("Answer questions about data by running JavaScript with code_executor.")
                    .tools(executor)
                    .grant(Capability.fileRead(dir))
                    .maxSteps(4)
                    .build();
            AgentResult result = agent.task("Which region sold the most? The data is in " + sales).execute().block();
            if (result == null) {
                throw new IllegalStateException("the task produced no result");
            }
            for (Message m : result.transcript()) {
                if (m instanceof Message.ToolResult tool) {
                    ExecutionResult ran = ExecutionResult.fromJson(JsonValue.parse(tool.content()).asObject());
                    out.println("code_executor: " + ran.outcome().describe() + ", printed " + ran.stdout().strip()
                            + ", returned " + (ran.value() == null ? "nothing" : ran.value().toJson()));
                }
            }
            out.println("Answer: " + result.text());
            return result;
        }
    }

    private static ChatModel hostedOrNull(PrintStream out, Map<String, String> env) {
        boolean configured = env.containsKey("ANTHROPIC_API_KEY") || env.containsKey("OPENAI_API_KEY")
                || env.containsKey("OPENAI_BASE_URL") && env.containsKey("AGENT_MODEL");
        return configured ? QuickStart.model(out, env) : null;
    }
}
