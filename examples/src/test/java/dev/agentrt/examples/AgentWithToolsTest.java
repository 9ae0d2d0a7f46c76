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

class AgentWithToolsTest {
    @Test
    void printsTheGeneratedSchemasAndRunsTheMethodsWithAFailureAsAnErrorResult() {
        var bytes = new ByteArrayOutputStream();

        AgentResult result = AgentWithTools.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), Map.of());

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("OFFLINE")
                .containsPattern("reserve: \\{.*\"quantity\".*\"How many units, at least 1\"")
                .containsPattern("stock: \\{.*\"sku\".*\"Product code, e.g. KB-42\"")
                .contains("← stock: 12")
                .contains("← reserve: {\"id\":\"R-1\",\"sku\":\"KB-42\",\"quantity\":3,\"left\":9}")
                .contains("✗ reserve failed (EXECUTION_FAILED)")
                .contains("cannot reserve 2 of MS-7: 0 in stock")
                .contains("Answer: Reserved 3 keyboards (R-1).");
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.steps()).isEqualTo(3);
        assertThat(result.transcript()).filteredOn(Message.ToolResult.class::isInstance).hasSize(4);
    }
}
