package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.memory.VectorStore;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.tools.mcp.McpFileResources;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

/**
 * The resources a server serves: directories' files and memory namespaces, in the order they were
 * registered. {@code resources/list} is answered a page at a time with an opaque cursor that says
 * where the previous page ended (so a stateless server pages too, and files added meanwhile show up
 * if they sort after it); {@code resources/read} finds the source a URI names. Failures are {@link
 * McpError}s: {@code -32602} for a malformed request, {@code -32002} (resource not found) for
 * anything this server does not serve, with the reason. Immutable and thread-safe.
 */
public final class ServedResources {
    /** The MCP spec's code for a resource the server does not have. */
    static final int RESOURCE_NOT_FOUND = -32002;

    /** One listed resource: {@code key} orders it within its source, {@code ordinal} counts it there from 1. */
    record Item(String key, int ordinal, McpSchema.Resource resource) {}

    /** Where resources come from. */
    interface Source {
        /**
         * At most {@code limit} resources ordered after {@code after} (from the start when null), the
         * first counted {@code ordinal + 1}; only those {@code grants} allow.
         */
        Mono<List<Item>> list(@Nullable String after, int ordinal, int limit, Grants grants);
    }

    private final List<Source> sources;
    private final int pageSize;
    private final Supplier<Grants> grants;

    private ServedResources(List<Source> sources, int pageSize, Supplier<Grants> grants) {
        this.sources = sources;
        this.pageSize = pageSize;
        this.grants = grants;
    }

    /**
     * Resolves each directory's real path (blocking, once); fails with an {@link UncheckedIOException}
     * for a directory that does not exist.
     */
    public static ServedResources of(List<McpFileResources> files, List<Memory> memories, int pageSize,
            Supplier<Grants> grants) {
        var sources = new ArrayList<Source>();
        for (McpFileResources f : files) {
            Path real;
            try {
                real = f.directory().toRealPath();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot serve the files of " + f.directory() + ": " + e, e);
            }
            if (!java.nio.file.Files.isDirectory(real)) {
                throw new IllegalArgumentException("cannot serve the files of " + f.directory()
                        + ": not a directory");
            }
            sources.add(new ServedFiles(real, f));
        }
        for (Memory m : memories) {
            sources.add(new ServedMemory(m.store(), m.namespace()));
        }
        return new ServedResources(List.copyOf(sources), pageSize, grants);
    }

    /** A memory namespace to serve. */
    public record Memory(VectorStore store, String namespace) {}

    public boolean isEmpty() {
        return sources.isEmpty();
    }

    Mono<McpSchema.ListResourcesResult> list(@Nullable String cursor) {
        return Mono.defer(() -> {
            Cursor from = cursor == null ? new Cursor(0, 0, null) : Cursor.parse(cursor);
            Grants g = grants.get();
            return page(from.source(), from.after(), from.ordinal(), new ArrayList<>(), g);
        });
    }

    /** Collects one entry more than a page holds, to know whether another page follows. */
    private Mono<McpSchema.ListResourcesResult> page(int source, @Nullable String after, int ordinal,
            List<Positioned> collected, Grants g) {
        if (source >= sources.size() || collected.size() > pageSize) {
            if (collected.size() <= pageSize) {
                return Mono.just(McpSchema.ListResourcesResult.builder(resources(collected)).build());
            }
            Positioned last = collected.get(pageSize - 1);
            String next = new Cursor(last.source(), last.item().ordinal(), last.item().key()).encode();
            return Mono.just(McpSchema.ListResourcesResult.builder(resources(collected.subList(0, pageSize)))
                    .nextCursor(next)
                    .build());
        }
        int room = pageSize + 1 - collected.size();
        return sources.get(source).list(after, ordinal, room, g).flatMap(items -> {
            for (Item item : items) {
                collected.add(new Positioned(source, item));
            }
            return page(source + 1, null, 0, collected, g);
        });
    }

    private record Positioned(int source, Item item) {}

    private static List<McpSchema.Resource> resources(List<Positioned> items) {
        return items.stream().map(p -> p.item().resource()).toList();
    }

    Mono<McpSchema.ReadResourceResult> read(String uri) {
        return Mono.defer(() -> {
            Grants g = grants.get();
            if (uri.startsWith(ServedMemory.SCHEME)) {
                return readMemory(uri, g);
            }
            Path path = filePath(uri);
            for (Source s : sources) {
                if (s instanceof ServedFiles files) {
                    List<String> names = files.below(path);
                    if (names != null) {
                        return Mono.fromCallable(() -> result(files.read(uri, names, g)))
                                .subscribeOn(AgentSchedulers.blocking());
                    }
                }
            }
            return Mono.error(notFound(uri, "it is outside the directories this server serves"));
        });
    }

    /**
     * Fails with the {@link McpError} a read would (-32002, -32602) unless {@code uri} names what this server
     * serves and is granted: a file below a served directory chosen by its globs, or an entry of a served memory
     * namespace. Lexical, never blocks: a file need not exist yet to be subscribed to.
     */
    void checkSubscribable(String uri) {
        Grants g = grants.get();
        if (uri.startsWith(ServedMemory.SCHEME)) {
            String rest = uri.substring(ServedMemory.SCHEME.length());
            int slash = rest.indexOf('/');
            String namespace = slash < 0 ? null : ServedMemory.decode(rest.substring(0, slash));
            String id = slash < 0 ? null : ServedMemory.decode(rest.substring(slash + 1));
            if (namespace == null || id == null || id.isEmpty()) {
                throw invalid("\"" + uri + "\" is not a memory resource URI (memory://<namespace>/<id>)");
            }
            for (Source s : sources) {
                if (s instanceof ServedMemory memory && memory.namespace().equals(namespace)) {
                    if (!g.allows(Capability.memoryRead(namespace))) {
                        throw notFound(uri, "the server is not granted " + Capability.memoryRead(namespace).describe());
                    }
                    return;
                }
            }
            throw notFound(uri, "this server serves no memory namespace " + namespace);
        }
        Path path = filePath(uri);
        for (Source s : sources) {
            if (s instanceof ServedFiles files) {
                List<String> names = files.below(path);
                if (names != null) {
                    String refusal = files.refusal(names, g);
                    if (refusal != null) {
                        throw notFound(uri, refusal);
                    }
                    return;
                }
            }
        }
        throw notFound(uri, "it is outside the directories this server serves");
    }

    private Mono<McpSchema.ReadResourceResult> readMemory(String uri, Grants g) {
        String rest = uri.substring(ServedMemory.SCHEME.length());
        int slash = rest.indexOf('/');
        String namespace = slash < 0 ? null : ServedMemory.decode(rest.substring(0, slash));
        String id = slash < 0 ? null : ServedMemory.decode(rest.substring(slash + 1));
        if (namespace == null || id == null || id.isEmpty()) {
            return Mono.error(invalid("\"" + uri + "\" is not a memory resource URI (memory://<namespace>/<id>)"));
        }
        for (Source s : sources) {
            if (s instanceof ServedMemory memory && memory.namespace().equals(namespace)) {
                return memory.read(uri, id, g).map(ServedResources::result);
            }
        }
        return Mono.error(notFound(uri, "this server serves no memory namespace " + namespace));
    }

    private static McpSchema.ReadResourceResult result(McpSchema.ResourceContents contents) {
        return McpSchema.ReadResourceResult.builder(List.of(contents)).build();
    }

    private static Path filePath(String uri) {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw invalid("\"" + uri + "\" is not a URI: " + e.getReason());
        }
        if (!"file".equalsIgnoreCase(parsed.getScheme())) {
            throw notFound(uri, "this server serves file:// and memory:// resources only");
        }
        try {
            return Path.of(parsed);
        } catch (IllegalArgumentException | FileSystemNotFoundException e) {
            throw invalid("\"" + uri + "\" is not a file URI this server can use: " + e.getMessage());
        }
    }

    static McpError notFound(String uri, String why) {
        return McpError.builder(RESOURCE_NOT_FOUND)
                .message("Resource not found: " + uri + " (" + why + ")")
                .data(java.util.Map.of("uri", uri))
                .build();
    }

    static McpError invalid(String why) {
        return McpError.builder(ErrorCodes.INVALID_PARAMS).message("Invalid params: " + why).build();
    }

    /** Where a page ended: the source, the count of resources listed from it so far, and the last one's key. */
    private record Cursor(int source, int ordinal, @Nullable String after) {
        String encode() {
            String text = source + "\n" + ordinal + "\n" + (after == null ? "" : after);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
        }

        static Cursor parse(String cursor) {
            try {
                String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                String[] parts = text.split("\n", 3);
                int source = Integer.parseInt(parts[0]);
                int ordinal = Integer.parseInt(parts[1]);
                if (parts.length == 3 && source >= 0 && ordinal >= 0 && !parts[2].isEmpty()) {
                    return new Cursor(source, ordinal, parts[2]);
                }
            } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
                // refused below, whatever was wrong with it
            }
            throw invalid("the cursor \"" + cursor + "\" was not made by this server");
        }
    }
}
