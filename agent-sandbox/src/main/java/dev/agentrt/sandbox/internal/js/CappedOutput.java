package dev.agentrt.sandbox.internal.js;

import java.io.ByteArrayOutputStream;

/**
 * The guest's stdout or stderr. quickjs4j takes a {@link ByteArrayOutputStream}, so this is one that
 * keeps at most {@code cap} bytes; the first write past the cap interrupts the writing thread (the
 * guest's own), which stops the script at its next interruption check.
 */
public final class CappedOutput extends ByteArrayOutputStream {
    private final int cap;
    private volatile boolean overflowed;

    public CappedOutput(int cap) {
        super(Math.min(cap, 8192));
        this.cap = cap;
    }

    @Override
    public synchronized void write(int b) {
        if (count >= cap) {
            overflow();
            return;
        }
        super.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int room = cap - count;
        if (len > room) {
            super.write(b, off, Math.max(0, room));
            overflow();
            return;
        }
        super.write(b, off, len);
    }

    private void overflow() {
        if (!overflowed) {
            overflowed = true;
            Thread.currentThread().interrupt();
        }
    }

    public boolean overflowed() {
        return overflowed;
    }
}
