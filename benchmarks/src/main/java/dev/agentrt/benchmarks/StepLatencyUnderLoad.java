package dev.agentrt.benchmarks;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.Message;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The runtime's own time per step while 10,000 tasks run at once (the load of
 * {@link ConcurrentTasks}): from the moment a model reply arrives (the simulated 50 ms latency
 * ends) to the moment the runtime sends the next model request, or completes the task after the
 * last reply. That span holds the reply assembly, the tool call (validation, capability check,
 * invocation), the transcript update and building the next request, plus whatever GC pauses and
 * preemption hit it; it excludes the simulated latency and the queueing before the timer fires.
 *
 * <p>Usage: {@code java -XX:+UseZGC -cp benchmarks.jar dev.agentrt.benchmarks.StepLatencyUnderLoad
 * [tasks] [warm-up runs] [runs]} (defaults 10000, 5, 5).
 */
public final class StepLatencyUnderLoad {
    private static final int STEPS = ConcurrentTasks.TOOL_ROUNDS + 1;

    private StepLatencyUnderLoad() {}

    public static void main(String[] args) {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        var probe = new Probe(tasks);
        ChatModel model = new ReplyClock(Fixtures.agentrtModel(Duration.ZERO, ConcurrentTasks.TOOL_ROUNDS),
                ConcurrentTasks.LATENCY, probe);
        Agent agent = Agent.builder()
                .model(model)
                .instructions(Fixtures.INSTRUCTIONS)
                .tools(Fixtures.agentrtTool())
                .grant(Fixtures.DOCS_READ)
                .listener(probe)
                .build();
        System.out.printf(Locale.ROOT, "%d tasks x %d steps, %d ms latency; %s; GC %s%n", tasks, STEPS,
                ConcurrentTasks.LATENCY.toMillis(), Runtime.version(), gcNames());
        long[] all = new long[runs * tasks * STEPS];
        int filled = 0;
        for (int run = 0; run < warmups + runs; run++) {
            probe.reset();
            long start = System.nanoTime();
            Long done = Flux.range(0, tasks)
                    .flatMap(i -> agent.task(Integer.toString(i)).withId("t" + i).execute(), tasks)
                    .count()
                    .block();
            long wall = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            long[] overheads = probe.overheads();
            Arrays.sort(overheads);
            System.out.printf(Locale.ROOT, "  %s run %d: %d tasks in %d ms; per-step overhead %s%n",
                    run < warmups ? "warm-up" : "measured", run + 1, done, wall, percentiles(overheads));
            if (run >= warmups) {
                System.arraycopy(overheads, 0, all, filled, overheads.length);
                filled += overheads.length;
            }
        }
        long[] measured = Arrays.copyOf(all, filled);
        Arrays.sort(measured);
        System.out.printf(Locale.ROOT, "all measured runs (%d steps): per-step overhead %s%n", measured.length,
                percentiles(measured));
    }

    private static String percentiles(long[] sorted) {
        return String.format(Locale.ROOT, "p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us",
                at(sorted, 0.50) / 1e3, at(sorted, 0.99) / 1e3, at(sorted, 0.999) / 1e3,
                sorted[sorted.length - 1] / 1e3);
    }

    private static long at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static String gcNames() {
        var sb = new StringBuilder();
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(gc.getName());
        }
        return sb.toString();
    }

    /**
     * Per task and step, when the reply arrived; a listener turns the next request (or the end of
     * the task) into a duration. Tasks are named {@code t<i>} and their input is {@code <i>}.
     */
    static final class Probe implements AgentEvent.Listener {
        private final int tasks;
        private final long[] replyAt;
        private final long[] overhead;

        Probe(int tasks) {
            this.tasks = tasks;
            this.replyAt = new long[tasks * STEPS];
            this.overhead = new long[tasks * STEPS];
        }

        void reset() {
            Arrays.fill(replyAt, 0);
            Arrays.fill(overhead, -1);
        }

        /** Called on the timer thread when the simulated latency of {@code step} (1-based) of task {@code i} ends. */
        void replyArrived(int task, int step) {
            replyAt[task * STEPS + step - 1] = System.nanoTime();
        }

        @Override
        public void onEvent(AgentEvent event) {
            if (event instanceof AgentEvent.ModelRequest(String taskId, int step, int messages, int tools)
                    && step > 1) {
                record(taskId, step - 1);
            } else if (event instanceof AgentEvent.Completed(String taskId, var result)) {
                record(taskId, STEPS);
            }
        }

        private void record(String taskId, int step) {
            long now = System.nanoTime();
            int task = Integer.parseInt(taskId, 1, taskId.length(), 10);
            int slot = task * STEPS + step - 1;
            overhead[slot] = now - replyAt[slot];
        }

        long[] overheads() {
            long[] out = new long[tasks * STEPS];
            int n = 0;
            for (long o : overhead) {
                if (o >= 0) {
                    out[n++] = o;
                }
            }
            if (n != out.length) {
                throw new IllegalStateException("only " + n + " of " + out.length + " steps were timed");
            }
            return out;
        }
    }

    /**
     * Wraps a zero-latency scripted model: waits the latency on Reactor's timer (no thread held),
     * notes the arrival time, then streams the scripted reply.
     */
    private record ReplyClock(ChatModel delegate, Duration latency, Probe probe) implements ChatModel {
        @Override
        public Flux<ChatEvent> stream(ChatRequest request) {
            return Mono.delay(latency).thenMany(Flux.defer(() -> {
                int task = -1;
                int step = 1;
                for (Message m : request.messages()) {
                    if (m instanceof Message.User(String text, var media)) {
                        task = Integer.parseInt(text);
                    } else if (m instanceof Message.Assistant) {
                        step++;
                    }
                }
                probe.replyArrived(task, step);
                return delegate.stream(request);
            }));
        }
    }
}
