package dev.agentrt.sandbox.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Keeps the first {@code cap} bytes a guest writes; the write that crosses the cap keeps what fits
 * and then stops the guest, so 100 MB of output costs the host at most the cap and a moment.
 */
final class CappedOutput extends OutputStream {
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final int cap;
    private volatile boolean exceeded;

    CappedOutput(int cap) {
        this.cap = cap;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int room = cap - kept.size();
        if (len > room) {
            kept.write(b, off, Math.max(room, 0));
            exceeded = true;
            throw new OutputCapExceeded(cap);
        }
        kept.write(b, off, len);
    }

    boolean exceeded() {
        return exceeded;
    }

    synchronized String text() {
        return kept.toString(StandardCharsets.UTF_8);
    }
}
