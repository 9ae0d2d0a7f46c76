package dev.agentrt.inference.internal.chat;

/**
 * The text of one reply's token ids as they are generated: each id gives the text it completes
 * (possibly empty, while a character is incomplete), and {@link #flush} what is still held at the
 * end. Confined to one generation.
 */
public interface TokenText {
    /** Adds a token; returns the text it completes, possibly empty. */
    String accept(long id);

    /** The text of the ids not yet emitted (an incomplete character at the end of the reply). */
    String flush();
}
