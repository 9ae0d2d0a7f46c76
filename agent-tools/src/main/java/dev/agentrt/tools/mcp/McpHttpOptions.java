package dev.agentrt.tools.mcp;

import org.jspecify.annotations.Nullable;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link McpServer#serveHttp(McpHttpOptions)} listens and whom it serves. Start from {@link
 * #defaults()} and change what differs:
 *
 * <pre>{@code
 * McpHttpOptions options = McpHttpOptions.defaults()
 *     .port(3001)
 *     .allowOrigin("https://app.example.com")
 *     .bearerTokens(token -> tokens.isValid(token));
 * }</pre>
 *
 * <p>The defaults: 127.0.0.1 only, a port the system picks, the endpoint {@code /mcp}, browser
 * pages only from localhost origins, no authentication, a session per client (at most 100 open),
 * messages of at most 4 MiB, at most 512 requests in flight, a keep-alive every 15 s on event streams. Immutable and thread-safe; every method returns a new value.
 *
 * @param address the address to listen on; loopback by default. Anything else exposes the tools to
 *     the network: set {@link #bearerTokens} too
 * @param port the port; 0 lets the system pick one ({@link McpHttpServer#address()} tells which)
 * @param path the endpoint's path, e.g. {@code /mcp}
 * @param allowedOrigins origins ({@code scheme://host[:port]}) besides localhost whose pages may call
 *     the server; a request with another {@code Origin} header gets 403 (DNS rebinding protection).
 *     Requests without the header (programs, not browsers) are not affected
 * @param bearerTokens checks the token of {@code Authorization: Bearer <token>}; null for none
 * @param resourceMetadata the OAuth protected resource metadata URL named in {@code WWW-Authenticate},
 *     or null
 * @param stateless serve without sessions: every request stands alone, no {@code Mcp-Session-Id}
 * @param maxRequestBytes the largest message accepted; larger ones get 413
 * @param maxSessions the most sessions open at once; another {@code initialize} ends the session used
 *     least recently among those with no call running (its client gets 404 and initializes anew), or
 *     gets 503 when every session has a call running
 * @param maxRequestsInFlight the most posted requests served at once (each until its response has been written;
 *     a {@code subscriptions/listen} is not counted, the server's {@link McpServer.Builder#maxListens} bounds
 *     those); another gets 503 with {@code Retry-After} and a JSON-RPC error
 * @param keepAlive how often an event stream that has nothing to send carries an SSE comment: it keeps the stream
 *     open through proxies and lets the server see a client that closed it (the JDK's HTTP server learns that only
 *     when a write fails), which cancels the 2026-07-28 request or {@code subscriptions/listen} the stream answers.
 *     A 2026-07-28 {@code tools/call} is answered as an event stream whenever the client accepts one, for that
 *     reason. A request answered with plain JSON (another request of a client that accepts both and sent no {@code
 *     progressToken}, or any from a client that accepts only JSON) is not cancelled when its client closes the
 *     connection: nothing is written to it before the answer, so it runs until it ends or times out and the
 *     answer's write then fails
 */
public record McpHttpOptions(InetAddress address, int port, String path, Set<String> allowedOrigins,
        @Nullable BearerTokenValidator bearerTokens, @Nullable URI resourceMetadata, boolean stateless,
        int maxRequestBytes, int maxSessions, int maxRequestsInFlight, Duration keepAlive) {

    /**
     * Decides whether a bearer token may use the server. Called on a virtual thread
     * for every request, before the request is read; it may block (to ask an authorization server,
     * say). A validator that throws refuses the request.
     */
    @FunctionalInterface
    public interface BearerTokenValidator {
        boolean isValid(String token);
    }

    public McpHttpOptions {
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in 0..65535, was " + port);
        }
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/") || path.contains("?") || path.contains("#")) {
            throw new IllegalArgumentException("path must be an absolute path such as /mcp, was " + path);
        }
        var origins = new LinkedHashSet<String>();
        for (String origin : allowedOrigins) {
            origins.add(origin(origin));
        }
        allowedOrigins = Set.copyOf(origins);
        if (resourceMetadata != null && !resourceMetadata.isAbsolute()) {
            throw new IllegalArgumentException("resourceMetadata must be an absolute URL, was " + resourceMetadata);
        }
        if (maxRequestBytes <= 0) {
            throw new IllegalArgumentException("maxRequestBytes must be positive, was " + maxRequestBytes);
        }
        if (maxSessions <= 0) {
            throw new IllegalArgumentException("maxSessions must be positive, was " + maxSessions);
        }
        if (maxRequestsInFlight <= 0) {
            throw new IllegalArgumentException("maxRequestsInFlight must be positive, was " + maxRequestsInFlight);
        }
        Objects.requireNonNull(keepAlive, "keepAlive");
        if (keepAlive.isNegative() || keepAlive.isZero()) {
            throw new IllegalArgumentException("keepAlive must be positive, was " + keepAlive);
        }
    }

    /** The options as they were before the in-flight limit and the keep-alive: those at their defaults. */
    public McpHttpOptions(InetAddress address, int port, String path, Set<String> allowedOrigins,
            @Nullable BearerTokenValidator bearerTokens, @Nullable URI resourceMetadata, boolean stateless,
            int maxRequestBytes, int maxSessions) {
        this(address, port, path, allowedOrigins, bearerTokens, resourceMetadata, stateless, maxRequestBytes,
                maxSessions, 512, Duration.ofSeconds(15));
    }

    /** 127.0.0.1, any free port, {@code /mcp}, localhost origins, no authentication, sessions. */
    public static McpHttpOptions defaults() {
        return new McpHttpOptions(InetAddress.getLoopbackAddress(), 0, "/mcp", Set.of(), null, null, false,
                4 * 1024 * 1024, 100, 512, Duration.ofSeconds(15));
    }

    public McpHttpOptions address(InetAddress address) {
        return new McpHttpOptions(address, port, path, allowedOrigins, bearerTokens, resourceMetadata, stateless,
                maxRequestBytes, maxSessions, maxRequestsInFlight, keepAlive);
    }

    /** Listens on {@code host}, a name or a literal address, resolved now. */
    public McpHttpOptions host(String host) {
        try {
            return address(InetAddress.getByName(Objects.requireNonNull(host, "host")));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host " + host, e);
        }
    }

    public McpHttpOptions port(int port) {
        return new McpHttpOptions(address, port, path, allowedOrigins, bearerTokens, resourceMetadata, stateless,
                maxRequestBytes, maxSessions, maxRequestsInFlight, keepAlive);
    }

    public McpHttpOptions path(String path) {
        return new McpHttpOptions(address, port, path, allowedOrigins, bearerTokens, resourceMetadata, stateless,
                maxRequestBytes, maxSessions, maxRequestsInFlight, keepAlive);
    }

    /** Also lets pages from these origins (e.g. {@code https://app.example.com}) call the server. */
    public McpHttpOptions allowOrigin(String... origins) {
        var all = new LinkedHashSet<>(allowedOrigins);
        all.addAll(Set.of(origins));
        return new McpHttpOptions(address, port, path, all, bearerTokens, resourceMetadata, stateless,
                maxRequestBytes, maxSessions, maxRequestsInFlight, keepAlive);
    }

    /** Requires {@code Authorization: Bearer <token>} on every request, checked by {@code validator}. */
    public McpHttpOptions bearerTokens(BearerTokenValidator validator) {
        return new McpHttpOptions(address, port, path, allowedOrigins, Objects.requireNonNull(validator, "validator"),
                resourceMetadata, stateless, maxRequestBytes, maxSessions, maxRequestsInFlight, keepAlive);
    }

    public McpHttpOptions resourceMetadata(URI url) {
        return new McpHttpOptions(address, port, path, allowedOrigins, bearerTokens,
                Objects.requireNonNull(url, "url"), stateless, maxRequestBytes, maxSessions, maxRequestsInFlight,
                keepAlive);
    }

    /** Serves without sessions (see {@link #stateless()}). */
    public McpHttpOptions stateless(boolean stateless) {
        return new McpHttpOptions(address, port, path, allowedOrigins, bearerTokens, resourceMetadata, stateless,
                maxRequestBytes, maxSessions, maxRequestsInFlight, keepAlive);
    }

    public McpHttpOptions maxRequestBytes(int maxRequestBytes) {
        return new McpHttpOptions(address, port, path, allowedOrigins, bearerTokens, resourceMetadata, stateless,
                maxRequestBytes, maxSessions, maxRequestsInFlight, keepAlive);
    }

    public McpHttpOptions maxSessions(int maxSessions) {
        return new McpHttpOptions(address, port, path, allowedOrigins, bearerTokens, resourceMetadata, stateless,
                maxRequestBytes, maxSessions, maxRequestsInFlight, keepAlive);
    }

    public McpHttpOptions maxRequestsInFlight(int maxRequestsInFlight) {
        return new McpHttpOptions(address, port, path, allowedOrigins, bearerTokens, resourceMetadata, stateless,
                maxRequestBytes, maxSessions, maxRequestsInFlight, keepAlive);
    }

    public McpHttpOptions keepAlive(Duration keepAlive) {
        return new McpHttpOptions(address, port, path, allowedOrigins, bearerTokens, resourceMetadata, stateless,
                maxRequestBytes, maxSessions, maxRequestsInFlight, keepAlive);
    }

    /** {@code scheme://host[:port]} in lower case; fails for anything else. */
    private static String origin(String origin) {
        Objects.requireNonNull(origin, "origin");
        URI uri;
        try {
            uri = new URI(origin.trim());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not an origin: " + origin, e);
        }
        if (uri.getScheme() == null || uri.getHost() == null || uri.getRawPath() != null && !uri.getRawPath().isEmpty()
                || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("an origin is scheme://host[:port], was " + origin);
        }
        return origin.trim().toLowerCase(Locale.ROOT);
    }
}
