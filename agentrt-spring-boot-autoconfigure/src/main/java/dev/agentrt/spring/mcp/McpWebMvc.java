package dev.agentrt.spring.mcp;

import dev.agentrt.tools.mcp.McpHttpHandler;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.servlet.function.RequestPredicates;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;
import reactor.core.publisher.Flux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The MCP endpoint on Spring MVC: moves bytes between a servlet exchange and the {@link
 * McpHttpHandler}, which makes every decision. Servlet threads may block, so this one reads the body
 * from the request's stream, waits for the handler's response and writes it, an event stream event
 * by event (flushed each); a client that goes away (a failed write) cancels the call.
 */
final class McpWebMvc {
    private static final int CHUNK = 16 * 1024;

    private McpWebMvc() {}

    static RouterFunction<ServerResponse> routes(McpHttpHandler handler) {
        return RouterFunctions.route(RequestPredicates.path(handler.path()), request -> handle(handler, request));
    }

    static ServerResponse handle(McpHttpHandler handler, ServerRequest request) throws IOException {
        HttpServletRequest servlet = request.servletRequest();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(servlet.getHeaderNames())) {
            headers.put(name, Collections.list(servlet.getHeaders(name)));
        }
        var mcp = new McpHttpHandler.Request(servlet.getMethod(), request.requestPath().pathWithinApplication().value(),
                headers, body(servlet.getInputStream()));
        McpHttpHandler.Response response = Objects.requireNonNull(handler.handle(mcp).block(), "no response");
        ServerResponse.BodyBuilder builder = ServerResponse.status(response.status());
        response.headers().forEach(builder::header);
        return builder.build((req, res) -> {
            write(response, res);
            return null;
        });
    }

    private static void write(McpHttpHandler.Response response, HttpServletResponse servlet) throws IOException {
        OutputStream out = servlet.getOutputStream();
        if (response.isEventStream()) {
            servlet.flushBuffer();
            // Closing the stream (also when writing fails: the client went away) cancels the call.
            try (Stream<ByteBuffer> events = response.body().toStream(1)) {
                for (Iterator<ByteBuffer> it = events.iterator(); it.hasNext();) {
                    out.write(bytes(it.next()));
                    out.flush();
                }
            }
            return;
        }
        List<ByteBuffer> chunks = Objects.requireNonNull(response.body().collectList().block());
        int length = chunks.stream().mapToInt(ByteBuffer::remaining).sum();
        if (length > 0) {
            servlet.setContentLength(length);
            for (ByteBuffer b : chunks) {
                out.write(bytes(b));
            }
        }
    }

    private static Flux<ByteBuffer> body(InputStream in) {
        return Flux.generate(sink -> {
            byte[] buffer = new byte[CHUNK];
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    sink.complete();
                } else {
                    sink.next(ByteBuffer.wrap(buffer, 0, n));
                }
            } catch (IOException e) {
                sink.error(new UncheckedIOException(e));
            }
        });
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }
}
