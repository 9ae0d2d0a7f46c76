package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A client transport that notes the JSON-RPC id of each {@code tools/call} request it sends under the
 * progress token the call carries, so that a call can later be named in
 * {@code notifications/cancelled}: the SDK's client picks the ids and does not tell them. Everything
 * else passes through to the transport it wraps.
 */
final class RequestIds extends ForwardingTransport {
    private final Map<String, Object> idsByToken = new ConcurrentHashMap<>();

    RequestIds(McpClientTransport inner) {
        super(inner);
    }

    /** Notes {@code id} as that of the request sent with {@code token} (for requests sent around the SDK). */
    void note(String token, Object id) {
        idsByToken.put(token, id);
    }

    /** The id of the request sent with {@code token}, forgetting it; null if none was sent (or it was taken). */
    @Nullable
    Object take(String token) {
        return idsByToken.remove(token);
    }

    /** The id of the request sent with {@code token}, keeping it; null if none was sent (or it was taken). */
    @Nullable
    Object peek(String token) {
        return idsByToken.get(token);
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        if (message instanceof McpSchema.JSONRPCRequest request
                && request.params() instanceof McpSchema.CallToolRequest call && call.meta() != null
                && call.meta().get("progressToken") instanceof String token && request.id() != null) {
            idsByToken.put(token, request.id());
        }
        return inner.sendMessage(message);
    }

}
