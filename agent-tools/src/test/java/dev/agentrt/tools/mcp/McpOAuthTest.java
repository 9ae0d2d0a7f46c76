package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentrt.core.ToolException;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * {@link McpOAuth} against an authorization server and a protected MCP endpoint ({@link McpServer}'s
 * own handler, bearer tokens required) written here on 127.0.0.1. The user is a function that follows
 * the authorization server's redirect. Expiry is judged by an injected clock; nothing depends on time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpOAuthTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final URI REDIRECT = URI.create("http://127.0.0.1:1/callback");

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<HttpServer> servers = new ArrayList<>();
    private final List<McpTools> clients = new ArrayList<>();
    private final List<McpHttpHandler> endpoints = new ArrayList<>();
    private HttpClient user;
    private AuthServer as;
    private TestClock clock;
    private Leaks leaks;

    @BeforeEach
    void start() throws IOException {
        leaks = new Leaks();
        user = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        clock = new TestClock();
        as = new AuthServer(McpHttpOptions.defaults());
    }

    @AfterEach
    void stop() throws InterruptedException {
        clients.forEach(McpTools::close);
        // Ends the event streams still open (the clients' subscriptions/listen), whose exchanges the servers wait for.
        endpoints.forEach(McpHttpHandler::close);
        servers.forEach(s -> s.stop(0));
        user.close();
        threads.close();
        leaks.assertNoThreadsLeft("HttpClient-", "HTTP-Dispatcher");
    }

    // ---- the flow

    @Test
    void discoversRegistersAuthorizesWithPkceAndCallsWithTheBearerToken() {
        McpOAuth oauth = oauth();
        McpTools tools = connect(oauth);

        assertThat(call(tools, "echo").content()).isEqualTo("echo: hi");
        assertThat(as.unauthorized).as("the first request went without a token and met 401").hasValue(1);
        assertThat(as.registrations).hasValue(1);
        assertThat(as.authorizations).hasSize(1);
        Map<String, String> asked = query(as.authorizations.getFirst());
        assertThat(asked).containsEntry("response_type", "code")
                .containsEntry("code_challenge_method", "S256")
                .containsEntry("redirect_uri", REDIRECT.toString())
                .containsEntry("resource", as.mcpUrl)
                .containsEntry("scope", "tools");
        assertThat(as.grants).containsExactly("authorization_code");

        McpOAuth.Tokens stored = oauth.tokenStore().load(URI.create(as.mcpUrl));
        assertThat(stored).isNotNull();
        assertThat(as.validAccess).containsExactly(stored.accessToken());
        assertThat(stored.issuer()).isEqualTo(URI.create(as.base));
        assertThat(stored.toString()).doesNotContain(stored.accessToken()).doesNotContain(stored.refreshToken());
    }

    @Test
    void anExpiredTokenIsRefreshedBeforeTheNextRequest() {
        McpOAuth oauth = oauth();
        McpTools tools = connect(oauth);
        String first = oauth.tokenStore().load(URI.create(as.mcpUrl)).accessToken();

        clock.advance(Duration.ofHours(2)); // the tokens last an hour
        assertThat(call(tools, "echo").content()).isEqualTo("echo: hi");

        assertThat(as.grants).containsExactly("authorization_code", "refresh_token");
        assertThat(as.unauthorized).as("refreshed before sending, not after a 401").hasValue(1);
        assertThat(as.authorizations).hasSize(1);
        String second = oauth.tokenStore().load(URI.create(as.mcpUrl)).accessToken();
        assertThat(second).isNotEqualTo(first);
        assertThat(as.validAccess).containsExactly(second);
    }

    @Test
    void aTokenTheServerNoLongerAcceptsIsRefreshedOnItsUnauthorizedAnswer() {
        McpOAuth oauth = oauth();
        McpTools tools = connect(oauth);

        as.validAccess.clear(); // revoked: the client learns it from the 401
        assertThat(call(tools, "echo").content()).isEqualTo("echo: hi");

        assertThat(as.unauthorized).hasValue(2);
        assertThat(as.grants).containsExactly("authorization_code", "refresh_token");
        assertThat(as.authorizations).hasSize(1);
    }

    @Test
    void aRefusedRefreshFallsBackToANewAuthorizationWithTheSameClient() {
        McpOAuth oauth = oauth();
        McpTools tools = connect(oauth);

        as.validAccess.clear();
        as.refuseRefresh = true;
        assertThat(call(tools, "echo").content()).isEqualTo("echo: hi");

        assertThat(as.grants).containsExactly("authorization_code", "refresh_token", "authorization_code");
        assertThat(as.authorizations).hasSize(2);
        assertThat(as.registrations).as("the registered client is used again").hasValue(1);
    }

    @Test
    void tokensKeptInTheStoreAreUsedByTheNextConnectionWithoutAskingTheUser() {
        McpOAuth oauth = oauth();
        connect(oauth).close();
        clients.clear();

        McpTools again = connect(oauth);
        assertThat(call(again, "echo").content()).isEqualTo("echo: hi");
        assertThat(as.authorizations).hasSize(1);
        assertThat(as.unauthorized).hasValue(1);
    }

    @Test
    void concurrentRequestsThatMeetA401ShareOneRefresh() {
        McpOAuth oauth = oauth();
        McpTools tools = connect(oauth);
        as.validAccess.clear();

        List<ToolResult> results = Flux.range(0, 4)
                .flatMap(i -> ToolRegistry.of(tools.tools())
                        .execute(new ToolCall("c" + i, "echo", "{\"text\":\"hi\"}"),
                                ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability()))))
                .collectList()
                .block(WAIT);

        assertThat(results).extracting(ToolResult::content).containsOnly("echo: hi").hasSize(4);
        assertThat(as.grants).containsExactly("authorization_code", "refresh_token");
    }

    @Test
    void aForbiddenAnswerAskingForMoreScopeAuthorizesAgainForTheWiderScope() {
        McpOAuth oauth = oauth();
        McpTools tools = connect(oauth);
        as.requiredScope = "admin";

        assertThat(call(tools, "echo").content()).isEqualTo("echo: hi");

        assertThat(as.authorizations).hasSize(2);
        assertThat(query(as.authorizations.get(1))).containsEntry("scope", "tools admin");
        assertThat(as.grants).containsExactly("authorization_code", "authorization_code");
        assertThat(oauth.tokenStore().load(URI.create(as.mcpUrl)).scope()).isEqualTo("tools admin");
    }

    @Test
    void aForbiddenAnswerAfterTheStepUpFailsTheCallInsteadOfAskingAgain() {
        McpTools tools = connect(oauth());
        as.requiredScope = "admin";
        as.grantOnlyTools = true;

        ToolResult r = call(tools, "echo");
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(r.content()).contains("refused the access token it was just given (HTTP 403)");
        assertThat(as.authorizations).hasSize(2);
    }

    // ---- refusals

    @Test
    void aRedirectWithAnotherStateIsRefusedAndNoCodeIsExchanged() {
        McpOAuth oauth = McpOAuth.of(REDIRECT, url -> follow(url).map(back -> URI.create(
                back.toString().replaceAll("state=[^&]*", "state=forged")))).withClock(clock);

        assertThatThrownBy(() -> connect(oauth)).isInstanceOf(ToolException.class)
                .hasMessageContaining("could not connect to MCP server 'secure'")
                .hasMessageContaining("another state than the one sent");
        assertThat(as.grants).isEmpty();
        assertThat(oauth.tokenStore().load(URI.create(as.mcpUrl))).isNull();
    }

    @Test
    void resourceMetadataForAnotherHostIsRefusedBeforeTheUserIsAsked() {
        as.resourceMetadata = m -> {
            m.put("resource", as.mcpUrl.replace("127.0.0.1", "localhost"));
            return m;
        };
        McpOAuth oauth = oauth();

        assertThatThrownBy(() -> connect(oauth)).isInstanceOf(ToolException.class)
                .hasMessageContaining("protected resource metadata is for another resource");
        assertThat(as.authorizations).isEmpty();
        assertThat(as.registrations).hasValue(0);
    }

    @Test
    void aChallengeNamingMetadataOnAnotherOriginIsNotFetched() throws IOException {
        var elsewhere = new AtomicInteger();
        HttpServer other = server(exchange -> {
            elsewhere.incrementAndGet();
            respond(exchange, 200, "application/json", "{}");
        });
        String otherUrl = "http://127.0.0.1:" + other.getAddress().getPort() + "/.well-known/oauth-protected-resource";
        as = new AuthServer(McpHttpOptions.defaults().resourceMetadata(URI.create(otherUrl)));

        assertThatThrownBy(() -> connect(oauth())).isInstanceOf(ToolException.class)
                .hasMessageContaining("names resource metadata on another origin");
        assertThat(elsewhere).hasValue(0);
        assertThat(as.authorizations).isEmpty();
    }

    @Test
    void anAuthorizationServerOnAPrivateAddressIsRefusedByTheEgressLayerBeforeAnyConnection() {
        // A hostile server points the client at the application's own network. Nothing is sent there: the egress
        // layer refuses the address before connecting (the endpoint's own host is the only non-public one allowed).
        as.resourceMetadata = m -> {
            m.put("authorization_servers", List.of("https://10.1.2.3"));
            return m;
        };

        assertThatThrownBy(() -> connect(oauth())).isInstanceOf(ToolException.class)
                .hasMessageContaining("https://10.1.2.3/.well-known/oauth-authorization-server failed")
                .hasMessageContaining("not on the public internet");
        assertThat(as.registrations).hasValue(0);
        assertThat(as.authorizations).isEmpty();
    }

    @Test
    void authorizationServerMetadataNamingAnotherIssuerIsRefused() {
        as.serverMetadata = m -> {
            m.put("issuer", "https://issuer.example");
            return m;
        };

        assertThatThrownBy(() -> connect(oauth())).isInstanceOf(ToolException.class)
                .hasMessageContaining("names another issuer (https://issuer.example)");
        assertThat(as.registrations).hasValue(0);
        assertThat(as.authorizations).isEmpty();
    }

    @Test
    void anAuthorizationServerWithoutS256IsRefused() {
        as.serverMetadata = m -> {
            m.put("code_challenge_methods_supported", List.of("plain"));
            return m;
        };

        assertThatThrownBy(() -> connect(oauth())).isInstanceOf(ToolException.class)
                .hasMessageContaining("does not offer PKCE with S256");
        assertThat(as.authorizations).isEmpty();
    }

    @Test
    void anAuthorizationEndpointThatIsNotHttpsIsRefused() {
        as.serverMetadata = m -> {
            m.put("authorization_endpoint", "http://auth.example/authorize");
            return m;
        };

        assertThatThrownBy(() -> connect(oauth())).isInstanceOf(ToolException.class)
                .hasMessageContaining("(http://auth.example/authorize) is not https; refused");
        assertThat(as.authorizations).isEmpty();
    }

    @Test
    void aUserWhoRefusesAtConnectGetsAClearError() {
        as.refuseAuthorization = true;

        assertThatThrownBy(() -> connect(oauth())).isInstanceOf(ToolException.class)
                .hasMessageContaining("needs authorization, which failed: authorization was refused: access_denied "
                        + "(the user said no)");
        assertThat(as.grants).isEmpty();
    }

    @Test
    void aUserWhoRefusesLaterGetsAClearErrorInTheToolResultAndCanAuthorizeAfterwards() {
        McpOAuth oauth = oauth();
        McpTools tools = connect(oauth);
        as.validAccess.clear();
        as.refuseRefresh = true;
        as.refuseAuthorization = true;

        ToolResult refused = call(tools, "echo");
        assertThat(refused.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(refused.content()).contains("MCP server 'secure'")
                .contains("authorization was refused: access_denied (the user said no)");

        as.refuseAuthorization = false;
        assertThat(call(tools, "echo").content()).isEqualTo("echo: hi");
        assertThat(as.authorizations).hasSize(3);
    }

    @Test
    void anHttpRedirectUriOffLoopbackIsRejectedAtConfiguration() {
        assertThatThrownBy(() -> McpOAuth.of(URI.create("http://app.example/callback"), url -> Mono.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loopback");
        assertThat(McpOAuth.of(URI.create("com.example.app:/callback"), url -> Mono.empty()).redirectUri())
                .hasToString("com.example.app:/callback");
    }

    // ---- the official TypeScript SDK's authorization server and bearer middleware

    @Test
    void theTypeScriptSdksAuthorizationServerAuthorizesTheClientForItsProtectedServer() throws Exception {
        Process server = new ProcessBuilder(TestServers.node(), TestServers.npmScript("oauth-server.mjs"))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (var out = server.inputReader()) {
            String base = "http://127.0.0.1:" + out.readLine().split(" ")[1];
            McpOAuth oauth = oauth();
            try (McpTools tools = McpTools.builder("secure", McpTransportSpec.http(base + "/mcp").oauth(oauth))
                    .connectTimeout(WAIT)
                    .callTimeout(WAIT)
                    .connect()
                    .block(WAIT)) {
                assertThat(call(tools, "echo").content()).isEqualTo("echo: hi");
            }
            McpOAuth.Tokens tokens = oauth.tokenStore().load(URI.create(base + "/mcp"));
            assertThat(tokens).isNotNull();
            assertThat(tokens.issuer()).hasToString(base + "/");
            assertThat(tokens.resource()).hasToString(base + "/mcp");
            assertThat(tokens.scope()).isEqualTo("mcp:tools");
            assertThat(tokens.expiresAt()).isEqualTo(clock.instant().plusSeconds(3600));
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    // ---- the loopback redirect listener

    @Test
    void theLoopbackListenerReceivesTheBrowsersRedirect() throws Exception {
        try (McpOAuthLoopback loopback = McpOAuthLoopback.open(0);
                HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()) {
            var pages = new CopyOnWriteArrayList<String>();
            McpOAuth oauth = McpOAuth.of(loopback.redirectUri(), loopback.handler(url -> Mono
                    .fromFuture(() -> browser.sendAsync(HttpRequest.newBuilder(url).GET().build(),
                            HttpResponse.BodyHandlers.ofString()))
                    .doOnNext(page -> pages.add(page.statusCode() + " " + page.body()))
                    .then())).withClock(clock);

            assertThat(call(connect(oauth), "echo").content()).isEqualTo("echo: hi");
            assertThat(loopback.redirectUri().toString()).matches("http://127\\.0\\.0\\.1:\\d+/callback");
            assertThat(query(as.authorizations.getFirst())).containsEntry("redirect_uri",
                    loopback.redirectUri().toString());
            assertThat(pages).singleElement().asString().startsWith("200 ").contains("You can close this window");
        }
    }

    @Test
    void theLoopbackListenerAnswersARedirectWithAnUnknownStateWithoutCompletingAnything() throws Exception {
        try (McpOAuthLoopback loopback = McpOAuthLoopback.open(0)) {
            HttpResponse<String> stray = user.send(HttpRequest.newBuilder(URI.create(loopback.redirectUri()
                    + "?code=c&state=nobody")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(stray.statusCode()).isEqualTo(400);
            assertThat(stray.body()).contains("unknown or already finished");

            HttpResponse<Void> elsewhere = user.send(HttpRequest.newBuilder(URI.create(loopback.redirectUri()
                    .resolve("/other") + "?state=x")).GET().build(), HttpResponse.BodyHandlers.discarding());
            assertThat(elsewhere.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void closingTheLoopbackListenerFailsTheAuthorizationStillWaiting() {
        McpOAuthLoopback loopback = McpOAuthLoopback.open(0);
        var opened = new java.util.concurrent.CompletableFuture<URI>();
        Mono<URI> waiting = loopback.handler(url -> Mono.fromRunnable(() -> opened.complete(url)))
                .authorize(URI.create("http://127.0.0.1:1/authorize?state=s1"));
        var result = waiting.toFuture();
        assertThat(opened).isCompletedWithValue(URI.create("http://127.0.0.1:1/authorize?state=s1"));

        loopback.close();
        loopback.close();
        assertThat(result).failsWithin(WAIT).withThrowableThat().withMessageContaining("the redirect listener closed");
    }

    // ---- the client side

    private McpOAuth oauth() {
        return McpOAuth.of(REDIRECT, this::follow).withClock(clock);
    }

    /** The user: opens the authorization URL and lands where the authorization server redirects. */
    private Mono<URI> follow(URI authorizationUrl) {
        return Mono.fromFuture(() -> user.sendAsync(HttpRequest.newBuilder(authorizationUrl).GET().build(),
                HttpResponse.BodyHandlers.discarding()))
                .map(r -> {
                    assertThat(r.statusCode()).as("the authorization endpoint redirects").isEqualTo(302);
                    return URI.create(r.headers().firstValue("Location").orElseThrow());
                });
    }

    private McpTools connect(McpOAuth oauth) {
        McpTools tools = McpTools.builder("secure", McpTransportSpec.http(as.mcpUrl).oauth(oauth))
                .connectTimeout(WAIT)
                .callTimeout(WAIT)
                .connect()
                .block(WAIT);
        clients.add(tools);
        return tools;
    }

    private static ToolResult call(McpTools tools, String tool) {
        return ToolRegistry.of(tools.tools())
                .execute(new ToolCall("c", tool, "{\"text\":\"hi\"}"),
                        ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability())))
                .block(WAIT);
    }

    private static Map<String, String> query(URI uri) {
        var out = new LinkedHashMap<String, String>();
        String q = uri.getRawQuery();
        if (q == null) {
            return out;
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    // ---- the servers

    private HttpServer server(com.sun.net.httpserver.HttpHandler handler) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext("/", handler);
        s.setExecutor(threads);
        s.start();
        servers.add(s);
        return s;
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private static String json(Object value) {
        if (value instanceof String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        if (value instanceof List<?> l) {
            return "[" + String.join(",", l.stream().map(McpOAuthTest::json).toList()) + "]";
        }
        if (value instanceof Map<?, ?> m) {
            var parts = new ArrayList<String>();
            m.forEach((k, v) -> parts.add(json(k) + ":" + json(v)));
            return "{" + String.join(",", parts) + "}";
        }
        throw new IllegalArgumentException(String.valueOf(value));
    }

    /**
     * One origin serving the protected MCP endpoint ({@code /mcp}), its resource metadata, and an
     * authorization server (metadata, registration, authorization, token) that checks what OAuth 2.1
     * requires of the client: registered redirect URI, PKCE S256, the resource, single-use codes,
     * rotating refresh tokens.
     */
    private final class AuthServer {
        final String base;
        final String mcpUrl;
        final Set<String> validAccess = ConcurrentHashMap.newKeySet();
        final AtomicInteger unauthorized = new AtomicInteger();
        final AtomicInteger registrations = new AtomicInteger();
        final List<URI> authorizations = new CopyOnWriteArrayList<>();
        final List<String> grants = new CopyOnWriteArrayList<>();
        volatile boolean refuseRefresh;
        volatile boolean refuseAuthorization;
        volatile String requiredScope;
        volatile boolean grantOnlyTools;
        private final Map<String, String> scopes = new ConcurrentHashMap<>(); // access or refresh token -> scope
        volatile UnaryOperator<Map<String, Object>> resourceMetadata = m -> m;
        volatile UnaryOperator<Map<String, Object>> serverMetadata = m -> m;
        private final Map<String, String> clients = new ConcurrentHashMap<>(); // id -> redirect URI
        private final Map<String, Map<String, String>> codes = new ConcurrentHashMap<>();
        private final Map<String, String> refreshTokens = new ConcurrentHashMap<>(); // refresh -> client id
        private final AtomicInteger counter = new AtomicInteger();
        private final McpHttpHandler mcp;

        AuthServer(McpHttpOptions options) throws IOException {
            HttpServer s = server(this::handle);
            base = "http://127.0.0.1:" + s.getAddress().getPort();
            mcpUrl = base + "/mcp";
            McpHttpOptions o = options.resourceMetadata() == null
                    ? options.resourceMetadata(URI.create(base + "/.well-known/oauth-protected-resource/mcp"))
                    : options;
            mcp = McpServer.builder(ExposedToolsMain.tools())
                    .name("protected")
                    .build()
                    .httpHandler(o.bearerTokens(validAccess::contains));
            endpoints.add(mcp);
        }

        private void handle(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/mcp" -> mcp(exchange);
                case "/.well-known/oauth-protected-resource/mcp" -> respond(exchange, 200, "application/json",
                        json(resourceMetadata.apply(new LinkedHashMap<>(Map.of("resource", mcpUrl,
                                "authorization_servers", List.of(base), "scopes_supported", List.of("tools"))))));
                case "/.well-known/oauth-authorization-server" -> respond(exchange, 200, "application/json",
                        json(serverMetadata.apply(new LinkedHashMap<>(Map.of("issuer", base,
                                "authorization_endpoint", base + "/authorize", "token_endpoint", base + "/token",
                                "registration_endpoint", base + "/register", "response_types_supported",
                                List.of("code"), "code_challenge_methods_supported", List.of("S256"))))));
                case "/register" -> register(exchange);
                case "/authorize" -> authorize(exchange);
                case "/token" -> token(exchange);
                default -> respond(exchange, 404, "text/plain", "");
            }
        }

        private void mcp(HttpExchange exchange) throws IOException {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String token = auth == null ? "" : auth.substring("Bearer ".length());
            String needed = requiredScope;
            if (needed != null && validAccess.contains(token)
                    && !List.of(scopes.getOrDefault(token, "").split(" ")).contains(needed)) {
                exchange.getResponseHeaders()
                        .set("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\""
                                + needed + "\", resource_metadata=\"" + base
                                + "/.well-known/oauth-protected-resource/mcp\"");
                respond(exchange, 403, "application/json", "{\"error\":\"insufficient_scope\"}");
                return;
            }
            McpHttpHandler.Response r = mcp.handle(new McpHttpHandler.Request(exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(), exchange.getRequestHeaders(),
                    Flux.just(ByteBuffer.wrap(body)))).block(WAIT);
            if (r.status() == 401) {
                unauthorized.incrementAndGet();
            }
            r.headers().forEach(exchange.getResponseHeaders()::set);
            if (r.isEventStream()) {
                // An event stream (a subscriptions/listen, say) lasts until it ends: written as it comes.
                exchange.sendResponseHeaders(r.status(), 0);
                try (var out = exchange.getResponseBody()) {
                    r.body().doOnNext(b -> {
                        byte[] bytes = new byte[b.remaining()];
                        b.get(bytes);
                        try {
                            out.write(bytes);
                            out.flush();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }).onErrorComplete().blockLast();
                }
                return;
            }
            List<ByteBuffer> parts = r.body().collectList().block(WAIT);
            int length = parts.stream().mapToInt(ByteBuffer::remaining).sum();
            exchange.sendResponseHeaders(r.status(), length == 0 ? -1 : length);
            for (ByteBuffer b : parts) {
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        }

        private void register(HttpExchange exchange) throws IOException {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(body).contains("\"token_endpoint_auth_method\":\"none\"");
            var redirect = body.replaceAll("(?s).*\"redirect_uris\":\\[\"([^\"]*)\"].*", "$1");
            String id = "client-" + counter.incrementAndGet();
            clients.put(id, redirect);
            registrations.incrementAndGet();
            respond(exchange, 201, "application/json", json(Map.of("client_id", id, "redirect_uris",
                    List.of(redirect))));
        }

        private void authorize(HttpExchange exchange) throws IOException {
            URI uri = exchange.getRequestURI();
            authorizations.add(uri);
            Map<String, String> q = query(uri);
            String redirect = clients.get(q.get("client_id"));
            if (redirect == null || !redirect.equals(q.get("redirect_uri")) || !"S256".equals(q.get(
                    "code_challenge_method")) || q.get("code_challenge") == null || !mcpUrl.equals(q.get("resource"))
                    || q.get("state") == null || !"code".equals(q.get("response_type"))) {
                respond(exchange, 400, "text/plain", "bad authorization request");
                return;
            }
            String state = URLEncoder.encode(q.get("state"), StandardCharsets.UTF_8);
            String location;
            if (refuseAuthorization) {
                location = redirect + "?error=access_denied&error_description=the+user+said+no&state=" + state;
            } else {
                String code = "code-" + counter.incrementAndGet();
                codes.put(code, q);
                location = redirect + "?code=" + code + "&state=" + state + "&iss="
                        + URLEncoder.encode(base, StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().set("Location", location);
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        }

        private void token(HttpExchange exchange) throws IOException {
            Map<String, String> form = query(URI.create("?" + new String(exchange.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8)));
            String grant = form.get("grant_type");
            grants.add(grant);
            String granted;
            String client = form.get("client_id");
            if (!mcpUrl.equals(form.get("resource")) || !clients.containsKey(client)) {
                respond(exchange, 400, "application/json", "{\"error\":\"invalid_request\"}");
                return;
            }
            if ("authorization_code".equals(grant)) {
                Map<String, String> asked = codes.remove(form.get("code"));
                if (asked == null || !client.equals(asked.get("client_id"))
                        || !asked.get("redirect_uri").equals(form.get("redirect_uri"))
                        || !asked.get("code_challenge").equals(s256(form.get("code_verifier")))) {
                    respond(exchange, 400, "application/json", "{\"error\":\"invalid_grant\"}");
                    return;
                }
                granted = asked.getOrDefault("scope", "");
            } else if ("refresh_token".equals(grant)) {
                String owner = refreshTokens.remove(String.valueOf(form.get("refresh_token")));
                granted = scopes.getOrDefault(String.valueOf(form.get("refresh_token")), "");
                if (refuseRefresh || !client.equals(owner)) {
                    respond(exchange, 400, "application/json",
                            "{\"error\":\"invalid_grant\",\"error_description\":\"refresh refused\"}");
                    return;
                }
            } else {
                respond(exchange, 400, "application/json", "{\"error\":\"unsupported_grant_type\"}");
                return;
            }
            String scope = grantOnlyTools ? "tools" : granted;
            String access = "access-" + counter.incrementAndGet();
            String refresh = "refresh-" + counter.incrementAndGet();
            validAccess.clear();
            validAccess.add(access);
            scopes.put(access, scope);
            scopes.put(refresh, scope);
            refreshTokens.put(refresh, client);
            respond(exchange, 200, "application/json", json(Map.of("access_token", access, "token_type", "Bearer",
                    "expires_in", 3600, "refresh_token", refresh, "scope", scope)));
        }

        private static String s256(String verifier) {
            try {
                return Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(MessageDigest.getInstance("SHA-256")
                                .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        private volatile Instant now = Instant.parse("2026-12-06T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
