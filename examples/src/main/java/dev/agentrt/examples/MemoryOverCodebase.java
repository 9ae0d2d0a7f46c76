package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.context.DirectoryOptions;
import dev.agentrt.core.context.TaskContext;
import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.memory.MemoryQuery;
import dev.agentrt.core.memory.MemoryRecord;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.security.Capability;
import dev.agentrt.examples.support.Offline;
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
 * Shows: a vector memory at {@code ./agent_memory} indexing this repository's sources with a progress bar (later runs
 * re-index only what changed) and an agent answering a question about the code from what it recalls, citing files.
 * Needs: nothing (offline: scripted model, bundled embedding model; the first run embeds ~1,500 chunks, about a
 * minute on two cores); the same environment variables as {@link QuickStart} for a real model.
 * You will see: the progress bar, what was recalled with its sources, and the answer.
 */
public final class MemoryOverCodebase {
    private MemoryOverCodebase() {}

    /** Optional arguments: the repository to index, and the memory's directory. */
    public static void main(String[] args) {
        Path repository = args.length > 0 ? Path.of(args[0]) : findRepository(Path.of("").toAbsolutePath());
        Path memoryDir = args.length > 1 ? Path.of(args[1]) : repository.resolve("agent_memory");
        run(System.out, System.getenv(), repository, memoryDir);
    }

    /** The recipe: index a code base into a memory on disk, then let the agent recall from it. */
    static AgentResult recipe(ChatModel model, Path repository, Path memoryDir, PrintStream out) {
        try (VectorMemory memory = VectorMemory.open(memoryDir)) { // local embeddings, Lucene index on disk
            IngestProgress last = memory.index("code", TaskContext.fromDirectory(repository, SOURCES))
                    .doOnNext(progress -> bar(out, progress)) // again: only new or changed files
                    .blockLast(Duration.ofMinutes(30));
            out.printf("%nIndexed %d new or changed chunks; %d files in all.%n", last == null ? 0 : last.chunksDone(),
                    last == null ? 0 : last.filesTotal());
            printRecalled(memory, out);
            Agent agent = Agent.builder()
                    .model(model)
                    .instructions("You answer questions about the agentrt code base. Cite files and lines.")
                    .memory(memory)
                    .memoryNamespace("code")
                    .recallTokenBudget(3_000) // recalled before the task
                    .tools(MemoryTools.of(memory).namespace("code")) // and the model may search: recall
                    .grant(Capability.memoryRead("code"))
                    .maxSteps(4)
                    .build();
            AgentResult result = agent.task(QUESTION).executeBlocking();
            out.println("Answer: " + result.text());
            return result;
        }
    }

    static final String QUESTION = "Where does the runtime decide whether a tool call is allowed to run?";

    /** Main sources only: no tests, generated or binary files, nor this module. */
    static final DirectoryOptions SOURCES = DirectoryOptions.defaults()
            .withExtraIgnorePatterns(List.of("**/src/test/", "benchmarks/", "examples/", "agent_memory/", "*.onnx",
                    "*.wasm", "*.json", "*.lock", ".mvn/", "mvnw*"));

    /** Runs the recipe; {@code main} and the test call it. The memory stays at {@code memoryDir} for the next run. */
    static AgentResult run(PrintStream out, Map<String, String> env, Path repository, Path memoryDir) {
        out.println("Memory at " + memoryDir.toAbsolutePath() + ", indexing " + repository);
        try (Offline offline = Offline.start(out, env)) {
            return recipe(offline.model(MemoryOverCodebase::scripted), repository, memoryDir, out);
        }
    }

    private static void printRecalled(VectorMemory memory, PrintStream out) {
        List<Memory.MemoryHit> hits = memory.recall(MemoryQuery.of("code", QUESTION, 3)).block();
        out.println("Most relevant for \"" + QUESTION + "\":");
        for (Memory.MemoryHit hit : hits == null ? List.<Memory.MemoryHit>of() : hits) {
            MemoryRecord r = hit.record();
            out.printf("  %.3f  %s lines %s%n", hit.score(), r.metadata().get("path"),
                    r.metadata().get(MemoryRecord.LINES));
        }
    }

    private static void bar(PrintStream out, IngestProgress p) {
        int width = 30;
        int filled = p.filesTotal() == 0 ? width : (int) ((long) width * p.filesDone() / p.filesTotal());
        out.printf("\r[%s%s] %d/%d files, %d/%d chunks embedded", "#".repeat(filled), ".".repeat(width - filled),
                p.filesDone(), p.filesTotal(), p.chunksDone(), p.chunksTotal());
        out.flush();
    }

    /** Offline: search memory once, then answer. */
    private static ChatModel scripted() {
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
