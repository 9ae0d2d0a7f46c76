package dev.agentrt.core.internal.provider;

import java.util.BitSet;

/**
 * The numbers the tool calls of one streamed reply carry in their events. A call keeps the index
 * the server gave it when no other call has that number; otherwise (a server that reused an index
 * for a second call, or sent none) it takes the next number above every one in use, so that each
 * call has an index of its own whatever the server sent. Confined to one reply; not thread-safe.
 */
public final class ToolCallNumbers {
    private final BitSet used = new BitSet();

    /**
     * A number for a new call.
     *
     * @param index the server's index for the call, or a negative value for none
     */
    public int take(int index) {
        int number = index >= 0 && !used.get(index) ? index : used.length();
        used.set(number);
        return number;
    }

    /** How many numbers were given out. */
    public int count() {
        return used.cardinality();
    }
}
