package dev.agentrt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.AgentResult;
import dev.agentrt.core.model.Message;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

class CodeModeTest {
    @Test
    void runsOfflineAndTheScriptReadsEveryNoteThroughTheToolAndIsRefusedOutsideTheGrant() {
        var bytes = new ByteArrayOutputStream();

        AgentResult result = CodeMode.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), Map.of());

        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("OFFLINE")
                .contains("script called read_file {\"path\":\"monday.txt\",\"line_numbers\":false}")
                .contains("script called read_file {\"path\":\"/etc/passwd\"}");
        String scriptResult = result.transcript()
                .stream()
                .filter(Message.ToolResult.class::isInstance)
                .map(Message.ToolResult.class::cast)
                .findFirst()
                .orElseThrow()
                .content();
        assertThat(scriptResult)
                .contains("\"value\":{\"monday\":2,\"tuesday\":1,\"wednesday\":3,\"outside\":\"PERMISSION_DENIED\"}");
        assertThat(result.text()).startsWith("The notes have 6 lines");
        assertThat(result.steps()).isEqualTo(2);
    }
}
