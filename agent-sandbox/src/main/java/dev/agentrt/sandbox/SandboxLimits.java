package dev.agentrt.sandbox;

import java.time.Duration;
import java.util.Objects;

/**
 * Hard limits for one sandboxed run.
 *
 * @param timeout wall-clock limit of one run; the guest is interrupted when it passes
 * @param maxMemoryBytes cap on the guest's linear memory (initial and grown)
 * @param maxOutputBytes cap on stdout and on stderr, each; output past it is dropped
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
