package dev.agentrt.benchmarks;

import dev.agentrt.sandbox.ExecutionResult;
import dev.agentrt.sandbox.RunOutcome;
import dev.agentrt.sandbox.SandboxLimits;
import dev.agentrt.sandbox.internal.js.HostFiles;
import dev.agentrt.sandbox.internal.js.JsRunner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The JavaScript code executor: the cost of a run on a cold engine (started for the call) and on a
 * pooled one (started ahead in the background), a CPU-bound script ({@code fib(25)}, 242,785
 * calls) in the sandbox against Node.js, and both with HotSpot allowed to compile QuickJS's huge
 * interpreter method ({@code -XX:-DontCompileHugeMethods -XX:MaxNodeLimit=1000000
 * -XX:NodeLimitFudgeFactor=20000}, the flags the code executor's documentation recommends).
 *
 * <p>Node runs in the same JMH run: {@code fib25NodeWarm} sends the argument to one long-lived
 * {@code node} process over a pipe (the script's time plus a pipe round trip);
 * {@code fib25NodeProcess} starts {@code node} for each run, as a cold engine does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CodeExecutorBenchmark {
    static final String FIB = "function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\n";
    static final String FIB25 = FIB + "fib(25)";
    private static final int POOL_SIZE = 2;
    private static final SandboxLimits LIMITS = SandboxLimits.DEFAULT.withTimeout(Duration.ofMinutes(5));

    private JsRunner cold;
    private JsRunner pooled;
    private Process node;
    private OutputStream nodeIn;
    private BufferedReader nodeOut;

    @Setup
    public void setUp() throws IOException {
        cold = new JsRunner(LIMITS, 0);
        pooled = new JsRunner(LIMITS, POOL_SIZE);
        pooled.warmUp();
        node = new ProcessBuilder("node", "-e", FIB + """
                require('readline').createInterface({ input: process.stdin })
                    .on('line', (line) => process.stdout.write(fib(Number(line)) + '\\n'));""")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        nodeIn = node.getOutputStream();
        nodeOut = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * A pooled run starts with the pool full and quiet: the background refill of the previous run's
     * engine would otherwise compete with the measured run for the cores.
     */
    @Setup(Level.Invocation)
    public void awaitFullPool() throws InterruptedException {
        while (pooled.pooled() < POOL_SIZE) {
            pooled.warmUp();
            Thread.sleep(1);
        }
    }

    @TearDown
    public void tearDown() {
        cold.close();
        pooled.close();
        node.destroy();
    }

    private static ExecutionResult check(ExecutionResult r) {
        if (r.outcome() != RunOutcome.OK) {
            throw new IllegalStateException("run failed: " + r.outcome().describe());
        }
        return r;
    }

    /** Start an engine for the call, run {@code 1}, drop the engine. */
    @Benchmark
    public ExecutionResult coldStartRun() {
        return check(cold.run("1", HostFiles.none()));
    }

    /** Take a started engine from the pool, run {@code 1}: the executor's overhead per run. */
    @Benchmark
    public ExecutionResult pooledRun() {
        return check(pooled.run("1", HostFiles.none()));
    }

    @Benchmark
    @Fork(jvmArgsAppend = {"-XX:-DontCompileHugeMethods", "-XX:MaxNodeLimit=1000000", "-XX:NodeLimitFudgeFactor=20000"})
    public ExecutionResult pooledRunHugeMethodsCompiled() {
        return check(pooled.run("1", HostFiles.none()));
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public ExecutionResult fib25Sandbox() {
        return check(pooled.run(FIB25, HostFiles.none()));
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Fork(jvmArgsAppend = {"-XX:-DontCompileHugeMethods", "-XX:MaxNodeLimit=1000000", "-XX:NodeLimitFudgeFactor=20000"})
    public ExecutionResult fib25SandboxHugeMethodsCompiled() {
        return check(pooled.run(FIB25, HostFiles.none()));
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public String fib25NodeWarm() throws IOException {
        nodeIn.write("25\n".getBytes(StandardCharsets.US_ASCII));
        nodeIn.flush();
        return nodeOut.readLine();
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int fib25NodeProcess() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("node", "-e", FIB25.replace("fib(25)", "process.stdout.write(String(fib(25)))"))
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}
