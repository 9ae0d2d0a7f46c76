package dev.agentrt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

class McpAgentTest {
    @Test
    void callsAToolOfAnMcpServerSubprocessAndLeavesNoProcessBehind() {
        var bytes = new ByteArrayOutputStream();

        AgentResult result = McpAgent.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), Map.of());

        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("offers: [world_time]");
        assertThat(result.text()).matches("In Tokyo it is \\d\\d:\\d\\d(:\\d\\d)?\\.");
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
    }
}
