package dev.agentrt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

class FilesAndWebTest {
    @Test
    void readsAFileAndALocalPageRefusesAnOutsideReadAndWritesItsNotes() throws Exception {
        var bytes = new ByteArrayOutputStream();

        AgentResult result = FilesAndWeb.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), Map.of());

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(out).contains("← read_file:")
                .contains("finish the tools module")
                .contains("← web_browse:")
                .contains("Release checklist")
                .contains("✗ denied read_file")
                .contains("file-read:/etc/passwd")
                .contains("NOTES.md: - finish the tools module");
    }
}
