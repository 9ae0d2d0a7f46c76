package dev.agentrt.memory;

/**
 * How {@link VectorMemory} cuts texts into chunks before embedding them.
 *
 * @param maxTokens the most tokens of one chunk, its source header included; {@code 0} for the embedding model's
 *     own limit ({@link dev.agentrt.core.model.EmbeddingModel#maxInputTokens()}), which is also the ceiling
 * @param overlapTokens the most tokens a chunk repeats from the end of the previous one when it does not start at a
 *     heading or declaration; less than half of the chunk size
 */
public record ChunkingOptions(int maxTokens, int overlapTokens) {
    /** Chunks as large as the model takes, overlapping by up to 32 tokens. */
    public static final ChunkingOptions DEFAULT = new ChunkingOptions(0, 32);

    public ChunkingOptions {
        if (maxTokens < 0 || (maxTokens > 0 && maxTokens < 16)) {
            throw new IllegalArgumentException(
                    "maxTokens must be 0 (the model's limit) or at least 16, was " + maxTokens);
        }
        if (overlapTokens < 0) {
            throw new IllegalArgumentException("overlapTokens must not be negative, was " + overlapTokens);
        }
    }
}
