package dev.agentrt.core.internal.http;

import org.jspecify.annotations.Nullable;

import java.io.Serial;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Parses a {@code text/event-stream} body into {@link SseEvent}s, following the WHATWG HTML "event stream
 * interpretation".
 *
 * <pre>{@code
 * SseDecoder decoder = new SseDecoder(1 << 20);
 * for (ByteBuffer chunk : body) {
 *     decoder.feed(chunk, event -> handle(event.event(), event.data()));
 * }
 * decoder.end(event -> handle(event.event(), event.data()));
 * if (decoder.midEvent()) {
 *     // the connection was cut inside an event
 * }
 * }</pre>
 *
 * <p>The decoder works on bytes and decodes each complete line as UTF-8 (malformed input becomes U+FFFD), so chunks
 * may be split anywhere: inside a line, between CR and LF, inside a multi-byte character. Lines end with CRLF, LF or
 * CR; a UTF-8 byte order mark is skipped at the start of the stream only. An event not closed by a blank line before
 * the end of the stream is not dispatched. The bytes of one event (its data lines plus the line being read) are
 * limited: beyond {@code maxEventBytes} {@link #feed} throws {@link TooLargeException} and the decoder must be
 * abandoned.
 *
 * <p>Not thread-safe: an instance is confined to one stream, fed by one thread at a time. Never blocks.
 */
public final class SseDecoder {
    private static final byte LF = '\n';
    private static final byte CR = '\r';
    private static final byte COLON = ':';
    private static final byte SPACE = ' ';
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final byte[] DATA = ascii("data");
    private static final byte[] EVENT = ascii("event");
    private static final byte[] ID = ascii("id");
    private static final byte[] RETRY = ascii("retry");
    private static final int COPY_BUFFER_BYTES = 8192;

    private final int maxEventBytes;

    // The start of a line that continues in the next chunk; complete lines are decoded in place.
    private byte[] partial = new byte[64];
    private int partialLength;
    private byte @Nullable [] copyBuffer;
    private boolean bomChecked;
    private boolean lastWasCr;
    private boolean ended;

    private int eventBytes;
    private boolean eventHasFields;
    private String eventType = "";
    private int dataLines;
    // Most events have one data line: it is kept as is, the builder is used from the second line on.
    private String firstData = "";
    private final StringBuilder data = new StringBuilder();

    private @Nullable String lastEventId;
    private long retryMillis = -1;
    // Streams repeat a few event types; reusing the previous String saves decoding the same bytes again.
    private String previousEventType = "";

    /**
     * Creates a decoder for one stream.
     *
     * @param maxEventBytes the most bytes one event may hold: its data lines and the line being read
     * @throws IllegalArgumentException if {@code maxEventBytes} is not positive
     */
    public SseDecoder(int maxEventBytes) {
        if (maxEventBytes <= 0) {
            throw new IllegalArgumentException("maxEventBytes must be > 0, got " + maxEventBytes);
        }
        this.maxEventBytes = maxEventBytes;
    }

    /**
     * Consumes all remaining bytes of {@code chunk} (its position ends at its limit) and passes each event completed
     * by them to {@code out}, in order.
     *
     * @throws TooLargeException if the current event grows beyond {@code maxEventBytes}
     * @throws IllegalStateException if {@link #end} was called
     */
    public void feed(ByteBuffer chunk, Consumer<SseEvent> out) {
        Objects.requireNonNull(chunk, "chunk");
        Objects.requireNonNull(out, "out");
        if (ended) {
            throw new IllegalStateException("the stream has ended");
        }
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

    /**
     * Marks the end of the stream. Per the specification an event not yet closed by a blank line is discarded, and so
     * is a last line without a line end: nothing is passed to {@code out}. {@link #midEvent()} still tells whether
     * such an event was cut.
     */
    public void end(Consumer<SseEvent> out) {
        Objects.requireNonNull(out, "out");
        ended = true;
    }

    /**
     * Whether bytes of an event not yet dispatched are buffered: a field line since the last blank line, or a partial
     * line that is not a comment.
     */
    public boolean midEvent() {
        return eventHasFields || (partialLength > 0 && partial[0] != COLON);
    }

    /** The last event ID set by the stream, even by an event without data; {@code null} if none was set. */
    public @Nullable String lastEventId() {
        return lastEventId;
    }

    /** The reconnection time the stream asked for with its last valid {@code retry} field, in milliseconds. */
    public OptionalLong retryMillis() {
        return retryMillis < 0 ? OptionalLong.empty() : OptionalLong.of(retryMillis);
    }

    private void process(byte[] bytes, int from, int to, Consumer<SseEvent> out) {
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
        int lineStart = i;
        while (i < to) {
            byte b = bytes[i];
            if (b != LF && b != CR) {
                i++;
                continue;
            }
            if (partialLength == 0) {
                line(bytes, lineStart, i - lineStart, out);
            } else {
                appendPartial(bytes, lineStart, i);
                int length = partialLength;
                partialLength = 0;
                line(partial, 0, length, out);
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
        if ((long) needed + eventBytes > maxEventBytes) {
            throw new TooLargeException(maxEventBytes);
        }
        if (needed > partial.length) {
            int doubled = (int) Math.min((long) partial.length * 2, maxEventBytes);
            partial = Arrays.copyOf(partial, Math.max(needed, doubled));
        }
        System.arraycopy(bytes, from, partial, partialLength, length);
        partialLength = needed;
    }

    private void line(byte[] bytes, int offset, int length, Consumer<SseEvent> out) {
        if (length == 0) {
            dispatch(out);
            return;
        }
        if ((long) length + eventBytes > maxEventBytes) {
            throw new TooLargeException(maxEventBytes);
        }
        if (bytes[offset] == COLON) {
            return;
        }
        eventHasFields = true;
        int end = offset + length;
        int colon = offset;
        while (colon < end && bytes[colon] != COLON) {
            colon++;
        }
        int nameLength = colon - offset;
        int valueStart = colon;
        if (colon < end) {
            valueStart = colon + 1;
            if (valueStart < end && bytes[valueStart] == SPACE) {
                valueStart++;
            }
        }
        int valueLength = end - valueStart;
        if (isName(bytes, offset, nameLength, DATA)) {
            eventBytes += length;
            appendData(decode(bytes, valueStart, valueLength));
        } else if (isName(bytes, offset, nameLength, EVENT)) {
            eventType = eventType(bytes, valueStart, valueLength);
        } else if (isName(bytes, offset, nameLength, ID)) {
            if (!containsNul(bytes, valueStart, end)) {
                lastEventId = decode(bytes, valueStart, valueLength);
            }
        } else if (isName(bytes, offset, nameLength, RETRY)) {
            retry(bytes, valueStart, end);
        }
    }

    private void appendData(String value) {
        if (dataLines == 0) {
            firstData = value;
        } else {
            if (dataLines == 1) {
                data.setLength(0);
                data.append(firstData);
            }
            data.append('\n').append(value);
        }
        dataLines++;
    }

    private void dispatch(Consumer<SseEvent> out) {
        String type = eventType.isEmpty() ? "message" : eventType;
        int lines = dataLines;
        String value = lines == 1 ? firstData : lines > 1 ? data.toString() : "";
        eventType = "";
        firstData = "";
        dataLines = 0;
        eventBytes = 0;
        eventHasFields = false;
        if (lines > 0) {
            out.accept(new SseEvent(type, value, lastEventId));
        }
    }

    private String eventType(byte[] bytes, int offset, int length) {
        String previous = previousEventType;
        if (previous.length() == length) {
            int k = 0;
            while (k < length && bytes[offset + k] >= 0 && previous.charAt(k) == bytes[offset + k]) {
                k++;
            }
            if (k == length) {
                return previous;
            }
        }
        String type = decode(bytes, offset, length);
        previousEventType = type;
        return type;
    }

    private void retry(byte[] bytes, int from, int to) {
        if (from == to) {
            return;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9 || value > (Long.MAX_VALUE - digit) / 10) {
                return;
            }
            value = value * 10 + digit;
        }
        retryMillis = value;
    }

    private static boolean isName(byte[] bytes, int offset, int length, byte[] name) {
        return length == name.length && Arrays.equals(bytes, offset, offset + length, name, 0, length);
    }

    private static boolean containsNul(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == 0) {
                return true;
            }
        }
        return false;
    }

    private static String decode(byte[] bytes, int offset, int length) {
        return length == 0 ? "" : new String(bytes, offset, length, StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String name) {
        return name.getBytes(StandardCharsets.US_ASCII);
    }

    /** Thrown when one event holds more bytes than the decoder allows. */
    public static final class TooLargeException extends RuntimeException {
        @Serial
        private static final long serialVersionUID = 1L;

        TooLargeException(int maxEventBytes) {
            super("server-sent event larger than " + maxEventBytes + " bytes");
        }
    }
}
