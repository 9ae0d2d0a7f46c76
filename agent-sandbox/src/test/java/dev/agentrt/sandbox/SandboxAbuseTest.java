package dev.agentrt.sandbox;

import static dev.agentrt.sandbox.TestModules.wasm;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.sandbox.internal.RunTimer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.Disposables;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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

    /**
     * A time limit that never passes: a run expected to end another way (a trap, a limit) cannot lose a race
     * with the clock on a slow or busy machine. The time limit itself is tested with a {@link ManualTimer}.
     */
    private static final RunTimer NEVER = (after, alarm) -> Disposables.single();

    private Sandbox sandbox(ExecutionMode mode, RunTimer timer) {
        return Sandbox.builder().mode(mode).limits(LIMITS).scheduler(oneThread).timer(timer).build();
    }

    private RunResult run(ExecutionMode mode, String module) {
        Sandbox sandbox = sandbox(mode, NEVER);
        RunResult r = sandbox.run(wasm(module), RunRequest.empty()).block(Duration.ofSeconds(30));
        return afterwardsFree(sandbox, r);
    }

    private static RunResult afterwardsFree(Sandbox sandbox, RunResult r) {
        assertThat(sandbox.run(wasm("hello"), RunRequest.empty()).block(Duration.ofSeconds(30)).stdout())
                .as("the sandbox's only thread is free after the run")
                .isEqualTo("hello, sandbox\n");
        return r;
    }

    @ParameterizedTest
    @EnumSource(ExecutionMode.class)
    void anInfiniteLoopIsStoppedAtTheTimeLimit(ExecutionMode mode) throws Exception {
        var timer = new ManualTimer();
        Sandbox sandbox = sandbox(mode, timer);
        CompletableFuture<RunResult> run = sandbox.run(wasm("loop"), RunRequest.empty()).toFuture();
        timer.fireWhenArmed();
        RunResult r = afterwardsFree(sandbox, run.get(30, TimeUnit.SECONDS));
        assertThat(r.outcome()).isEqualTo(RunOutcome.TIMEOUT);
        assertThat(timer.armedFor()).isEqualTo(LIMITS.timeout());
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
