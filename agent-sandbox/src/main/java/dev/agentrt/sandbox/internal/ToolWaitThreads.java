package dev.agentrt.sandbox.internal;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The threads of guest runs that may wait for the task's tools (code mode), apart from
 * {@code AgentSchedulers.compute()}: a script holds its thread while a tool it called runs, and a tool
 * may need {@code compute()} itself (a WASM plugin, local inference). Were the scripts on
 * {@code compute()}, as many scripts as it has threads, each waiting for such a tool, would hold every
 * thread and wait for each other until their time limits. Bounded to the cores like {@code compute()},
 * platform threads (a guest is CPU work between its calls), daemon; blocking is allowed here.
 */
public final class ToolWaitThreads {
    private ToolWaitThreads() {}

    /** Bounded platform threads named {@code agentrt-code-mode-N}. */
    public static Scheduler scheduler() {
        return Holder.SCHEDULER;
    }

    private static final class Holder {
        static final Scheduler SCHEDULER = Schedulers.newBoundedElastic(Runtime.getRuntime().availableProcessors(),
                100_000, "agentrt-code-mode", 60, true);
    }
}
