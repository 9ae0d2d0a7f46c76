package dev.agentrt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

class QuickStartTest {
    @Test
    void runsOfflineShowingAToolCallADenialAndTheAnswer() throws Exception {
        var bytes = new ByteArrayOutputStream();
        AgentResult result = QuickStart.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), Map.of());
        String out = bytes.toString(StandardCharsets.UTF_8);

        assertThat(out).contains("OFFLINE")
                .contains("→ tool call read_context_file")
                .contains("ship the agent loop")
                .contains("✗ denied read_env")
                .contains("env:AWS_SECRET_ACCESS_KEY")
                .contains("Final answer");
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.steps()).isEqualTo(2);
    }
}
