package dev.agentrt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

class MemoryOverCodebaseTest {
    @TempDir
    Path tmp;

    @Test
    void indexesWithAProgressBarRecallsTheRightFileAndReindexesNothingTheSecondTime() throws IOException {
        Path repo = tmp.resolve("repo");
        write(repo.resolve("pom.xml"), "<project/>");
        write(repo.resolve("agent-core/src/main/java/demo/ToolRegistry.java"), """
                package demo;

                /** Checks the capabilities each tool call needs against the agent's grants before it runs. */
                final class ToolRegistry {
                    boolean allowed(Call call, Grants grants) {
                        return grants.missing(call.requiredCapabilities()).isEmpty();
                    }
                }
                """);
        write(repo.resolve("agent-core/src/main/java/demo/Banner.java"),
                "final class Banner { String text = \"hi\"; }");
        write(repo.resolve("agent-core/src/test/java/demo/ToolRegistryTest.java"), "class ToolRegistryTest {}");
        Path memory = tmp.resolve("agent_memory");

        String first = run(repo, memory);
        assertThat(first).contains("[##############################] 3/3 files, 3/3 chunks embedded")
                .contains("agent-core/src/main/java/demo/ToolRegistry.java lines 1-8")
                .contains("Answer: Tool calls are checked in the tool registry");
        assertThat(first.indexOf("ToolRegistry.java lines")).isLessThan(first.indexOf("Banner.java lines"));
        assertThat(first).doesNotContain("ToolRegistryTest");

        String second = run(repo, memory);
        assertThat(second).contains("Indexed 0 new or changed chunks; 3 files in all.");
        assertThat(MemoryOverCodebase.findRepository(repo.resolve("agent-core/src"))).isEqualTo(repo);
    }

    private static String run(Path repo, Path memory) {
        var bytes = new ByteArrayOutputStream();
        AgentResult result = MemoryOverCodebase.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), Map.of(),
                repo, memory);
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
