package dev.agentrt.core.internal.http;

import org.jspecify.annotations.Nullable;

import java.io.Serial;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Splits a byte stream into UTF-8 lines, for newline-delimited JSON bodies.
 *
 * <pre>{@code
 * LineDecoder decoder = new LineDecoder(1 << 20);
 * for (ByteBuffer chunk : body) {
 *     decoder.feed(chunk, line -> handle(JsonValue.parse(line)));
 * }
 * decoder.end(line -> handle(JsonValue.parse(line)));
 * }</pre>
 *
 * <p>Lines end with LF; a CR just before the LF is removed. Lines holding only ASCII whitespace are skipped. The
 * decoder works on bytes and decodes each complete line as UTF-8 (malformed input becomes U+FFFD), so chunks may be
 * split anywhere, even inside a multi-byte character. A line (its bytes before the LF) is limited: beyond
 * {@code maxLineBytes} {@link #feed} throws {@link TooLargeException} and the decoder must be abandoned.
 *
 * <p>Not thread-safe: an instance is confined to one stream, fed by one thread at a time. Never blocks.
 */
public final class LineDecoder {
    private static final byte LF = '\n';
    private static final byte CR = '\r';
    private static final int COPY_BUFFER_BYTES = 8192;

    private final int maxLineBytes;

    // The start of a line that continues in the next chunk; complete lines are decoded in place.
    private byte[] partial = new byte[64];
    private int partialLength;
    private byte @Nullable [] copyBuffer;

    /**
     * Creates a decoder for one stream.
     *
     * @param maxLineBytes the most bytes one line may hold before its LF
     * @throws IllegalArgumentException if {@code maxLineBytes} is not positive
     */
    public LineDecoder(int maxLineBytes) {
        if (maxLineBytes <= 0) {
            throw new IllegalArgumentException("maxLineBytes must be > 0, got " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Consumes all remaining bytes of {@code chunk} (its position ends at its limit) and passes each non-blank line
     * completed by them to {@code out}, in order.
     *
     * @throws TooLargeException if a line grows beyond {@code maxLineBytes}
     */
    public void feed(ByteBuffer chunk, Consumer<String> out) {
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

    /** Marks the end of the stream: passes a last non-blank line that had no LF to {@code out}. */
    public void end(Consumer<String> out) {
        Objects.requireNonNull(out, "out");
        if (partialLength > 0) {
            int length = partialLength;
            partialLength = 0;
            emit(partial, 0, length, out);
        }
    }

    /** Whether bytes of a line without its LF yet are buffered. */
    public boolean hasPartial() {
        return partialLength > 0;
    }

    private void process(byte[] bytes, int from, int to, Consumer<String> out) {
        int lineStart = from;
        for (int i = from; i < to; i++) {
            if (bytes[i] != LF) {
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
            lineStart = i + 1;
        }
        if (lineStart < to) {
            appendPartial(bytes, lineStart, to);
        }
    }

    private void appendPartial(byte[] bytes, int from, int to) {
        int length = to - from;
        int needed = partialLength + length;
        if (needed > maxLineBytes) {
            throw new TooLargeException(maxLineBytes);
        }
        if (needed > partial.length) {
            int doubled = (int) Math.min((long) partial.length * 2, maxLineBytes);
            partial = Arrays.copyOf(partial, Math.max(needed, doubled));
        }
        System.arraycopy(bytes, from, partial, partialLength, length);
        partialLength = needed;
    }

    private void emit(byte[] bytes, int offset, int length, Consumer<String> out) {
        if (length > maxLineBytes) {
            throw new TooLargeException(maxLineBytes);
        }
        if (length > 0 && bytes[offset + length - 1] == CR) {
            length--;
        }
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
