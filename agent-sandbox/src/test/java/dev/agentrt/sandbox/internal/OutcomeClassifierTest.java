package dev.agentrt.sandbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.sandbox.ExecutionResult.ScriptError;
import dev.agentrt.sandbox.RunOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.Disposables;
import run.endive.runtime.WasmInterruptedException;
import run.endive.wasi.WasiExitException;
import run.endive.wasm.types.MemoryLimits;

import java.time.Duration;
import java.util.stream.Stream;

class OutcomeClassifierTest {
    private final RunGuard guard = new RunGuard((after, alarm) -> Disposables.single(), Duration.ofSeconds(1));

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void aGuestThatReturnedWithNothingStoppingItIsLeftToItsOwnReport() {
        assertThat(OutcomeClassifier.ofRun(guard, null)).isNull();
    }

    @ParameterizedTest
    @EnumSource(RunGuard.Stop.class)
    void theGuardsReasonDecidesWhateverTheGuestThrewAfterwards(RunGuard.Stop stop) {
        guard.enter();
        guard.stop(stop);
        RunOutcome expected = switch (stop) {
            case TIMEOUT, CANCELLED -> RunOutcome.TIMEOUT;
            case OUTPUT_LIMIT -> RunOutcome.OUTPUT_LIMIT;
            case MEMORY_LIMIT -> RunOutcome.MEMORY_LIMIT;
        };

        assertThat(OutcomeClassifier.ofRun(guard, null)).isEqualTo(expected);
        assertThat(OutcomeClassifier.ofRun(guard, new WasmInterruptedException("interrupted"))).isEqualTo(expected);
        assertThat(OutcomeClassifier.ofRun(guard, new RuntimeException("trap"))).isEqualTo(expected);
    }

    static Stream<Arguments> failures() {
        return Stream.of(Arguments.of(MemoryCapExceeded.grow(300, 256), RunOutcome.MEMORY_LIMIT),
                Arguments.of(new OutOfMemoryError("Java heap space"), RunOutcome.MEMORY_LIMIT),
                Arguments.of(new OutputCapExceeded(1024), RunOutcome.OUTPUT_LIMIT),
                Arguments.of(new WasiExitException(3), new RunOutcome.Exit(3)),
                Arguments.of(new WasiExitException(0), RunOutcome.OK),
                Arguments.of(new StackOverflowError(), RunOutcome.trap("call stack exhausted")),
                Arguments.of(new WasmInterruptedException("interrupted"), RunOutcome.TIMEOUT),
                Arguments.of(new RuntimeException("wrapped", new OutputCapExceeded(1)), RunOutcome.OUTPUT_LIMIT),
                Arguments.of(new RuntimeException("out of bounds memory access"),
                        RunOutcome.trap("out of bounds memory access")),
                Arguments.of(new RuntimeException("unreachable\nstderr: noise\nstdout: more"),
                        RunOutcome.trap("unreachable")),
                Arguments.of(new IllegalStateException(), RunOutcome.trap("IllegalStateException")));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void whatTheGuestThrewMapsToOneOutcome(Throwable failure, RunOutcome expected) {
        assertThat(OutcomeClassifier.ofRun(guard, failure)).isEqualTo(expected);
    }

    @Test
    void aScriptErrorIsATrapNamingIt() {
        var error = new ScriptError("TypeError", "x is not a function", 3);

        assertThat(OutcomeClassifier.scriptError(error, null))
                .isEqualTo(RunOutcome.trap("TypeError: x is not a function (line 3)"));
    }

    @Test
    void theRuntimesOutOfMemoryErrorIsTheMemoryLimitOnlyWhenTheMemoryIsFull() {
        CappedMemory full = CappedMemory.of(new MemoryLimits(20, 100), 20);
        CappedMemory roomy = CappedMemory.of(new MemoryLimits(1, 100), 64);

        for (ScriptError oom : new ScriptError[]{new ScriptError("InternalError", "out of memory", 0),
                new ScriptError("MemoryError", "", 2)}) {
            assertThat(OutcomeClassifier.scriptError(oom, full)).isEqualTo(RunOutcome.MEMORY_LIMIT);
            assertThat(OutcomeClassifier.scriptError(oom, roomy)).isInstanceOf(RunOutcome.Trap.class);
        }
    }
}
