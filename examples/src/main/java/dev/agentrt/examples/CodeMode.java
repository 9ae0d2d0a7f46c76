package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.security.Capability;
import dev.agentrt.examples.support.Offline;
import dev.agentrt.sandbox.CodeExecutor;
import dev.agentrt.tools.fs.FileSystemTools;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * Shows: code mode: one script the model writes calls the agent's own tools ({@code tools.read_file}) many times in
 * one step, each call validated and checked like a direct one, and hands back only a summary; a call the tool
 * refuses (a path outside its root) throws in the script, which catches it.
 * Needs: nothing (offline, scripted model); the same environment variables as {@link QuickStart} for a real model.
 * You will see: each tool call the script made (nested under the code executor's call), then the agent's answer.
 */
public final class CodeMode {
    private CodeMode() {}

    public static void main(String[] args) {
        run(System.out, System.getenv());
    }

    /** The recipe: the code executor in code mode beside the tools its scripts may call. */
    static AgentResult recipe(ChatModel model, Path notes, PrintStream out) {
        try (CodeExecutor executor = CodeExecutor.codeMode()) { // scripts see tools.read_file, tools.grep, ...
            Agent agent = Agent.builder()
                    .model(model)
                    .instructions("Use code_executor to call tools from JavaScript when many calls are needed.")
                    .tools(executor, FileSystemTools.rootedAt(notes))
                    .grant(Capability.fileRead(notes)) // the script's calls get exactly this, nothing more
                    .listener(e -> {
                        if (e instanceof AgentEvent.ToolCallRequested r && r.nested()) {
                            out.println("  script called " + r.call().name() + " " + r.call().arguments());
                        }
                    })
                    .maxSteps(4)
                    .build();
            AgentResult result = agent.task("How many lines do the notes in " + notes + " have?").executeBlocking();
            out.println("Answer: " + result.text());
            return result;
        }
    }

    /** Runs the recipe over three sample notes; {@code main} and the test call it. */
    static AgentResult run(PrintStream out, Map<String, String> env) {
        try (Offline offline = Offline.start(out, env)) {
            Path notes = offline.directory(Map.of("monday.txt", "standup\nreview\n", "tuesday.txt", "deploy\n",
                    "wednesday.txt", "retro\nplanning\nlunch\n"));
            return recipe(offline.model(CodeMode::scripted), notes, out);
        }
    }

    /** Offline: one script that reads every note through the read_file tool, then the answer. */
    private static ChatModel scripted() {
        String code = """
                const counts = {};
                for (const day of ['monday', 'tuesday', 'wednesday']) {
                  const text = tools.read_file({path: day + '.txt', line_numbers: false});
                  counts[day] = text.trim().split('\\n').length;
                }
                try { tools.read_file({path: '/etc/passwd'}); } catch (e) { counts.outside = e.kind; }
                return counts;""";
        String arguments = "{\"language\":\"javascript\",\"code\":" + JsonValue.of(code).toJson() + "}";
        return ScriptedChatModel.of(Reply.toolCall(CodeExecutor.NAME, arguments),
                Reply.text("The notes have 6 lines: monday 2, tuesday 1, wednesday 3."));
    }
}
