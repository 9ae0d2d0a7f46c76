package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import org.jspecify.annotations.Nullable;

import java.nio.charset.StandardCharsets;

/**
 * Learns, from the bytes of a JSON-RPC message it cannot hold (a line over the size cap) or cannot
 * parse, what is needed to answer for it: the top-level {@code id} and which of {@code method},
 * {@code result} and {@code error} it has. It keeps no more than a few bytes of state whatever the
 * input's length, and tolerates broken input: whatever was seen before the break counts. Not
 * thread-safe; one message per instance.
 */
final class IdScanner {
    private static final int MAX_ID_BYTES = 256;
    private static final int MAX_KEY_BYTES = 16;

    private enum Expect {
        KEY, COLON, VALUE, PRIMITIVE, COMMA
    }

    private boolean started;
    private boolean object;
    private boolean done;
    private int depth;
    private boolean inString;
    private boolean escape;
    private Expect expect = Expect.KEY;
    private final byte[] key = new byte[MAX_KEY_BYTES];
    private int keyLength;
    private boolean keyTooLong;
    private boolean readingKey;
    private boolean readingId;
    private final byte[] id = new byte[MAX_ID_BYTES];
    private int idLength;
    private boolean idUnusable;
    private boolean idComplete;
    private boolean hasId;
    private boolean hasMethod;
    private boolean hasResultOrError;

    /**
     * What was learned. {@code id} is a String or a Long, or null when absent, unusable or not seen;
     * {@code hasId} says whether an {@code id} member was seen at all.
     */
    record Scan(boolean object, @Nullable Object id, boolean hasId, boolean hasMethod, boolean hasResultOrError) {
        static final Scan NOTHING = new Scan(false, null, false, false, false);

        /** Whether the message, as far as it was seen, looks like a response rather than a request. */
        boolean looksLikeResponse() {
            return !hasMethod && hasResultOrError;
        }
    }

    static Scan scan(String text) {
        var s = new IdScanner();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        s.feed(bytes, 0, bytes.length);
        return s.result();
    }

    void feed(byte b) {
        if (!done) {
            next(b);
        }
    }

    void feed(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length && !done; i++) {
            next(bytes[i]);
        }
    }

    Scan result() {
        Object value = null;
        if (idComplete && !idUnusable && idLength > 0) {
            value = idValue();
        }
        return new Scan(object, value, hasId, hasMethod, hasResultOrError);
    }

    private @Nullable Object idValue() {
        try {
            JsonValue v = JsonValue.parse(new String(id, 0, idLength, StandardCharsets.UTF_8));
            return switch (v) {
                case JsonValue.JsonString s -> s.value();
                case JsonValue.JsonNumber n when n.isIntegral() -> n.value().longValueExact();
                default -> null;
            };
        } catch (JsonParseException | ArithmeticException e) {
            return null;
        }
    }

    private static boolean whitespace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private void next(byte c) {
        if (!started) {
            if (whitespace(c)) {
                return;
            }
            started = true;
            if (c != '{') {
                done = true;
                return;
            }
            object = true;
            depth = 1;
            return;
        }
        if (inString) {
            string(c);
        } else if (depth == 1) {
            member(c);
        } else {
            nested(c);
        }
    }

    private void string(byte c) {
        if (escape) {
            escape = false;
            append(c);
            return;
        }
        if (c == '\\') {
            escape = true;
            append(c);
            return;
        }
        if (c != '"') {
            append(c);
            return;
        }
        inString = false;
        if (readingKey) {
            readingKey = false;
            expect = Expect.COLON;
        } else if (readingId) {
            append(c);
            readingId = false;
            idComplete = true;
            expect = Expect.COMMA;
        } else if (depth == 1) {
            expect = Expect.COMMA;
        }
    }

    private void append(byte c) {
        if (readingKey) {
            if (keyLength < MAX_KEY_BYTES) {
                key[keyLength++] = c;
            } else {
                keyTooLong = true;
            }
        } else if (readingId) {
            if (idLength < MAX_ID_BYTES) {
                id[idLength++] = c;
            } else {
                idUnusable = true;
            }
        }
    }

    private boolean keyIs(String name) {
        if (keyTooLong || keyLength != name.length()) {
            return false;
        }
        for (int i = 0; i < keyLength; i++) {
            if (key[i] != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void member(byte c) {
        switch (expect) {
            case KEY -> {
                if (c == '"') {
                    inString = true;
                    readingKey = true;
                    keyLength = 0;
                    keyTooLong = false;
                } else if (c == '}') {
                    done = true;
                } else if (!whitespace(c)) {
                    done = true;
                }
            }
            case COLON -> {
                if (c == ':') {
                    expect = Expect.VALUE;
                } else if (!whitespace(c)) {
                    done = true;
                }
            }
            case VALUE -> value(c);
            case PRIMITIVE -> {
                if (c == ',' || c == '}' || whitespace(c)) {
                    if (readingId) {
                        readingId = false;
                        idComplete = true;
                    }
                    expect = c == ',' ? Expect.KEY : Expect.COMMA;
                    if (c == '}') {
                        done = true;
                    }
                } else {
                    append(c);
                }
            }
            case COMMA -> {
                if (c == ',') {
                    expect = Expect.KEY;
                } else if (c == '}') {
                    done = true;
                } else if (!whitespace(c)) {
                    done = true;
                }
            }
        }
    }

    private void value(byte c) {
        if (whitespace(c)) {
            return;
        }
        boolean isId = keyIs("id");
        if (keyIs("method")) {
            hasMethod = true;
        } else if (keyIs("result") || keyIs("error")) {
            hasResultOrError = true;
        }
        if (isId) {
            hasId = true;
            idLength = 0;
            idComplete = false;
            idUnusable = false;
        }
        if (c == '"') {
            inString = true;
            readingId = isId;
            if (isId) {
                append(c);
            }
        } else if (c == '{' || c == '[') {
            if (isId) {
                idUnusable = true;
                idComplete = true;
            }
            depth++;
        } else {
            readingId = isId;
            append(c);
            expect = Expect.PRIMITIVE;
        }
    }

    private void nested(byte c) {
        if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
            if (depth == 1) {
                expect = Expect.COMMA;
            }
        }
    }
}
