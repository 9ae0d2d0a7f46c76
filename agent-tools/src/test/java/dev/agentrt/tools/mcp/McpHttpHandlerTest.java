package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@link McpHttpHandler} without any HTTP server: requests in, responses out, as a Spring adapter
 * drives it. The HTTP edges are in {@link McpServerHttpTest}, which runs the same handler on the JDK
 * server. Timeouts are hang guards only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpHttpHandlerTest {
    private final List<McpHttpHandler> handlers = new ArrayList<>();

    @AfterEach
    void closeHandlers() {
        handlers.forEach(McpHttpHandler::close);
    }

    private McpHttpHandler handler(List<Tool> tools, McpHttpOptions options) {
        McpHttpHandler handler = McpServer.builder(tools)
                .name("neutral")
                .grants(Grants.of(Capability.custom("crm")))
                .build()
                .httpHandler(options);
        handlers.add(handler);
        return handler;
    }

    private static McpHttpHandler.Request post(String path, Flux<ByteBuffer> body, String... headers) {
        var map = new java.util.LinkedHashMap<String, List<String>>();
        map.put("content-type", List.of("application/json"));
        map.put("ACCEPT", List.of("application/json, text/event-stream"));
        for (int i = 0; i < headers.length; i += 2) {
            map.put(headers[i], List.of(headers[i + 1]));
        }
        return new McpHttpHandler.Request("POST", path, map, body);
    }

    private static Flux<ByteBuffer> text(String body) {
        return Flux.just(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static String body(McpHttpHandler.Response response) {
        return response.body()
                .map(b -> StandardCharsets.UTF_8.decode(b.duplicate()).toString())
                .collectList()
                .map(parts -> String.join("", parts))
                .block(Duration.ofSeconds(60));
    }

    private static final String INITIALIZE = """
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
            "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";

    @Test
    void headersAreLookedUpIgnoringCaseAndASessionServesCalls() {
        McpHttpHandler handler = handler(ExposedToolsMain.tools(), McpHttpOptions.defaults());
        McpHttpHandler.Response init = handler.handle(post("/mcp", text(INITIALIZE))).block(Duration.ofSeconds(60));
        assertThat(init.status()).isEqualTo(200);
        assertThat(init.isEventStream()).isFalse();
        String session = init.headers().get("Mcp-Session-Id");
        assertThat(session).isNotBlank();
        McpHttpHandler.Response call = handler.handle(post("/mcp",
                text("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"lookup\","
                        + "\"arguments\":{}}}"),
                "mcp-session-id", session)).block(Duration.ofSeconds(60));
        assertThat(body(call)).contains("customer 42");
    }

    @Test
    void aBodyThatFailsToArriveIsA500AndTheHandlerGoesOnServing() {
        McpHttpHandler handler = handler(ExposedToolsMain.tools(), McpHttpOptions.defaults().stateless(true));
        McpHttpHandler.Response failed = handler
                .handle(post("/mcp", Flux.error(new IOException("connection reset"))))
                .block(Duration.ofSeconds(60));
        assertThat(failed.status()).isEqualTo(500);
        assertThat(JsonValue.parse(body(failed)).asObject().getObject("error").orElseThrow().getLong("code"))
                .contains(-32603L);
        assertThat(handler.handle(post("/mcp", text(INITIALIZE))).block(Duration.ofSeconds(60)).status())
                .isEqualTo(200);
    }

    @Test
    void aBodyArrivingInPiecesIsBoundedWhileItArrives() {
        McpHttpHandler handler = handler(ExposedToolsMain.tools(), McpHttpOptions.defaults().maxRequestBytes(64));
        var cancelled = new CountDownLatch(1);
        // An endless body: only reading stops at the limit can answer it.
        Flux<ByteBuffer> endless = Flux.<ByteBuffer>generate(sink -> sink.next(ByteBuffer.wrap(new byte[16])))
                .doOnCancel(cancelled::countDown);
        McpHttpHandler.Response tooLarge = handler.handle(post("/mcp", endless)).block(Duration.ofSeconds(60));
        assertThat(cancelled.getCount()).as("the body was cancelled").isZero();
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.headers()).containsEntry("Connection", "close");
    }

    @Test
    void anotherPathIs404AndAClosedHandlerAnswers503() {
        McpHttpHandler handler = handler(ExposedToolsMain.tools(), McpHttpOptions.defaults().path("/tools/mcp"));
        assertThat(handler.path()).isEqualTo("/tools/mcp");
        assertThat(handler.handle(post("/mcp", text(INITIALIZE))).block(Duration.ofSeconds(60)).status())
                .isEqualTo(404);
        handler.close();
        McpHttpHandler.Response closed = handler.handle(post("/tools/mcp", text(INITIALIZE)))
                .block(Duration.ofSeconds(60));
        assertThat(closed.status()).isEqualTo(503);
        handler.close(); // idempotent
    }

    @Test
    void cancellingTheResponseCancelsTheCallItAnswers() throws Exception {
        var gate = new GateTool("block");
        McpHttpHandler handler = handler(List.of(gate.tool), McpHttpOptions.defaults());
        String session = handler.handle(post("/mcp", text(INITIALIZE)))
                .block(Duration.ofSeconds(60))
                .headers()
                .get("Mcp-Session-Id");
        Disposable waiting = handler.handle(post("/mcp",
                text("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"block\","
                        + "\"arguments\":{}}}"),
                "Mcp-Session-Id", session)).subscribe();
        assertThat(gate.entered.await(60, TimeUnit.SECONDS)).isTrue();
        waiting.dispose(); // the client went away
        assertThat(gate.interrupted.await(60, TimeUnit.SECONDS)).as("the tool was interrupted").isTrue();
        // The request id is free again: the call is gone from the session.
        StepVerifier.create(handler.handle(post("/mcp",
                text("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\",\"params\":{}}"), "Mcp-Session-Id", session)))
                .assertNext(r -> assertThat(r.status()).isEqualTo(200))
                .verifyComplete();
    }

    @Test
    void requestsAndResponsesAreCheckedAndCopied() {
        var headers = new java.util.HashMap<String, List<String>>(Map.of("X-A", List.of("1")));
        var request = new McpHttpHandler.Request("POST", "/mcp", headers, Flux.empty());
        headers.put("X-B", List.of("2"));
        assertThat(request.header("x-a")).isEqualTo("1");
        assertThat(request.header("x-b")).isNull();
        assertThat(new McpHttpHandler.Response(200, Map.of("Content-Type", "text/event-stream"), Flux.empty())
                .isEventStream()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new McpHttpHandler.Request("POST", "/mcp", Map.of(),
                null)).isInstanceOf(NullPointerException.class);
    }
}
