package dev.agentrt.spring.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.tools.mcp.McpHttpOptions;
import dev.agentrt.tools.mcp.McpHttpServer;
import dev.agentrt.tools.mcp.McpServer;
import dev.agentrt.tools.mcp.McpTools;
import dev.agentrt.tools.mcp.McpTransportSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The MCP endpoint mounted on a real Spring server (WebFlux on Netty, MVC on Tomcat) on 127.0.0.1,
 * port 0, spoken to by agentrt's own {@link McpTools}, by the official TypeScript SDK's client, and by
 * raw HTTP; hostile requests are sent to it and to agentrt's JDK server with the same tools and
 * options, and must get the same answers. Timeouts are hang guards only.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class McpServerOverHttpTest {
    private static final String JSON = "application/json";
    private static final String BOTH = "application/json, text/event-stream";
    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    enum Stack {
        WEBFLUX(WebApplicationType.REACTIVE, FluxApp.class), MVC(WebApplicationType.SERVLET, MvcApp.class);

        final WebApplicationType type;
        final Class<?> app;

        Stack(WebApplicationType type, Class<?> app) {
            this.type = type;
            this.app = app;
        }
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        http.close();
    }

    /** Starts the application; returns the endpoint's URL. */
    private URI start(Stack stack, List<Class<?>> more, String... properties) {
        var sources = new ArrayList<Class<?>>(List.of(stack.app, Served.class));
        sources.addAll(more);
        var all = new ArrayList<>(List.of("server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off",
                "agentrt.mcp.server.enabled=true", "agentrt.mcp.server.name=agentrt-http"));
        all.addAll(List.of(properties));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(sources.toArray(Class<?>[]::new))
                .web(stack.type)
                .properties(all.toArray(String[]::new))
                .run();
        open.add(context);
        String port = context.getEnvironment().getProperty("local.server.port");
        String path = context.getEnvironment().getProperty("agentrt.mcp.server.path", "/mcp");
        return URI.create("http://127.0.0.1:" + port + path);
    }

    // ---- agentrt's own client

    @ParameterizedTest
    @EnumSource(Stack.class)
    void mcpToolsCallsTheServedToolsUnderTheStatedGrants(Stack stack) {
        for (boolean stateless : List.of(false, true)) {
            URI url = start(stack, List.of(), "agentrt.mcp.server.stateless=" + stateless);
            try (McpTools tools = McpTools.builder("spring", McpTransportSpec.http(url.toString()))
                    .connect()
                    .block(Duration.ofSeconds(60))) {
                var registry = ToolRegistry.of(tools.tools());
                assertThat(registry.tools()).extracting(t -> t.spec().name())
                        .containsExactly("echo", "refund", "lookup");
                var execution = ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability()));
                assertThat(registry.execute(new ToolCall("1", "lookup", "{}"), execution)
                        .block(Duration.ofSeconds(60))
                        .content()).isEqualTo("customer 42");
                ToolResult refund = registry.execute(new ToolCall("2", "refund", "{}"), execution)
                        .block(Duration.ofSeconds(60));
                assertThat(refund.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
                assertThat(refund.content()).contains("payments:refund");
            }
        }
    }

    // ---- raw HTTP

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder post(URI url, String body, String... headers) {
        var b = HttpRequest.newBuilder(url)
                .header("Content-Type", JSON)
                .header("Accept", BOTH)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return headers.length == 0 ? b : b.headers(headers);
    }

    private static String initialize(int id) {
        return """
                {"jsonrpc":"2.0","id":%d,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
                "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""".formatted(id);
    }

    private static String request(int id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    private static JsonObject result(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JsonValue.parse(response.body()).asObject().getObject("result").orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void aSessionInitializesListsCallsAndEnds(Stack stack) throws Exception {
        URI url = start(stack, List.of());
        HttpResponse<String> init = send(post(url, initialize(1)));
        assertThat(result(init).getObject("serverInfo").orElseThrow().getString("name")).contains("agentrt-http");
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        String[] headers = {"Mcp-Session-Id", session, "MCP-Protocol-Version", "2025-06-18"};
        assertThat(send(post(url, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", headers))
                .statusCode()).isEqualTo(202);
        JsonArray tools = result(send(post(url, request(2, "tools/list", "{}"), headers))).getArray("tools")
                .orElseThrow();
        assertThat(tools.items()).extracting(t -> t.asObject().getString("name").orElseThrow())
                .containsExactly("echo", "refund", "lookup");
        JsonObject echo = result(send(post(url, request(3, "tools/call",
                "{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}"), headers)));
        assertThat(echo.toJson()).contains("echo: hi");
        // A client that accepts only event streams gets the answer as one SSE event.
        HttpResponse<String> sse = send(post(url, request(4, "tools/call",
                "{\"name\":\"echo\",\"arguments\":{\"text\":\"streamed\"}}"), headers).setHeader("Accept",
                        "text/event-stream"));
        assertThat(sse.statusCode()).isEqualTo(200);
        assertThat(sse.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/event-stream"));
        String data = sse.body().lines().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow().substring(6);
        assertThat(JsonValue.parse(data).asObject().toJson()).contains("echo: streamed");
        assertThat(send(HttpRequest.newBuilder(url).headers(headers).DELETE()).statusCode()).isEqualTo(200);
        assertThat(send(post(url, request(5, "tools/list", "{}"), headers)).statusCode()).isEqualTo(404);
    }

    /** A hostile request, built against an endpoint URL. */
    private record Hostile(String what, Function<URI, HttpRequest.Builder> request) {}

    private static List<Hostile> hostile() {
        String big = request(9, "tools/call", "{\"name\":\"echo\",\"arguments\":{\"text\":\"" + "x".repeat(4096)
                + "\"}}");
        return List.of(
                new Hostile("not JSON", u -> post(u, "{\"jsonrpc\":\"2.0\",")),
                new Hostile("not UTF-8", u -> post(u, "").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[]{'"',
                        (byte) 0xC3, '"'}))),
                new Hostile("a batch", u -> post(u, "[" + request(2, "ping", "{}") + "]")),
                new Hostile("not an object", u -> post(u, "42")),
                new Hostile("no jsonrpc", u -> post(u, "{\"id\":3,\"method\":\"ping\"}")),
                new Hostile("a foreign origin", u -> post(u, initialize(1), "Origin", "http://evil.example")),
                new Hostile("the null origin", u -> post(u, initialize(1), "Origin", "null")),
                new Hostile("no session", u -> post(u, request(2, "tools/list", "{}"))),
                new Hostile("an unknown session",
                        u -> post(u, request(2, "tools/list", "{}"), "Mcp-Session-Id", "nope")),
                new Hostile("an unknown protocol version", u -> post(u, request(2, "tools/list", "{}"),
                        "MCP-Protocol-Version", "1999-01-01")),
                new Hostile("an oversized body", u -> post(u, big)),
                new Hostile("an oversized chunked body", u -> post(u, "").POST(HttpRequest.BodyPublishers
                        .ofInputStream(() -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))),
                new Hostile("GET", u -> HttpRequest.newBuilder(u).GET()),
                new Hostile("PUT", u -> HttpRequest.newBuilder(u).PUT(HttpRequest.BodyPublishers.ofString("{}"))),
                new Hostile("text/plain", u -> post(u, request(2, "ping", "{}")).setHeader("Content-Type",
                        "text/plain")),
                new Hostile("Accept text/html", u -> post(u, request(2, "ping", "{}")).setHeader("Accept",
                        "text/html")),
                new Hostile("DELETE of an unknown session", u -> HttpRequest.newBuilder(u)
                        .header("Mcp-Session-Id", "nope")
                        .DELETE()));
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void hostileRequestsGetTheSameAnswersAsFromTheJdkServer(Stack stack) throws Exception {
        URI spring = start(stack, List.of(), "agentrt.mcp.server.max-request-bytes=2048");
        McpHttpServer jdk = McpServer.builder(TestTools.all())
                .name("agentrt-http")
                .grants(Grants.of(Capability.custom("crm")))
                .build()
                .serveHttp(McpHttpOptions.defaults().maxRequestBytes(2048));
        open.add(jdk);
        for (Hostile h : hostile()) {
            HttpResponse<String> expected = send(h.request().apply(jdk.url()));
            HttpResponse<String> actual = send(h.request().apply(spring));
            assertThat(expected.statusCode()).as(h.what()).isGreaterThanOrEqualTo(400);
            assertThat(actual.statusCode()).as(h.what()).isEqualTo(expected.statusCode());
            assertThat(actual.body()).as(h.what()).isEqualTo(expected.body());
            assertThat(actual.headers().firstValue("Allow")).as(h.what())
                    .isEqualTo(expected.headers().firstValue("Allow"));
        }
        // And both go on serving.
        assertThat(result(send(post(spring, initialize(1)))).getString("protocolVersion")).contains("2025-06-18");
    }

    @ParameterizedTest
    @EnumSource(Stack.class)
    void aBearerTokenValidatorBeanGuardsTheEndpoint(Stack stack) throws Exception {
        URI url = start(stack, List.of(TokenConfig.class));
        HttpResponse<String> missing = send(post(url, initialize(1)));
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                h -> assertThat(h).startsWith("Bearer "));
        assertThat(send(post(url, initialize(1), "Authorization", "Bearer guess")).statusCode()).isEqualTo(401);
        assertThat(send(post(url, initialize(1), "Authorization", "Bearer ts-token")).statusCode()).isEqualTo(200);
    }

    // ---- the official TypeScript SDK's client

    @ParameterizedTest
    @EnumSource(Stack.class)
    void theTypeScriptSdksClientUsesASessionAndEndsIt(Stack stack, @TempDir Path dir) throws Exception {
        Path script = TestTools.typeScriptClient();
        URI url = start(stack, List.of(TokenConfig.class));
        Path stderr = dir.resolve("stderr.txt");
        Process client = new ProcessBuilder(TestTools.node(), script.toString(), url.toString(), "ts-token")
                .directory(script.getParent().toFile())
                .redirectError(stderr.toFile())
                .start();
        String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = client.waitFor();
        assertThat(exit).as(() -> "the TypeScript client failed: " + read(stderr)).isZero();
        JsonObject seen = JsonValue.parse(out.trim()).asObject();
        assertThat(seen.getString("server")).contains("agentrt-http");
        assertThat(seen.getBoolean("hasSession")).contains(true);
        assertThat(seen.getArray("tools").orElseThrow().items()).extracting(t -> ((JsonValue.JsonString) t).value())
                .containsExactly("echo", "refund", "lookup");
        assertThat(seen.getString("echo")).contains("echo: from TypeScript");
        assertThat(seen.getBoolean("echoIsError")).contains(false);
        assertThat(seen.getString("refund")).hasValueSatisfying(t -> assertThat(t).contains("payments:refund"));
        assertThat(seen.getBoolean("refundIsError")).contains(true);
        assertThat(seen.getObject("ping")).contains(JsonObject.EMPTY);
        assertThat(seen.getLong("statusAfterTermination")).contains(404L);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    // ---- the applications

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({AgentrtMcpAutoConfiguration.class,
            org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration.class,
            org.springframework.boot.webflux.autoconfigure.HttpHandlerAutoConfiguration.class,
            org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration.class})
    static class FluxApp {}

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({AgentrtMcpAutoConfiguration.class,
            org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration.class,
            org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration.class,
            org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration.class})
    static class MvcApp {}

    /** echo, refund (needs payments:refund, not granted) and lookup (needs crm:read, granted). */
    @Configuration(proxyBeanMethods = false)
    static class Served {
        @Bean
        Tool echo() {
            return TestTools.echo();
        }

        @Bean
        Tool refund() {
            return TestTools.refund();
        }

        @Bean
        Tool lookup() {
            return TestTools.lookup();
        }

        @Bean
        McpServerGrants mcpServerGrants() {
            return McpServerGrants.of(Capability.custom("crm"));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TokenConfig {
        @Bean
        McpHttpOptions.BearerTokenValidator tokens() {
            return "ts-token"::equals;
        }
    }

}
