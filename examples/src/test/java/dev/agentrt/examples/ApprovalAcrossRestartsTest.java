package dev.agentrt.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

class ApprovalAcrossRestartsTest {
    private static final String PAYMENT = "[bank] transferred 120 EUR to ACME GmbH for invoice 17";
    /** A hang guard for a child JVM, not a timing assertion. */
    private static final long GUARD_MINUTES = 2;

    @TempDir
    Path tmp;

    @Test
    void theRunPausesInOneJvmAndAnotherApprovesResumesAndPaysOnce() throws Exception {
        Path store = tmp.resolve("agent_runs.db");

        String first = java("start", store.toString());
        assertThat(first).contains("OFFLINE")
                .contains("→ tool call pay {\"invoice\":17,\"amountEur\":120,\"payee\":\"ACME GmbH\"}")
                .contains("? approval asked for pay")
                .contains("! approval for pay: DEFER (payments wait for a person's approval)")
                .containsPattern("Run \\S+ is AWAITING_APPROVAL; it waits in the store for a decision.")
                .doesNotContain("[bank]");
        String runId = group(first, "Run (\\S+) is AWAITING_APPROVAL");

        String second = java("approve", store.toString());
        assertThat(second).contains("Run " + runId + " (\"Pay invoice 17: 120 EUR to ACME GmbH.\"")
                .contains("  pay {\"invoice\":17,\"amountEur\":120,\"payee\":\"ACME GmbH\"}, which needs"
                        + " [payments:send]: payments wait for a person's approval")
                .contains("  decided: APPROVE_ONCE")
                .contains("← pay: paid 120 EUR to ACME GmbH for invoice 17 (transfer T-17)")
                .contains("Run " + runId + " ended COMPLETED. Answer: Invoice 17 is paid: 120 EUR to ACME GmbH"
                        + " (transfer T-17).");
        // The resumed step's events come again; the decision is the stored one (the handler, which always defers,
        // is not asked again: the run would pause once more).
        assertThat(second).contains("! approval for pay: APPROVE_ONCE (approved)");
        assertThat(second.indexOf("decided: APPROVE_ONCE")).isLessThan(second.indexOf(PAYMENT));

        String third = java("approve", store.toString());
        assertThat(third).contains("No run awaits approval.").doesNotContain("[bank]");

        assertThat(count(first + second + third, PAYMENT)).as("the payment is made exactly once").isEqualTo(1);
        try (RunStore runs = RunStore.open(store)) {
            assertThat(runs.find(runId).block().status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(runs.runs().collectList().block()).hasSize(1);
        }
    }

    @Test
    void aDeniedPaymentIsNeverMadeAndTheModelIsToldWhy() {
        Path store = tmp.resolve("runs.db");
        List<AgentResult> started = run("start", store.toString()); // each run() opens and closes its own store
        assertThat(started).singleElement().extracting(AgentResult::outcome).isEqualTo(Outcome.AWAITING_APPROVAL);

        var bytes = new ByteArrayOutputStream();
        List<AgentResult> denied = ApprovalAcrossRestarts.run(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                Map.of(), "deny", store.toString());

        assertThat(denied).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(r.runId()).isEqualTo(started.get(0).runId());
            assertThat(r.text()).startsWith("Invoice 17 is not paid:").contains("not approved by finance");
        });
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("decided: DENY").doesNotContain("[bank]");
    }

    @Test
    void twoPausedRunsAreBothListedAndDecided() {
        Path store = tmp.resolve("runs.db");
        run("start", store.toString());
        run("start", store.toString());

        var bytes = new ByteArrayOutputStream();
        List<AgentResult> done = ApprovalAcrossRestarts.run(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                Map.of(), "approve", store.toString());

        assertThat(done).hasSize(2).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED));
        assertThat(count(bytes.toString(StandardCharsets.UTF_8), PAYMENT)).isEqualTo(2);
    }

    @Test
    void theStoreDefaultsToTheWorkingDirectoryAndOtherArgumentsAreRefused() {
        assertThat(ApprovalAcrossRestarts.Command.parse()).isEqualTo(new ApprovalAcrossRestarts.Command("start",
                Path.of("agent_runs.db")));
        assertThat(ApprovalAcrossRestarts.Command.parse("approve", "")).isEqualTo(new ApprovalAcrossRestarts.Command(
                "approve", Path.of("agent_runs.db")));
        assertThatThrownBy(() -> ApprovalAcrossRestarts.Command.parse("pay")).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("[start|approve|deny] [store file]");
        assertThatThrownBy(() -> ApprovalAcrossRestarts.Command.parse("approve", "a.db", "b.db")).isInstanceOf(
                IllegalArgumentException.class);
    }

    private static List<AgentResult> run(String... args) {
        return ApprovalAcrossRestarts.run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                Map.of(), args);
    }

    /**
     * Runs the example's {@code main} in a new JVM on the tests' class path (given in an argument file), without the
     * hosted-model variables, and returns what it printed; fails unless it exits with 0.
     */
    private String java(String... args) throws IOException, InterruptedException {
        Path argFile = tmp.resolve("java.args");
        Files.writeString(argFile, "-cp\n\"" + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dstdout.encoding=UTF-8",
                "--enable-native-access=ALL-UNNAMED", "@" + argFile,
                ApprovalAcrossRestarts.class.getName()));
        command.addAll(List.of(args));
        Path output = tmp.resolve("java.out");
        ProcessBuilder builder = new ProcessBuilder(command).directory(tmp.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment()
                .keySet()
                .removeAll(List.of("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL",
                        "AGENT_MODEL"));
        Process process = builder.start();
        try {
            assertThat(process.waitFor(GUARD_MINUTES, TimeUnit.MINUTES)).as("the example's JVM exits").isTrue();
        } finally {
            process.destroyForcibly();
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }

    private static String group(String text, String regex) {
        var m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(regex + " in " + text).isTrue();
        return m.group(1);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }
}
