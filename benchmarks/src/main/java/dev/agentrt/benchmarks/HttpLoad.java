package dev.agentrt.benchmarks;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.jspecify.annotations.Nullable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * N concurrent tasks over real HTTP, agentrt and LangChain4j side by side in one run, against a
 * local OpenAI-compatible streaming server in a separate process ({@code node/openai-stream-server.mjs}).
 * Each task: model turn 1 streams a tool call, the client runs the tool, turn 2 streams a short
 * answer; each reply takes {@code --latency-ms} spread over {@code --chunks} pieces, so the ideal
 * wall time is two latencies. With {@code --faults reset,429}, that share of replies is cut by a TCP
 * reset mid-stream, and that share answers 429 with {@code Retry-After} and OpenAI's error body.
 *
 * <p>Every runtime at every N runs in a fresh JVM of its own ({@link HttpLoadWorker}, same java,
 * class path and JVM options as this one), so threads, heap and CPU time are that runtime's alone;
 * the runs take turns (for each N: each runtime) against the same server process.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.agentrt.benchmarks.HttpLoad [N ...] [--faults 0.05,0.05]
 *     [--runtime agentrt|langchain4j|langchain4j-sync|raw|both|all] [--latency-ms 50] [--chunks 5]
 *     [--timeout-s 120] [--warmups 2] [--retry-after-s 1] [--seed 1] [--no-heap] [--server-nice -10]
 * </pre>
 *
 * Defaults: N = 100 1000 5000, no faults, {@code both} (agentrt and LangChain4j's streaming API); the
 * server runs at nice -10 (root only) so that it keeps its schedule on a busy machine.
 * Every run has a hard deadline (its worker JVM is killed past it); the server child stops with this
 * JVM, also on Ctrl-C.
 */
public final class HttpLoad {
    private static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

    private HttpLoad() {}

    record Options(List<Integer> ns, List<String> runtimes, LoadServer.Settings server, long timeoutSeconds,
            int warmups, boolean heap, int serverNice) {
        static Options parse(String[] args) {
            var ns = new ArrayList<Integer>();
            var runtimes = new LinkedHashSet<String>();
            double reset = 0;
            double rateLimit = 0;
            long latency = 50;
            int chunks = 5;
            long timeout = 120;
            int warmups = 2;
            long retryAfter = 1;
            long seed = 1;
            boolean heap = true;
            int serverNice = -10;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--faults" -> {
                        String[] shares = value(args, ++i, a).split(",");
                        if (shares.length != 2) {
                            throw new IllegalArgumentException("--faults takes resetShare,429Share, e.g. 0.05,0.05");
                        }
                        reset = Double.parseDouble(shares[0]);
                        rateLimit = Double.parseDouble(shares[1]);
                    }
                    case "--runtime" -> {
                        for (String r : value(args, ++i, a).split(",")) {
                            switch (r) {
                                case "both" -> runtimes.addAll(List.of("agentrt", "langchain4j"));
                                case "all" -> runtimes.addAll(LoadClients.NAMES);
                                default -> {
                                    if (!LoadClients.NAMES.contains(r)) {
                                        throw new IllegalArgumentException("unknown runtime " + r + "; one of "
                                                + LoadClients.NAMES + ", both, all");
                                    }
                                    runtimes.add(r);
                                }
                            }
                        }
                    }
                    case "--latency-ms" -> latency = Long.parseLong(value(args, ++i, a));
                    case "--chunks" -> chunks = Integer.parseInt(value(args, ++i, a));
                    case "--timeout-s" -> timeout = Long.parseLong(value(args, ++i, a));
                    case "--warmups" -> warmups = Integer.parseInt(value(args, ++i, a));
                    case "--retry-after-s" -> retryAfter = Long.parseLong(value(args, ++i, a));
                    case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                    case "--no-heap" -> heap = false;
                    case "--server-nice" -> serverNice = Integer.parseInt(value(args, ++i, a));
                    default -> {
                        if (a.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + a);
                        }
                        for (String n : a.split(",")) {
                            int v = Integer.parseInt(n.replace("_", ""));
                            if (v < 1 || v > 50_000) {
                                throw new IllegalArgumentException("N must be in [1, 50000], was " + v);
                            }
                            ns.add(v);
                        }
                    }
                }
            }
            if (timeout < 1 || warmups < 0) {
                throw new IllegalArgumentException("--timeout-s must be >= 1 and --warmups >= 0");
            }
            return new Options(ns.isEmpty() ? List.of(100, 1_000, 5_000) : List.copyOf(ns),
                    runtimes.isEmpty() ? List.of("agentrt", "langchain4j") : List.copyOf(runtimes),
                    new LoadServer.Settings(latency, chunks, reset, rateLimit, retryAfter, seed, Fixtures.ANSWER),
                    timeout, warmups, heap, serverNice);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        long idealMillis() {
            return 2 * server.latencyMs();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--worker")) {
            HttpLoadWorker.main(args);
            return;
        }
        Options o = Options.parse(args);
        var current = new AtomicReference<@Nullable Process>();
        var server = new AtomicReference<@Nullable LoadServer>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Process p = current.get();
            if (p != null) {
                p.destroyForcibly();
            }
            LoadServer s = server.get();
            if (s != null) {
                s.close();
            }
        }, "httpload-cleanup"));

        LoadServer s = LoadServer.start(o.server(), o.serverNice());
        server.set(s);
        var settings = o.server();
        System.out.printf(Locale.ROOT,
                "HttpLoad: %s; each task = 2 streamed replies of %d ms in %d pieces + 1 tool call: ideal %d ms;"
                        + " faults: %s; server node %s (pid %d) on 127.0.0.1:%d; java %s, %d cores%n",
                o.runtimes(), settings.latencyMs(), settings.chunks(), o.idealMillis(),
                settings.faults()
                        ? String.format(Locale.ROOT, "%.0f%% reset mid-stream, %.0f%% 429 (Retry-After %d s)",
                                settings.resetShare() * 100, settings.rateLimitShare() * 100,
                                settings.retryAfterSeconds())
                        : "none",
                s.nodeVersion(), s.pid(), s.port(), Runtime.version(), Runtime.getRuntime().availableProcessors());

        var results = new ArrayList<JsonObject>();
        try {
            for (int n : o.ns()) {
                for (String runtime : o.runtimes()) {
                    results.add(runWorker(o, s.port(), runtime, n, current));
                }
            }
        } finally {
            s.close();
            server.set(null);
        }
        report(o, results);
    }

    /** One worker JVM; killed when it outlives its deadline. */
    private static JsonObject runWorker(Options o, int port, String runtime, int n,
            AtomicReference<@Nullable Process> current) throws IOException, InterruptedException {
        var command = new ArrayList<String>();
        command.add(ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        if (System.getProperty(LOG_LEVEL) == null) {
            // LangChain4j logs a warning with a stack trace per retry: thousands of lines and their
            // CPU time in the measured run. Errors are counted by kind instead.
            command.add("-D" + LOG_LEVEL + "=error");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), HttpLoad.class.getName(), "--worker",
                runtime, Integer.toString(n), Integer.toString(port), Long.toString(o.timeoutSeconds()),
                Integer.toString(o.warmups()), Boolean.toString(o.heap())));
        System.out.printf(Locale.ROOT, "%n== %s, N = %d%n", runtime, n);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        current.set(p);
        var result = new AtomicReference<@Nullable String>();
        Thread reader = Thread.ofPlatform().name("httpload-worker-output").start(() -> {
            try (var lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("RESULT ")) {
                        result.set(line.substring(7));
                    } else {
                        System.out.println("   " + line);
                    }
                }
            } catch (IOException e) {
                // the worker is gone
            }
        });
        // The worker stops itself at its hard deadline; this is for a worker that cannot.
        long deadline = HttpLoadWorker.hardDeadlineSeconds(o.warmups(), o.timeoutSeconds()) + 60;
        boolean exited = p.waitFor(deadline, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
            p.waitFor();
        }
        reader.join();
        current.set(null);
        String json = result.get();
        if (json == null) {
            String why = exited
                    ? "the worker exited (" + p.exitValue() + ") without a result"
                    : "the worker was killed after " + deadline + " s";
            return JsonObject.builder().put("runtime", runtime).put("n", n).put("aborted", why).build();
        }
        return JsonValue.parse(json).asObject();
    }

    // ---------------------------------------------------------------------------------- report

    private static void report(Options o, List<JsonObject> results) {
        long ideal = o.idealMillis();
        System.out.printf(Locale.ROOT, "%n== Tasks (latency over the tasks that answered; ideal %d ms)%n", ideal);
        System.out.printf(Locale.ROOT, "%-16s %6s %6s %6s %8s %9s %7s %8s %8s %8s %9s %7s%n", "runtime", "N", "ok",
                "failed", "start ms", "wall ms", "x ideal", "p50 ms", "p99 ms", "max ms", "CPU ms", "GC ms");
        for (JsonObject r : results) {
            if (aborted(r)) {
                continue;
            }
            System.out.printf(Locale.ROOT, "%-16s %6d %6d %6d %8d %9.0f %7.2f %8.1f %8.1f %8.1f %9.0f %7d%n",
                    str(r, "runtime"), num(r, "n"), num(r, "ok"), num(r, "failed"), num(r, "startMs"), dbl(r, "wallMs"),
                    dbl(r, "wallMs") / ideal, dbl(r, "p50Ms"), dbl(r, "p99Ms"), dbl(r, "maxMs"), dbl(r, "cpuMs"),
                    num(r, "gcMs"));
        }

        System.out.printf(Locale.ROOT, "%n== Platform threads and heap (measured run; then all N held mid-stream)%n");
        System.out.printf(Locale.ROOT, "%-16s %6s %8s %8s %11s %9s %13s %11s%n", "runtime", "N", "before",
                "peak", "peak HttpC", "held", "held HttpC", "heap/task");
        for (JsonObject r : results) {
            if (aborted(r)) {
                continue;
            }
            boolean heap = r.has("heapPerTaskBytes");
            System.out.printf(Locale.ROOT, "%-16s %6d %8d %8d %11d %9s %13s %11s%n", str(r, "runtime"), num(r, "n"),
                    num(r, "threadsBefore"), num(r, "peakThreads"), num(r, "peakHttpClient"),
                    heap ? Long.toString(num(r, "heldThreads")) : "-",
                    heap ? Long.toString(num(r, "heldHttpClient")) : "-",
                    heap ? String.format(Locale.ROOT, "%.1f KiB", num(r, "heapPerTaskBytes") / 1024.0) : "-");
        }

        System.out.printf(Locale.ROOT, "%n== Server during the measured run (one Node event loop; open = replies"
                + " in flight at once; late = how long after its due time a reply's piece went out)%n");
        System.out.printf(Locale.ROOT, "%-16s %6s %6s %5s %5s %6s %6s %6s %8s %6s %9s %9s %9s %9s%n", "runtime", "N",
                "req", "reset", "429", "open", "conns", "new", "CPU ms", "CPU %", "late p50", "late p99", "late max",
                "loop max");
        for (JsonObject r : results) {
            if (aborted(r)) {
                continue;
            }
            JsonObject sv = r.getObject("server").orElse(JsonObject.EMPTY);
            double cpu = dbl(sv, "cpuMs");
            System.out.printf(Locale.ROOT,
                    "%-16s %6d %6d %5d %5d %6d %6d %6d %8.0f %5.0f%% %9.1f %9.1f %9.1f %9.1f%n", str(r, "runtime"),
                    num(r, "n"), num(sv, "requests"), num(sv, "resets"), num(sv, "rateLimited"),
                    num(sv, "peakOpenResponses"), num(sv, "peakConnections"), num(sv, "newConnections"), cpu,
                    100 * cpu / Math.max(1, dbl(sv, "elapsedMs")), dbl(sv, "timerLateP50Ms"),
                    dbl(sv, "timerLateP99Ms"), dbl(sv, "timerLateMaxMs"), dbl(sv, "loopDelayMaxMs"));
        }

        System.out.printf(Locale.ROOT, "%n== Errors by kind, threads by name at the fullest sample%n");
        for (JsonObject r : results) {
            System.out.printf(Locale.ROOT, "%s, N = %d:%n", str(r, "runtime"), num(r, "n"));
            if (aborted(r)) {
                System.out.println("    ABORTED: " + str(r, "aborted"));
                continue;
            }
            JsonObject errors = r.getObject("errors").orElse(JsonObject.EMPTY);
            if (errors.size() == 0) {
                System.out.println("    no errors");
            }
            errors.members().forEach((kind, count) -> System.out.printf(Locale.ROOT, "    %6s x %s%n", count, kind));
            r.getObject("duplicateReports")
                    .orElse(JsonObject.EMPTY)
                    .members()
                    .forEach((kind, count) -> System.out.printf(Locale.ROOT,
                            "    %6s x a second outcome for one task: %s%n", count, kind));
            String note = str(r, "heapNote");
            if (!note.isEmpty()) {
                System.out.println("    heap: " + note);
            }
            var groups = new StringBuilder();
            r.getObject("threadGroupsAtPeak")
                    .orElse(JsonObject.EMPTY)
                    .members()
                    .forEach((name, count) -> groups.append(groups.isEmpty() ? "" : ", ")
                            .append(count)
                            .append(" ")
                            .append(name));
            System.out.printf(Locale.ROOT, "    threads: %s (the 10 ms sampler used %.0f ms CPU of the run's %.0f)%n",
                    groups,
                    dbl(r, "samplerCpuMs"), dbl(r, "cpuMs"));
        }
        ratios(o, results);
    }

    /** LangChain4j's figures over agentrt's at each N (above 1: LangChain4j took more). */
    private static void ratios(Options o, List<JsonObject> results) {
        if (!o.runtimes().contains("agentrt") || o.runtimes().size() < 2) {
            return;
        }
        System.out.printf(Locale.ROOT, "%n== Ratios other / agentrt (same N, this run)%n");
        System.out.printf(Locale.ROOT, "%-16s %6s %7s %7s %7s %8s %8s %9s %7s%n", "runtime", "N", "wall", "p50",
                "p99", "failed", "threads", "heap/task", "CPU");
        for (int n : o.ns()) {
            JsonObject base = find(results, "agentrt", n);
            if (base == null || aborted(base)) {
                continue;
            }
            for (String rt : o.runtimes()) {
                JsonObject r = find(results, rt, n);
                if (rt.equals("agentrt") || r == null || aborted(r)) {
                    continue;
                }
                System.out.printf(Locale.ROOT, "%-16s %6d %7s %7s %7s %8s %8s %9s %7s%n", rt, n,
                        ratio(dbl(r, "wallMs"), dbl(base, "wallMs")), ratio(dbl(r, "p50Ms"), dbl(base, "p50Ms")),
                        ratio(dbl(r, "p99Ms"), dbl(base, "p99Ms")), num(r, "failed") + "/" + num(base, "failed"),
                        ratio(num(r, "peakThreads"), num(base, "peakThreads")),
                        r.has("heapPerTaskBytes") && base.has("heapPerTaskBytes")
                                ? ratio(num(r, "heapPerTaskBytes"), num(base, "heapPerTaskBytes"))
                                : "-",
                        ratio(dbl(r, "cpuMs"), dbl(base, "cpuMs")));
            }
        }
    }

    private static @Nullable JsonObject find(List<JsonObject> results, String runtime, int n) {
        for (JsonObject r : results) {
            if (str(r, "runtime").equals(runtime) && num(r, "n") == n) {
                return r;
            }
        }
        return null;
    }

    private static String ratio(double a, double b) {
        return a <= 0 || b <= 0 ? "-" : String.format(Locale.ROOT, "%.2fx", a / b);
    }

    private static boolean aborted(JsonObject r) {
        return r.has("aborted");
    }

    private static String str(JsonObject r, String name) {
        return r.getString(name).orElse("");
    }

    private static long num(JsonObject r, String name) {
        return Math.round(dbl(r, name));
    }

    private static double dbl(JsonObject r, String name) {
        return r.get(name) instanceof JsonValue.JsonNumber n ? n.doubleValue() : 0;
    }
}
