package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.examples.support.Offline;
import dev.agentrt.inference.LocalChatModel;
import reactor.core.publisher.Mono;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.Map;

/**
 * Shows: a chat model running inside the JVM ({@code LocalChatModel}: ONNX Runtime, no server, no network), streaming
 * a reply token by token, then driving an agent that calls a tool through the model's own chat template.
 * Needs: nothing (the bundled tiny test model, whose replies are scripted); AGENT_LOCAL_MODEL=dir for a real model
 * exported with {@code optimum-cli export onnx --task text-generation-with-past} (e.g. Qwen2.5-0.5B-Instruct).
 * You will see: the streamed greeting, the agent's get_time call and its result, and the answer.
 */
public final class LocalChat {
    private LocalChat() {}

    public static void main(String[] args) {
        run(System.out, System.getenv(), args); // --report run.html writes an HTML report of the run
    }

    /** The recipe: load the model from its directory, stream from it, give it to an agent with a tool. */
    static AgentResult recipe(Path modelDir, AgentEvent.Listener events, PrintStream out) {
        try (LocalChatModel model = LocalChatModel.builder().modelPath(modelDir).maxTokens(256).build()) {
            model.stream(ChatRequest.of(Message.user("Say hello."))) // tokens as they are generated
                    .ofType(ChatEvent.TextDelta.class)
                    .doOnNext(delta -> out.print(delta.text()))
                    .blockLast();
            out.println();
            Tool clock = Tool.builder("get_time")
                    .description("The current local time")
                    .handler((args, ctx) -> Mono
                            .fromCallable(() -> ToolResult.text(LocalTime.now().withNano(0).toString())))
                    .build();
            Agent agent = Agent.builder().model(model).tools(clock).listener(events).build();
            AgentResult result = agent.task("What time is it?").executeBlocking(); // the model calls get_time
            out.println("Answer: " + result.text());
            return result;
        }
    }

    /** Runs the recipe on {@code AGENT_LOCAL_MODEL} or the bundled tiny model; {@code main} and the test call it. */
    static AgentResult run(PrintStream out, Map<String, String> env, String... args) {
        try (Offline offline = Offline.start(out, env, args)) {
            String configured = env.get("AGENT_LOCAL_MODEL");
            if (configured == null || configured.isBlank()) {
                out.println("No AGENT_LOCAL_MODEL set: running the bundled tiny test model (its replies are scripted:"
                        + " it greets, calls get_time, and always says it is noon).");
                return recipe(offline.tinyChatModel(), offline.listener(), out);
            }
            return recipe(Path.of(configured), offline.listener(), out);
        }
    }
}
