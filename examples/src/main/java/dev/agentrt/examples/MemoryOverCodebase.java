package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.context.Context;
import dev.agentrt.core.context.DirectoryOptions;
import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.memory.MemoryQuery;
import dev.agentrt.core.memory.MemoryRecord;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.security.Capability;
import dev.agentrt.memory.IngestProgress;
import dev.agentrt.memory.MemoryTools;
import dev.agentrt.memory.VectorMemory;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Shows: a vector memory at {@code ./agent_memory} (local embeddings, an embedded Lucene index) indexing this
 * repository's sources with a progress bar, re-indexing only what changed, and an agent answering a question about
 * the code from what it recalls, citing file and lines; the agent also searches memory itself with the recall tool.
 * Needs: nothing (offline, scripted model, bundled embedding model); the same environment variables as
 * {@link QuickStart} for a real model. The first run embeds ~1,500 chunks (about a minute on two cores); later runs
 * only re-read and hash the files. You will see: the progress bar, what was recalled with its sources, the answer.
 */
public final class MemoryOverCodebase {
    static final String QUESTION = "Where does the runtime decide whether a tool call is allowed to run?";

    private MemoryOverCodebase() {}

    public static void main(String[] args) {
        Path repository = args.length > 0 ? Path.of(args[0]) : findRepository(Path.of("").toAbsolutePath());
        Path memoryDir = args.length > 1 ? Path.of(args[1]) : repository.resolve("agent_memory");
        run(System.out, System.getenv(), repository, memoryDir);
    }

    static AgentResult run(PrintStream out, Map<String, String> env, Path repository, Path memoryDir) {
        out.println("Memory at " + memoryDir.toAbsolutePath() + ", indexing " + repository);
        try (VectorMemory memory = VectorMemory.open(memoryDir)) {
            Context sources = Context.fromDirectory(repository, DirectoryOptions.defaults()
                    .withExtraIgnorePatterns(
                            List.of("**/src/test/", "benchmarks/", "examples/", "agent_memory/", "*.onnx",
                                    "*.wasm", "*.json", "*.lock", ".mvn/", "mvnw*")));
            IngestProgress last = memory.index("code", sources)
                    .doOnNext(progress -> bar(out, progress))
                    .blockLast(Duration.ofMinutes(30));
            out.println();
            if (last != null) {
                out.println("Indexed " + last.chunksDone() + " new or changed chunks; " + last.filesTotal()
                        + " files in all.");
            }

            List<Memory.MemoryHit> hits = memory.recall(MemoryQuery.of("code", QUESTION, 3)).block();
            out.println("Most relevant for \"" + QUESTION + "\":");
            for (Memory.MemoryHit hit : hits == null ? List.<Memory.MemoryHit>of() : hits) {
                MemoryRecord r = hit.record();
                out.printf("  %.3f  %s lines %s%n", hit.score(), r.metadata().get("path"),
                        r.metadata().get(MemoryRecord.LINES));
            }

            Agent agent = Agent.builder()
                    .model(model(out, env))
                    .instructions("You answer questions about the agentrt code base. Cite files and lines.")
                    .memory(memory)
                    .memoryNamespace("code")
                    .recallTokenBudget(3_000)
                    .tools(MemoryTools.of(memory).namespace("code"))
                    .grant(Capability.memoryRead("code"))
                    .maxSteps(4)
                    .build();
            AgentResult result = agent.task(QUESTION).executeBlocking();
            out.println("Answer: " + result.text());
            return result;
        }
    }

    private static void bar(PrintStream out, IngestProgress p) {
        int width = 30;
        int filled = p.filesTotal() == 0 ? width : (int) ((long) width * p.filesDone() / p.filesTotal());
        out.printf("\r[%s%s] %d/%d files, %d/%d chunks embedded", "#".repeat(filled), ".".repeat(width - filled),
                p.filesDone(), p.filesTotal(), p.chunksDone(), p.chunksTotal());
        out.flush();
    }

    private static ChatModel model(PrintStream out, Map<String, String> env) {
        boolean hosted = env.containsKey("ANTHROPIC_API_KEY") || env.containsKey("OPENAI_API_KEY")
                || env.containsKey("OPENAI_BASE_URL") && env.containsKey("AGENT_MODEL");
        if (hosted) {
            return QuickStart.model(out, env);
        }
        out.println("Running OFFLINE on a scripted model (it searches memory once, then answers).");
        return ScriptedChatModel.of(
                Reply.toolCall("recall", "{\"query\":\"check the capabilities a tool call needs against the grants\","
                        + "\"limit\":3}"),
                Reply.text("Tool calls are checked in the tool registry before they run: it asks the tool which"
                        + " capabilities the call needs and checks them against the agent's grants (see the"
                        + " sources recalled above)."));
    }

    /** The directory above {@code start} that holds this repository's root pom (start itself if none does). */
    static Path findRepository(Path start) {
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("agent-core")) && Files.exists(p.resolve("pom.xml"))) {
                return p;
            }
        }
        return start;
    }
}
