package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The requests the client sends a server, whichever protocol era the connection negotiated: the SDK's
 * client for the {@code initialize} handshake (2025-11-25 and older, {@link LegacyRequester}), or our own
 * for 2026-07-28 ({@link ModernRequester}). Method names and types are the SDK's, so the tools calling them
 * do not know which one answers.
 */
public interface McpRequester {
    /** The protocol revision this connection speaks, or null before it was negotiated. */
    @Nullable
    String protocolVersion();

    /** What the server declared it offers, or null before the connection was set up. */
    McpSchema.@Nullable ServerCapabilities getServerCapabilities();

    Mono<McpSchema.CallToolResult> callTool(McpSchema.CallToolRequest request);

    Mono<McpSchema.ListToolsResult> listTools(@Nullable String cursor);

    Mono<McpSchema.ListPromptsResult> listPrompts(@Nullable String cursor);

    Mono<McpSchema.GetPromptResult> getPrompt(McpSchema.GetPromptRequest request);

    Mono<McpSchema.ReadResourceResult> readResource(McpSchema.ReadResourceRequest request);

    Mono<McpSchema.ListResourcesResult> listResources(@Nullable String cursor);

    Mono<McpSchema.ListResourceTemplatesResult> listResourceTemplates(@Nullable String cursor);

    /** Ends the client's side of the connection (not necessarily the transport: see McpConnection.close). */
    Mono<Void> closeGracefully();
}
