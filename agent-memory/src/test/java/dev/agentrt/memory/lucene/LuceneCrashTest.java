package dev.agentrt.memory.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.memory.VectorStore.Entry;
import dev.agentrt.memory.LuceneVectorStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

class LuceneCrashTest {
    private static final int ACKNOWLEDGED = 150;

    @TempDir
    Path tmp;

    @Test
    void everyWriteAcknowledgedBeforeAKill9IsThereAfterReopening() throws Exception {
        Path index = tmp.resolve("index");
        Path childErr = tmp.resolve("child.err");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                LuceneIngestChild.class.getName(),
                index.toString())
                .redirectError(childErr.toFile())
                .start();
        List<String> acked = new ArrayList<>();
        try (var out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (acked.size() < ACKNOWLEDGED && (line = out.readLine()) != null) {
                if (line.startsWith("ack ")) {
                    acked.add(line.substring(4));
                }
            }
            // Kill mid-ingestion: the child keeps writing, so writes are in flight at the kill.
            child.destroyForcibly();
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(acked)
                .as("acknowledged writes; child stderr:%n%s", Files.readString(childErr))
                .hasSizeGreaterThanOrEqualTo(ACKNOWLEDGED);
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);

        try (var store = LuceneVectorStore.open(index, 8)) {
            List<String> stored = store.find("crash", Map.of(), 1_000_000)
                    .block()
                    .stream()
                    .map(Entry::id)
                    .toList();
            assertThat(stored).containsAll(acked);
            assertThat(store.find("crash", Map.of("n", acked.getLast()), 10).block()).hasSize(1);
        }
    }
}
