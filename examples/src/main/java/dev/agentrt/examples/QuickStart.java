package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.context.Context;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.anthropic.AnthropicChatModel;
import dev.agentrt.core.model.openai.OpenAiChatModel;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Shows: an agent reading files of a directory context through a tool call, a tool call refused
 * because a capability was not granted, and the final answer, with every event printed as it happens.
 * Needs: nothing (runs offline on a scripted model); ANTHROPIC_API_KEY, OPENAI_API_KEY, or OPENAI_BASE_URL
 * with AGENT_MODEL (Ollama, vLLM, llama.cpp...) to run it on a real model.
 * You will see: the tool calls, the denial explained to the model, and the agent's answer.
 */
public final class QuickStart {
    private QuickStart() {}

    public static void main(String[] args) throws IOException {
        run(System.out, System.getenv());
    }

    static AgentResult run(PrintStream out, Map<String, String> env) throws IOException {
        Path project = Files.createTempDirectory("agentrt-quickstart");
        try {
            return run(out, env, project);
        } finally {
            try (var files = Files.list(project)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(project);
        }
    }

    private static AgentResult run(PrintStream out, Map<String, String> env, Path project) throws IOException {
        Files.writeString(project.resolve("TODO.md"), "- ship the agent loop\n- write the README\n");
        Files.writeString(project.resolve("Main.java"), "class Main { public static void main(String[] a) {} }\n");

        // A tool that needs a capability the agent is not granted: the registry refuses the call.
        Tool readEnv = Tool.builder("read_env")
                .description("Read an environment variable")
                .parameters(JsonValue.parse("""
                        {"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""").asObject())
                .requires(a -> java.util.List.of(Capability.env(a.getString("name").orElseThrow())))
                .handler((a, ctx) -> Mono
                        .just(ToolResult.text(String.valueOf(env.get(a.getString("name").orElseThrow())))))
                .build();

        Agent agent = Agent.builder()
                .model(model(out, env))
                .instructions("You are a careful assistant. Use the tools; explain what you could not do.")
                .tools(readEnv)
                .maxSteps(5)
                .build();

        AgentResult result = agent.task("What is left to do in this project, and what is my AWS secret key?")
                .withContext(Context.fromDirectory(project))
                .stream()
                .doOnNext(new Printer(out)::print)
                .ofType(AgentEvent.Completed.class)
                .map(AgentEvent.Completed::result)
                .blockLast();
        out.println();
        out.println("Final answer (" + result.steps() + " steps, " + result.usage().totalTokens() + " tokens):");
        out.println(result.text());
        return result;
    }

    /**
     * The model from the environment: {@code ANTHROPIC_API_KEY} picks Claude, {@code OPENAI_API_KEY}
     * or {@code OPENAI_BASE_URL} an OpenAI(-compatible) server; {@code AGENT_MODEL} names the model.
     * Without any of them the example runs offline on a scripted model.
     */
    static ChatModel model(PrintStream out, Map<String, String> env) {
        String name = blankToNull(env.get("AGENT_MODEL"));
        if (blankToNull(env.get("ANTHROPIC_API_KEY")) != null) {
            ChatModel claude = AnthropicChatModel.builder()
                    .model(name != null ? name : "claude-sonnet-4-5")
                    .environment(env::get)
                    .build();
            out.println("Using " + claude + " (from ANTHROPIC_API_KEY).");
            out.println();
            return claude;
        }
        String baseUrl = blankToNull(env.get("OPENAI_BASE_URL"));
        if (blankToNull(env.get("OPENAI_API_KEY")) != null || baseUrl != null) {
            if (name == null && baseUrl != null) {
                out.println("OPENAI_BASE_URL is set: set AGENT_MODEL to a model that server serves. Running offline.");
            } else {
                ChatModel gpt = OpenAiChatModel.builder()
                        .model(name != null ? name : "gpt-4.1-mini")
                        .environment(env::get)
                        .build();
                out.println("Using " + gpt + " (from " + (baseUrl != null ? "OPENAI_BASE_URL" : "OPENAI_API_KEY")
                        + ").");
                out.println();
                return gpt;
            }
        }
        out.println("No hosted model configured: running OFFLINE on a scripted model (replies are canned).");
        out.println("Set ANTHROPIC_API_KEY, OPENAI_API_KEY, or OPENAI_BASE_URL with AGENT_MODEL to use a real one.");
        out.println();
        return ScriptedChatModel.of(
                Reply.toolCalls(new ToolCall("call_1", "read_context_file", "{\"path\":\"TODO.md\"}"),
                        new ToolCall("call_2", "read_env", "{\"name\":\"AWS_SECRET_ACCESS_KEY\"}")),
                Reply.text("Left to do: ship the agent loop and write the README. I may not read your AWS secret"
                        + " key: this agent was not granted access to that environment variable."));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** Prints events as they happen; text deltas stream onto one line. Used from one task's events only. */
    private static final class Printer {
        private final PrintStream out;
        private boolean midLine;

        Printer(PrintStream out) {
            this.out = out;
        }

        void print(AgentEvent event) {
            if (event instanceof AgentEvent.TextDelta e) {
                out.print(e.text());
                midLine = true;
                return;
            }
            String line = switch (event) {
                case AgentEvent.ToolCallRequested e -> "→ tool call " + e.call().name() + " " + e.call().arguments();
                case AgentEvent.ToolCallCompleted e -> "← " + e.call().name() + ": "
                        + e.result().strip().replace("\n", " | ");
                case AgentEvent.PermissionDenied e -> "✗ denied " + e.call().name() + ": " + e.reason();
                case AgentEvent.ToolCallFailed e -> "← " + e.call().name() + " failed (" + e.kind() + ")";
                case AgentEvent.StepDone e -> "  [step " + e.step() + " done]";
                default -> null;
            };
            if (line != null) {
                if (midLine) {
                    out.println();
                    midLine = false;
                }
                out.println(line);
            }
        }
    }
}
