package dev.agentrt.sandbox;

import java.time.Duration;
import java.util.Objects;

/**
 * Hard limits for one sandboxed run, the same for every runtime: WASI modules and plugins
 * ({@link Sandbox}, {@link WasmTool}) and JavaScript and Python ({@link CodeExecutor}). Reaching any
 * of them ends the run with its {@link RunOutcome}; the first one reached is the one reported.
 *
 * <pre>{@code
 * SandboxLimits limits = SandboxLimits.DEFAULT.withTimeout(Duration.ofSeconds(5)).withMaxOutputBytes(64 << 10);
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param timeout wall-clock limit of one run, counted from when the guest starts (after the module's
 *     compilation or the interpreter's start-up); the guest is interrupted when it passes
 *     ({@link RunOutcome#TIMEOUT})
 * @param maxMemoryBytes cap on the guest's linear memory (initial and grown); a grow past it ends the
 *     run ({@link RunOutcome#MEMORY_LIMIT})
 * @param maxOutputBytes cap on stdout and on stderr, each, and on a script's value or a plugin's
 *     output; the output kept is cut at the cap and the run ends ({@link RunOutcome#OUTPUT_LIMIT})
 */
public record SandboxLimits(Duration timeout, long maxMemoryBytes, int maxOutputBytes) {

    /** 10 s, 256 MiB of linear memory, 1 MiB of output per stream. */
    public static final SandboxLimits DEFAULT = new SandboxLimits(Duration.ofSeconds(10), 256L << 20, 1 << 20);

    /** WebAssembly memory grows in pages of 64 KiB. */
    public static final long PAGE_BYTES = 65_536;

    public SandboxLimits {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        if (maxMemoryBytes < PAGE_BYTES || maxMemoryBytes > (4L << 30)) {
            throw new IllegalArgumentException(
                    "maxMemoryBytes must be between one 64 KiB page and 4 GiB, was " + maxMemoryBytes);
        }
        if (maxOutputBytes < 0) {
            throw new IllegalArgumentException("maxOutputBytes must not be negative, was " + maxOutputBytes);
        }
    }

    public SandboxLimits withTimeout(Duration timeout) {
        return new SandboxLimits(timeout, maxMemoryBytes, maxOutputBytes);
    }

    public SandboxLimits withMaxMemoryBytes(long maxMemoryBytes) {
        return new SandboxLimits(timeout, maxMemoryBytes, maxOutputBytes);
    }

    public SandboxLimits withMaxOutputBytes(int maxOutputBytes) {
        return new SandboxLimits(timeout, maxMemoryBytes, maxOutputBytes);
    }

    /** The cap in 64 KiB pages (rounded down). */
    public int maxMemoryPages() {
        return (int) Math.min(Integer.MAX_VALUE, maxMemoryBytes / PAGE_BYTES);
    }
}
