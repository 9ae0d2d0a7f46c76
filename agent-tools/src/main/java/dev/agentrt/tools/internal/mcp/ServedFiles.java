package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.internal.fs.Confined;
import dev.agentrt.core.internal.fs.ConfinementException;
import dev.agentrt.core.internal.fs.Dir;
import dev.agentrt.core.internal.fs.Entries;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.tools.mcp.McpFileResources;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One directory's files as {@code file://} resources. Every use walks from the opened directory
 * through agent-core's confinement layer, never following a link, and checks the server's grants
 * for the file before opening it. All methods block; immutable and thread-safe.
 */
final class ServedFiles implements ServedResources.Source {
    /** Bounds one listing's walk, whatever the cap on files: directories full of what no glob matches. */
    static final int MAX_VISITS = 200_000;
    static final int MAX_DEPTH = 64;

    private static final Map<String, String> TYPES = Map.ofEntries(Map.entry("md", "text/markdown"),
            Map.entry("markdown", "text/markdown"), Map.entry("txt", "text/plain"), Map.entry("log", "text/plain"),
            Map.entry("csv", "text/csv"), Map.entry("tsv", "text/tab-separated-values"),
            Map.entry("html", "text/html"), Map.entry("htm", "text/html"), Map.entry("css", "text/css"),
            Map.entry("js", "text/javascript"), Map.entry("mjs", "text/javascript"),
            Map.entry("ts", "text/x-typescript"), Map.entry("json", "application/json"),
            Map.entry("xml", "application/xml"), Map.entry("yaml", "application/yaml"),
            Map.entry("yml", "application/yaml"), Map.entry("toml", "application/toml"),
            Map.entry("java", "text/x-java"), Map.entry("kt", "text/x-kotlin"), Map.entry("py", "text/x-python"),
            Map.entry("rb", "text/x-ruby"), Map.entry("go", "text/x-go"), Map.entry("rs", "text/x-rust"),
            Map.entry("c", "text/x-c"), Map.entry("h", "text/x-c"), Map.entry("cpp", "text/x-c++"),
            Map.entry("sh", "text/x-shellscript"), Map.entry("sql", "application/sql"),
            Map.entry("properties", "text/x-java-properties"), Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"), Map.entry("webp", "image/webp"), Map.entry("pdf", "application/pdf"),
            Map.entry("zip", "application/zip"), Map.entry("gz", "application/gzip"),
            Map.entry("wasm", "application/wasm"));

    private final Path root;
    private final McpFileResources options;
    private final List<PathMatcher> matchers;

    /** {@code root} is the real path of {@code options.directory()}. */
    ServedFiles(Path root, McpFileResources options) {
        this.root = root;
        this.options = options;
        this.matchers = options.globs()
                .stream()
                .map(g -> FileSystems.getDefault().getPathMatcher("glob:" + g))
                .toList();
    }

    Path root() {
        return root;
    }

    @Override
    public Mono<List<ServedResources.Item>> list(@Nullable String after, int ordinal, int limit, Grants grants) {
        return Mono.fromCallable(() -> listNow(after, ordinal, limit, grants)).subscribeOn(AgentSchedulers.blocking());
    }

    private List<ServedResources.Item> listNow(@Nullable String after, int ordinal, int limit, Grants grants)
            throws IOException {
        boolean rootGranted = grants.allows(Capability.fileRead(root));
        var walk = new Walk(after == null ? List.of() : List.of(after.split("/")), ordinal, limit, grants,
                rootGranted);
        try (Dir dir = Confined.openRoot(root)) {
            walk.walk(dir, List.of(), 0);
        }
        return walk.items;
    }

    private final class Walk {
        final List<String> after;
        final int limit;
        final Grants grants;
        final boolean rootGranted;
        final List<ServedResources.Item> items = new ArrayList<>();
        int ordinal;
        int visits;
        boolean stopped;

        Walk(List<String> after, int ordinal, int limit, Grants grants, boolean rootGranted) {
            this.after = after;
            this.ordinal = ordinal;
            this.limit = limit;
            this.grants = grants;
            this.rootGranted = rootGranted;
        }

        void walk(Dir dir, List<String> prefix, int depth) throws IOException {
            for (String name : dir.names()) {
                if (stopped || ++visits > MAX_VISITS) {
                    stopped = true;
                    return;
                }
                var names = new ArrayList<>(prefix);
                names.add(name);
                int order = compare(names, after);
                if (order < 0 && !isPrefix(names, after)) {
                    continue; // listed on an earlier page, and so is everything below it
                }
                BasicFileAttributes a = dir.attributes(name);
                if (a == null || a.isSymbolicLink()) {
                    continue; // gone since listed, or a link: never followed, never served
                }
                if (a.isDirectory()) {
                    if (depth + 1 < MAX_DEPTH) {
                        Dir child;
                        try {
                            child = dir.openDir(name, false);
                        } catch (ConfinementException e) {
                            continue; // replaced by a link or removed since it was listed
                        }
                        try (child) {
                            walk(child, names, depth + 1);
                        }
                    }
                    continue;
                }
                if (order <= 0 || !a.isRegularFile() || !chosen(names)) {
                    continue;
                }
                if (a.size() > options.maxFileBytes() || !granted(names)) {
                    continue;
                }
                if (ordinal >= options.maxFiles()) {
                    stopped = true;
                    return;
                }
                ordinal++;
                items.add(new ServedResources.Item(String.join("/", names), ordinal, describe(names, a.size())));
                if (items.size() >= limit) {
                    stopped = true;
                    return;
                }
            }
        }

        private boolean granted(List<String> names) {
            return rootGranted || grants.allows(Capability.fileRead(resolve(names)));
        }
    }

    private McpSchema.Resource describe(List<String> names, long size) {
        String name = names.getLast();
        var resource = McpSchema.Resource.builder(resolve(names).toUri().toString(), String.join("/", names))
                .title(name)
                .size(size);
        String type = mimeType(name);
        if (type != null) {
            resource.mimeType(type);
        }
        return resource.build();
    }

    /** Path elements compared one by one: the order of a depth-first walk over sorted names. */
    static int compare(List<String> a, List<String> b) {
        for (int i = 0, n = Math.min(a.size(), b.size()); i < n; i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    private static boolean isPrefix(List<String> prefix, List<String> of) {
        return prefix.size() < of.size() && of.subList(0, prefix.size()).equals(prefix);
    }

    private boolean chosen(List<String> names) {
        Path relative = root.getFileSystem()
                .getPath(names.getFirst(),
                        names.subList(1, names.size()).toArray(String[]::new));
        for (PathMatcher m : matchers) {
            if (m.matches(relative)) {
                return true;
            }
        }
        return false;
    }

    private Path resolve(List<String> names) {
        return root.resolve(String.join("/", names));
    }

    /**
     * The path elements below the root that the absolute path {@code path} names, or {@code null} when
     * it is not below the root. Lexical: the confinement layer decides what is actually there.
     */
    @Nullable
    List<String> below(Path path) {
        Path p = path.normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            return null;
        }
        var names = new ArrayList<String>();
        for (Path name : root.relativize(p)) {
            names.add(name.toString());
        }
        return names;
    }

    /**
     * Why the file {@code names} below the root may not be subscribed to (not chosen by the globs, or not
     * granted), or null. Lexical: what is there is for the confinement layer to find when it is read.
     */
    @Nullable
    String refusal(List<String> names, Grants grants) {
        if (!chosen(names)) {
            return String.join("/", names) + " is not one of the files this server serves";
        }
        Path absolute = resolve(names);
        if (!grants.allows(Capability.fileRead(absolute))) {
            return "the server is not granted " + Capability.fileRead(absolute).describe();
        }
        return null;
    }

    /**
     * The content of the file {@code names} below the root. Refused, with a message for the client,
     * unless it is a regular file chosen by the globs, granted, no larger than the limit, and reached
     * without a link.
     */
    McpSchema.ResourceContents read(String uri, List<String> names, Grants grants) throws IOException {
        String shown = String.join("/", names);
        if (!chosen(names)) {
            throw ServedResources.notFound(uri, shown + " is not one of the files this server serves");
        }
        Path absolute = resolve(names);
        byte[] content;
        try (Dir dir = Confined.open(root, names.subList(0, names.size() - 1), false)) {
            // What the walk reached, without following a link, is what the grant is checked for.
            Entries.requireFile(dir.attributes(names.getLast()), shown);
            if (!grants.allows(Capability.fileRead(absolute))) {
                throw ServedResources.notFound(uri,
                        "the server is not granted " + Capability.fileRead(absolute).describe());
            }
            content = Confined.readAll(dir, names.getLast(), options.maxFileBytes());
        } catch (ConfinementException e) {
            throw ServedResources.notFound(uri, e.getMessage());
        }
        String type = mimeType(names.getLast());
        String text = text(content);
        if (text != null) {
            return McpSchema.TextResourceContents.builder(uri, text)
                    .mimeType(type == null ? "text/plain" : type)
                    .build();
        }
        return McpSchema.BlobResourceContents.builder(uri, Base64.getEncoder().encodeToString(content))
                .mimeType(type == null ? "application/octet-stream" : type)
                .build();
    }

    /** The content as text when it is UTF-8 without NUL characters, else {@code null} (served as a blob). */
    private static @Nullable String text(byte[] content) {
        for (byte b : content) {
            if (b == 0) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The media type a file name suggests, or {@code null} when it suggests none. */
    static @Nullable String mimeType(String name) {
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            String type = TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
            if (type != null) {
                return type;
            }
        }
        return URLConnection.guessContentTypeFromName(name);
    }
}
