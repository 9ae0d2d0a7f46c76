package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.context.TaskContext;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.examples.support.Offline;
import reactor.core.publisher.Mono;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Shows: an agent reading a directory given as context, a tool call refused because its capability was not granted,
 * and the final answer, with every event printed as it happens.
 * Needs: nothing (offline, scripted model); ANTHROPIC_API_KEY, OPENAI_API_KEY, or OPENAI_BASE_URL with AGENT_MODEL
 * (Ollama, vLLM, llama.cpp...) to run it on a real model.
 * You will see: the tool calls, the denial explained to the model, and the agent's answer.
 */
public final class QuickStart {
    private QuickStart() {}

    public static void main(String[] args) {
        run(System.out, System.getenv(), args); // --report run.html writes an HTML report of the run
    }

    /** The recipe: a hand-built tool that needs a capability, an agent granted nothing, a task with a context. */
    static AgentResult recipe(ChatModel model, Path project, Consumer<AgentEvent> events, PrintStream out) {
        Tool readEnv = Tool.builder("read_env")
                .description("Read an environment variable")
                .parameters(JsonValue.parse("""
                        {"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""").asObject())
                .requires(args -> List.of(Capability.env(args.getString("name").orElseThrow())))
                .handler((args, ctx) -> Mono
                        .fromCallable(() -> ToolResult.text(System.getenv(args.getString("name").orElseThrow()))))
                .build();
        Agent agent = Agent.builder()
                .model(model)
                .instructions("You are a careful assistant. Use the tools; explain what you could not do.")
                .tools(readEnv) // no grant: every read_env call is refused
                .maxSteps(5)
                .build();
        AgentResult result = agent.task("What is left to do in this project, and what is my AWS secret key?")
                .withContext(TaskContext.fromDirectory(project)) // the model reads it with read_context_file
                .stream()
                .doOnNext(events) // prints each event as it happens (and records it for a report)
                .ofType(AgentEvent.Completed.class)
                .map(AgentEvent.Completed::result)
                .blockLast();
        out.println("\nFinal answer (" + result.steps() + " steps, " + result.usage().totalTokens() + " tokens): "
                + result.text());
        return result;
    }

    /**
     * Runs the recipe on the configured or scripted model over a sample project; {@code main} and the test call it.
     * {@code args}: {@code --report <file>} writes a run report there.
     */
    static AgentResult run(PrintStream out, Map<String, String> env, String... args) {
        try (Offline offline = Offline.start(out, env, args)) {
            Path project = offline.directory(Map.of("PLAN.md", "- ship the agent loop\n- write the README\n",
                    "Main.java", "class Main { public static void main(String[] a) {} }\n"));
            ChatModel model = offline.model(QuickStart::scripted);
            return recipe(model, project, offline.events(), out);
        }
    }

    /** Offline: read the plan file and ask for a secret in one step, then answer. */
    private static ChatModel scripted() {
        return ScriptedChatModel.of(
                Reply.toolCalls(new ToolCall("call_1", "read_context_file", "{\"path\":\"PLAN.md\"}"),
                        new ToolCall("call_2", "read_env", "{\"name\":\"AWS_SECRET_ACCESS_KEY\"}")),
                Reply.text("Left to do: ship the agent loop and write the README. I may not read your AWS secret"
                        + " key: this agent was not granted access to that environment variable."));
    }
}
