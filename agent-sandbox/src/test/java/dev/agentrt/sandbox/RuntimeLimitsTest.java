package dev.agentrt.sandbox;

import static dev.agentrt.sandbox.TestModules.wasm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentrt.sandbox.CodeExecutor.Language;
import dev.agentrt.sandbox.CodeExecutor.Options;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One limit, one outcome, in every runtime: a runaway loop, an output flood, a memory grab, a trap
 * and an exit end a WASI module, JavaScript and Python the same way, under the same
 * {@link SandboxLimits}. The time limit is the test's own timer, fired once the run has started its
 * clock, so no row depends on the machine's speed (the wall-clock limit is far out of reach). Python
 * rows are skipped where this JVM cannot run Python.
 */
class RuntimeLimitsTest {
    // 48 MiB: below the 64 MiB maximum CPython's module declares itself, so that Python too meets
    // the sandbox's cap rather than its own maximum.
    private static final SandboxLimits LIMITS = new SandboxLimits(Duration.ofMinutes(30), 48L << 20, 16 << 10);
    private static final Duration WAIT = Duration.ofMinutes(3);

    enum Runtime {
        WASI, JAVASCRIPT, PYTHON
    }

    /** What a row runs: a test module (WASI) or code, and its arguments. */
    record Program(String source, String... args) {}

    /** The outcome and stdout of a run, whichever runtime ran it. */
    record Ended(RunOutcome outcome, String stdout) {}

    static Stream<Arguments> runawayLoops() {
        return Stream.of(Arguments.of(Runtime.WASI, new Program("loop")),
                Arguments.of(Runtime.JAVASCRIPT, new Program("let i = 0; while (true) { i++; }")),
                Arguments.of(Runtime.PYTHON, new Program("i = 0\nwhile True:\n    i += 1")));
    }

    static Stream<Arguments> outputFloods() {
        return Stream.of(Arguments.of(Runtime.WASI, new Program("spew")),
                Arguments.of(Runtime.JAVASCRIPT, new Program("while (true) console.log('x'.repeat(99));")),
                Arguments.of(Runtime.PYTHON, new Program("while True:\n    print('x' * 99)")));
    }

    static Stream<Arguments> memoryGrabs() {
        return Stream.of(Arguments.of(Runtime.WASI, new Program("grow")),
                Arguments.of(Runtime.JAVASCRIPT,
                        new Program("const chunks = []; while (true) chunks.push(new Uint8Array(1 << 20).fill(7));")),
                Arguments.of(Runtime.PYTHON,
                        new Program("blocks = []\nwhile True:\n    blocks.append(bytearray(1 << 20))")));
    }

    static Stream<Arguments> caughtMemoryGrabs() {
        return Stream.of(Arguments.of(Runtime.JAVASCRIPT,
                new Program("try { new Uint8Array(1 << 26).length } catch (e) { 'caught ' + e }")),
                Arguments.of(Runtime.PYTHON,
                        // In steps of 4 MiB: the first grow past the cap comes before CPython's own 64 MiB maximum,
                        // wherever the interpreter's start left its heap.
                        new Program("try:\n    grabbed = [bytearray(1 << 22) for _ in range(64)]\n"
                                + "except MemoryError:\n    'caught'")));
    }

    static Stream<Arguments> traps() {
        return Stream.of(Arguments.of(Runtime.WASI, new Program("recurse")),
                Arguments.of(Runtime.JAVASCRIPT, new Program("function down(n) { return down(n + 1) + 1; }\ndown(0)")),
                Arguments.of(Runtime.PYTHON, new Program("def down(n):\n    return down(n + 1) + 1\ndown(0)")));
    }

    @ParameterizedTest
    @MethodSource("runawayLoops")
    void aRunawayLoopIsStoppedWhenTheTimeLimitPasses(Runtime runtime, Program program) throws Exception {
        var timer = new ManualTimer();
        CompletableFuture<Ended> run = start(runtime, program, timer);
        timer.fireWhenArmed();
        Ended ended = run.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(ended.outcome()).isEqualTo(RunOutcome.TIMEOUT);
        assertThat(timer.armedFor()).isEqualTo(LIMITS.timeout());
    }

    @ParameterizedTest
    @MethodSource("outputFloods")
    void anOutputFloodIsCutAtTheCapAndStopsTheRun(Runtime runtime, Program program) throws Exception {
        Ended ended = finish(runtime, program);

        assertThat(ended.outcome()).isEqualTo(RunOutcome.OUTPUT_LIMIT);
        assertThat(ended.stdout().getBytes(StandardCharsets.UTF_8)).hasSize(LIMITS.maxOutputBytes());
        assertThat(ended.stdout()).matches("[x\n]+");
    }

    @ParameterizedTest
    @MethodSource("memoryGrabs")
    void aMemoryGrabEndsAtTheMemoryCap(Runtime runtime, Program program) throws Exception {
        assertThat(finish(runtime, program).outcome()).isEqualTo(RunOutcome.MEMORY_LIMIT);
    }

    @ParameterizedTest
    @MethodSource("caughtMemoryGrabs")
    void aGrowPastTheMemoryCapEndsTheRunBeforeTheScriptCanCatchIt(Runtime runtime, Program program)
            throws Exception {
        assertThat(finish(runtime, program).outcome()).isEqualTo(RunOutcome.MEMORY_LIMIT);
    }

    @ParameterizedTest
    @MethodSource("traps")
    void unboundedRecursionIsATrap(Runtime runtime, Program program) throws Exception {
        assertThat(finish(runtime, program).outcome()).isInstanceOf(RunOutcome.Trap.class);
    }

    static Stream<Arguments> exits() {
        return Stream.of(Arguments.of(Runtime.WASI, new Program("guest", "?"), 99),
                Arguments.of(Runtime.PYTHON, new Program("import sys\nsys.exit(3)"), 3));
    }

    @ParameterizedTest
    @MethodSource("exits")
    void aNonZeroExitIsTheExitOutcome(Runtime runtime, Program program, int code) throws Exception {
        assertThat(finish(runtime, program).outcome()).isEqualTo(new RunOutcome.Exit(code));
    }

    private static Ended finish(Runtime runtime, Program program) throws Exception {
        return start(runtime, program, new ManualTimer()).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static CompletableFuture<Ended> start(Runtime runtime, Program program, ManualTimer timer) {
        if (runtime == Runtime.WASI) {
            Sandbox sandbox = Sandbox.builder().limits(LIMITS).timer(timer).build();
            return sandbox.run(wasm(program.source()), RunRequest.builder().args(program.args()).build())
                    .map(r -> new Ended(r.outcome(), r.stdout()))
                    .toFuture();
        }
        Language language = runtime == Runtime.JAVASCRIPT ? Language.JAVASCRIPT : Language.PYTHON;
        CodeExecutor executor = CodeExecutor
                .create(Options.DEFAULT.withLimits(LIMITS).withPoolSize(0).withLanguages(language), timer);
        assumeTrue(executor.unavailable(language).isEmpty(), () -> language.id() + " is unavailable here");
        return executor.execute(language.id(), program.source())
                .map(r -> new Ended(r.outcome(), r.stdout()))
                .doFinally(s -> executor.close())
                .toFuture();
    }
}
