package dev.agentrt.tools.internal.git;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An output stream that keeps at most {@code limit} bytes and then fails with {@link Full}, so a huge diff
 * stops being computed as soon as it can no longer be shown.
 */
final class Capped extends OutputStream {
    private final int limit;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private boolean full;

    Capped(int limit) {
        this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int room = limit - kept.size();
        if (len <= room) {
            kept.write(b, off, len);
            return;
        }
        kept.write(b, off, Math.max(room, 0));
        full = true;
        throw new Full();
    }

    boolean full() {
        return full;
    }

    /** The kept text (a character cut at the end is replaced), with a truncation note when full. */
    String text(String whatToDo) {
        String s = kept.toString(StandardCharsets.UTF_8);
        if (!full) {
            return s;
        }
        return s + (s.endsWith("\n") ? "" : "\n") + "[... truncated: output limit of " + limit
                + " bytes reached; " + whatToDo + "]";
    }

    /** Thrown when the limit is reached. */
    static final class Full extends IOException {
        private static final long serialVersionUID = 1L;

        Full() {
            super("output limit reached");
        }
    }
}
