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

class ApprovalFlowTest {
    @Test
    void theHandlerApprovesTheSmallRefundOnceAndDeniesTheLargeOneWithItsReason() {
        var bytes = new ByteArrayOutputStream();

        AgentResult result = ApprovalFlow.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), Map.of());

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("? approval asked for refund {\"orderId\":\"A-100\",\"amountEur\":20}, which needs"
                + " [payments:refund]")
                .contains("? approval asked for refund {\"orderId\":\"B-200\",\"amountEur\":900}")
                .contains("! approval for refund: APPROVE_ONCE (approved)")
                .contains("! approval for refund: DENY (refunds over 50 EUR need a manager)")
                .contains("← refund: refunded 20 EUR on order A-100");
        assertThat(out).doesNotContain("refunded 900");
        var toolResults = result.transcript()
                .stream()
                .filter(Message.ToolResult.class::isInstance)
                .map(Message.ToolResult.class::cast)
                .toList();
        assertThat(toolResults).hasSize(2);
        assertThat(toolResults.get(0).error()).isFalse();
        assertThat(toolResults.get(1).error()).isTrue();
        assertThat(toolResults.get(1).content()).contains("refunds over 50 EUR need a manager");
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    }
}
