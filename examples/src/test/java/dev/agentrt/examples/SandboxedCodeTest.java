package dev.agentrt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.AgentResult;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

class SandboxedCodeTest {
    @Test
    void runsOfflineAndPrintsWhatTheCodeComputedFromTheGrantedFile() {
        var bytes = new ByteArrayOutputStream();

        AgentResult result = SandboxedCode.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), Map.of());

        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("OFFLINE")
                .contains("code_executor: ok, printed rows: 4, returned {\"north\":165,\"south\":80,\"east\":200}");
        assertThat(result.text()).startsWith("East sold the most");
        assertThat(result.steps()).isEqualTo(2);
    }
}
