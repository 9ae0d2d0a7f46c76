package dev.agentrt.core.internal.http;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * Cuts a body in the AWS event-stream encoding ({@code application/vnd.amazon.eventstream}) into
 * messages, from chunks cut anywhere. Each message is a 12-byte prelude (total length, headers
 * length, both big-endian unsigned 32-bit, then the CRC-32 of those 8 bytes), the headers, the
 * payload, and the CRC-32 of everything before it. A header is a name (length byte, UTF-8), a type
 * byte and a value: 0 and 1 true and false, 2 to 5 integers of 1, 2, 4 and 8 bytes, 6 bytes and 7 a
 * string (each after a 16-bit length), 8 a timestamp (milliseconds, 8 bytes), 9 a UUID (16 bytes).
 *
 * <p>Both checksums are verified, the prelude's before its length is trusted: a length above
 * {@code maxMessageBytes} or below the 16 bytes of an empty message, a checksum that does not match
 * or headers that overrun their part are a {@link MalformedException}, after which the decoder must
 * not be fed again. At most one message (bounded by {@code maxMessageBytes}) is held at a time.
 *
 * <p>Confined to one body, fed by one thread at a time; not thread-safe.
 */
public final class EventStreamDecoder {
    private static final int PRELUDE = 12;
    private static final int MIN_MESSAGE = 16;

    private final int maxMessageBytes;
    private final byte[] prelude = new byte[PRELUDE];
    private int preludeSize;
    private byte[] message = new byte[0];
    private int messageSize;
    /** The length of the message under way, once its prelude was read and checked; -1 before that. */
    private int expected = -1;

    /** @param maxMessageBytes the largest message accepted, prelude and checksums included */
    public EventStreamDecoder(int maxMessageBytes) {
        if (maxMessageBytes < MIN_MESSAGE) {
            throw new IllegalArgumentException("maxMessageBytes must be at least " + MIN_MESSAGE);
        }
        this.maxMessageBytes = maxMessageBytes;
    }

    /** One message: its headers (non-string values in their text form) and its payload. */
    public record Message(Map<String, String> headers, byte[] payload) {
        public Message {
            headers = Map.copyOf(headers);
        }

        /** The value of header {@code name}, or {@code ""}. */
        public String header(String name) {
            return headers.getOrDefault(name, "");
        }

        /** The payload as UTF-8 text. */
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** A message that is not valid event-stream encoding. */
    public static final class MalformedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    /**
     * Consumes all of {@code buffer}, emitting every message it completes.
     *
     * @throws MalformedException for a message that breaks the encoding or the size limit
     */
    public void feed(ByteBuffer buffer, Consumer<Message> out) {
        while (buffer.hasRemaining()) {
            if (expected < 0) {
                int n = Math.min(PRELUDE - preludeSize, buffer.remaining());
                buffer.get(prelude, preludeSize, n);
                preludeSize += n;
                if (preludeSize < PRELUDE) {
                    return;
                }
                expected = checkedLength();
                if (message.length < expected) {
                    message = new byte[Math.max(expected, Math.min(maxMessageBytes, message.length * 2))];
                }
                System.arraycopy(prelude, 0, message, 0, PRELUDE);
                messageSize = PRELUDE;
            }
            int n = Math.min(expected - messageSize, buffer.remaining());
            buffer.get(message, messageSize, n);
            messageSize += n;
            if (messageSize == expected) {
                Message m = decode(message, expected);
                expected = -1;
                preludeSize = 0;
                messageSize = 0;
                out.accept(m);
            }
        }
    }

    /** Whether the body so far ended between two messages (false inside one). */
    public boolean atBoundary() {
        return expected < 0 && preludeSize == 0;
    }

    /** How many bytes of an unfinished message are held. */
    public int pending() {
        return expected < 0 ? preludeSize : messageSize;
    }

    private int checkedLength() {
        ByteBuffer p = ByteBuffer.wrap(prelude).order(ByteOrder.BIG_ENDIAN);
        long total = Integer.toUnsignedLong(p.getInt(0));
        long headers = Integer.toUnsignedLong(p.getInt(4));
        long crc = Integer.toUnsignedLong(p.getInt(8));
        if (crc(prelude, 0, 8) != crc) {
            throw new MalformedException("an event-stream message's prelude checksum does not match (declared length "
                    + total + "); the stream is corrupt");
        }
        if (total > maxMessageBytes) {
            throw new MalformedException("an event-stream message declares " + total
                    + " bytes, more than the limit of " + maxMessageBytes);
        }
        if (total < MIN_MESSAGE || headers > total - MIN_MESSAGE) {
            throw new MalformedException("an event-stream message declares impossible lengths (total " + total
                    + ", headers " + headers + ")");
        }
        return (int) total;
    }

    private static Message decode(byte[] bytes, int total) {
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, total).order(ByteOrder.BIG_ENDIAN);
        long declared = Integer.toUnsignedLong(b.getInt(total - 4));
        if (crc(bytes, 0, total - 4) != declared) {
            throw new MalformedException("an event-stream message's checksum does not match; the stream is corrupt");
        }
        int headersLength = b.getInt(4);
        int headersEnd = PRELUDE + headersLength;
        var headers = new LinkedHashMap<String, String>();
        b.position(PRELUDE);
        while (b.position() < headersEnd) {
            String name = utf8(take(b, u8(b, headersEnd), headersEnd));
            int type = u8(b, headersEnd);
            String value = switch (type) {
                case 0 -> "true";
                case 1 -> "false";
                case 2 -> Byte.toString(take(b, 1, headersEnd)[0]);
                case 3 -> Short.toString(ByteBuffer.wrap(take(b, 2, headersEnd)).getShort());
                case 4 -> Integer.toString(ByteBuffer.wrap(take(b, 4, headersEnd)).getInt());
                case 5, 8 -> Long.toString(ByteBuffer.wrap(take(b, 8, headersEnd)).getLong());
                case 6 -> Base64.getEncoder().encodeToString(take(b, u16(b, headersEnd), headersEnd));
                case 7 -> utf8(take(b, u16(b, headersEnd), headersEnd));
                case 9 -> {
                    ByteBuffer u = ByteBuffer.wrap(take(b, 16, headersEnd));
                    yield new UUID(u.getLong(), u.getLong()).toString();
                }
                default -> throw new MalformedException("an event-stream header '" + name + "' has unknown type "
                        + type);
            };
            headers.put(name, value);
        }
        byte[] payload = new byte[total - headersEnd - 4];
        b.position(headersEnd);
        b.get(payload);
        return new Message(headers, payload);
    }

    private static int u8(ByteBuffer b, int limit) {
        return take(b, 1, limit)[0] & 0xff;
    }

    private static int u16(ByteBuffer b, int limit) {
        byte[] two = take(b, 2, limit);
        return (two[0] & 0xff) << 8 | two[1] & 0xff;
    }

    /** The next {@code n} bytes, which must end by {@code limit} (the end of the headers). */
    private static byte[] take(ByteBuffer b, int n, int limit) {
        if (b.position() + n > limit) {
            throw new MalformedException("an event-stream message's headers overrun their declared length");
        }
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedException("an event-stream header is not valid UTF-8");
        }
    }

    private static long crc(byte[] bytes, int offset, int length) {
        var crc = new CRC32();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }
}
