package dev.agentrt.benchmarks;

import dev.agentrt.sandbox.ExecutionMode;
import dev.agentrt.sandbox.RunRequest;
import dev.agentrt.sandbox.RunResult;
import dev.agentrt.sandbox.Sandbox;
import dev.agentrt.sandbox.SandboxLimits;
import dev.agentrt.sandbox.WasmModule;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The same {@code fib.wasm} timed in one program: Node (V8, a child process timing only the calls)
 * and the sandbox, compiled and interpreted (each op a full {@code Sandbox.run}: instantiate plus
 * call). Prints mean milliseconds per {@code fib(n)} and the ratio compiled / V8.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.agentrt.benchmarks.WasmVsNode [n] [warmup] [iterations]
 * </pre>
 */
public final class WasmVsNode {
    private WasmVsNode() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        Path fibWasm = WasmBenchmark.wasmDir().resolve("fib.wasm");
        WasmModule fib = WasmModule.read(fibWasm);
        SandboxLimits limits = SandboxLimits.DEFAULT.withTimeout(Duration.ofMinutes(5));

        String node = runNode(fibWasm, n, warmup, iterations);
        double compiled = mean(Sandbox.builder().limits(limits).build(), fib, n, warmup, iterations);
        double interpreted = mean(Sandbox.builder().limits(limits).mode(ExecutionMode.INTERPRETED).build(), fib, n,
                1, 3);
        double nodeMean = Double.parseDouble(node.replaceAll(".*\"meanMs\":([0-9.eE+-]+).*", "$1"));

        System.out.println(node);
        System.out.printf(Locale.ROOT, "fib(%d)  node/V8 %.2f ms   sandbox compiled %.2f ms   interpreted %.1f ms%n",
                n, nodeMean, compiled, interpreted);
        System.out.printf(Locale.ROOT, "compiled / V8 = %.2fx   interpreted / compiled = %.1fx%n",
                compiled / nodeMean, interpreted / compiled);
    }

    private static double mean(Sandbox sandbox, WasmModule fib, int n, int warmup, int iterations) {
        RunRequest request = RunRequest.builder().call("fib", n).build();
        for (int i = 0; i < warmup; i++) {
            sandbox.run(fib, request).block();
        }
        long total = 0;
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            RunResult r = sandbox.run(fib, request).block();
            total += System.nanoTime() - t0;
            if (r == null || !r.ok()) {
                throw new IllegalStateException("fib did not run: " + (r == null ? "no result" : r.outcome()));
            }
        }
        return total / 1e6 / iterations;
    }

    private static String runNode(Path wasm, int n, int warmup, int iterations)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder("node", "benchmarks/node/wasm-fib.mjs", wasm.toString(), String.valueOf(n),
                String.valueOf(warmup), String.valueOf(iterations)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("node failed: " + out);
        }
        return out;
    }
}
