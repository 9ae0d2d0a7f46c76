package dev.agentrt.core.memory;

import dev.agentrt.core.context.Document;
import org.jspecify.annotations.Nullable;

import java.util.Map;
import java.util.Objects;

/**
 * One remembered text.
 *
 * @param id stable id for upserts, or {@code null} to let the store assign one
 * @param namespace separates memories (per agent, per user)
 * @param text what is remembered
 * @param metadata filterable attributes
 */
public record MemoryRecord(@Nullable String id, String namespace, String text, Map<String, String> metadata) {
    /**
     * Metadata key of the line range a chunk of a document covers, {@code "first-last"} (1-based, inclusive); with
     * {@code Document.PATH} it names a recalled chunk's source.
     */
    public static final String LINES = "lines";

    public MemoryRecord {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(text, "text");
        metadata = Map.copyOf(metadata);
    }

    /**
     * Where this text comes from, for a person or a model to cite: {@code "src/Retry.java lines 10-42"} for a chunk of
     * a document (metadata {@code path} and {@link #LINES}), {@code "memory <id>"} for a remembered text.
     */
    public String source() {
        String path = metadata.get(Document.PATH);
        if (path != null) {
            String lines = metadata.get(LINES);
            return lines == null ? path : path + " lines " + lines;
        }
        return id == null ? "memory" : "memory " + id;
    }

    public static MemoryRecord of(String namespace, String text, Map<String, String> metadata) {
        return new MemoryRecord(null, namespace, text, metadata);
    }
}
