package dev.agentrt.benchmarks;

import dev.agentrt.sandbox.ExecutionMode;
import dev.agentrt.sandbox.RunRequest;
import dev.agentrt.sandbox.RunResult;
import dev.agentrt.sandbox.Sandbox;
import dev.agentrt.sandbox.SandboxLimits;
import dev.agentrt.sandbox.WasmModule;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The WASM sandbox: start of a small WASI command with a cold compile cache (parse, translate to
 * bytecode, instantiate, run) and with a warm one (instantiate and run), and the call-heavy naive
 * {@code fib(30)} compiled and interpreted. Every op goes through {@code Sandbox.run(..).block()},
 * so it includes the hand-off to the compute scheduler. The modules are the sandbox's test modules
 * ({@code -Dagentrt.wasm.dir}, default {@code agent-sandbox/src/test/resources/wasm}: run from the
 * repository root). {@link WasmVsNode} times the same {@code fib.wasm} in Node (V8).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class WasmBenchmark {
    private static final SandboxLimits LIMITS = SandboxLimits.DEFAULT.withTimeout(Duration.ofMinutes(5));

    private @Nullable WasmModule hello;
    private @Nullable WasmModule fib;
    private @Nullable Sandbox compiled;
    private @Nullable Sandbox interpreted;
    private final RunRequest helloRequest = RunRequest.empty();
    private final RunRequest fib30 = RunRequest.builder().call("fib", 30).build();

    static Path wasmDir() {
        return Path.of(System.getProperty("agentrt.wasm.dir", "agent-sandbox/src/test/resources/wasm"));
    }

    @Setup
    public void setUp() {
        hello = WasmModule.read(wasmDir().resolve("hello.wasm"));
        fib = WasmModule.read(wasmDir().resolve("fib.wasm"));
        compiled = Sandbox.builder().limits(LIMITS).build();
        interpreted = Sandbox.builder().limits(LIMITS).mode(ExecutionMode.INTERPRETED).build();
        compiled.prepare(hello).block();
        compiled.prepare(fib).block();
    }

    /** A fresh sandbox per op: nothing cached. */
    @Benchmark
    public RunResult coldStartCompiled() {
        return Sandbox.builder().limits(LIMITS).build().run(hello, helloRequest).block();
    }

    @Benchmark
    public RunResult coldStartInterpreted() {
        return Sandbox.builder()
                .limits(LIMITS)
                .mode(ExecutionMode.INTERPRETED)
                .build()
                .run(hello, helloRequest)
                .block();
    }

    @Benchmark
    public RunResult cachedStart() {
        return compiled.run(hello, helloRequest).block();
    }

    @Benchmark
    public RunResult fib30Compiled() {
        return compiled.run(fib, fib30).block();
    }

    @Benchmark
    public RunResult fib30Interpreted() {
        return interpreted.run(fib, fib30).block();
    }
}
