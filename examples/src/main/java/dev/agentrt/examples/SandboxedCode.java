package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.security.Capability;
import dev.agentrt.examples.support.Offline;
import dev.agentrt.sandbox.CodeExecutor;
import dev.agentrt.sandbox.ExecutionResult;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * Shows: an agent that answers by running JavaScript in the {@code code_executor} sandbox: the code reads a CSV file
 * the agent was granted, logs, and returns an object; the agent reads the result.
 * Needs: nothing (offline, scripted model); the same environment variables as {@link QuickStart} for a real model.
 * You will see: the code's output and value as the tool returned them, then the agent's answer.
 */
public final class SandboxedCode {
    private SandboxedCode() {}

    public static void main(String[] args) {
        run(System.out, System.getenv());
    }

    /** The recipe: the code executor as a tool, and a grant for the data it may read. */
    static AgentResult recipe(ChatModel model, Path sales, PrintStream out) {
        try (CodeExecutor executor = CodeExecutor.javascript()) { // QuickJS on WebAssembly, a fresh engine per run
            Agent agent = Agent.builder()
                    .model(model)
                    .instructions("Answer questions about data by running JavaScript with code_executor.")
                    .tools(executor)
                    .grant(Capability.fileRead(sales)) // the script may read this file, nothing else
                    .maxSteps(4)
                    .build();
            AgentResult result = agent.task("Which region sold the most? The data is in " + sales).executeBlocking();
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

    static final String SALES = """
            region,amount
            north,120
            south,80
            north,45
            east,200
            """;

    /** Runs the recipe over a sample CSV file; {@code main} and the test call it. */
    static AgentResult run(PrintStream out, Map<String, String> env) {
        try (Offline offline = Offline.start(out, env)) {
            Path sales = offline.directory(Map.of("sales.csv", SALES)).resolve("sales.csv");
            return recipe(offline.model(() -> scripted(sales)), sales, out);
        }
    }

    /** Offline: one script that sums the amounts per region, then the answer. */
    private static ChatModel scripted(Path sales) {
        String file = JsonValue.of(sales.toString()).toJson();
        String code = """
                const rows = readFile(%s).trim().split('\\n').slice(1).map(l => l.split(','));
                const totals = {};
                for (const [region, amount] of rows) totals[region] = (totals[region] ?? 0) + Number(amount);
                console.log('rows:', rows.length);
                return totals;""".formatted(file);
        String arguments = """
                {"language":"javascript","code":%s,"files":[{"path":%s,"access":"read"}]}"""
                .formatted(JsonValue.of(code).toJson(), file);
        return ScriptedChatModel.of(Reply.toolCall(CodeExecutor.NAME, arguments),
                Reply.text("East sold the most (200), then north (165) and south (80)."));
    }
}
