package dev.agentrt.tools.mcp;

import static dev.agentrt.tools.mcp.McpHttpFixture.BOTH;
import static dev.agentrt.tools.mcp.McpHttpFixture.JSON;
import static dev.agentrt.tools.mcp.McpHttpFixture.inSession;
import static dev.agentrt.tools.mcp.McpHttpFixture.post;
import static dev.agentrt.tools.mcp.McpTestPeers.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@link McpServer#serveHttp} spoken to by the official TypeScript SDK's client, by our own {@link
 * McpTools}, and by raw HTTP for every edge of the transport. Every server binds 127.0.0.1. The
 * timeouts are hang guards only: no assertion depends on how fast anything is.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpServerHttpTest {
    @RegisterExtension
    final McpHttpFixture http = new McpHttpFixture();

    /** echo needs nothing, refund needs payments:refund (not granted), lookup needs crm:read (granted). */
    private McpHttpServer serve(McpHttpOptions options) {
        return serve(ExposedToolsMain.tools(), options);
    }

    private McpHttpServer serve(List<Tool> tools, McpHttpOptions options) {
        return http.serve(McpServer.builder(tools)
                .name("agentrt-http")
                .grants(Grants.of(Capability.custom("crm")))
                .build(), options);
    }

    // ---- raw HTTP

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request);
    }

    private static String initialize(int id) {
        return """
                {"jsonrpc":"2.0","id":%d,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
                "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""".formatted(id);
    }

    private static String request(int id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    private static String call(int id, String tool, String arguments) {
        return request(id, "tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}");
    }

    /** Initializes a session and sends notifications/initialized; returns the session id. */
    private String open(McpHttpServer server, String... headers) throws Exception {
        HttpResponse<String> init = http.initialize(server, "{}", headers).answer();
        assertThat(init.headers().firstValue("Content-Type")).contains(JSON);
        JsonObject result = JsonValue.parse(init.body()).asObject().getObject("result").orElseThrow();
        assertThat(result.getString("protocolVersion")).contains("2025-06-18");
        assertThat(result.getObject("serverInfo").orElseThrow().getString("name")).contains("agentrt-http");
        return init.headers().firstValue("Mcp-Session-Id").orElseThrow();
    }

    private static JsonObject result(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JsonValue.parse(response.body()).asObject().getObject("result").orElseThrow();
    }

    private static JsonObject error(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).contains(JSON);
        return JsonValue.parse(response.body()).asObject().getObject("error").orElseThrow();
    }

    @Test
    void aSessionListsAndCallsTheToolsUnderTheServersGrantsUntilItIsDeleted() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults());
        assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
        assertThat(server.url().toString()).isEqualTo("http://127.0.0.1:" + server.address().getPort() + "/mcp");
        String session = open(server);
        String[] headers = inSession(session);

        JsonArray tools = result(send(post(server, request(2, "tools/list", "{}"), headers))).getArray("tools")
                .orElseThrow();
        assertThat(tools.items()).extracting(t -> t.asObject().getString("name").orElseThrow())
                .containsExactly("echo", "refund", "lookup");

        JsonObject echo = result(send(post(server, call(3, "echo", "{\"text\":\"hi\"}"), headers)));
        assertThat(text(echo)).isEqualTo("echo: hi");
        assertThat(echo.getBoolean("isError")).contains(false);
        JsonObject lookup = result(send(post(server, call(4, "lookup", "{}"), headers)));
        assertThat(text(lookup)).isEqualTo("customer 42");
        JsonObject refund = result(send(post(server, call(5, "refund", "{}"), headers)));
        assertThat(refund.getBoolean("isError")).contains(true);
        assertThat(text(refund)).startsWith("Permission denied").contains("payments:refund");
        JsonObject invalid = result(send(post(server, call(6, "echo", "{\"text\":7}"), headers)));
        assertThat(invalid.getBoolean("isError")).contains(true);
        assertThat(text(invalid)).contains("Invalid arguments");

        HttpResponse<String> deleted = send(HttpRequest.newBuilder(server.url()).headers(headers).DELETE());
        assertThat(deleted.statusCode()).isEqualTo(200);
        error(send(post(server, request(7, "tools/list", "{}"), headers)), 404);
        error(send(HttpRequest.newBuilder(server.url()).headers(headers).DELETE()), 404);
    }

    @Test
    void eachInitializeOpensItsOwnSession() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults());
        String first = open(server);
        String second = open(server);
        assertThat(first).isNotEqualTo(second);
        send(HttpRequest.newBuilder(server.url()).headers(inSession(first)).DELETE());
        assertThat(result(send(post(server, request(2, "tools/list", "{}"), inSession(second))))
                .getArray("tools")).isPresent();
    }

    @Test
    void atTheSessionLimitANewSessionEndsTheLeastRecentlyUsedIdleOneAndABusyServerRefuses() throws Exception {
        var entered = new Semaphore(0);
        var tools = new ArrayList<>(ExposedToolsMain.tools());
        tools.add(blocking(entered));
        McpHttpServer server = serve(tools, McpHttpOptions.defaults().maxSessions(2));
        String first = open(server);
        String second = open(server);
        result(send(post(server, request(2, "tools/list", "{}"), inSession(first))));
        String third = open(server); // the second was used least recently
        error(send(post(server, request(3, "tools/list", "{}"), inSession(second))), 404);
        result(send(post(server, request(4, "tools/list", "{}"), inSession(first))));
        result(send(post(server, request(5, "tools/list", "{}"), inSession(third))));

        CompletableFuture<HttpResponse<String>> busyFirst = http.client()
                .sendAsync(post(server, call(6, "block", "{}"),
                        inSession(first)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(entered.tryAcquire(60, TimeUnit.SECONDS)).isTrue();
        String fourth = open(server); // the third is idle, the first busy
        error(send(post(server, request(7, "tools/list", "{}"), inSession(third))), 404);
        CompletableFuture<HttpResponse<String>> busyFourth = http.client()
                .sendAsync(post(server, call(8, "block", "{}"),
                        inSession(fourth)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(entered.tryAcquire(60, TimeUnit.SECONDS)).isTrue();
        JsonObject refused = error(send(post(server, initialize(9))), 503);
        assertThat(refused.getString("message").orElseThrow()).contains("2 sessions");
        send(HttpRequest.newBuilder(server.url()).headers(inSession(first)).DELETE());
        send(HttpRequest.newBuilder(server.url()).headers(inSession(fourth)).DELETE());
        assertThat(busyFirst.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
        assertThat(busyFourth.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
    }

    private static Tool blocking(Semaphore entered) {
        return Tool.builder("block").description("Blocks until interrupted").blockingHandler((args, ctx) -> {
            entered.release();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ToolResult.text("interrupted");
        }).build();
    }

    @Test
    void aRequestWithoutASessionIs400AndWithAnUnknownOneIs404() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults());
        open(server);
        JsonObject missing = error(send(post(server, request(2, "tools/list", "{}"))), 400);
        assertThat(missing.getString("message").orElseThrow()).contains("Mcp-Session-Id");
        JsonObject unknown = error(send(post(server, request(3, "tools/list", "{}"), "Mcp-Session-Id", "nope")),
                404);
        assertThat(unknown.getString("message").orElseThrow()).contains("nope");
    }

    @Test
    void anUnsupportedProtocolVersionIs400() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults());
        String session = open(server);
        JsonObject wrong = error(send(post(server, request(2, "tools/list", "{}"), "Mcp-Session-Id", session,
                "MCP-Protocol-Version", "1999-01-01")), 400);
        assertThat(wrong.getString("message").orElseThrow()).contains("1999-01-01").contains("2025-06-18");
        // Without the header the server assumes 2025-03-26, which it speaks.
        assertThat(result(send(post(server, request(3, "tools/list", "{}"), "Mcp-Session-Id", session)))
                .getArray("tools")).isPresent();
    }

    @Test
    void aPageFromAForeignOriginIs403WhileLocalAndAllowedOriginsPass() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults().allowOrigin("https://app.example.com"));
        JsonObject refused = error(send(post(server, initialize(1), "Origin", "http://evil.example")), 403);
        assertThat(refused.getString("message").orElseThrow()).contains("http://evil.example");
        error(send(post(server, initialize(1), "Origin", "null")), 403);
        for (String origin : List.of("http://localhost:5173", "http://127.0.0.1", "https://[::1]:8443",
                "https://APP.example.com")) {
            assertThat(send(post(server, initialize(1), "Origin", origin)).statusCode()).as(origin).isEqualTo(200);
        }
    }

    @Test
    void aMissingOrInvalidBearerTokenIs401WithAChallenge() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults()
                .bearerTokens("s3cret"::equals)
                .resourceMetadata(URI.create("https://auth.example.com/.well-known/oauth-protected-resource")));
        HttpResponse<String> missing = send(post(server, initialize(1)));
        error(missing, 401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h)
                .startsWith("Bearer ")
                .contains("resource_metadata=\"https://auth.example.com/.well-known/oauth-protected-resource\"")
                .doesNotContain("invalid_token"));
        HttpResponse<String> invalid = send(post(server, initialize(1), "Authorization", "Bearer guess"));
        error(invalid, 401);
        assertThat(invalid.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h)
                .contains("error=\"invalid_token\""));
        error(send(post(server, initialize(1), "Authorization", "Basic czNjcmV0")), 401);

        String session = open(server, "Authorization", "Bearer s3cret");
        JsonObject echo = result(send(post(server, call(2, "echo", "{\"text\":\"ok\"}"),
                inSession(session, "Authorization", "Bearer s3cret"))));
        assertThat(text(echo)).isEqualTo("echo: ok");
        // The session id alone is not a credential.
        error(send(post(server, call(3, "echo", "{\"text\":\"ok\"}"), inSession(session))), 401);
    }

    @Test
    void aValidatorThatThrowsRefusesTheRequest() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults().bearerTokens(token -> {
            throw new IllegalStateException("authorization server down");
        }));
        error(send(post(server, initialize(1), "Authorization", "Bearer any")), 401);
    }

    @Test
    void anOversizedBodyIs413AndTheServerGoesOnServing() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults().maxRequestBytes(2048));
        String session = open(server);
        String big = call(2, "echo", "{\"text\":\"" + "x".repeat(4096) + "\"}");
        JsonObject tooLarge = error(send(post(server, big, inSession(session))), 413);
        assertThat(tooLarge.getString("message").orElseThrow()).contains("2048");
        // A body without a Content-Length (streamed in chunks) is bounded as well.
        var chunked = HttpRequest.newBuilder(server.url())
                .header("Content-Type", JSON)
                .header("Accept", BOTH)
                .headers(inSession(session))
                .POST(HttpRequest.BodyPublishers
                        .ofInputStream(() -> new java.io.ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))));
        error(send(chunked), 413);
        assertThat(text(result(send(post(server, call(3, "echo", "{\"text\":\"still here\"}"),
                inSession(session)))))).isEqualTo("echo: still here");
    }

    @Test
    void whatIsNotOneJsonRpcMessageGetsTheJsonRpcErrorAndTheServerGoesOnServing() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults());
        String session = open(server);
        String[] headers = inSession(session);
        JsonObject parse = error(send(post(server, "{\"jsonrpc\":\"2.0\",", headers)), 400);
        assertThat(parse.getLong("code")).contains(-32700L);
        assertThat(JsonValue.parse(send(post(server, "{not json", headers)).body()).asObject().get("id"))
                .isEqualTo(JsonValue.nullValue());
        var notUtf8 = post(server, "", headers).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[]{'"',
                (byte) 0xC3, '"'}));
        assertThat(error(send(notUtf8), 400).getLong("code")).contains(-32700L);
        assertThat(error(send(post(server, "[" + request(2, "ping", "{}") + "]", headers)), 400).getLong("code"))
                .contains(-32600L);
        assertThat(error(send(post(server, "42", headers)), 400).getLong("code")).contains(-32600L);
        JsonObject noVersion = error(send(post(server, "{\"id\":3,\"method\":\"ping\"}", headers)), 400);
        assertThat(noVersion.getLong("code")).contains(-32600L);
        assertThat(JsonValue.parse(send(post(server, "{\"id\":3,\"method\":\"ping\"}", headers)).body())
                .asObject()
                .getLong("id")).contains(3L);
        assertThat(error(send(post(server, "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}", headers)), 400)
                .getLong("code")).contains(-32600L);
        assertThat(error(send(post(server, "{\"jsonrpc\":\"2.0\",\"id\":4}", headers)), 400).getLong("code"))
                .contains(-32600L);
        JsonObject unknown = JsonValue.parse(send(post(server, request(5, "no/such", "{}"), headers)).body())
                .asObject()
                .getObject("error")
                .orElseThrow();
        assertThat(unknown.getLong("code")).contains(-32601L);
        assertThat(result(send(post(server, request(6, "ping", "{}"), headers)))).isEqualTo(JsonObject.EMPTY);
    }

    @Test
    void otherMethodsPathsAndMediaTypesGetTheirHttpStatus() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults());
        String session = open(server);
        String[] headers = inSession(session);
        HttpResponse<String> put = send(HttpRequest.newBuilder(server.url())
                .headers(headers)
                .PUT(HttpRequest.BodyPublishers.noBody()));
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).contains("GET, POST, DELETE");
        // GET opens the session's event stream (McpServerGetStreamTest), so it must accept one.
        assertThat(send(HttpRequest.newBuilder(server.url()).headers(headers).GET()).statusCode()).isEqualTo(406);
        assertThat(send(HttpRequest.newBuilder(server.url().resolve("/other")).GET()).statusCode()).isEqualTo(404);
        assertThat(send(post(server, request(2, "ping", "{}"), headers).setHeader("Content-Type", "text/plain"))
                .statusCode()).isEqualTo(415);
        assertThat(send(post(server, request(3, "ping", "{}"), headers).setHeader("Accept", "text/html"))
                .statusCode()).isEqualTo(406);
    }

    @Test
    void aClientThatAcceptsOnlyEventStreamsGetsTheAnswerAsAnSseEvent() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults());
        String session = open(server);
        HttpResponse<String> sse = send(post(server, call(2, "echo", "{\"text\":\"streamed\"}"),
                inSession(session)).setHeader("Accept", "text/event-stream"));
        assertThat(sse.statusCode()).isEqualTo(200);
        assertThat(sse.headers().firstValue("Content-Type")).contains("text/event-stream");
        String data = sse.body().lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow().substring(6);
        JsonObject answer = JsonValue.parse(data).asObject();
        assertThat(answer.getLong("id")).contains(2L);
        assertThat(text(answer.getObject("result").orElseThrow())).isEqualTo("echo: streamed");
    }

    @Test
    void aStatelessServerAnswersEveryRequestOnItsOwnWithoutSessions() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults().stateless(true));
        HttpResponse<String> init = send(post(server, initialize(1)));
        assertThat(result(init).getString("protocolVersion")).contains("2025-06-18");
        assertThat(init.headers().firstValue("Mcp-Session-Id")).isEmpty();
        JsonObject echo = result(send(post(server, call(2, "echo", "{\"text\":\"alone\"}"), "MCP-Protocol-Version",
                "2025-06-18")));
        assertThat(text(echo)).isEqualTo("echo: alone");
        JsonObject refund = result(send(post(server, call(3, "refund", "{}"))));
        assertThat(refund.getBoolean("isError")).contains(true);
        assertThat(text(refund)).contains("payments:refund");
        assertThat(send(post(server, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")).statusCode())
                .isEqualTo(202);
        assertThat(send(HttpRequest.newBuilder(server.url()).DELETE()).statusCode()).isEqualTo(405);
        error(send(post(server, request(4, "tools/list", "{}"), "MCP-Protocol-Version", "2024-01-01")), 400);
    }

    @Test
    void aCancelledCallEndsAndItsRequestGetsNoAnswer() throws Exception {
        var gate = new GateTool("block");
        McpHttpServer server = serve(List.of(gate.tool), McpHttpOptions.defaults());
        String session = open(server);
        String[] headers = inSession(session);
        CompletableFuture<HttpResponse<String>> waiting = http.client()
                .sendAsync(post(server, call(2, "block", "{}"),
                        headers).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(gate.entered.await(60, TimeUnit.SECONDS)).isTrue();
        send(post(server, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":2}}",
                headers));
        assertThat(waiting.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
        assertThat(gate.interrupted.await(60, TimeUnit.SECONDS)).as("the tool was interrupted").isTrue();
    }

    @Test
    void closingEndsTheCallsStillRunningStopsListeningAndLeavesNoThreads() throws Exception {
        var gate = new GateTool("block");
        McpHttpServer server = serve(List.of(gate.tool), McpHttpOptions.defaults());
        String session = open(server);
        CompletableFuture<HttpResponse<String>> waiting = http.client()
                .sendAsync(post(server, call(2, "block", "{}"),
                        inSession(session)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(gate.entered.await(60, TimeUnit.SECONDS)).isTrue();
        server.close();
        // Answered 503 or cut, whichever the closing reached first; never left hanging.
        assertThat(waiting.handle((r, e) -> e != null || r.statusCode() == 503).get(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gate.interrupted.await(60, TimeUnit.SECONDS)).as("the tool was interrupted").isTrue();
        assertThatThrownBy(() -> send(post(server, initialize(1)))).isInstanceOf(ConnectException.class);
        server.close(); // idempotent
    }

    @Test
    void aPortInUseFailsServeHttp() throws Exception {
        McpHttpServer first = serve(McpHttpOptions.defaults());
        assertThatThrownBy(() -> serve(McpHttpOptions.defaults().port(first.address().getPort())))
                .isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageContaining(Integer.toString(first.address().getPort()));
    }

    @Test
    void optionsAreValidated() {
        assertThatThrownBy(() -> McpHttpOptions.defaults().allowOrigin("https://x.example/path"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> McpHttpOptions.defaults().path("mcp")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> McpHttpOptions.defaults().port(70_000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> McpHttpOptions.defaults().maxRequestBytes(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- our own client

    @Test
    void mcpToolsRoundTripsThroughOurHttpServer() {
        for (McpHttpOptions options : List.of(McpHttpOptions.defaults(), McpHttpOptions.defaults().stateless(true))) {
            McpHttpServer server = serve(options.bearerTokens("t0ken"::equals));
            var spec = McpTransportSpec.http(server.url().toString()).header("Authorization", "Bearer t0ken");
            try (McpTools tools = McpTools.builder("self", spec).connect().block(Duration.ofSeconds(60))) {
                var registry = ToolRegistry.of(tools.tools());
                assertThat(registry.tools()).extracting(t -> t.spec().name()).contains("echo", "lookup");
                McpTestPeers.assertExposedToolsAnswerUnderTheServersGrants(tools);
            }
        }
    }

    // ---- the official TypeScript SDK's client

    @Test
    void theTypeScriptSdksClientUsesASessionAndEndsIt(@TempDir Path dir) throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults().bearerTokens("ts-token"::equals));
        JsonObject seen = typeScriptClient(dir, server, "ts-token");
        assertThat(seen.getString("server")).contains("agentrt-http");
        assertThat(seen.getBoolean("hasSession")).contains(true);
        assertThat(seen.getArray("tools").orElseThrow().items()).extracting(t -> ((JsonValue.JsonString) t).value())
                .containsExactly("echo", "refund", "lookup");
        assertThat(seen.getString("echo")).contains("echo: from TypeScript");
        assertThat(seen.getBoolean("echoIsError")).contains(false);
        assertThat(seen.getString("refund")).hasValueSatisfying(t -> assertThat(t).contains("payments:refund"));
        assertThat(seen.getBoolean("refundIsError")).contains(true);
        assertThat(seen.getObject("ping")).contains(JsonObject.EMPTY);
        assertThat(seen.get("sessionAfterTermination")).isEqualTo(JsonValue.nullValue());
        assertThat(seen.getLong("statusAfterTermination")).contains(404L);
    }

    @Test
    void theTypeScriptSdksClientUsesAStatelessServer(@TempDir Path dir) throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults().stateless(true));
        JsonObject seen = typeScriptClient(dir, server, null);
        assertThat(seen.getBoolean("hasSession")).contains(false);
        assertThat(seen.getString("echo")).contains("echo: from TypeScript");
        assertThat(seen.getBoolean("refundIsError")).contains(true);
    }

    private static JsonObject typeScriptClient(Path dir, McpHttpServer server, String token) throws Exception {
        var args = new ArrayList<>(List.of(server.url().toString()));
        if (token != null) {
            args.add(token);
        }
        return McpTestPeers.runNodeClient(dir, "sdk-http-client.mjs", args);
    }
}
