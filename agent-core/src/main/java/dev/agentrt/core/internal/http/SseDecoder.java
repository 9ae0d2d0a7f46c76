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
 * <p>The framing is {@link LineDecoder#eventStream}'s: lines end with CRLF, LF or CR, a UTF-8 byte order mark is
 * skipped at the start of the stream only, and chunks may be split anywhere (inside a line, between CR and LF,
 * inside a multi-byte character). This class holds only the field rules: each line is read as bytes, and a value is
 * decoded as UTF-8 (malformed input becomes U+FFFD) only when it is kept. An event not closed by a blank line before
 * the end of the stream is not dispatched. The bytes of one event (its data lines plus the line being read) are
 * limited: beyond {@code maxEventBytes} {@link #feed} throws {@link TooLargeException} and the decoder must be
 * abandoned.
 *
 * <p>Not thread-safe: an instance is confined to one stream, fed by one thread at a time. Never blocks.
 */
public final class SseDecoder {
    private static final byte COLON = ':';
    private static final byte SPACE = ' ';
    private static final byte[] DATA = ascii("data");
    private static final byte[] EVENT = ascii("event");
    private static final byte[] ID = ascii("id");
    private static final byte[] RETRY = ascii("retry");

    private final int maxEventBytes;
    private final LineDecoder lines;
    private final LineDecoder.LineSink onLine = this::line;
    // The consumer of the feed under way; the line sink is made once, not per chunk.
    private @Nullable Consumer<SseEvent> out;
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
        this.lines = LineDecoder.eventStream(maxEventBytes);
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
        this.out = out;
        try {
            lines.feed(chunk, onLine);
        } catch (LineDecoder.TooLargeException e) {
            throw new TooLargeException(maxEventBytes);
        } finally {
            this.out = null;
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
        return eventHasFields || (lines.hasPartial() && !lines.partialStartsWith(COLON));
    }

    /** The last event ID set by the stream, even by an event without data; {@code null} if none was set. */
    public @Nullable String lastEventId() {
        return lastEventId;
    }

    /** The reconnection time the stream asked for with its last valid {@code retry} field, in milliseconds. */
    public OptionalLong retryMillis() {
        return retryMillis < 0 ? OptionalLong.empty() : OptionalLong.of(retryMillis);
    }

    private void line(byte[] bytes, int offset, int length) {
        if (length == 0) {
            dispatch(Objects.requireNonNull(out));
            return;
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
            // The data lines of an event and the line being read share one budget.
            lines.limit(maxEventBytes - eventBytes);
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
        int count = dataLines;
        String value = count == 1 ? firstData : count > 1 ? data.toString() : "";
        eventType = "";
        firstData = "";
        dataLines = 0;
        eventBytes = 0;
        this.lines.limit(maxEventBytes);
        eventHasFields = false;
        if (count > 0) {
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
