package dev.agentrt.core.memory;

import java.util.Map;
import java.util.Objects;

/**
 * What to recall.
 *
 * @param namespace where to look
 * @param text the query text
 * @param limit at most this many hits
 * @param filter metadata that every hit must have (exact matches)
 */
public record MemoryQuery(String namespace, String text, int limit, Map<String, String> filter) {
    public MemoryQuery {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(text, "text");
        filter = Map.copyOf(filter);
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
    }

    public static MemoryQuery of(String namespace, String text, int limit) {
        return new MemoryQuery(namespace, text, limit, Map.of());
    }
}
