package dev.agentrt.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.context.TaskContext;
import dev.agentrt.memory.IngestProgress.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

class VectorMemoryCrashTest {
    private static final int FILES = 120;
    private static final int ACKNOWLEDGED = 15;

    @TempDir
    Path tmp;

    /**
     * The test class path in a manifest-only jar, as surefire passes it to its own forks. ONNX Runtime 1.29.0's Java
     * binding crashes the JVM (SIGSEGV, no error file) when {@code java.class.path} is longer than about 4 KB, which
     * this module's test class path is.
     */
    private Path classPathJar() throws java.io.IOException {
        var manifest = new java.util.jar.Manifest();
        var attributes = manifest.getMainAttributes();
        attributes.put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        var entries = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) {
                entries.append(Path.of(entry).toAbsolutePath().toUri()).append(' ');
            }
        }
        attributes.put(java.util.jar.Attributes.Name.CLASS_PATH, entries.toString().strip());
        Path jar = tmp.resolve("child-classpath.jar");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.flush();
        }
        return jar;
    }

    @Test
    void everyFileAcknowledgedBeforeAKill9IsWholeAfterReopeningAndTheNextRunCompletesTheRest() throws Exception {
        Path project = tmp.resolve("project");
        for (int f = 0; f < FILES; f++) {
            var text = new StringBuilder("# Note " + f + "\n\n");
            for (int p = 0; p < 3; p++) {
                text.append("Paragraph ")
                        .append(p)
                        .append(" of note ")
                        .append(f)
                        .append(" talks about topic ")
                        .append((f * 7 + p) % 31)
                        .append(" in some detail. ")
                        .append("word ".repeat(40))
                        .append("\n\n");
            }
            Path file = project.resolve("dir" + (f % 10)).resolve("note" + f + ".md");
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        }
        Path index = tmp.resolve("agent_memory");
        Path childErr = tmp.resolve("child.err");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                classPathJar().toString(), VectorMemoryIndexChild.class.getName(), index.toString(),
                project.toString())
                .redirectError(childErr.toFile())
                .start();
        Map<String, Long> chunksOf = new LinkedHashMap<>();
        boolean finished = false;
        try (var out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            long before = 0;
            while (chunksOf.size() < ACKNOWLEDGED && (line = out.readLine()) != null) {
                finished |= line.equals("finished");
                if (line.startsWith("ack ")) {
                    String[] parts = line.split(" ");
                    long done = Long.parseLong(parts[2]);
                    chunksOf.put(parts[1], done - before);
                    before = done;
                }
            }
            // Killed mid-run: the child is embedding and writing the next files at this moment.
            child.destroyForcibly();
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(finished).as("the run must still be going when killed").isFalse();
        assertThat(chunksOf).as("acknowledged files; child stderr:%n%s", Files.readString(childErr))
                .hasSize(ACKNOWLEDGED);
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);

        try (VectorMemory memory = VectorMemory.open(index)) {
            for (var acked : chunksOf.entrySet()) {
                assertThat(memory.store().find("code", Map.of("path", acked.getKey()), 100).block())
                        .as("chunks of %s", acked.getKey())
                        .hasSize(acked.getValue().intValue());
            }
            List<IngestProgress> rerun = memory.index("code", TaskContext.fromDirectory(project))
                    .collectList()
                    .block(Duration.ofMinutes(3));
            assertThat(rerun).hasSize(FILES);
            assertThat(rerun).filteredOn(p -> chunksOf.containsKey(p.path()))
                    .extracting(IngestProgress::status)
                    .containsOnly(Status.UNCHANGED);
            long stored = memory.store().find("code", Map.of("chunk", "0"), 10_000).block().size();
            assertThat(stored).as("every file indexed once").isEqualTo(FILES);
        }
    }
}
