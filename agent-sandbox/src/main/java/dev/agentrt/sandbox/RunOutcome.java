package dev.agentrt.sandbox;

import java.util.Objects;

/**
 * How a sandboxed run ended. Every end is one of these values; a limit or a trap never escapes to
 * the caller as a JVM error or a hung thread.
 *
 * <pre>{@code
 * switch (result.outcome()) {
 *     case RunOutcome.Ok ok -> use(result.stdout());
 *     case RunOutcome.Exit(int code) -> report("exit " + code);
 *     case RunOutcome.Trap(String message) -> report(message);
 *     default -> report(result.outcome().describe());
 * }
 * }</pre>
 */
public sealed interface RunOutcome {

    /** The module returned normally (a command's {@code _start} ended, or exit code 0). */
    RunOutcome OK = new Ok();
    /** The time limit passed, or the run was cancelled; the guest was interrupted. */
    RunOutcome TIMEOUT = new Timeout();
    /**
     * The guest tried to grow its memory past the cap (the run ends there, in every runtime), declared
     * more than the cap, or (an interpreter) reported running out of memory with its memory full.
     */
    RunOutcome MEMORY_LIMIT = new MemoryLimit();
    /** The guest wrote more than the stdout/stderr cap; the output kept is cut at the cap. */
    RunOutcome OUTPUT_LIMIT = new OutputLimit();

    /** One line for a person or a model, e.g. {@code "exit code 3"}. */
    String describe();

    /** Ended normally. */
    record Ok() implements RunOutcome {
        @Override
        public String describe() {
            return "ok";
        }
    }

    /** The guest called {@code proc_exit} with a non-zero code. */
    record Exit(int code) implements RunOutcome {
        @Override
        public String describe() {
            return "exit code " + code;
        }
    }

    /** See {@link #TIMEOUT}. */
    record Timeout() implements RunOutcome {
        @Override
        public String describe() {
            return "time limit reached";
        }
    }

    /** See {@link #MEMORY_LIMIT}. */
    record MemoryLimit() implements RunOutcome {
        @Override
        public String describe() {
            return "memory limit reached";
        }
    }

    /** See {@link #OUTPUT_LIMIT}. */
    record OutputLimit() implements RunOutcome {
        @Override
        public String describe() {
            return "output limit reached";
        }
    }

    /**
     * The guest trapped (unreachable, out-of-bounds access, call stack exhausted, a thrown script
     * error, …); the message says which.
     */
    record Trap(String message) implements RunOutcome {
        public Trap {
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String describe() {
            return "trap: " + message;
        }
    }

    static RunOutcome exit(int code) {
        return code == 0 ? OK : new Exit(code);
    }

    static RunOutcome trap(String message) {
        return new Trap(message);
    }
}
