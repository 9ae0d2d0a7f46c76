package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Follows an MCP listing's cursors, page after page, up to a number of items and of pages, so that a
 * server with a huge list, or one that hands out cursors forever, cannot keep a client listing.
 */
final class McpPages {
    private static final Logger log = LoggerFactory.getLogger(McpPages.class);
    /** The most pages one listing follows. */
    static final int MAX_PAGES = 50;

    private McpPages() {}

    /** One page: its items and the cursor of the next ({@code null} or empty on the last page). */
    record Page<T>(List<T> items, @Nullable String nextCursor) {}

    /**
     * What a listing gathered.
     *
     * @param cut why it stopped before the server's last page, or null when it got every page
     */
    record Listing<T>(List<T> items, @Nullable String cut) {}

    /**
     * A server's tools, page after page, as far as {@link #collect} follows them: a server that repeats a cursor or
     * pages on without end is listed up to there (with a warning naming {@code server}), not for ever.
     */
    static Mono<List<McpSchema.Tool>> allTools(McpRequester requester, String server) {
        return McpPages.<McpSchema.Tool>collect(cursor -> requester.listTools(cursor)
                .map(r -> new Page<>(r.tools() == null ? List.of() : r.tools(), r.nextCursor())),
                McpNotices.MAX_LISTED, "tools")
                .map(listing -> {
                    if (listing.cut() != null) {
                        log.warn("MCP server '{}': {}", server, listing.cut());
                    }
                    return listing.items();
                });
    }

    /** Lists from the first page ({@code fetch} gets a null cursor) on, up to {@code max} items. */
    static <T> Mono<Listing<T>> collect(Function<@Nullable String, Mono<Page<T>>> fetch, int max, String what) {
        return Mono.defer(() -> next(fetch, null, new ArrayList<>(), new HashSet<>(), 1, max, what));
    }

    private static <T> Mono<Listing<T>> next(Function<@Nullable String, Mono<Page<T>>> fetch,
            @Nullable String cursor, List<T> items, Set<String> cursors, int page, int max, String what) {
        return fetch.apply(cursor).flatMap(p -> {
            for (T item : p.items()) {
                if (items.size() == max) {
                    return Mono.just(new Listing<>(items, "the listing was cut at " + max + " " + what
                            + "; the server has more"));
                }
                items.add(item);
            }
            String next = p.nextCursor();
            if (next == null || next.isEmpty()) {
                return Mono.just(new Listing<>(items, null));
            }
            if (items.size() == max) {
                return Mono.just(new Listing<>(items, "the listing was cut at " + max + " " + what
                        + "; the server has more"));
            }
            if (!cursors.add(next)) {
                return Mono.just(new Listing<>(items, "the server gave the cursor of a page already read ("
                        + next + "), so the listing stopped there"));
            }
            if (page == MAX_PAGES) {
                return Mono.just(new Listing<>(items, "the listing was cut after " + MAX_PAGES
                        + " pages; the server has more"));
            }
            return next(fetch, next, items, cursors, page + 1, max, what);
        });
    }
}
