package dev.agentrt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.Message;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

class LocalChatTest {
    @Test
    void theBundledTinyModelStreamsAGreetingAndDrivesAnAgentThroughAToolCall() {
        var bytes = new ByteArrayOutputStream();

        AgentResult result = LocalChat.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), Map.of());

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("No AGENT_LOCAL_MODEL set")
                .contains("Hello there!" + System.lineSeparator())
                .contains("→ tool call get_time {}")
                .containsPattern("← get_time: \\d\\d:\\d\\d(:\\d\\d)?\\R")
                .contains("Answer: It is noon.");
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.steps()).isEqualTo(2);
        assertThat(result.transcript()).filteredOn(Message.ToolResult.class::isInstance).hasSize(1);
    }
}
