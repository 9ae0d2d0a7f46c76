package dev.agentrt.core.context;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.internal.DirectoryWalker;
import dev.agentrt.core.internal.DirectoryWalker.WalkedFile;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The documents a task works on: the text files of a directory, or documents given directly.
 *
 * <pre>{@code
 * TaskContext context = TaskContext.fromDirectory(project);
 * Mono<String> overview = context.listing(200);          // "src/Main.java (1532 bytes)\n…"
 * Flux<Document> sources = context.documents();          // read lazily, as requested
 * }</pre>
 *
 * <p>A directory is walked the way git sees it: {@code .gitignore} files at the root and in every subdirectory, and
 * {@code .git/info/exclude}, are honoured (see {@link DirectoryOptions}); the {@code .git} directory is skipped; so are
 * binary files (a NUL byte in the first 8 KiB, or content that is not valid UTF-8), files over
 * {@link DirectoryOptions#maxFileBytes()} and unreadable files or directories (logged at debug). The walk stops after
 * {@link DirectoryOptions#maxFiles()} files. Entries of each directory are visited in name order, depth first, so the
 * order is deterministic. Symbolic links to directories are not followed; a symbolic link to a file is included only
 * when its real path is inside the root.
 *
 * <p>Every walk is lazy and starts anew on each subscription: {@link #fromDirectory} does not touch the file system,
 * and a file is visited only when the subscriber requests it (backpressure is honoured; cancelling ends the walk). A
 * root that does not exist or is not a directory is signalled as an {@link IllegalArgumentException} on subscription.
 *
 * <p>Immutable and thread-safe. The returned publishers never block the subscriber's thread: all file-system work
 * runs on {@link AgentSchedulers#blocking()}, where the elements are emitted.
 */
public final class TaskContext {
    private final @Nullable Path root;
    private final DirectoryOptions options;
    private final List<Document> documents;

    private TaskContext(@Nullable Path root, DirectoryOptions options, List<Document> documents) {
        this.root = root;
        this.options = options;
        this.documents = documents;
    }

    /** The text files under {@code root}, with {@link DirectoryOptions#defaults()}. */
    public static TaskContext fromDirectory(Path root) {
        return fromDirectory(root, DirectoryOptions.defaults());
    }

    /** The text files under {@code root}, walked with {@code options}. Does not touch the file system. */
    public static TaskContext fromDirectory(Path root, DirectoryOptions options) {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(options, "options");
        return new TaskContext(root.toAbsolutePath().normalize(), options, List.of());
    }

    /** A context of the given documents, in order. */
    public static TaskContext of(Document... documents) {
        return of(List.of(documents));
    }

    /** A context of the given documents, in order; the list is copied. */
    public static TaskContext of(List<Document> documents) {
        return new TaskContext(null, DirectoryOptions.defaults(), List.copyOf(documents));
    }

    /**
     * The directory of a {@link #fromDirectory} context, absolute and normalised but with symbolic links unresolved
     * (resolving them would touch the file system; each walk resolves the real path itself); empty for a context of
     * documents.
     */
    public Optional<Path> root() {
        return Optional.ofNullable(root);
    }

    /**
     * The paths, relative to the root, of the files that {@link #documents()} would return, in the same order. Files
     * are read only as far as needed to tell text from binary (which for a text file is to its end), and not kept.
     * For a context of documents, each document's {@code id} as a path.
     */
    public Flux<Path> files() {
        if (root == null) {
            return Flux.fromIterable(documents).map(document -> Path.of(document.id()));
        }
        return walk(root, false).map(WalkedFile::relativePath);
    }

    /** The documents: for a directory, each text file read as UTF-8, with {@code "path"} and {@code "size"}. */
    public Flux<Document> documents() {
        if (root == null) {
            return Flux.fromIterable(documents);
        }
        return walk(root, true).map(TaskContext::toDocument);
    }

    /**
     * Every file of the context in walk order: the text files as {@link ContextFile.Text} (the same documents as
     * {@link #documents()}) and the files the walk skipped as binary, not UTF-8, too large, unreadable or linked out of
     * the root as {@link ContextFile.Skipped} with the reason. Files ignored by {@code .gitignore} rules are not part of
     * the context and do not appear. For a context of documents, each document as a {@code Text}.
     */
    public Flux<ContextFile> scan() {
        if (root == null) {
            return Flux.fromIterable(documents).map(ContextFile.Text::new);
        }
        return walk(root, true, true).map(file -> {
            String reason = file.skipReason();
            return reason != null ? new ContextFile.Skipped(file.id(), reason) : new ContextFile.Text(toDocument(file));
        });
    }

    /**
     * A listing to put into a prompt: one line per file, {@code relative/path (size bytes)}, in walk order, separated
     * by {@code '\n'}. Past {@code maxEntries} lines, a last line {@code … and N more files} counts the rest (the
     * walk still visits them, up to {@link DirectoryOptions#maxFiles()}). Empty if there are no files.
     *
     * @param maxEntries how many files to name; zero or more (a negative value is signalled as an
     *     {@link IllegalArgumentException})
     */
    public Mono<String> listing(int maxEntries) {
        if (maxEntries < 0) {
            return Mono.error(new IllegalArgumentException("maxEntries must not be negative: " + maxEntries));
        }
        Flux<Entry> entries = root == null
                ? Flux.fromIterable(documents).map(TaskContext::toEntry)
                : walk(root, false).map(file -> new Entry(file.id(), file.size()));
        return entries.collect(() -> new Listing(maxEntries), Listing::add).map(Listing::toString);
    }

    @Override
    public String toString() {
        return root == null ? "TaskContext[" + documents.size() + " documents]" : "TaskContext[root=" + root + "]";
    }

    private Flux<WalkedFile> walk(Path directory, boolean keepText) {
        return walk(directory, keepText, false);
    }

    private Flux<WalkedFile> walk(Path directory, boolean keepText, boolean reportSkipped) {
        // generate() emits exactly as requested and never runs its cleanup concurrently with a step, so cancelling
        // from any thread closes the walker safely; subscribeOn also moves the requests onto the blocking scheduler.
        return Flux.<WalkedFile, DirectoryWalker>generate(
                () -> DirectoryWalker.open(directory, options.maxFileBytes(), options.maxFiles(),
                        options.respectGitignore(), options.extraIgnorePatterns(), keepText, reportSkipped),
                (walker, sink) -> {
                    if (walker.hasNext()) {
                        sink.next(walker.next());
                    } else {
                        sink.complete();
                    }
                    return walker;
                },
                DirectoryWalker::close)
                .subscribeOn(AgentSchedulers.blocking());
    }

    private static Document toDocument(WalkedFile file) {
        return new Document(file.id(), Objects.requireNonNull(file.text(), "text"),
                Map.of(Document.PATH, file.id(), Document.SIZE, Long.toString(file.size())));
    }

    private static Entry toEntry(Document document) {
        String size = document.metadata().get(Document.SIZE);
        if (size != null) {
            try {
                return new Entry(document.id(), Long.parseLong(size));
            } catch (NumberFormatException e) {
                // Not a size we wrote; measure the text instead.
            }
        }
        return new Entry(document.id(), document.text().getBytes(StandardCharsets.UTF_8).length);
    }

    private record Entry(String path, long size) {}

    private static final class Listing {
        private final int maxEntries;
        private final StringBuilder text = new StringBuilder();
        private int entries;

        Listing(int maxEntries) {
            this.maxEntries = maxEntries;
        }

        void add(Entry entry) {
            if (entries < maxEntries) {
                if (!text.isEmpty()) {
                    text.append('\n');
                }
                text.append(entry.path()).append(" (").append(entry.size()).append(" bytes)");
            }
            entries++;
        }

        @Override
        public String toString() {
            int more = entries - maxEntries;
            if (more <= 0) {
                return text.toString();
            }
            return (text.isEmpty() ? "" : text + "\n") + "… and " + more + (more == 1 ? " more file" : " more files");
        }
    }
}
