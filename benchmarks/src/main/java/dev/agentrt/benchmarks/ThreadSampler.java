package dev.agentrt.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Samples the live platform threads (virtual threads are not counted) every
 * {@code periodMillis} on a daemon thread of its own: the highest count seen, the highest count of
 * JDK {@code HttpClient} threads (named {@code HttpClient-<n>-Worker-<m>} and
 * {@code HttpClient-<n>-SelectorManager}), and the threads by name pattern at the fullest sample.
 * The exact peak of all live platform threads comes from {@link ThreadMXBean#getPeakThreadCount()}
 * (reset at {@link #start}); the sampler's own thread counts in both.
 */
final class ThreadSampler {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final long periodMillis;
    private final Thread thread;
    private volatile boolean running = true;
    private int peakSampled;
    private int peakHttpClient;
    private Map<String, Integer> groupsAtPeak = Map.of();

    private ThreadSampler(long periodMillis) {
        this.periodMillis = periodMillis;
        this.thread = Thread.ofPlatform().daemon().name("httpload-thread-sampler").unstarted(this::loop);
    }

    static ThreadSampler start(long periodMillis) {
        THREADS.resetPeakThreadCount();
        var s = new ThreadSampler(periodMillis);
        s.thread.start();
        return s;
    }

    /** Live platform threads now. */
    static int live() {
        return THREADS.getThreadCount();
    }

    /** Live platform threads now whose name starts with {@code HttpClient-}. */
    static int liveHttpClient() {
        return count(snapshot(), "HttpClient-");
    }

    private void loop() {
        while (running) {
            List<String> names = snapshot();
            int http = count(names, "HttpClient-");
            synchronized (this) {
                peakHttpClient = Math.max(peakHttpClient, http);
                if (names.size() > peakSampled) {
                    peakSampled = names.size();
                    groupsAtPeak = groups(names);
                }
            }
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The names of the live platform threads (the root group's enumeration holds no virtual thread). */
    private static List<String> snapshot() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 64];
        int n;
        while ((n = root.enumerate(threads)) == threads.length) {
            threads = new Thread[threads.length * 2];
        }
        return Arrays.stream(threads, 0, n).map(Thread::getName).toList();
    }

    private static int count(List<String> names, String prefix) {
        return (int) names.stream().filter(n -> n.startsWith(prefix)).count();
    }

    /** Thread names with their numbers blanked ({@code HttpClient-#-Worker-#}), by count, largest first. */
    private static Map<String, Integer> groups(List<String> names) {
        Map<String, Integer> counts = names.stream()
                .collect(Collectors.groupingBy(n -> n.replaceAll("[0-9]+", "#"), TreeMap::new,
                        Collectors.summingInt(n -> 1)));
        return counts.entrySet()
                .stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    /** Stops sampling (waits for the sampler's last round). */
    void stop() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join();
    }

    /** CPU time the sampler itself used, in ms (it runs in the measured process). */
    double ownCpuMillis() {
        return THREADS.getThreadCpuTime(thread.threadId()) / 1e6;
    }

    /** The exact peak of live platform threads since {@link #start}. */
    int peakLive() {
        return THREADS.getPeakThreadCount();
    }

    synchronized int peakHttpClient() {
        return peakHttpClient;
    }

    synchronized Map<String, Integer> groupsAtPeak() {
        return groupsAtPeak;
    }
}
