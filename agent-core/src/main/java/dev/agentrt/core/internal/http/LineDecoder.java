package dev.agentrt.core.internal.http;

import org.jspecify.annotations.Nullable;

import java.io.Serial;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Splits a byte stream into lines: the one line framing of every streamed reply, newline-delimited
 * JSON and (under {@link SseDecoder}) server-sent events.
 *
 * <pre>{@code
 * LineDecoder decoder = new LineDecoder(1 << 20);
 * for (ByteBuffer chunk : body) {
 *     decoder.feed(chunk, line -> handle(JsonValue.parse(line)));
 * }
 * decoder.end(line -> handle(JsonValue.parse(line)));
 * }</pre>
 *
 * <p>Two framings. {@linkplain #LineDecoder(int) Newline-delimited}: lines end with LF and a CR just before the LF is
 * removed. {@linkplain #eventStream(int) Event stream} (the WHATWG rules): lines end with CRLF, LF or CR, and a
 * UTF-8 byte order mark at the very start of the stream is skipped. Either way the decoder works on bytes, so chunks
 * may be split anywhere: inside a line, between CR and LF, inside a multi-byte character, inside the byte order
 * mark. {@link #feed(ByteBuffer, Consumer)} decodes each complete line as UTF-8 (malformed input becomes U+FFFD) and
 * skips lines holding only ASCII whitespace; {@link #feed(ByteBuffer, LineSink)} hands every line over as bytes,
 * blank ones included. A line (its bytes before its line end) is limited: beyond the limit {@code feed} throws
 * {@link TooLargeException} and the decoder must be abandoned.
 *
 * <p>Not thread-safe: an instance is confined to one stream, fed by one thread at a time. Never blocks.
 */
public final class LineDecoder {
    private static final byte LF = '\n';
    private static final byte CR = '\r';
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final int COPY_BUFFER_BYTES = 8192;

    private final boolean eventStream;
    private final int maxLineBytes;
    private int limit;

    // The start of a line that continues in the next chunk; complete lines are handed over in place.
    private byte[] partial = new byte[64];
    private int partialLength;
    private byte @Nullable [] copyBuffer;
    private boolean bomChecked;
    private boolean lastWasCr;

    /**
     * Creates a decoder for one newline-delimited stream.
     *
     * @param maxLineBytes the most bytes one line may hold before its LF
     * @throws IllegalArgumentException if {@code maxLineBytes} is not positive
     */
    public LineDecoder(int maxLineBytes) {
        this(maxLineBytes, false);
    }

    private LineDecoder(int maxLineBytes, boolean eventStream) {
        if (maxLineBytes <= 0) {
            throw new IllegalArgumentException("maxLineBytes must be > 0, got " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
        this.limit = maxLineBytes;
        this.eventStream = eventStream;
        // Only an event stream looks for a byte order mark.
        this.bomChecked = !eventStream;
    }

    /**
     * Creates a decoder for one {@code text/event-stream} body: CRLF, LF and CR end lines, a leading byte order mark
     * is skipped.
     *
     * @param maxLineBytes the most bytes one line may hold before its line end
     */
    public static LineDecoder eventStream(int maxLineBytes) {
        return new LineDecoder(maxLineBytes, true);
    }

    /** Receives one complete line, without its line end; the bytes are valid only during the call. */
    @FunctionalInterface
    public interface LineSink {
        void line(byte[] bytes, int offset, int length);
    }

    /**
     * Lowers the limit for the lines still to come to {@code bytes} (at most the limit given at construction): the
     * server-sent event decoder bounds the bytes of a whole event this way. A line already buffered that is longer
     * fails with the next byte fed.
     */
    void limit(int bytes) {
        this.limit = Math.min(bytes, maxLineBytes);
    }

    /** The limit the lines still to come are held to. */
    int limit() {
        return limit;
    }

    /**
     * Consumes all remaining bytes of {@code chunk} (its position ends at its limit) and passes each non-blank line
     * completed by them to {@code out}, decoded, in order.
     *
     * @throws TooLargeException if a line grows beyond the limit
     */
    public void feed(ByteBuffer chunk, Consumer<String> out) {
        Objects.requireNonNull(out, "out");
        feed(chunk, (bytes, offset, length) -> text(bytes, offset, length, out));
    }

    /**
     * Consumes all remaining bytes of {@code chunk} (its position ends at its limit) and passes each line completed by
     * them to {@code out} as bytes, blank lines included, in order.
     *
     * @throws TooLargeException if a line grows beyond the limit
     */
    public void feed(ByteBuffer chunk, LineSink out) {
        Objects.requireNonNull(chunk, "chunk");
        Objects.requireNonNull(out, "out");
        if (chunk.hasArray()) {
            int from = chunk.arrayOffset() + chunk.position();
            int to = chunk.arrayOffset() + chunk.limit();
            chunk.position(chunk.limit());
            process(chunk.array(), from, to, out);
        } else {
            byte[] buffer = copyBuffer;
            if (buffer == null) {
                buffer = new byte[COPY_BUFFER_BYTES];
                copyBuffer = buffer;
            }
            while (chunk.hasRemaining()) {
                int length = Math.min(chunk.remaining(), buffer.length);
                chunk.get(buffer, 0, length);
                process(buffer, 0, length, out);
            }
        }
    }

    /** Marks the end of the stream: passes a last non-blank line that had no line end to {@code out}. */
    public void end(Consumer<String> out) {
        Objects.requireNonNull(out, "out");
        if (partialLength > 0) {
            int length = partialLength;
            partialLength = 0;
            emit(partial, 0, length, (bytes, offset, n) -> text(bytes, offset, n, out));
        }
    }

    /** Whether bytes of a line without its line end yet are buffered. */
    public boolean hasPartial() {
        return partialLength > 0;
    }

    /** Whether the buffered start of a line begins with {@code b}. */
    boolean partialStartsWith(byte b) {
        return partialLength > 0 && partial[0] == b;
    }

    private void process(byte[] bytes, int from, int to, LineSink out) {
        int i = from;
        if (!bomChecked) {
            // The mark may itself be split across chunks: its bytes wait in the partial line until it is complete.
            while (i < to && partialLength < BOM.length && bytes[i] == BOM[partialLength]) {
                partial[partialLength++] = bytes[i++];
            }
            if (partialLength == BOM.length) {
                partialLength = 0;
                bomChecked = true;
            } else if (i < to) {
                bomChecked = true;
            } else {
                return;
            }
        }
        if (lastWasCr && i < to) {
            lastWasCr = false;
            if (bytes[i] == LF) {
                i++;
            }
        }
        // A local, so that the scan below (the hot loop of every streamed reply) reads no field per byte.
        boolean crEnds = eventStream;
        int lineStart = i;
        while (i < to) {
            byte b = bytes[i];
            if (b != LF && (b != CR || !crEnds)) {
                i++;
                continue;
            }
            if (partialLength == 0) {
                emit(bytes, lineStart, i - lineStart, out);
            } else {
                appendPartial(bytes, lineStart, i);
                int length = partialLength;
                partialLength = 0;
                emit(partial, 0, length, out);
            }
            i++;
            if (b == CR) {
                if (i == to) {
                    lastWasCr = true;
                } else if (bytes[i] == LF) {
                    i++;
                }
            }
            lineStart = i;
        }
        if (lineStart < to) {
            appendPartial(bytes, lineStart, to);
        }
    }

    private void appendPartial(byte[] bytes, int from, int to) {
        int length = to - from;
        int needed = partialLength + length;
        if (needed > limit) {
            throw new TooLargeException(limit);
        }
        if (needed > partial.length) {
            int doubled = (int) Math.min((long) partial.length * 2, maxLineBytes);
            partial = Arrays.copyOf(partial, Math.max(needed, doubled));
        }
        System.arraycopy(bytes, from, partial, partialLength, length);
        partialLength = needed;
    }

    private void emit(byte[] bytes, int offset, int length, LineSink out) {
        if (length > limit) {
            throw new TooLargeException(limit);
        }
        if (!eventStream && length > 0 && bytes[offset + length - 1] == CR) {
            length--;
        }
        out.line(bytes, offset, length);
    }

    private static void text(byte[] bytes, int offset, int length, Consumer<String> out) {
        if (!isBlank(bytes, offset, length)) {
            out.accept(new String(bytes, offset, length, StandardCharsets.UTF_8));
        }
    }

    private static boolean isBlank(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            byte b = bytes[i];
            if (b != ' ' && b != '\t' && b != CR && b != '\f' && b != 0x0B) {
                return false;
            }
        }
        return true;
    }

    /** Thrown when one line holds more bytes than the decoder allows. */
    public static final class TooLargeException extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        TooLargeException(int maxLineBytes) {
            super("line longer than " + maxLineBytes + " bytes");
        }
    }
}
