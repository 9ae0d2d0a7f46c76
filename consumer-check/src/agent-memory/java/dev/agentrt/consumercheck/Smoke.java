package dev.agentrt.consumercheck;

import dev.agentrt.core.memory.Memory.MemoryHit;
import dev.agentrt.core.memory.MemoryQuery;
import dev.agentrt.core.memory.MemoryRecord;
import dev.agentrt.core.model.Embedding;
import dev.agentrt.core.model.EmbeddingModel;
import dev.agentrt.memory.VectorMemory;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * agent-memory alone on a consumer's class path, with an embedding model of the consumer's own: no DJL, ONNX Runtime,
 * or tokenizers (forbidden-artifacts.txt fails the build if the tree has them; this checks the class path).
 * {@link VectorMemory#open(Path, EmbeddingModel)} remembers three notes and recalls the relevant one, then reopens
 * the index and recalls it again; {@link VectorMemory#open(Path)}, which needs the bundled model, says which
 * dependency to add.
 */
public final class Smoke {
    private Smoke() {}

    public static void main(String[] args) throws IOException {
        for (String absent : List.of("dev.agentrt.inference.LocalEmbeddingModel", "ai.djl.Model",
                "ai.djl.huggingface.tokenizers.HuggingFaceTokenizer", "ai.onnxruntime.OrtEnvironment")) {
            Checks.that(!loadable(absent), absent + " is on the class path of a consumer of agent-memory alone");
        }
        EmbeddingModel own = new HashedWords();
        Path dir = Files.createTempDirectory("agentrt-consumer-check-memory");
        try {
            try {
                VectorMemory.open(dir.resolve("bundled")).close();
                Checks.that(false, "VectorMemory.open(path) opened without agent-inference");
            } catch (IllegalStateException expected) {
                Checks.that(expected.getMessage().contains("add dev.agentrt:agent-inference"),
                        "VectorMemory.open(path) without agent-inference said: " + expected.getMessage());
            }
            try (VectorMemory memory = VectorMemory.open(dir.resolve("own"), own)) {
                for (String note : List.of("The build uses Maven 3.9 with the wrapper.",
                        "Retries back off exponentially and honour Retry-After.",
                        "The office plant needs water on Mondays.")) {
                    memory.remember(MemoryRecord.of("notes", note, Map.of("source", "smoke")))
                            .block(Duration.ofSeconds(60));
                }
                expectTop(memory, "When do retries back off?",
                        "Retries back off exponentially and honour Retry-After.");
            }
            try (VectorMemory reopened = VectorMemory.open(dir.resolve("own"), own)) {
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
        System.out.println("agent-memory smoke test passed: remember and recall with the consumer's own embedding model,"
                + " and no DJL, ONNX Runtime or tokenizers on the class path");
    }

    private static boolean loadable(String className) {
        try {
            Class.forName(className, false, Smoke.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static void expectTop(VectorMemory memory, String question, String expected) {
        List<MemoryHit> hits = memory.recall(MemoryQuery.of("notes", question, 3)).block(Duration.ofSeconds(60));
        Checks.that(hits != null && !hits.isEmpty(), "recall found nothing for: " + question);
        Checks.equal("the best recalled note for '" + question + "'", expected, hits.get(0).record().text());
    }

    /** A user's own model: each lower-cased word hashed into one of 64 dimensions, the sum normalised. */
    private static final class HashedWords implements EmbeddingModel {
        private static final int DIMENSIONS = 64;

        @Override
        public int dimensions() {
            return DIMENSIONS;
        }

        @Override
        public int maxInputTokens() {
            return 512;
        }

        @Override
        public Mono<List<Embedding>> embedAll(List<String> texts) {
            return Mono.fromSupplier(() -> {
                List<Embedding> out = new ArrayList<>(texts.size());
                for (String text : texts) {
                    float[] v = new float[DIMENSIONS];
                    for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
                        if (!word.isEmpty()) {
                            v[Math.floorMod(word.hashCode(), DIMENSIONS)] += 1;
                        }
                    }
                    double norm = 0;
                    for (float x : v) {
                        norm += x * x;
                    }
                    if (norm == 0) {
                        v[0] = 1;
                        norm = 1;
                    }
                    for (int i = 0; i < v.length; i++) {
                        v[i] /= (float) Math.sqrt(norm);
                    }
                    out.add(Embedding.of(v));
                }
                return List.copyOf(out);
            });
        }
    }
}
