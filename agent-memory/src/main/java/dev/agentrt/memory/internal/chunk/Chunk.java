package dev.agentrt.memory.internal.chunk;

/**
 * A slice of a document's lines.
 *
 * @param text the lines joined with {@code '\n'}
 * @param firstLine 1-based
 * @param lastLine 1-based, inclusive
 */
public record Chunk(String text, int firstLine, int lastLine) {
    /** {@code "first-last"}. */
    public String lines() {
        return firstLine + "-" + lastLine;
    }
}
