package dev.agentrt.benchmarks;

import org.jspecify.annotations.Nullable;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What became of each of {@code n} tasks: when it started, when it ended, and how (the expected
 * answer, or an error sorted into a kind). Any thread may report; the first report of a task counts,
 * a second one is counted as a duplicate (a client bug worth seeing, never silently dropped).
 */
final class TaskOutcomes {
    /** The outcome of a task that ended as expected (no error kind starts with a NUL). */
    private static final String OK = "\u0000ok";

    private final int n;
    private final AtomicLongArray start;
    private final AtomicLongArray end;
    /** Per task: null while running, then {@link #OK} or the kind of error; set once. */
    private final AtomicReferenceArray<@Nullable String> outcome;
    private final ConcurrentHashMap<String, Integer> duplicates = new ConcurrentHashMap<>();
    private final CountDownLatch ended;

    TaskOutcomes(int n) {
        this.n = n;
        this.start = new AtomicLongArray(n);
        this.end = new AtomicLongArray(n);
        this.outcome = new AtomicReferenceArray<>(n);
        this.ended = new CountDownLatch(n);
    }

    int size() {
        return n;
    }

    void started(int task) {
        start.set(task, System.nanoTime());
    }

    /** The task answered; anything but the scenario's answer counts as an error. */
    void answered(int task, @Nullable String answer) {
        if (Fixtures.ANSWER.equals(answer)) {
            finish(task, null);
        } else {
            finish(task, "wrong answer: " + (answer == null ? "none" : kindOf(answer)));
        }
    }

    /** The task ended as expected, for a client that checks the exchange but has no answer to compare (the raw floor). */
    void succeeded(int task) {
        finish(task, null);
    }

    void failed(int task, Throwable error) {
        finish(task, kindOf(error));
    }

    void failed(int task, String kind) {
        finish(task, kind);
    }

    private void finish(int task, @Nullable String kind) {
        long now = System.nanoTime();
        String k = kind == null ? OK : kind;
        if (!outcome.compareAndSet(task, null, k)) {
            duplicates.merge("after " + describe(outcome.get(task)) + ", again " + describe(k), 1, Integer::sum);
            return;
        }
        end.set(task, now);
        ended.countDown();
    }

    /** Waits until every task has ended or the time is up; whether all ended. */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return ended.await(timeout, unit);
    }

    long endedCount() {
        return n - ended.getCount();
    }

    /** A summary once the run is over (tasks that have not ended count as hung). */
    Summary summary(long runStart) {
        long[] latencies = new long[n];
        int ok = 0;
        long lastEnd = runStart;
        var kinds = new TreeMap<String, Integer>();
        for (int i = 0; i < n; i++) {
            String kind = outcome.get(i);
            if (kind == null) {
                kinds.merge("no outcome before the run's deadline (hang)", 1, Integer::sum);
                continue;
            }
            long e = end.get(i);
            lastEnd = Math.max(lastEnd, e);
            if (kind.equals(OK)) {
                latencies[ok++] = e - start.get(i);
            } else {
                kinds.merge(kind, 1, Integer::sum);
            }
        }
        long[] sorted = Arrays.copyOf(latencies, ok);
        Arrays.sort(sorted);
        return new Summary(n, ok, lastEnd - runStart, sorted, kinds, new TreeMap<>(duplicates));
    }

    private static String describe(@Nullable String kind) {
        return OK.equals(kind) ? "the answer" : String.valueOf(kind);
    }

    /**
     * @param errors failed tasks by kind of error
     * @param duplicateReports outcomes reported for a task that already had one, by first and second kind
     */
    record Summary(int tasks, int ok, long wallNanos, long[] sortedOkLatencies, Map<String, Integer> errors,
            Map<String, Integer> duplicateReports) {
        int failed() {
            return tasks - ok;
        }

        /** The latency at percentile {@code p} (nearest rank) over the tasks that answered, in ms; -1 if none did. */
        double percentileMillis(double p) {
            if (sortedOkLatencies.length == 0) {
                return -1;
            }
            int rank = (int) Math.ceil(p / 100 * sortedOkLatencies.length);
            return sortedOkLatencies[Math.max(0, Math.min(sortedOkLatencies.length - 1, rank - 1))] / 1e6;
        }
    }

    /**
     * An error's kind: its class, the class of its root cause when that differs, and the root
     * cause's message with numbers (ports, ids, counts) blanked, so equal failures group together.
     */
    static String kindOf(Throwable error) {
        Throwable root = error;
        int depth = 0;
        while (root.getCause() != null && root.getCause() != root && depth++ < 20) {
            root = root.getCause();
        }
        String name = error.getClass().getSimpleName();
        if (root != error) {
            name += " < " + root.getClass().getSimpleName();
        }
        String message = root.getMessage();
        if (message == null && root != error) {
            message = error.getMessage();
        }
        return message == null ? name : name + ": " + kindOf(message);
    }

    private static String kindOf(String message) {
        String m = message.replaceAll("[0-9]+", "#").replaceAll("\\s+", " ").strip();
        return m.length() > 140 ? m.substring(0, 140) + "..." : m;
    }
}
