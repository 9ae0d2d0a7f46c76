package dev.agentrt.core;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The runtime's named schedulers. Reactor's non-blocking threads run only non-blocking code;
 * everything else moves to one of these in a single adapter, never inline.
 *
 * <ul>
 *   <li>{@link #blocking()}: blocking I/O (files, JDBC, user tools written as plain blocking
 *       methods) on virtual threads, one per task, unbounded in count but cheap.
 *   <li>{@link #compute()}: CPU-heavy work (WASM execution, local inference) on a bounded pool of
 *       platform threads sized to the cores, so a thousand tasks cannot oversubscribe two cores
 *       and a long computation never pins a virtual thread's carrier.
 * </ul>
 *
 * <p>Both are created lazily, are daemon threads, and live as long as the JVM.
 */
public final class AgentSchedulers {
    private AgentSchedulers() {}

    /** Blocking I/O on virtual threads named {@code agentrt-blocking-N}. */
    public static Scheduler blocking() {
        return Holder.BLOCKING;
    }

    /** CPU-bound work on {@code availableProcessors()} platform threads named {@code agentrt-compute-N}. */
    public static Scheduler compute() {
        return Holder.COMPUTE;
    }

    private static final class Holder {
        static final Scheduler BLOCKING;
        static final Scheduler COMPUTE;

        static {
            ExecutorService virtual = Executors
                    .newThreadPerTaskExecutor(Thread.ofVirtual().name("agentrt-blocking-", 0).factory());
            BLOCKING = Schedulers.fromExecutorService(virtual, "agentrt-blocking");
            int cores = Runtime.getRuntime().availableProcessors();
            COMPUTE = Schedulers.newBoundedElastic(cores, 100_000, "agentrt-compute", 60, true);
        }
    }
}
