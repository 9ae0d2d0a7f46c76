package dev.agentrt.sandbox.internal;

import org.jspecify.annotations.Nullable;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A guest's stdout or stderr, in every runtime: keeps the first {@code cap} bytes
 * ({@link dev.agentrt.sandbox.SandboxLimits#maxOutputBytes()}); the write that crosses the cap keeps
 * what fits, stops the guest through its {@link RunGuard} ({@code OUTPUT_LIMIT}) and throws, so 100 MB
 * of output costs the host at most the cap and a moment. A {@link ByteArrayOutputStream} because
 * quickjs4j takes one. Thread-safe.
 *
 * <p>A stream made before its run is known (a pooled engine's) is {@link #bind bound} to the run's
 * guard when the run starts; unbound, a cap hit interrupts the writing thread, which is the guest's.
 */
public final class CappedOutput extends ByteArrayOutputStream {
    private final int cap;
    private volatile @Nullable RunGuard guard;
    private volatile boolean exceeded;

    public CappedOutput(int cap) {
        super(Math.min(cap, 8192));
        this.cap = cap;
    }

    public CappedOutput(int cap, RunGuard guard) {
        this(cap);
        this.guard = guard;
    }

    /** The run this stream's guest belongs to. */
    public void bind(RunGuard guard) {
        this.guard = guard;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int room = cap - count;
        if (len > room) {
            super.write(b, off, Math.max(room, 0));
            exceeded = true;
            RunGuard g = guard;
            if (g != null) {
                g.stop(RunGuard.Stop.OUTPUT_LIMIT);
            } else {
                Thread.currentThread().interrupt();
            }
            throw new OutputCapExceeded(cap);
        }
        super.write(b, off, len);
    }

    /** Whether the guest wrote past the cap. */
    public boolean exceeded() {
        return exceeded;
    }

    /** What was kept, decoded as UTF-8. */
    public synchronized String text() {
        return toString(StandardCharsets.UTF_8);
    }
}
