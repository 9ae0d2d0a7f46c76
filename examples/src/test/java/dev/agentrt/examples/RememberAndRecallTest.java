package dev.agentrt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

class RememberAndRecallTest {
    @Test
    void recallsByMeaningAndKeepsWhatTheAgentRemembered() {
        var bytes = new ByteArrayOutputStream();

        AgentResult result = RememberAndRecall.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), Map.of());

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("Recalled: Deploys happen on Tuesdays after the stand-up.")
                .contains("← remember: {\"id\":")
                .containsPattern("← recall: .*Anna owns the billing service")
                .contains("Answer: Noted the freeze.")
                .contains("Recalled now: The release freeze starts on 15 December.");
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.steps()).isEqualTo(3);
    }
}
