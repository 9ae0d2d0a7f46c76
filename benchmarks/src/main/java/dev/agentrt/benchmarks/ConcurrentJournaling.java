package dev.agentrt.benchmarks;

import dev.agentrt.core.Agent;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreSize;
import dev.agentrt.runs.SqliteRunStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@link ConcurrentTasks}' load (by default 10,000 tasks started at once, each model → tool → model → tool → model
 * with 50 ms non-blocking latency) with SQLite journaling on ({@link SqliteRunStore} in a temp file, default settings:
 * WAL, {@code synchronous=NORMAL}, grouped commits) against off, in one JVM: wall time against the ideal 150 ms and
 * throughput (tasks per second of wall time). After the warm-up runs of both, the measured runs alternate (off,
 * sqlite, off, ...), so that the machine's load moves both alike. Between runs, the runs the store holds are purged
 * (outside the timing), so each measured run starts from a store of the same size; every run of the store is checked
 * to have ended {@code COMPLETED}.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.agentrt.benchmarks.ConcurrentJournaling [tasks] [warm-up runs] [runs]}
 * (defaults 10000, 3, 5; warm-up and measured runs per side).
 */
public final class ConcurrentJournaling {
    /** How long one run of all tasks may take: journaled, it took 30 to 50 s on a loaded 2-core machine. */
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    private ConcurrentJournaling() {}

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        System.out.printf(Locale.ROOT, "%d tasks, %d model calls each, %d ms latency; ideal %d ms; %s%n", tasks,
                ConcurrentTasks.TOOL_ROUNDS + 1, ConcurrentTasks.LATENCY.toMillis(), ConcurrentTasks.IDEAL_MILLIS,
                Runtime.version());
        Path dir = Files.createTempDirectory("agentrt-concurrent-journal");
        try (RunStore store = SqliteRunStore.open(dir.resolve("runs.db"))) {
            Agent off = Fixtures.agentrtAgent(
                    Fixtures.agentrtModel(ConcurrentTasks.LATENCY, ConcurrentTasks.TOOL_ROUNDS),
                    Fixtures.agentrtTool());
            Agent journaled = off.toBuilder().runStore(store).build();
            var offTimes = new ArrayList<Long>();
            var sqliteTimes = new ArrayList<Long>();
            for (int i = 0; i < warmups + runs; i++) {
                String phase = i < warmups ? "warm-up" : "measured";
                long offMillis = time("off", phase, i + 1, off, tasks);
                long sqliteMillis = time("sqlite", phase, i + 1, journaled, tasks);
                checkAndPurge(store, tasks);
                if (i >= warmups) {
                    offTimes.add(offMillis);
                    sqliteTimes.add(sqliteMillis);
                }
            }
            report("off", offTimes, tasks);
            report("sqlite", sqliteTimes, tasks);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static long time(String side, String phase, int n, Agent agent, int tasks) throws InterruptedException {
        long start = System.nanoTime();
        int done = ConcurrentTasks.agentrtRun(agent, tasks, TIMEOUT);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf(Locale.ROOT, "  %s %s run %d: %d ms (%d tasks completed)%n", side, phase, n, millis, done);
        if (done != tasks) {
            throw new IllegalStateException(side + ": only " + done + " of " + tasks + " tasks completed");
        }
        return millis;
    }

    /** Checks that the store holds the run's tasks, all completed, then deletes them. */
    private static void checkAndPurge(RunStore store, int tasks) {
        RunStoreSize size = store.size().block();
        Long completed = store.runs(RunStatus.COMPLETED).count().block();
        if (size == null || size.runs() != tasks || completed == null || completed != tasks) {
            throw new IllegalStateException("the store holds " + size + ", " + completed + " completed; expected "
                    + tasks + " completed runs");
        }
        System.out.printf(Locale.ROOT, "    (store: %d runs, %d journal entries, %.1f MB; purged)%n", size.runs(),
                size.entries(), size.bytes() / 1e6);
        store.purge(Instant.now().plusSeconds(1)).block();
    }

    private static void report(String side, List<Long> times, int tasks) {
        List<Long> sorted = times.stream().sorted().toList();
        long min = sorted.get(0);
        long median = sorted.get(sorted.size() / 2);
        long max = sorted.get(sorted.size() - 1);
        System.out.printf(Locale.ROOT,
                "%s: wall time min %d / median %d / max %d ms = %.2fx / %.2fx / %.2fx the ideal %d ms;"
                        + " throughput at the median %.0f tasks/s%n",
                side, min, median, max, (double) min / ConcurrentTasks.IDEAL_MILLIS,
                (double) median / ConcurrentTasks.IDEAL_MILLIS, (double) max / ConcurrentTasks.IDEAL_MILLIS,
                ConcurrentTasks.IDEAL_MILLIS, tasks * 1000.0 / median);
    }
}
