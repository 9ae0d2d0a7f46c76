package dev.agentrt.core.context;

import java.util.Map;
import java.util.Objects;

/**
 * A piece of text given to an agent as context, such as one file of a directory.
 *
 * <pre>{@code
 * Document readme = new Document("README.md", text, Map.of("path", "README.md"));
 * Document note = Document.of("note", "Deploys happen on Tuesdays.");
 * }</pre>
 *
 * <p>Documents read by {@link TaskContext#fromDirectory} have the relative path, with {@code '/'} separators, as their
 * {@code id}, and the metadata {@code "path"} (the same relative path) and {@code "size"} (the file's size in bytes,
 * in decimal).
 *
 * <p>Immutable and thread-safe.
 *
 * @param id identifies the document within its context
 * @param text the content
 * @param metadata string attributes of the document; copied
 */
public record Document(String id, String text, Map<String, String> metadata) {
    /** Metadata key of the path relative to the context root, {@code '/'}-separated. */
    public static final String PATH = "path";

    /** Metadata key of the size in bytes, in decimal. */
    public static final String SIZE = "size";

    public Document {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
    }

    /** A document without metadata. */
    public static Document of(String id, String text) {
        return new Document(id, text, Map.of());
    }
}
