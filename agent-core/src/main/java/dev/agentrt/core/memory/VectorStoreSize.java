package dev.agentrt.core.memory;

/**
 * How much a vector store holds, from {@link VectorStore#size()}.
 *
 * @param entries live entries, in every namespace
 * @param bytes the store's size on disk (for a database server, the size of its table and indexes; 0 for a store
 *     in memory)
 */
public record VectorStoreSize(long entries, long bytes) {
    public VectorStoreSize {
        if (entries < 0 || bytes < 0) {
            throw new IllegalArgumentException("entries and bytes must not be negative, were " + entries + " and "
                    + bytes);
        }
    }
}
