package dev.agentrt.benchmarks;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.inference.LocalChatModel;
import reactor.core.publisher.Mono;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code LocalChatModel} against the bare ONNX Runtime loop of {@link LocalChatRealisticBenchmark}, measured as
 * pairs: each round times a batch of one side, then a batch of the other (the order swapped every round), and the
 * ratio of the two is taken within the round. Load from other processes on a shared machine moves both sides of
 * a round alike, so the median of the per-round ratios is steadier than the ratio of two JMH results measured
 * minutes apart. A companion to the JMH benchmark for its 5 % question, not a substitute: no forks, no
 * blackhole, means per batch.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar dev.agentrt.benchmarks.LocalChatPaired
 * [rounds] [seconds per round]} (defaults 30 and 0.5). Prints, for 30- and 500-token prompts, the whole reply
 * (32 and 8 tokens) and the first token: the median time per call of each side, the median per-round ratio
 * agentrt/bare and its interquartile range, first with the model's default scheduler (the compute workers), then
 * with a model built with {@code scheduler(Schedulers.immediate())}, generating on the caller's thread as the bare
 * loop does; then the round trip of an empty task to the compute scheduler and
 * back, which every {@code LocalChatModel} call pays and the bare loop on the caller's thread does not.
 */
public final class LocalChatPaired {
    static final long WARM_UP_NANOS = 20_000_000_000L;
    static volatile Object sink = "";

    private LocalChatPaired() {}

    interface Call {
        Object run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 0.5;
        System.out.printf(Locale.ROOT, "%-26s %12s %12s %9s %17s%n", "comparison", "agentrt µs", "bare µs",
                "ratio", "ratio IQR");
        for (int promptTokens : new int[]{30, 500}) {
            LocalChatRealisticBenchmark.Realistic state = new LocalChatRealisticBenchmark.Realistic();
            state.promptTokens = promptTokens;
            state.setUp();
            try {
                LocalChatModel model = Objects.requireNonNull(state.model);
                LocalChatRealisticBenchmark.Bare bare = Objects.requireNonNull(state.bare);
                ChatRequest whole = Objects.requireNonNull(state.request);
                ChatRequest first = Objects.requireNonNull(state.firstToken);
                compare("generate, prompt " + promptTokens, rounds, seconds, () -> model.call(whole).block(),
                        bare::text);
                compare("first token, prompt " + promptTokens, rounds, seconds,
                        () -> model.stream(first).blockFirst(), () -> bare.generate(1, 0, false));
                LocalChatModel onCaller = Objects.requireNonNull(state.onCaller);
                compare("generate, caller's thread", rounds, seconds, () -> onCaller.call(whole).block(),
                        bare::text);
                compare("first token, caller's thread", rounds, seconds,
                        () -> onCaller.stream(first).blockFirst(), () -> bare.generate(1, 0, false));
            } finally {
                state.tearDown();
            }
        }
        // What any call on the compute scheduler pays that a loop on the caller's thread does not: the
        // hand-off to a compute worker and back to the blocked caller (most of the first-token difference).
        Call handOff = () -> Mono.fromCallable(() -> 1).subscribeOn(AgentSchedulers.compute()).block();
        int calls = batchSize(handOff, seconds);
        double[] rounds2 = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            rounds2[r] = time(handOff, calls);
        }
        System.out.printf(Locale.ROOT, "%-26s %12.1f%n", "compute hand-off, round trip", median(rounds2) / 1e3);
    }

    static void compare(String name, int rounds, double seconds, Call agentrt, Call bare) throws Exception {
        // Warm-up: both sides for 20 s, until the JIT has settled (agentrt's longer path, Reactor's operators
        // included, takes longer to compile than the bare loop; 5 s left the first comparison of a run 5-10 %
        // slower than the same comparison later in the run).
        int batch = batchSize(agentrt, seconds);
        long warm = System.nanoTime() + WARM_UP_NANOS;
        while (System.nanoTime() < warm) {
            time(agentrt, batch);
            time(bare, batch);
        }
        double[] a = new double[rounds];
        double[] b = new double[rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            // A batch of each side, the order swapped every round: a round shares the machine's state.
            if (r % 2 == 0) {
                a[r] = time(agentrt, batch);
                b[r] = time(bare, batch);
            } else {
                b[r] = time(bare, batch);
                a[r] = time(agentrt, batch);
            }
            ratio[r] = a[r] / b[r];
        }
        System.out.printf(Locale.ROOT, "%-26s %12.1f %12.1f %9.3f %8.3f–%.3f%n", name, median(a) / 1e3,
                median(b) / 1e3, median(ratio), quantile(ratio, 0.25), quantile(ratio, 0.75));
    }

    /** Calls of {@code call} that take about {@code seconds}. */
    private static int batchSize(Call call, double seconds) throws Exception {
        long start = System.nanoTime();
        int calls = 0;
        while (System.nanoTime() - start < 200_000_000L) {
            sink = call.run();
            calls++;
        }
        double perCall = (System.nanoTime() - start) / (double) calls;
        return Math.max(1, (int) (seconds * 1e9 / perCall));
    }

    /**
     * Mean nanoseconds per call over {@code calls} consecutive calls: steady state, as an application calls a
     * model (alternating single calls would also time the other side's ONNX Runtime threads still spinning).
     */
    private static double time(Call call, int calls) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            sink = call.run();
        }
        return (System.nanoTime() - start) / (double) calls;
    }

    private static double median(double[] values) {
        return quantile(values, 0.5);
    }

    private static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double position = q * (sorted.length - 1);
        int low = (int) Math.floor(position);
        int high = (int) Math.ceil(position);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }
}
