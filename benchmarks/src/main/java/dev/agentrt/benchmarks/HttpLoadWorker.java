package dev.agentrt.benchmarks;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One runtime at one N, in a JVM of its own (started by {@link HttpLoad}, so that threads, heap,
 * CPU time and JIT state belong to this runtime alone): warm-up runs of N tasks (JIT, connection
 * pool), the measured run, then the heap per task in flight. Prints progress lines and, last, one
 * line {@code RESULT <json>}.
 *
 * <p>The measured run: all N tasks started at once; per-task latency from its start to its outcome;
 * wall time from the first start to the last outcome; platform threads sampled every 10 ms (exact
 * peak from {@code ThreadMXBean}); process CPU time and GC time over the run; the server's own
 * statistics for the run.
 *
 * <p>Heap per task in flight: the server is told to hold every first reply after its first piece;
 * N tasks are started and, once the server holds N replies (every task mid-stream at once), the
 * heap used after full collections minus the same taken just before, divided by N. The client's
 * connection pool is already open from the measured run, so a pooled connection's own buffers are
 * not in the figure. The live platform threads at that moment are reported too.
 */
final class HttpLoadWorker {
    private static volatile String phase = "starting";

    private HttpLoadWorker() {}

    /** The longest a worker may take: each warm-up, the measured run, the hold and its release, plus set-up. */
    static long hardDeadlineSeconds(int warmups, long timeoutSeconds) {
        return (warmups + 3L) * timeoutSeconds + 60;
    }

    /** {@code --worker runtime n port timeoutSeconds warmups heap(true|false)}. */
    static void main(String[] args) throws Exception {
        haltWhenParentGoes();
        String runtime = args[1];
        int n = Integer.parseInt(args[2]);
        int port = Integer.parseInt(args[3]);
        long timeoutSeconds = Long.parseLong(args[4]);
        int warmups = Integer.parseInt(args[5]);
        boolean heap = Boolean.parseBoolean(args[6]);

        watchdog(runtime, n, hardDeadlineSeconds(warmups, timeoutSeconds));
        var control = new LoadServer.Control(port);
        LoadClients.LoadClient client = LoadClients.create(runtime, "http://127.0.0.1:" + port + "/v1");
        for (int w = 1; w <= warmups; w++) {
            phase = "warm-up " + w;
            var out = new TaskOutcomes(n);
            long t0 = System.nanoTime();
            client.startAll(out);
            boolean all = out.await(timeoutSeconds, TimeUnit.SECONDS);
            TaskOutcomes.Summary s = out.summary(t0);
            log("warm-up %d: %d tasks, %d answered, %d failed, %d ms%s", w, n, s.ok(), s.failed(),
                    TimeUnit.NANOSECONDS.toMillis(s.wallNanos()), all ? "" : " (deadline reached)");
            if (!all) {
                client.cancelAll();
                result(JsonObject.builder()
                        .put("runtime", runtime)
                        .put("n", n)
                        .put("aborted", "warm-up did not finish within " + timeoutSeconds + " s")
                        .build());
                return;
            }
        }

        phase = "measured run";
        Heap.usedAfterGc();
        int threadsBefore = ThreadSampler.live();
        int httpClientBefore = ThreadSampler.liveHttpClient();
        control.reset();
        var cpu = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long[] gc0 = gc();
        long cpu0 = cpu.getProcessCpuTime();
        ThreadSampler sampler = ThreadSampler.start(10);
        var out = new TaskOutcomes(n);
        long t0 = System.nanoTime();
        client.startAll(out);
        long startedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        boolean all = out.await(timeoutSeconds, TimeUnit.SECONDS);
        long cpu1 = cpu.getProcessCpuTime();
        long[] gc1 = gc();
        double samplerCpu = sampler.ownCpuMillis();
        sampler.stop();
        JsonObject server = control.stats();
        TaskOutcomes.Summary s = out.summary(t0);
        long wallNanos = all ? s.wallNanos() : System.nanoTime() - t0;
        log("measured: %d tasks, %d answered, %d failed, %d ms (all started after %d ms)%s", n, s.ok(), s.failed(),
                TimeUnit.NANOSECONDS.toMillis(wallNanos), startedMillis, all ? "" : " (deadline reached)");

        var errors = JsonObject.builder();
        s.errors().forEach((kind, count) -> errors.put(kind, (long) count));
        var duplicates = JsonObject.builder();
        s.duplicateReports().forEach((kind, count) -> duplicates.put(kind, (long) count));
        var groups = JsonObject.builder();
        sampler.groupsAtPeak().entrySet().stream().limit(6).forEach(e -> groups.put(e.getKey(), (long) e.getValue()));
        var r = JsonObject.builder()
                .put("runtime", runtime)
                .put("n", n)
                .put("ok", s.ok())
                .put("failed", s.failed())
                .put("hung", !all)
                .put("wallMs", wallNanos / 1e6)
                .put("startMs", startedMillis)
                .put("p50Ms", s.percentileMillis(50))
                .put("p99Ms", s.percentileMillis(99))
                .put("maxMs", s.percentileMillis(100))
                .put("duplicateReports", duplicates.build())
                .put("errors", errors.build())
                .put("threadsBefore", threadsBefore)
                .put("httpClientBefore", httpClientBefore)
                .put("peakThreads", sampler.peakLive())
                .put("peakHttpClient", sampler.peakHttpClient())
                .put("threadGroupsAtPeak", groups.build())
                .put("cpuMs", (cpu1 - cpu0) / 1e6)
                .put("samplerCpuMs", samplerCpu)
                .put("gcCount", gc1[0] - gc0[0])
                .put("gcMs", gc1[1] - gc0[1])
                .put("server", server);

        if (!all) {
            client.cancelAll();
            r.put("heapNote", "skipped: the measured run did not finish");
        } else if (heap) {
            heapPerTask(client, control, n, timeoutSeconds, r);
        } else {
            r.put("heapNote", "skipped (--no-heap)");
        }
        result(r.build());
    }

    /**
     * Starts the tasks from a thread of their own: LangChain4j's {@code TokenStream.start()} reads a
     * reply that is already there on the calling thread, to its end, so the starting thread may be
     * held with the replies while this one keeps the deadline.
     */
    private static void heapPerTask(LoadClients.LoadClient client, LoadServer.Control control, int n,
            long timeoutSeconds, JsonObject.Builder r) throws InterruptedException {
        phase = "heap: waiting for the server to hold all replies";
        control.reset();
        long before = Heap.usedAfterGc();
        control.hold(n);
        var out = new TaskOutcomes(n);
        Thread starter = Thread.ofPlatform().daemon().name("httpload-starter").start(() -> client.startAll(out));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        long held;
        while ((held = control.stats().getLong("held").orElse(0L)) < n) {
            if (System.nanoTime() > deadline || out.endedCount() > 0) {
                control.release();
                client.cancelAll();
                r.put("heapNote", String.format(Locale.ROOT, "skipped: only %d of %d replies held (%d tasks ended)",
                        held, n, out.endedCount()));
                return;
            }
            Thread.sleep(20);
        }
        long during = Heap.usedAfterGc();
        int threads = ThreadSampler.live();
        int httpClient = ThreadSampler.liveHttpClient();
        phase = "heap: waiting for the held tasks to finish after release";
        control.release();
        boolean all = out.await(timeoutSeconds, TimeUnit.SECONDS);
        starter.join(TimeUnit.SECONDS.toMillis(timeoutSeconds));
        TaskOutcomes.Summary s = out.summary(System.nanoTime());
        log("heap: %d tasks held mid-stream: %d B per task, %d platform threads (%d HttpClient-); then %d answered",
                n, (during - before) / n, threads, httpClient, s.ok());
        r.put("heapPerTaskBytes", (during - before) / n)
                .put("heldThreads", threads)
                .put("heldHttpClient", httpClient)
                .put("heapNote", all ? "" : "the held tasks did not all finish after release");
    }

    /** Collections and milliseconds of collection, summed over the collectors. */
    private static long[] gc() {
        long count = 0;
        long millis = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, b.getCollectionCount());
            millis += Math.max(0, b.getCollectionTime());
        }
        return new long[]{count, millis};
    }

    private static void log(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
        System.out.flush();
    }

    private static synchronized void result(JsonValue json) {
        System.out.println("RESULT " + json.toJson());
        System.out.flush();
        // Threads a client left running (LangChain4j's readers, a hung request) must not keep this JVM alive.
        Runtime.getRuntime().halt(0);
    }

    /**
     * Past the hard deadline, reports where the run stood (phase, the main thread's stack) as an
     * aborted result and stops the JVM, whatever the client is doing.
     */
    private static void watchdog(String runtime, int n, long seconds) {
        Thread main = Thread.currentThread();
        Thread.ofPlatform().daemon().name("httpload-watchdog").start(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            } catch (InterruptedException e) {
                return;
            }
            var stack = new StringBuilder();
            for (StackTraceElement e : main.getStackTrace()) {
                stack.append("\n        at ").append(e);
            }
            log("hard deadline of %d s passed in phase '%s'; main thread:%s", seconds, phase, stack);
            result(JsonObject.builder()
                    .put("runtime", runtime)
                    .put("n", n)
                    .put("aborted", "hard deadline of " + seconds + " s passed in phase '" + phase + "'")
                    .build());
        });
    }

    /** The parent holds this JVM's stdin open; when it dies, stdin closes and this JVM stops. */
    private static void haltWhenParentGoes() {
        Thread.ofPlatform().daemon().name("httpload-parent-watch").start(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // the parent sends nothing
                }
            } catch (IOException e) {
                // as good as end of input
            }
            Runtime.getRuntime().halt(3);
        });
    }
}
