package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.memory.VectorStore;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * One memory namespace, read-only, as {@code memory://<namespace>/<id>} resources (both parts
 * percent-encoded). {@link VectorStore} has no lookup by id and no paging, so both go through {@link
 * VectorStore#find} over at most {@link #MAX_ENTRIES} entries of the namespace; a larger namespace is
 * served by the entries the store returns first. Each use checks the server's grants for {@code
 * memory-read} of the namespace. Immutable and thread-safe.
 */
final class ServedMemory implements ServedResources.Source {
    static final String SCHEME = "memory://";
    static final int MAX_ENTRIES = 10_000;

    private final VectorStore store;
    private final String namespace;

    ServedMemory(VectorStore store, String namespace) {
        this.store = store;
        this.namespace = namespace;
    }

    String namespace() {
        return namespace;
    }

    @Override
    public Mono<List<ServedResources.Item>> list(@Nullable String after, int ordinal, int limit, Grants grants) {
        if (!grants.allows(Capability.memoryRead(namespace))) {
            return Mono.just(List.of());
        }
        return store.find(namespace, Map.of(), MAX_ENTRIES).map(entries -> {
            var sorted = entries.stream()
                    .filter(e -> after == null || e.id().compareTo(after) > 0)
                    .sorted(Comparator.comparing(VectorStore.Entry::id))
                    .limit(limit)
                    .toList();
            int[] n = {ordinal};
            return sorted.stream().map(e -> new ServedResources.Item(e.id(), ++n[0], describe(e))).toList();
        });
    }

    private McpSchema.Resource describe(VectorStore.Entry e) {
        return McpSchema.Resource.builder(uri(e.id()), namespace + "/" + e.id())
                .title(e.metadata().getOrDefault("path", e.id()))
                .mimeType("text/plain")
                .size((long) e.text().getBytes(StandardCharsets.UTF_8).length)
                .build();
    }

    String uri(String id) {
        return SCHEME + encode(namespace) + "/" + encode(id);
    }

    /** The text of the entry {@code id}; refused when it is not there or memory-read of the namespace is not granted. */
    Mono<McpSchema.ResourceContents> read(String uri, String id, Grants grants) {
        if (!grants.allows(Capability.memoryRead(namespace))) {
            return Mono.error(ServedResources.notFound(uri,
                    "the server is not granted " + Capability.memoryRead(namespace).describe()));
        }
        return store.find(namespace, Map.of(), MAX_ENTRIES)
                .flatMap(entries -> entries.stream()
                        .filter(e -> e.id().equals(id))
                        .findFirst().<Mono<McpSchema
                                .ResourceContents>>map(
                                        e -> Mono.just(McpSchema.TextResourceContents.builder(uri, e.text())
                                                .mimeType("text/plain")
                                                .build()))
                        .orElseGet(() -> Mono.error(ServedResources.notFound(uri,
                                "the memory namespace " + namespace + " has no entry " + id))));
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters. */
    static String encode(String s) {
        var out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    /** Decodes {@code %XX} escapes as UTF-8; {@code null} when an escape is malformed. */
    static @Nullable String decode(String s) {
        var out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                int cp = s.codePointAt(i);
                byte[] bytes = Character.toString(cp).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
                i += Character.charCount(cp) - 1;
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
