package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/** The SDK's client, after its {@code initialize} handshake (protocol revisions up to 2025-11-25). */
final class LegacyRequester implements McpRequester {
    private final McpAsyncClient client;

    LegacyRequester(McpAsyncClient client) {
        this.client = client;
    }

    McpAsyncClient client() {
        return client;
    }

    @Override
    public @Nullable String protocolVersion() {
        McpSchema.InitializeResult init = client.getCurrentInitializationResult();
        return init == null ? null : init.protocolVersion();
    }

    @Override
    public McpSchema.@Nullable ServerCapabilities getServerCapabilities() {
        return client.getServerCapabilities();
    }

    @Override
    public Mono<McpSchema.CallToolResult> callTool(McpSchema.CallToolRequest request) {
        return client.callTool(request);
    }

    @Override
    public Mono<McpSchema.ListToolsResult> listTools(@Nullable String cursor) {
        // One page per request, as for every other listing: the SDK's cursor-less listTools() follows every page,
        // without a bound, so a server handing out cursors forever would keep the client listing.
        return client.listTools(cursor);
    }

    @Override
    public Mono<McpSchema.ListPromptsResult> listPrompts(@Nullable String cursor) {
        return client.listPrompts(cursor);
    }

    @Override
    public Mono<McpSchema.GetPromptResult> getPrompt(McpSchema.GetPromptRequest request) {
        return client.getPrompt(request);
    }

    @Override
    public Mono<McpSchema.ReadResourceResult> readResource(McpSchema.ReadResourceRequest request) {
        return client.readResource(request);
    }

    @Override
    public Mono<McpSchema.ListResourcesResult> listResources(@Nullable String cursor) {
        return client.listResources(cursor);
    }

    @Override
    public Mono<McpSchema.ListResourceTemplatesResult> listResourceTemplates(@Nullable String cursor) {
        return client.listResourceTemplates(cursor);
    }

    @Override
    public Mono<Void> closeGracefully() {
        return client.closeGracefully();
    }
}
