package dev.agentrt.consumercheck;

import dev.agentrt.core.memory.Memory.MemoryHit;
import dev.agentrt.core.memory.MemoryQuery;
import dev.agentrt.core.memory.MemoryRecord;
import dev.agentrt.memory.VectorMemory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * agent-memory and agent-inference (optional in agent-memory) on a consumer's class path: {@link VectorMemory#open}
 * (the bundled local embedding model, found because agent-inference is there, and a Lucene index at a path)
 * remembers three notes and recalls the relevant one, then reopens the index and recalls it again. Launched with the class path in a manifest-only jar (ONNX Runtime 1.29.0 crashes
 * on a command line over about 4 KB).
 */
public final class Smoke {
    private Smoke() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("agentrt-consumer-check-memory");
        try {
            try (VectorMemory memory = VectorMemory.open(dir)) {
                for (String note : List.of("The build uses Maven 3.9 with the wrapper.",
                        "Retries back off exponentially and honour Retry-After.",
                        "The office plant needs water on Mondays.")) {
                    memory.remember(MemoryRecord.of("notes", note, Map.of("source", "smoke")))
                            .block(Duration.ofSeconds(120));
                }
                expectTop(memory, "How are failed HTTP requests retried?",
                        "Retries back off exponentially and honour Retry-After.");
            }
            try (VectorMemory reopened = VectorMemory.open(dir)) {
                expectTop(reopened, "Which build tool does the project use?",
                        "The build uses Maven 3.9 with the wrapper.");
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        System.out.println("agent-memory + agent-inference smoke test passed: remember and recall on"
                + " VectorMemory.open(path) with the bundled model");
    }

    private static void expectTop(VectorMemory memory, String question, String expected) {
        List<MemoryHit> hits = memory.recall(MemoryQuery.of("notes", question, 3)).block(Duration.ofSeconds(120));
        Checks.that(hits != null && !hits.isEmpty(), "recall found nothing for: " + question);
        Checks.equal("the best recalled note for '" + question + "'", expected, hits.get(0).record().text());
    }
}
