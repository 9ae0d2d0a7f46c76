package dev.agentrt.core.context;

import java.util.Objects;

/**
 * One file met by {@link TaskContext#scan()}: either a text document of the context, or a file the walk skipped, with
 * the reason, so that an indexer can report what it left out.
 *
 * <pre>{@code
 * context.scan().subscribe(file -> {
 *     switch (file) {
 *         case ContextFile.Text text -> index(text.document());
 *         case ContextFile.Skipped skipped -> log.info("{} skipped: {}", skipped.path(), skipped.reason());
 *     }
 * });
 * }</pre>
 */
public sealed interface ContextFile {
    /** The path relative to the context root, {@code '/'}-separated (a document's id for a context of documents). */
    String path();

    /** A text file, read as a document. */
    record Text(Document document) implements ContextFile {
        public Text {
            Objects.requireNonNull(document, "document");
        }

        @Override
        public String path() {
            return document.id();
        }
    }

    /**
     * A file that is not part of the context's documents.
     *
     * @param path relative to the root
     * @param reason why, for a person: {@code "not UTF-8 text"}, {@code "binary (a NUL byte)"}, {@code "2000000
     *     bytes, over the limit of 1048576"}, {@code "cannot read it (…)"}, a symbolic link out of the root
     */
    record Skipped(String path, String reason) implements ContextFile {
        public Skipped {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
