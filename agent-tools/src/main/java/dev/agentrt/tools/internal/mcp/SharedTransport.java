package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A client transport connected once and handed on: the {@code server/discover} probe reads the server's first
 * answers, and when the server speaks only the older revisions the SDK's client takes the same connection (the
 * same subprocess, the same HTTP client) for its {@code initialize}. A later {@link #connect} only changes where
 * the server's messages go.
 */
final class SharedTransport implements McpClientTransport {
    private final McpClientTransport inner;
    private volatile Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> target = m -> Mono
            .empty();
    private final Mono<Void> connected;

    SharedTransport(McpClientTransport inner) {
        this.inner = inner;
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

    @Override
    public void setExceptionHandler(Consumer<Throwable> handler) {
        inner.setExceptionHandler(handler);
    }

    @Override
    public Mono<Void> closeGracefully() {
        return inner.closeGracefully();
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> type) {
        return inner.unmarshalFrom(data, type);
    }

    @Override
    public List<String> protocolVersions() {
        return inner.protocolVersions();
    }
}
