package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.memory.MemoryQuery;
import dev.agentrt.core.memory.MemoryRecord;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.security.Capability;
import dev.agentrt.examples.support.Offline;
import dev.agentrt.memory.MemoryTools;
import dev.agentrt.memory.VectorMemory;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Shows: a vector memory ({@code VectorMemory}: local embeddings, a Lucene index on disk) that the application fills
 * with {@code remember} and searches with {@code recall} by meaning, and an agent that remembers and recalls itself.
 * Needs: nothing (offline: scripted model, bundled embedding model); QuickStart's variables for a real model.
 * You will see: the best match for a question, the agent's remember and recall calls, its answer, and the new memory.
 */
public final class RememberAndRecall {
    private RememberAndRecall() {}

    public static void main(String[] args) {
        run(System.out, System.getenv(), args); // --report run.html writes an HTML report of the run
    }

    /** The recipe: remember facts, recall them by meaning, and let an agent use the same memory. */
    static AgentResult recipe(ChatModel model, Path memoryDir, AgentEvent.Listener events, PrintStream out) {
        try (VectorMemory memory = VectorMemory.open(memoryDir)) { // bundled embedding model, index at memoryDir
            FACTS.forEach(fact -> memory.remember(MemoryRecord.of("team", fact, Map.of())).block());
            out.println("Recalled: " + best(memory, "When can I ship to production?"));
            Agent agent = Agent.builder()
                    .model(model)
                    .memory(memory)
                    .memoryNamespace("team") // relevant memories go into the prompt
                    .tools(MemoryTools.of(memory).namespace("team")) // and the model may remember and recall
                    .grant(Capability.memoryRead("team"), Capability.memoryWrite("team"))
                    .listener(events)
                    .build();
            AgentResult result = agent.task("Note that the release freeze starts on 15 December. Who reviews billing?")
                    .executeBlocking();
            out.println("Answer: " + result.text());
            out.println("Recalled now: " + best(memory, "When does the freeze begin?"));
            return result;
        }
    }

    static final List<String> FACTS = List.of("Deploys happen on Tuesdays after the stand-up.",
            "Anna owns the billing service; Bo owns search.", "The staging database is reset every night.");

    /** The text of the best match for {@code question}. */
    private static String best(VectorMemory memory, String question) {
        var hits = memory.recall(MemoryQuery.of("team", question, 1)).block();
        return hits == null || hits.isEmpty() ? "(nothing)" : hits.get(0).record().text();
    }

    /** Runs the recipe with a memory in a temporary directory; {@code main} and the test call it. */
    static AgentResult run(PrintStream out, Map<String, String> env, String... args) {
        try (Offline offline = Offline.start(out, env, args)) {
            return recipe(offline.model(RememberAndRecall::scripted), offline.directory().resolve("memory"),
                    offline.listener(), out);
        }
    }

    /** Offline: remember the freeze, recall who owns billing, then answer. */
    private static ChatModel scripted() {
        return ScriptedChatModel.of(
                Reply.toolCall("remember", "{\"text\":\"The release freeze starts on 15 December.\"}"),
                Reply.toolCall("recall", "{\"query\":\"who owns the billing service\",\"limit\":1}"),
                Reply.text("Noted the freeze. Anna owns the billing service, so she reviews billing changes."));
    }
}
