package dev.agentrt.tools.internal.mcp;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Splits a stream into newline-delimited messages (the MCP stdio framing) as bytes, so a line over
 * the size cap is skipped without being held: only its first {@code maxBytes} bytes are ever
 * buffered, and what is needed to answer for it (its id) is learned while the rest streams past.
 * A trailing {@code \r} is dropped; text must be UTF-8. Blocking; not thread-safe: one reader thread.
 */
final class LineReader {
    /** The cap both ends of the MCP stdio transport apply by default: 16 MiB. */
    static final int DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
    private static final int KEPT_CAPACITY = 64 * 1024;

    /** One line of input. */
    sealed interface Line permits Text, NotUtf8, TooLong {}

    /** A line of valid UTF-8, without its terminator. */
    record Text(String text) implements Line {}

    /** A line that is not valid UTF-8. */
    record NotUtf8(int bytes) implements Line {}

    /** A line longer than the cap, skipped; {@code scan} is what its bytes told about it. */
    record TooLong(long bytes, IdScanner.Scan scan) implements Line {}

    private final InputStream in;
    private final int maxBytes;
    private final byte[] chunk = new byte[8192];
    private final CharsetDecoder utf8;
    private int position;
    private int limit;
    private byte[] line = new byte[1024];
    private int length;
    private long skipped;
    private @Nullable IdScanner oversized;

    /**
     * @param strict whether a line that is not UTF-8 comes back as {@link NotUtf8}; otherwise its bad
     *     bytes are replaced (for text meant for people, such as a server's stderr)
     */
    LineReader(InputStream in, int maxBytes, boolean strict) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
        }
        this.in = in;
        this.maxBytes = maxBytes;
        CodingErrorAction action = strict ? CodingErrorAction.REPORT : CodingErrorAction.REPLACE;
        this.utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(action).onUnmappableCharacter(action);
    }

    int maxBytes() {
        return maxBytes;
    }

    /** The next line; {@code null} once the stream has ended (a last line without terminator counts). */
    @Nullable
    Line next() throws IOException {
        while (true) {
            if (position == limit) {
                int n = in.read(chunk, 0, chunk.length);
                if (n < 0) {
                    return length > 0 || oversized != null ? finish(length) : null;
                }
                position = 0;
                limit = n;
                continue;
            }
            int start = position;
            int newline = -1;
            for (int i = start; i < limit; i++) {
                if (chunk[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int end = newline < 0 ? limit : newline;
            append(start, end - start);
            position = newline < 0 ? limit : newline + 1;
            if (newline >= 0) {
                return finish(length);
            }
        }
    }

    private void append(int offset, int count) {
        if (count == 0) {
            return;
        }
        IdScanner scanner = oversized;
        if (scanner != null) {
            scanner.feed(chunk, offset, count);
            skipped += count;
            return;
        }
        if ((long) length + count <= maxBytes) {
            if (length + count > line.length) {
                int capacity = (int) Math.min(maxBytes, Math.max((long) line.length * 2, (long) length + count));
                line = java.util.Arrays.copyOf(line, capacity);
            }
            System.arraycopy(chunk, offset, line, length, count);
            length += count;
            return;
        }
        // Over the cap: from here on the line is only scanned, never held.
        scanner = new IdScanner();
        scanner.feed(line, 0, length);
        scanner.feed(chunk, offset, count);
        skipped = (long) length + count;
        oversized = scanner;
        length = 0;
    }

    private Line finish(int size) {
        IdScanner scanner = oversized;
        if (scanner != null) {
            oversized = null;
            long bytes = skipped;
            skipped = 0;
            shrink();
            return new TooLong(bytes, scanner.result());
        }
        int n = size > 0 && line[size - 1] == '\r' ? size - 1 : size;
        length = 0;
        Line result;
        try {
            result = new Text(utf8.reset().decode(ByteBuffer.wrap(line, 0, n)).toString());
        } catch (CharacterCodingException e) {
            result = new NotUtf8(n);
        }
        shrink();
        return result;
    }

    private void shrink() {
        if (line.length > KEPT_CAPACITY) {
            line = new byte[1024];
        }
    }
}
