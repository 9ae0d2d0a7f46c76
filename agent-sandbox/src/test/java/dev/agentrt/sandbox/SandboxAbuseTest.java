package dev.agentrt.sandbox;

import static dev.agentrt.sandbox.TestModules.wasm;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;

/**
 * Guests that try to take the host down. Each run ends with its typed outcome, and the single
 * thread the sandbox has is free again afterwards (the next run on it completes).
 */
class SandboxAbuseTest {
    private static final SandboxLimits LIMITS = new SandboxLimits(Duration.ofMillis(500), 16L << 20, 64 << 10);
    private final Scheduler oneThread = Schedulers.newBoundedElastic(1, 100, "sandbox-abuse-test");

    @AfterEach
    void disposeScheduler() {
        oneThread.dispose();
    }

    private Sandbox sandbox(ExecutionMode mode) {
        return Sandbox.builder().mode(mode).limits(LIMITS).scheduler(oneThread).build();
    }

    private RunResult run(ExecutionMode mode, String module) {
        Sandbox sandbox = sandbox(mode);
        RunResult r = sandbox.run(wasm(module), RunRequest.empty()).block(Duration.ofSeconds(30));
        assertThat(sandbox.run(wasm("hello"), RunRequest.empty()).block(Duration.ofSeconds(30)).stdout())
                .as("the sandbox's only thread is free after the run")
                .isEqualTo("hello, sandbox\n");
        return r;
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void anInfiniteLoopIsStoppedAtTheTimeLimit(ExecutionMode mode) {
        RunResult r = run(mode, "loop");
        assertThat(r.outcome()).isEqualTo(RunOutcome.TIMEOUT);
        assertThat(r.elapsed()).isGreaterThanOrEqualTo(LIMITS.timeout());
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void growingMemoryPastTheCapEndsTheRun(ExecutionMode mode) {
        assertThat(run(mode, "grow").outcome()).isEqualTo(RunOutcome.MEMORY_LIMIT);
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aModuleDeclaringMoreMemoryThanTheCapIsRejectedBeforeItRuns(ExecutionMode mode) {
        RunResult r = run(mode, "bigmem");
        assertThat(r.outcome()).isEqualTo(RunOutcome.MEMORY_LIMIT);
        assertThat(Sandbox.builder()
                .limits(LIMITS.withMaxMemoryBytes(128L << 20))
                .scheduler(oneThread)
                .build()
                .run(wasm("bigmem"), RunRequest.empty())
                .block()
                .outcome()).isEqualTo(RunOutcome.OK);
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void unboundedRecursionEndsAsCallStackExhausted(ExecutionMode mode) {
        assertThat(run(mode, "recurse").outcome()).isEqualTo(RunOutcome.trap("call stack exhausted"));
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void a100MbFloodOfStdoutIsCutAtTheCap(ExecutionMode mode) {
        RunResult r = run(mode, "spew");
        assertThat(r.outcome()).isEqualTo(RunOutcome.OUTPUT_LIMIT);
        assertThat(r.stdout()).hasSize(LIMITS.maxOutputBytes()).matches("x+");
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void aHugeMemoryFillTrapsAsOutOfBounds(ExecutionMode mode) {
        RunResult r = run(mode, "fill");
        assertThat(r.outcome()).isInstanceOf(RunOutcome.Trap.class);
        assertThat(r.outcome().describe()).containsIgnoringCase("out of bounds");
    }
}
