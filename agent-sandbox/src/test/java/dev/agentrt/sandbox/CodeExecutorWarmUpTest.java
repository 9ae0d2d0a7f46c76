package dev.agentrt.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.sandbox.CodeExecutor.Language;
import dev.agentrt.sandbox.CodeExecutor.Options;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.time.Duration;

class CodeExecutorWarmUpTest {
    private static final Duration WAIT = Duration.ofMinutes(5);

    @Test
    void theWarmUpRunsInTheBackgroundToItsEndWithoutTouchingThePool() {
        try (CodeExecutor executor = CodeExecutor.create(Options.DEFAULT.withWarmUp(true).withPoolSize(0))) {
            ExecutionResult first = executor.execute("javascript", "6 * 7").block(WAIT);

            assertThat(first.outcome()).isEqualTo(RunOutcome.OK);
            StepVerifier.create(executor.warmedUp()).expectNext(true).expectComplete().verify(WAIT);
        }
    }

    @Test
    void noWarmUpWhenItIsOffOrThereIsNoJavaScript() {
        try (CodeExecutor off = CodeExecutor.create(Options.DEFAULT.withWarmUp(false));
                CodeExecutor python = CodeExecutor.create(
                        Options.DEFAULT.withWarmUp(true).withLanguages(Language.PYTHON))) {
            StepVerifier.create(off.warmedUp()).expectNext(false).expectComplete().verify(WAIT);
            StepVerifier.create(python.warmedUp()).expectNext(false).expectComplete().verify(WAIT);
        }
    }

    @Test
    void closingTheExecutorEndsTheWarmUp() {
        CodeExecutor executor = CodeExecutor.create(Options.DEFAULT.withWarmUp(true));

        executor.close();

        // Stopped, or (on a machine fast enough to finish before close) done: either way it has ended.
        StepVerifier.create(executor.warmedUp()).expectNextCount(1).expectComplete().verify(WAIT);
    }

    @Test
    void theDefaultFollowsWhetherTheJvmCompilesHugeMethods() {
        boolean compiles = java.lang.management.ManagementFactory.getRuntimeMXBean()
                .getInputArguments()
                .contains("-XX:-DontCompileHugeMethods");

        assertThat(Options.DEFAULT.warmUp()).isEqualTo(compiles);
    }
}
