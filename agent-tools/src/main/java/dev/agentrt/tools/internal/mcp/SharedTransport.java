package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import reactor.core.publisher.Mono;

import java.util.function.Function;

/**
 * A client transport connected once and handed on: the {@code server/discover} probe reads the server's first
 * answers, and when the server speaks only the older revisions the SDK's client takes the same connection (the
 * same subprocess, the same HTTP client) for its {@code initialize}. A later {@link #connect} only changes where
 * the server's messages go.
 */
final class SharedTransport extends ForwardingTransport {
    private volatile Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> target = m -> Mono
            .empty();
    private final Mono<Void> connected;

    SharedTransport(McpClientTransport inner) {
        super(inner);
        this.connected = Mono.defer(() -> inner.connect(m -> target.apply(m))).cache();
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        target = handler;
        return connected;
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        return inner.sendMessage(message);
    }
}
