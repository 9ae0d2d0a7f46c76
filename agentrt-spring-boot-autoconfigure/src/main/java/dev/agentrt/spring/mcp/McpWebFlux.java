package dev.agentrt.spring.mcp;

import dev.agentrt.tools.mcp.McpHttpHandler;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The MCP endpoint on Spring WebFlux: moves bytes between an exchange and the {@link McpHttpHandler},
 * which makes every decision (origin, token, limits, sessions). Non-blocking throughout: the body
 * arrives as Netty's buffers, and an event stream is written and flushed event by event; a client
 * that goes away cancels the body, which cancels its call.
 */
final class McpWebFlux {
    private McpWebFlux() {}

    static RouterFunction<ServerResponse> routes(McpHttpHandler handler) {
        return RouterFunctions.route(RequestPredicates.path(handler.path()), request -> handle(handler, request));
    }

    static Mono<ServerResponse> handle(McpHttpHandler handler, ServerRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.headers().asHttpHeaders().forEach(headers::put);
        Flux<ByteBuffer> body = request.bodyToFlux(DataBuffer.class).map(McpWebFlux::copy);
        var mcp = new McpHttpHandler.Request(request.method().name(),
                request.requestPath().pathWithinApplication().value(), headers, body);
        return handler.handle(mcp).flatMap(response -> {
            ServerResponse.BodyBuilder builder = ServerResponse.status(response.status());
            response.headers().forEach(builder::header);
            BodyInserter<Object, ReactiveHttpOutputMessage> inserter = response.isEventStream()
                    ? (out, context) -> out.writeAndFlushWith(
                            response.body().map(b -> Mono.just(out.bufferFactory().wrap(b))))
                    : (out, context) -> out.writeWith(response.body().map(b -> out.bufferFactory().wrap(b)));
            return builder.body(inserter);
        });
    }

    private static ByteBuffer copy(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return ByteBuffer.wrap(bytes);
        } finally {
            DataBufferUtils.release(buffer);
        }
    }
}
