package dev.agentrt.inference.internal.chat;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Turns generated token ids into text deltas. Decoding token by token would lose the spaces and
 * merges a tokenizer's decoder adds between tokens and would split multi-byte characters, so each
 * step decodes a short window of recent ids and emits what it adds to the text of the window
 * without the new ids, holding back a delta that ends in an incomplete character.
 */
public final class IncrementalDecoder implements TokenText {
    private final Function<long[], String> decode;
    private long[] ids = new long[64];
    private int size;
    private int prefixOffset;
    private int readOffset;

    public IncrementalDecoder(Function<long[], String> decode) {
        this.decode = decode;
    }

    @Override
    public String accept(long id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String before = decode.apply(Arrays.copyOfRange(ids, prefixOffset, readOffset));
        String after = decode.apply(Arrays.copyOfRange(ids, prefixOffset, size));
        if (after.length() > before.length() && !after.endsWith("\uFFFD") && after.startsWith(before)) {
            prefixOffset = readOffset;
            readOffset = size;
            return after.substring(before.length());
        }
        if (!after.startsWith(before)) {
            // The decoder rewrote the window (rare normalisations): restart the window here.
            prefixOffset = readOffset;
            readOffset = size;
            return after.length() > before.length() ? after.substring(before.length()) : "";
        }
        return "";
    }

    @Override
    public String flush() {
        if (readOffset == size) {
            return "";
        }
        String before = decode.apply(Arrays.copyOfRange(ids, prefixOffset, readOffset));
        String after = decode.apply(Arrays.copyOfRange(ids, prefixOffset, size));
        readOffset = size;
        return after.length() > before.length() ? after.substring(before.length()) : "";
    }
}
