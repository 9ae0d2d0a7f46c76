package dev.agentrt.benchmarks;

import dev.agentrt.core.CapabilityDeniedException;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.sandbox.CodeExecutor;
import dev.agentrt.sandbox.SandboxLimits;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * CPU-bound scripts in the code executor against Node and native CPython, in one program: {@code fib(25)}
 * and a data-shaping script (parse a 1 MB CSV read from a declared file, group by two columns, sum
 * quantity times price) in JavaScript (QuickJS on WebAssembly) and Python (CPython for WASI). For each,
 * the first run in this JVM and the median of the warm runs after it; Node and {@code python3} run the
 * same scripts in one process each, timed inside the process (no start-up), first run and warm median.
 * Run it once with and once without the JIT flags of the README's section 10b to compare.
 *
 * <pre>
 * java [flags] -cp benchmarks/target/benchmarks.jar dev.agentrt.benchmarks.CodeExecutorSpeed \
 *     [warm runs] [warm-up on|off] [workloads, e.g. js-fib,py-csv]
 * </pre>
 */
public final class CodeExecutorSpeed {
    static final String JS_FIB = "function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\nfib(25)";
    static final String PY_FIB = "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\nfib(25)";
    static final String JS_CSV = """
            const lines = readFile(PATH).split('\\n');
            const sums = new Map();
            for (let i = 1; i < lines.length; i++) {
              if (!lines[i]) continue;
              const f = lines[i].split(',');
              const key = f[1] + '/' + f[2];
              sums.set(key, (sums.get(key) || 0) + Number(f[3]) * Number(f[4]));
            }
            let total = 0;
            for (const v of sums.values()) total += v;
            sums.size + ':' + total""";
    static final String PY_CSV = """
            import csv
            sums = {}
            with open(PATH, newline='') as f:
                rows = csv.reader(f)
                next(rows)
                for row in rows:
                    key = row[1] + '/' + row[2]
                    sums[key] = sums.get(key, 0) + int(row[3]) * int(row[4])
            f"{len(sums)}:{sum(sums.values())}\"""";

    private CodeExecutorSpeed() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        int warm = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        boolean warmUp = args.length > 1 && args[1].equals("on");
        Set<String> only = args.length > 2 ? Set.of(args[2].split(",")) : Set.of();
        Path csv = writeCsv();
        String jsCsv = JS_CSV.replace("PATH", quote(csv));
        // The same script for CPython and the sandbox's Python, which sees a declared file at its host path.
        String pyCsv = PY_CSV.replace("PATH", quote(csv));
        var options = CodeExecutor.Options.DEFAULT
                .withLimits(SandboxLimits.DEFAULT.withTimeout(Duration.ofMinutes(10)))
                .withWarmUp(warmUp);
        System.out.printf(Locale.ROOT, "JVM %s, flags %s, warm-up %s, CSV %,d bytes%n", Runtime.version(),
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments(), warmUp ? "on" : "off",
                Files.size(csv));
        try (CodeExecutor executor = CodeExecutor.create(options)) {
            long t0 = System.nanoTime();
            Boolean warmed = executor.warmedUp().block();
            System.out.printf(Locale.ROOT, "warm-up finished=%s after %.0f ms%n", warmed,
                    (System.nanoTime() - t0) / 1e6);
            var context = new Context(Grants.of(List.of(Capability.fileRead(csv))));
            List<Object[]> rows = new ArrayList<>();
            if (wanted(only, "js-fib")) {
                rows.add(sandbox("js-fib", executor, "javascript", JS_FIB, List.of(), context, warm));
            }
            if (wanted(only, "js-csv")) {
                rows.add(sandbox("js-csv", executor, "javascript", jsCsv, List.of(csv), context, warm));
            }
            boolean python = executor.unavailable(CodeExecutor.Language.PYTHON).isEmpty();
            if (python && wanted(only, "py-fib")) {
                rows.add(sandbox("py-fib", executor, "python", PY_FIB, List.of(), context, warm));
            }
            if (python && wanted(only, "py-csv")) {
                rows.add(sandbox("py-csv", executor, "python", pyCsv, List.of(csv), context, warm));
            }
            if (wanted(only, "node")) {
                rows.add(external("node-fib", List.of("node", "-e", nodeLoop(JS_FIB, warm))));
                rows.add(external("node-csv", List.of("node", "-e", nodeLoop(jsCsv, warm))));
            }
            if (wanted(only, "python3")) {
                rows.add(external("python3-fib", List.of("python3", "-c", pythonLoop(PY_FIB, warm))));
                rows.add(external("python3-csv", List.of("python3", "-c", pythonLoop(pyCsv, warm))));
            }
            System.out.println("| workload | first run (ms) | warm median (ms) | result |");
            System.out.println("|---|---|---|---|");
            for (Object[] r : rows) {
                System.out.printf(Locale.ROOT, "| %s | %.1f | %.2f | %s |%n", r);
            }
        } finally {
            Files.deleteIfExists(csv);
        }
    }

    private static boolean wanted(Set<String> only, String name) {
        return only.isEmpty() || only.contains(name);
    }

    private static Object[] sandbox(String name, CodeExecutor executor, String language, String code,
            List<Path> files, ToolContext context, int warm) {
        var declared = new ArrayList<JsonValue>();
        for (Path f : files) {
            declared.add(JsonObject.builder().put("path", f.toString()).put("access", "read").build());
        }
        JsonObject call = JsonObject.builder()
                .put("language", language)
                .put("code", code)
                .put("files", new JsonArray(declared))
                .build();
        double[] times = new double[warm + 1];
        String value = "";
        for (int i = 0; i <= warm; i++) {
            ToolResult r = executor.invoke(call, context).block();
            if (r == null || r.isError()) {
                throw new IllegalStateException(name + " failed: " + (r == null ? "no result" : r.content()));
            }
            JsonObject result = JsonValue.parse(r.content()).asObject();
            times[i] = result.getLong("elapsedMillis").orElse(-1L);
            value = String.valueOf(result.get("value"));
            System.out.printf(Locale.ROOT, "%s run %d: %.0f ms%n", name, i, times[i]);
        }
        return new Object[]{name, times[0], median(Arrays.copyOfRange(times, 1, times.length)), value};
    }

    /** Runs a loop in one external process that prints one line per run: milliseconds and the value. */
    private static Object[] external(String name, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(name + " failed: " + out);
        }
        String[] lines = out.split("\n");
        double[] times = new double[lines.length];
        String value = "";
        for (int i = 0; i < lines.length; i++) {
            String[] parts = lines[i].split(" ", 2);
            times[i] = Double.parseDouble(parts[0]);
            value = parts[1];
        }
        return new Object[]{name, times[0], median(Arrays.copyOfRange(times, 1, times.length)), value};
    }

    private static String nodeLoop(String script, int warm) {
        return "const readFile = (p) => require('fs').readFileSync(p, 'utf8');\n"
                + "for (let i = 0; i <= " + warm + "; i++) {\n"
                + "  const t0 = process.hrtime.bigint();\n"
                + "  const value = eval(" + quote(script) + ");\n"
                + "  console.log((Number(process.hrtime.bigint() - t0) / 1e6).toFixed(3) + ' ' + JSON.stringify(value));\n"
                + "}\n";
    }

    private static String pythonLoop(String script, int warm) {
        return "import ast, json, time\n"
                + "src = " + quote(script) + "\n"
                + "for i in range(" + (warm + 1) + "):\n"
                + "    t0 = time.perf_counter()\n"
                + "    tree = ast.parse(src)\n"
                + "    last = ast.Expression(tree.body.pop().value)\n"
                + "    scope = {}\n"
                + "    exec(compile(tree, '<code>', 'exec'), scope)\n"
                + "    value = eval(compile(last, '<code>', 'eval'), scope)\n"
                + "    print('%.3f %s' % ((time.perf_counter() - t0) * 1000, json.dumps(value)))\n";
    }

    private static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    /** About 1 MB of {@code id,region,product,qty,price} rows; prices in cents so every language sums exactly. */
    private static Path writeCsv() throws IOException {
        String[] regions = {"north", "south", "east", "west", "central"};
        String[] products = {"apple", "banana", "cherry", "date", "elder", "fig", "grape", "honeydew"};
        var sb = new StringBuilder("id,region,product,qty,price\n");
        long seed = 42;
        for (int id = 1; sb.length() < 1_000_000; id++) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            int r = (int) ((seed >>> 33) & 0x7fffffff);
            sb.append(id)
                    .append(',')
                    .append(regions[r % regions.length])
                    .append(',')
                    .append(products[(r / 7) % products.length])
                    .append(',')
                    .append(1 + (r / 61) % 20)
                    .append(',')
                    .append(50 + (r / 1301) % 5000)
                    .append('\n');
        }
        Path file = Files.createTempFile("agentrt-speed", ".csv");
        Files.writeString(file, sb);
        return file.toRealPath();
    }

    /** A string literal both JavaScript and Python read back as {@code s}. */
    private static String quote(Object s) {
        return JsonValue.of(s.toString()).toJson();
    }

    /** The grants of the benchmark's calls; no registry in between. */
    private record Context(Grants grants) implements ToolContext {
        @Override
        public String taskId() {
            return "speed";
        }

        @Override
        public String callId() {
            return "speed";
        }

        @Override
        public Principal principal() {
            return Principal.ANONYMOUS;
        }

        @Override
        public Mono<Void> require(List<Capability> capabilities) {
            List<Capability> missing = grants.missing(capabilities);
            return missing.isEmpty()
                    ? Mono.empty()
                    : Mono.error(new CapabilityDeniedException("not granted: " + missing, missing));
        }
    }
}
