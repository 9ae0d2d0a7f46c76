package dev.agentrt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.StructuredResult;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

class TypedAnswerTest {
    @Test
    void runsOfflineCorrectingTheFirstAnswerAndPrintsTheRecord() {
        var bytes = new ByteArrayOutputStream();

        StructuredResult<TypedAnswer.BugReport> result = TypedAnswer
                .run(new PrintStream(bytes, true, StandardCharsets.UTF_8), Map.of());

        assertThat(result.value()).isEqualTo(new TypedAnswer.BugReport("Checkout returns 500 for carts over ten items",
                TypedAnswer.Severity.CRITICAL, List.of("Add eleven items to the cart", "Open /checkout", "Press Pay"),
                "checkout"));
        assertThat(result.result().steps()).isEqualTo(2);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("OFFLINE").contains("Severity:  CRITICAL");
    }
}
