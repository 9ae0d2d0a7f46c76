package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A client transport that hands the server's notifications to {@code take} before the SDK's client sees them; a
 * notification {@code take} accepts goes no further. The SDK answers each {@code list_changed} with a listing and
 * each {@code resources/updated} with a read, one per notification and for any URI, so a server that floods them
 * would have the client flood it back: these are taken here and answered by {@link McpNotices}, coalesced.
 */
final class NoticeGate implements McpClientTransport {
    private final McpClientTransport inner;
    private final Predicate<McpSchema.JSONRPCNotification> take;

    NoticeGate(McpClientTransport inner, Predicate<McpSchema.JSONRPCNotification> take) {
        this.inner = inner;
        this.take = take;
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return inner.connect(in -> in.flatMap(
                m -> m instanceof McpSchema.JSONRPCNotification n && take.test(n)
                        ? Mono.empty()
                        : handler.apply(Mono.just(m))));
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
