package dev.agentrt.tools.mcp;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OAuth 2.1 for an MCP server reached over HTTP, as the MCP authorization spec describes it: the
 * client is refused ({@code 401}), finds the server's authorization server, registers itself there
 * when it has no client id, has the user authorize it (authorization code with PKCE S256), and sends
 * the access token it gets with every request, refreshing it when it expires.
 *
 * <pre>{@code
 * McpOAuth oauth = McpOAuth.of(URI.create("http://127.0.0.1:8765/callback"),
 *         url -> ui.openAndWaitForRedirect(url)) // the URI the user's browser was sent back to
 *     .withTokenStore(myEncryptedStore);
 * McpTools.builder("docs", McpTransportSpec.http("https://mcp.example.com/mcp").oauth(oauth))
 *     .connectTimeout(Duration.ofMinutes(5)) // the user has to answer during connect
 *     .connect();
 * }</pre>
 *
 * <p>An application on the user's machine can let {@link McpOAuthLoopback} receive the browser's
 * redirect on 127.0.0.1; a server-side application hands the URL to its user and completes the
 * {@code Mono} when its own redirect endpoint is called; a test follows the redirect itself.
 *
 * <p>What the client does, step by step:
 * <ol>
 * <li><b>Discovery.</b> The protected resource metadata (RFC 9728) comes from the URL named by the
 * {@code 401}'s {@code WWW-Authenticate: Bearer resource_metadata="…"}, or else from the well-known
 * URLs on the server's origin ({@code /.well-known/oauth-protected-resource} with the endpoint's path,
 * then without). Its first authorization server's metadata comes from RFC 8414's and OpenID
 * Connect's well-known URLs, in the spec's order.
 * <li><b>Registration.</b> With no {@link #withClient client id}, the client registers dynamically
 * (RFC 7591) as a public client with the redirect URI, once per connection and authorization server;
 * a client named by stored tokens of the same issuer is used again.
 * <li><b>Authorization.</b> The {@link AuthorizationHandler} gets the authorization URL (with the PKCE
 * S256 challenge, a random {@code state} and the {@code resource} parameter of RFC 8707) and answers
 * with the redirect URI the user came back to; its {@code state} must match, and an {@code error} there
 * (the user refused) fails the request with that error. The code is exchanged for tokens.
 * <li><b>Use.</b> The access token goes as {@code Authorization: Bearer} to this endpoint only. An
 * expired token (by {@link #withClock the clock} and the token's {@code expires_in}) is refreshed
 * before the request, and a {@code 401} refreshes or authorizes once more; a refresh the authorization
 * server refuses falls back to a new authorization. A {@code 403} with {@code error="insufficient_scope"}
 * authorizes anew for the scope it names together with the scope granted so far (step-up). A request
 * refused again after that fails.
 * </ol>
 *
 * <p>Every URL the metadata names comes from a party the client does not yet trust and is checked
 * before it is used: {@code https}, or {@code http} to a loopback host only when the MCP endpoint is
 * itself on a loopback host (a remote server can never point the client at the local machine); the
 * resource metadata URL on the MCP endpoint's origin; the metadata's {@code resource} on that origin
 * and a path prefix of the endpoint's; the authorization server's {@code issuer} exactly the URL it
 * was fetched for, and its metadata must offer S256. Refresh tokens go only to the token endpoint of
 * the issuer that issued them; no token is ever written to the log. All of it goes over the MCP
 * transport's own HTTP client, no redirects followed, each request bounded in time and size.
 *
 * <p>Immutable configuration and thread-safe; the {@link TokenStore} is shared by every connection
 * configured with this object. When authorization fails, the request that
 * met the {@code 401} fails (at connect: the connect fails; later: the tool call returns an error
 * result naming why), and the next request tries again.
 */
public final class McpOAuth {
    private final URI redirectUri;
    private final AuthorizationHandler handler;
    private final TokenStore tokenStore;
    private final @Nullable String clientId;
    private final @Nullable String clientSecret;
    private final @Nullable String scope;
    private final String clientName;
    private final Clock clock;

    /**
     * Answers an authorization request: show {@code authorizationUrl} to the user (open a browser,
     * print it, follow it programmatically) and complete with the full redirect URI the authorization
     * server sent the user back to, query included ({@code …?code=…&state=…}, or {@code …?error=…}).
     * Called on a transport thread: must not block; return a {@code Mono} that completes later. An
     * empty or failed {@code Mono} counts as a refusal.
     */
    @FunctionalInterface
    public interface AuthorizationHandler {
        Mono<URI> authorize(URI authorizationUrl);
    }

    /**
     * Where tokens are kept, keyed by the MCP endpoint they were issued for. Called on transport
     * threads: must be quick and not block (keep a cache in front of slow storage). Implementations
     * must not log the tokens. {@link #inMemory()} is the default.
     */
    public interface TokenStore {
        @Nullable
        Tokens load(URI endpoint);

        void save(URI endpoint, Tokens tokens);

        void remove(URI endpoint);

        /** A store in this JVM's memory: tokens last as long as it does. Thread-safe. */
        static TokenStore inMemory() {
            var map = new ConcurrentHashMap<URI, Tokens>();
            return new TokenStore() {
                @Override
                public @Nullable Tokens load(URI endpoint) {
                    return map.get(endpoint);
                }

                @Override
                public void save(URI endpoint, Tokens tokens) {
                    map.put(Objects.requireNonNull(endpoint, "endpoint"), Objects.requireNonNull(tokens, "tokens"));
                }

                @Override
                public void remove(URI endpoint) {
                    map.remove(endpoint);
                }

                @Override
                public String toString() {
                    return "TokenStore.inMemory[" + map.size() + " endpoints]";
                }
            };
        }
    }

    /**
     * What an authorization produced, as the store keeps it. {@link #toString()} shows no token.
     *
     * @param accessToken sent as {@code Authorization: Bearer}
     * @param refreshToken for a new access token at the issuer's token endpoint; null when none was given
     * @param expiresAt when the access token expires; null when the server did not say
     * @param scope the scope granted, or null
     * @param resource the protected resource the tokens were requested for (RFC 8707)
     * @param issuer the authorization server that issued them
     * @param clientId the client they were issued to
     * @param clientSecret that client's secret, when it has one
     */
    public record Tokens(String accessToken, @Nullable String refreshToken, @Nullable Instant expiresAt,
            @Nullable String scope, URI resource, URI issuer, String clientId, @Nullable String clientSecret) {
        public Tokens {
            Objects.requireNonNull(accessToken, "accessToken");
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(clientId, "clientId");
        }

        /** Whether the access token has expired at {@code now} (a token without expiry never does). */
        public boolean expiredAt(Instant now) {
            return expiresAt != null && !now.isBefore(expiresAt);
        }

        @Override
        public String toString() {
            return "Tokens[resource=" + resource + ", issuer=" + issuer + ", clientId=" + clientId + ", expiresAt="
                    + expiresAt + ", scope=" + scope + ", refreshToken=" + (refreshToken == null ? "none" : "present")
                    + "]";
        }
    }

    private McpOAuth(URI redirectUri, AuthorizationHandler handler, TokenStore tokenStore, @Nullable String clientId,
            @Nullable String clientSecret, @Nullable String scope, String clientName, Clock clock) {
        this.redirectUri = redirectUri;
        this.handler = handler;
        this.tokenStore = tokenStore;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.scope = scope;
        this.clientName = clientName;
        this.clock = clock;
    }

    /**
     * Authorization through {@code handler}, the user sent back to {@code redirectUri}: {@code https},
     * {@code http} on a loopback address ({@code http://127.0.0.1:<port>/callback}) or an application's
     * own scheme ({@code com.example.app:/callback}). Tokens in memory; the client registers itself.
     */
    public static McpOAuth of(URI redirectUri, AuthorizationHandler handler) {
        return new McpOAuth(checkRedirect(redirectUri), Objects.requireNonNull(handler, "handler"),
                TokenStore.inMemory(), null, null, null, "agentrt", Clock.systemUTC());
    }

    /** Tokens kept in {@code store} instead of memory (an encrypted file or the OS keychain, say). */
    public McpOAuth withTokenStore(TokenStore store) {
        return new McpOAuth(redirectUri, handler, Objects.requireNonNull(store, "store"), clientId, clientSecret, scope,
                clientName, clock);
    }

    /**
     * A client registered beforehand with the authorization server, instead of dynamic
     * registration; {@code secret} null for a public client.
     */
    public McpOAuth withClient(String id, @Nullable String secret) {
        if (Objects.requireNonNull(id, "id").isBlank()) {
            throw new IllegalArgumentException("the client id must not be blank");
        }
        return new McpOAuth(redirectUri, handler, tokenStore, id, secret, scope, clientName, clock);
    }

    /**
     * The scope to ask for (space-separated); by default the one the server's challenge names, else
     * the resource metadata's {@code scopes_supported}, else none.
     */
    public McpOAuth withScope(String scope) {
        return new McpOAuth(redirectUri, handler, tokenStore, clientId, clientSecret, Objects.requireNonNull(scope,
                "scope"), clientName, clock);
    }

    /** The {@code client_name} registered dynamically; {@code agentrt} by default. */
    public McpOAuth withClientName(String name) {
        return new McpOAuth(redirectUri, handler, tokenStore, clientId, clientSecret, scope,
                Objects.requireNonNull(name, "name"), clock);
    }

    /** The clock token expiry is judged by; the system's by default. */
    public McpOAuth withClock(Clock clock) {
        return new McpOAuth(redirectUri, handler, tokenStore, clientId, clientSecret, scope, clientName,
                Objects.requireNonNull(clock, "clock"));
    }

    public URI redirectUri() {
        return redirectUri;
    }

    public AuthorizationHandler handler() {
        return handler;
    }

    public TokenStore tokenStore() {
        return tokenStore;
    }

    /** The pre-registered client id, or null for dynamic registration. */
    public @Nullable String clientId() {
        return clientId;
    }

    /** The pre-registered client's secret, or null. */
    public @Nullable String clientSecret() {
        return clientSecret;
    }

    /** The scope asked for, or null for the server's. */
    public @Nullable String scope() {
        return scope;
    }

    public String clientName() {
        return clientName;
    }

    public Clock clock() {
        return clock;
    }

    @Override
    public String toString() {
        return "McpOAuth[redirect=" + redirectUri + ", client=" + (clientId == null ? "dynamic" : clientId)
                + ", store=" + tokenStore + "]";
    }

    private static URI checkRedirect(URI uri) {
        Objects.requireNonNull(uri, "redirectUri");
        String scheme = uri.getScheme();
        if (!uri.isAbsolute() || scheme == null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("the redirect URI must be absolute, without a fragment: " + uri);
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        if (scheme.equals("http") && !isLoopback(uri.getHost())) {
            throw new IllegalArgumentException(
                    "an http redirect URI must be on a loopback address (127.0.0.1, [::1], localhost): " + uri);
        }
        if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() == null) {
            throw new IllegalArgumentException("the redirect URI has no host: " + uri);
        }
        return uri;
    }

    private static boolean isLoopback(@Nullable String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals("[::1]") || h.equals("::1")
                || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }
}
