package dev.agentrt.core.context;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Renamed {@link TaskContext}, so that it no longer shares its name with Reactor's {@code Context}. This
 * class wraps a {@link TaskContext}, behaves exactly like it, and will be removed in the next version.
 *
 * @deprecated use {@link TaskContext}: {@code TaskContext.fromDirectory(project)}
 */
@Deprecated(since = "0.2", forRemoval = true)
public final class Context {
    private final TaskContext context;

    private Context(TaskContext context) {
        this.context = context;
    }

    /** @deprecated use {@link TaskContext#fromDirectory(Path)} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static Context fromDirectory(Path root) {
        return new Context(TaskContext.fromDirectory(root));
    }

    /** @deprecated use {@link TaskContext#fromDirectory(Path, DirectoryOptions)} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static Context fromDirectory(Path root, DirectoryOptions options) {
        return new Context(TaskContext.fromDirectory(root, options));
    }

    /** @deprecated use {@link TaskContext#of(Document...)} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static Context of(Document... documents) {
        return new Context(TaskContext.of(documents));
    }

    /** @deprecated use {@link TaskContext#of(List)} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static Context of(List<Document> documents) {
        return new Context(TaskContext.of(documents));
    }

    /** The same context under its new name. */
    public TaskContext toTaskContext() {
        return context;
    }

    /** See {@link TaskContext#root()}. */
    public Optional<Path> root() {
        return context.root();
    }

    /** See {@link TaskContext#files()}. */
    public Flux<Path> files() {
        return context.files();
    }

    /** See {@link TaskContext#documents()}. */
    public Flux<Document> documents() {
        return context.documents();
    }

    /** See {@link TaskContext#scan()}. */
    public Flux<ContextFile> scan() {
        return context.scan();
    }

    /** See {@link TaskContext#listing(int)}. */
    public Mono<String> listing(int maxEntries) {
        return context.listing(maxEntries);
    }

    @Override
    public String toString() {
        return context.toString();
    }
}
