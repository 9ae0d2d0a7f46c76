package dev.agentrt.sandbox.internal;

import dev.agentrt.sandbox.ExecutionResult.ScriptError;
import dev.agentrt.sandbox.RunOutcome;
import org.jspecify.annotations.Nullable;
import run.endive.runtime.WasmInterruptedException;
import run.endive.wasi.WasiExitException;

/**
 * The one place that maps what happened in a run — the reason its {@link RunGuard} stopped the
 * guest, what the guest threw, the error a script reported — to a {@link RunOutcome}, for WASI
 * modules, plugins, JavaScript and Python alike:
 * <ol>
 * <li>a stop recorded by the guard wins (it came first): the deadline or a cancellation is
 * {@code TIMEOUT}, the output cap {@code OUTPUT_LIMIT}, the memory cap {@code MEMORY_LIMIT};
 * <li>otherwise what the guest threw: a refused memory grow or the JVM's own heap running out is
 * {@code MEMORY_LIMIT}, output past a cap {@code OUTPUT_LIMIT}, WASI {@code proc_exit(n)} {@code Exit(n)},
 * a stack overflow {@code Trap("call stack exhausted")}, an interruption from outside {@code TIMEOUT},
 * anything else a {@code Trap} with the engine's message;
 * <li>a script's own error is a {@code Trap} with that error, except the runtime's out-of-memory
 * error while the memory is full, which is {@code MEMORY_LIMIT}.
 * </ol>
 * Stateless.
 */
public final class OutcomeClassifier {
    private OutcomeClassifier() {}

    /**
     * How the run ended as far as the host can tell: the outcome when a limit stopped the guest or
     * the guest {@code failure} threw, null when the guest returned and nothing stopped it (then its
     * own report decides: {@link #scriptError}, {@link RunOutcome#exit}, or {@code OK}).
     */
    public static @Nullable RunOutcome ofRun(RunGuard guard, @Nullable Throwable failure) {
        RunGuard.Stop stop = guard.stopped();
        if (stop != null) {
            return switch (stop) {
                case TIMEOUT, CANCELLED -> RunOutcome.TIMEOUT;
                case OUTPUT_LIMIT -> RunOutcome.OUTPUT_LIMIT;
                case MEMORY_LIMIT -> RunOutcome.MEMORY_LIMIT;
            };
        }
        return failure == null ? null : ofFailure(failure);
    }

    /** The outcome of a guest that threw {@code failure} without its guard having stopped it. */
    static RunOutcome ofFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof MemoryCapExceeded || t instanceof OutOfMemoryError) {
                return RunOutcome.MEMORY_LIMIT;
            }
            if (t instanceof OutputCapExceeded) {
                return RunOutcome.OUTPUT_LIMIT;
            }
            if (t instanceof WasiExitException exit) {
                return RunOutcome.exit(exit.exitCode());
            }
            if (t instanceof StackOverflowError) {
                return RunOutcome.trap("call stack exhausted");
            }
            if (t instanceof WasmInterruptedException) {
                return RunOutcome.TIMEOUT;
            }
        }
        return RunOutcome.trap(trapMessage(failure));
    }

    /**
     * The outcome of a script that reported {@code error}: {@code MEMORY_LIMIT} for the runtime's
     * out-of-memory error (QuickJS's {@code "out of memory"}, Python's {@code MemoryError}) when the
     * guest's memory is full, a {@code Trap} naming the error otherwise.
     */
    public static RunOutcome scriptError(ScriptError error, @Nullable CappedMemory memory) {
        boolean outOfMemory = error.type().equals("MemoryError") || error.message().equals("out of memory");
        if (outOfMemory && memory != null && memory.nearlyFull()) {
            return RunOutcome.MEMORY_LIMIT;
        }
        return RunOutcome.trap(error.describe());
    }

    private static String trapMessage(Throwable failure) {
        String message = failure.getMessage();
        if (message == null || message.isBlank()) {
            return failure.getClass().getSimpleName();
        }
        // quickjs4j appends the guest's stderr and stdout, which the result carries already.
        int cut = message.indexOf("\nstderr:");
        return (cut > 0 ? message.substring(0, cut) : message).strip();
    }
}
