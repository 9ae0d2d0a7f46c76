package dev.agentrt.memory.lucene;

import dev.agentrt.core.memory.VectorStore.Entry;
import dev.agentrt.core.model.Embedding;
import dev.agentrt.memory.LuceneVectorStore;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The process {@link LuceneCrashTest} kills: opens the store at {@code args[0]}, upserts entries one
 * at a time (four in flight) for ever, and prints {@code ack <id>} after each write's Mono completes.
 */
public final class LuceneIngestChild {
    private LuceneIngestChild() {}

    public static void main(String[] args) {
        var store = LuceneVectorStore.open(Path.of(args[0]), 8);
        System.out.println("ready");
        System.out.flush();
        Flux.range(0, Integer.MAX_VALUE)
                .flatMap(
                        i -> {
                            String id = "e" + i;
                            float[] v = new float[8];
                            v[i % 8] = 1;
                            v[(i + 3) % 8] = i;
                            var entry = new Entry(id, Embedding.of(v), "entry number " + i, Map.of("n", id));
                            return store.upsert("crash", List.of(entry)).then(Mono.fromRunnable(() -> {
                                System.out.println("ack " + id);
                                System.out.flush();
                            }));
                        },
                        4)
                .blockLast();
    }
}
