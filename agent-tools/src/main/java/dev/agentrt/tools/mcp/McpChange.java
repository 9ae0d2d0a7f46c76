package dev.agentrt.tools.mcp;

import java.util.List;
import java.util.Objects;

/**
 * Something an MCP server said changed, as {@link McpTools#changes()} tells it: its list of resources or of
 * prompts (read again after the server's {@code notifications/…/list_changed}), or a resource the application
 * subscribed to ({@link McpTools#subscribeResource(String)}).
 *
 * <p>The server's tools are not told here: they are pinned at connect, and {@link McpTools.Builder#onToolsChanged}
 * hears how a new listing differs.
 */
public sealed interface McpChange {
    /** The server's name, as given to {@link McpTools#builder}. */
    String server();

    /**
     * The server's resources changed; {@code uris} are those it lists now (every page, up to 1,000). The
     * {@code list_resources} tool always lists afresh, so the model sees the new list on its next call.
     */
    record ResourcesListChanged(String server, List<String> uris) implements McpChange {
        public ResourcesListChanged {
            Objects.requireNonNull(server, "server");
            uris = List.copyOf(uris);
        }
    }

    /** The server's prompts changed; {@code prompts} are those it lists now (as {@link McpTools#prompts()}). */
    record PromptsListChanged(String server, List<McpPrompt> prompts) implements McpChange {
        public PromptsListChanged {
            Objects.requireNonNull(server, "server");
            prompts = List.copyOf(prompts);
        }
    }

    /**
     * The resource {@code uri}, which the application subscribed to, changed
     * ({@code notifications/resources/updated}); read it again to see how. Updates for a URI not subscribed to
     * are dropped, never told.
     */
    record ResourceUpdated(String server, String uri) implements McpChange {
        public ResourceUpdated {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(uri, "uri");
        }
    }
}
