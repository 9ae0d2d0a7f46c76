package dev.agentrt.benchmarks;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * 10,000 tasks started at once, each three model calls (model → tool → model → tool → model) with
 * 50 ms simulated latency: wall time against the ideal 150 ms, and live heap per task in flight.
 * agentrt runs them as Reactor chains (latency on Reactor's timer, no thread held); LangChain4j
 * {@code AiServices} as one virtual thread per task (latency as {@code Thread.sleep}).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.agentrt.benchmarks.ConcurrentTasks [tasks] [warm-up runs] [runs]}
 * (defaults 10000, 3, 5). Prints one line per run and a summary per runtime.
 */
public final class ConcurrentTasks {
    static final Duration LATENCY = Duration.ofMillis(50);
    static final int TOOL_ROUNDS = 2;
    static final long IDEAL_MILLIS = LATENCY.toMillis() * (TOOL_ROUNDS + 1);

    private ConcurrentTasks() {}

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        System.out.printf(Locale.ROOT, "%d tasks, %d model calls each, %d ms latency; ideal %d ms; %s%n", tasks,
                TOOL_ROUNDS + 1, LATENCY.toMillis(), IDEAL_MILLIS, Runtime.version());

        Agent agent = Fixtures.agentrtAgent(Fixtures.agentrtModel(LATENCY, TOOL_ROUNDS), Fixtures.agentrtTool());
        report("agentrt", wallTimes(warmups, runs, () -> agentrtRun(agent, tasks)), agentrtHeapPerTask(tasks));

        Lc4jFixtures.Assistant assistant = Lc4jFixtures.langchain4jAssistant(
                new Lc4jFixtures.Lc4jScriptedModel(LATENCY, TOOL_ROUNDS), new Lc4jFixtures.DocTools(null));
        report("langchain4j", wallTimes(warmups, runs, () -> langchain4jRun(assistant, tasks)),
                langchain4jHeapPerTask(tasks));
    }

    interface Run {
        int run() throws Exception;
    }

    private static List<Long> wallTimes(int warmups, int runs, Run run) throws Exception {
        var times = new ArrayList<Long>();
        for (int i = 0; i < warmups + runs; i++) {
            long start = System.nanoTime();
            int done = run.run();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf(Locale.ROOT, "  %s run %d: %d ms (%d tasks completed)%n",
                    i < warmups ? "warm-up" : "measured", i + 1, millis, done);
            if (i >= warmups) {
                times.add(millis);
            }
        }
        return times;
    }

    /**
     * Starts every task as its own subscription, the way a server starts independent requests (a
     * single {@code flatMap} over all of them adds its own merge queue and measured 1.6x-3.4x with a
     * bimodal spread here, against 1.15x-1.27x for independent subscriptions).
     */
    static int agentrtRun(Agent agent, int tasks) throws InterruptedException {
        return agentrtRun(agent, tasks, Duration.ofSeconds(60));
    }

    /** {@link #agentrtRun(Agent, int)}, failing when the tasks have not all ended within {@code timeout}. */
    static int agentrtRun(Agent agent, int tasks, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        var done = new AtomicInteger();
        var finished = new CountDownLatch(tasks);
        for (int i = 0; i < tasks; i++) {
            agent.task(Fixtures.INPUT).execute().subscribe(r -> {
                if (r.steps() == TOOL_ROUNDS + 1) {
                    done.incrementAndGet();
                }
                finished.countDown();
            }, e -> finished.countDown());
        }
        System.out.printf(Locale.ROOT, "    (all %d tasks subscribed after %d ms)%n", tasks,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        if (!finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("tasks did not finish within " + timeout);
        }
        return done.get();
    }

    static int langchain4jRun(Lc4jFixtures.Assistant assistant, int tasks) throws InterruptedException {
        var done = new AtomicInteger();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            long start = System.nanoTime();
            for (int i = 0; i < tasks; i++) {
                executor.execute(() -> {
                    if (Fixtures.ANSWER.equals(assistant.chat(Fixtures.INPUT))) {
                        done.incrementAndGet();
                    }
                });
            }
            System.out.printf(Locale.ROOT, "    (all %d virtual threads started after %d ms)%n", tasks,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
        return done.get();
    }

    /** Holds every task at its first tool call (behind a shared barrier), then measures the live heap. */
    private static long agentrtHeapPerTask(int tasks) throws Exception {
        Sinks.Empty<Void> gate = Sinks.empty();
        var waiting = new AtomicInteger();
        Agent agent = Fixtures.agentrtAgent(Fixtures.agentrtModel(LATENCY, TOOL_ROUNDS),
                Fixtures.agentrtGatedTool(gate.asMono(), waiting));
        var finished = new CountDownLatch(1);
        var completed = new AtomicInteger();
        long before = Heap.usedAfterGc();
        Disposable d = Flux.range(0, tasks)
                .flatMap(i -> agent.task(Fixtures.INPUT).execute(), tasks)
                .doOnNext(r -> completed.incrementAndGet())
                .doFinally(s -> finished.countDown())
                .subscribe();
        awaitCount(waiting, tasks);
        long during = Heap.usedAfterGc();
        gate.tryEmitEmpty();
        if (!finished.await(60, TimeUnit.SECONDS) || completed.get() != tasks) {
            throw new IllegalStateException("agentrt: only " + completed.get() + " of " + tasks + " tasks completed");
        }
        d.dispose();
        return (during - before) / tasks;
    }

    /** The same for LangChain4j: every virtual thread waits in its first tool call on a latch. */
    private static long langchain4jHeapPerTask(int tasks) throws Exception {
        var gate = new CountDownLatch(1);
        var tools = new Lc4jFixtures.DocTools(gate);
        Lc4jFixtures.Assistant assistant = Lc4jFixtures.langchain4jAssistant(
                new Lc4jFixtures.Lc4jScriptedModel(LATENCY, TOOL_ROUNDS), tools);
        var completed = new AtomicInteger();
        long before = Heap.usedAfterGc();
        long during;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < tasks; i++) {
                executor.execute(() -> {
                    if (Fixtures.ANSWER.equals(assistant.chat(Fixtures.INPUT))) {
                        completed.incrementAndGet();
                    }
                });
            }
            while (tools.waiting() < tasks) {
                Thread.sleep(10);
            }
            during = Heap.usedAfterGc();
            gate.countDown();
        }
        if (completed.get() != tasks) {
            throw new IllegalStateException("langchain4j: only " + completed.get() + " of " + tasks
                    + " tasks completed");
        }
        return (during - before) / tasks;
    }

    private static void awaitCount(AtomicInteger counter, int target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (counter.get() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + counter.get() + " of " + target + " tasks arrived");
            }
            Thread.sleep(10);
        }
    }

    private static void report(String name, List<Long> times, long heapPerTask) {
        long min = times.stream().mapToLong(Long::longValue).min().orElse(0);
        long max = times.stream().mapToLong(Long::longValue).max().orElse(0);
        List<Long> sorted = times.stream().sorted().toList();
        long median = sorted.get(sorted.size() / 2);
        System.out.printf(Locale.ROOT,
                "%s: wall time min %d / median %d / max %d ms = %.2fx / %.2fx / %.2fx the ideal %d ms; live heap %d B"
                        + " (%.2f KiB) per task in flight%n",
                name, min, median, max, (double) min / IDEAL_MILLIS, (double) median / IDEAL_MILLIS,
                (double) max / IDEAL_MILLIS, IDEAL_MILLIS, heapPerTask, heapPerTask / 1024.0);
    }
}
