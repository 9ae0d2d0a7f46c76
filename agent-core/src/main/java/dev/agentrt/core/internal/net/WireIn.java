package dev.agentrt.core.internal.net;

import dev.agentrt.core.egress.EgressException;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

/**
 * The response bytes of one connection, buffered, with the deadline set as the socket's timeout
 * before every read from the network. Lines are bytes up to LF (a CR right before it is dropped; a
 * CR anywhere else is a protocol error), read as ISO-8859-1. Not thread-safe: one exchange owns it.
 */
final class WireIn {
    private final InputStream in;
    private final Socket timeoutSocket;
    private final Deadline deadline;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int limit;

    WireIn(InputStream in, Socket timeoutSocket, Deadline deadline) {
        this.in = in;
        this.timeoutSocket = timeoutSocket;
        this.deadline = deadline;
    }

    /** Next byte, or -1 at the end of the stream. */
    int read() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    /** Up to {@code len} bytes into {@code dst}; -1 at the end of the stream. */
    int read(byte[] dst, int off, int len) throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(buf, pos, dst, off, n);
        pos += n;
        return n;
    }

    /**
     * One line without its terminator; {@code null} when the stream ends before its first byte.
     * Throws {@code BAD_RESPONSE} for a line longer than {@code max} or a bare CR, {@code BROKEN}
     * when the stream ends inside the line.
     */
    @Nullable
    String readLine(int max, String what) throws IOException {
        var sb = new StringBuilder(Math.min(max, 64));
        while (true) {
            int b = read();
            if (b < 0) {
                if (sb.isEmpty()) {
                    return null;
                }
                throw new EgressException(EgressException.Kind.BROKEN,
                        "the connection closed in the middle of " + what);
            }
            if (b == '\n') {
                return sb.toString();
            }
            if (b == '\r') {
                int next = read();
                if (next == '\n') {
                    return sb.toString();
                }
                throw new EgressException(EgressException.Kind.BAD_RESPONSE, what + " contains a bare CR");
            }
            if (sb.length() >= max) {
                throw new EgressException(EgressException.Kind.BAD_RESPONSE, what + " is longer than " + max
                        + " bytes");
            }
            sb.append((char) b);
        }
    }

    private boolean fill() throws IOException {
        timeoutSocket.setSoTimeout(deadline.remainingMillis());
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }
}
