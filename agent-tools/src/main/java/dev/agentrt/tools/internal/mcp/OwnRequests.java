package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Requests the bridge answers itself, ahead of the SDK's server: the server transports ask this
 * first and hand the SDK only what it declines. It exists for what the SDK's server cannot do, such
 * as answering {@code resources/list} a page at a time (the SDK ignores cursors).
 */
@FunctionalInterface
public interface OwnRequests {
    /** Declines everything. */
    OwnRequests NONE = request -> null;

    /**
     * The answer to {@code request} (a result or a JSON-RPC error, never a failed {@code Mono}), or
     * {@code null} for the SDK's server to answer it. Called on the transport's thread; must not block.
     */
    @Nullable
    Mono<McpSchema.JSONRPCResponse> answer(McpSchema.JSONRPCRequest request);
}
