package dev.agentrt.tools.mcp;

import dev.agentrt.tools.internal.mcp.LoopbackRedirectListener;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.util.Objects;
import java.util.function.Function;

/**
 * A redirect listener on 127.0.0.1 for {@link McpOAuth}, for an application on the user's own
 * machine: the authorization server sends the user's browser back to {@link #redirectUri()}, and the
 * redirect completes the authorization that is waiting for it (matched by its {@code state}).
 *
 * <pre>{@code
 * try (McpOAuthLoopback loopback = McpOAuthLoopback.open(0)) {
 *     McpOAuth oauth = McpOAuth.of(loopback.redirectUri(),
 *             loopback.handler(url -> Mono.fromRunnable(() -> desktop.browse(url))));
 *     ...
 * }
 * }</pre>
 *
 * <p>Only {@code GET /callback} with the {@code state} of an authorization in progress is answered
 * (a page telling the user to go back to the application); anything else gets 400 or 404 and
 * completes nothing. Thread-safe. {@link #close()} stops the listener and fails the authorizations
 * still waiting.
 */
public final class McpOAuthLoopback implements AutoCloseable {
    private final LoopbackRedirectListener listener;

    private McpOAuthLoopback(LoopbackRedirectListener listener) {
        this.listener = listener;
    }

    /**
     * Listens on 127.0.0.1 at {@code port} (0: one the system picks; a fixed one when the client is
     * registered beforehand with that redirect URI).
     *
     * @throws java.io.UncheckedIOException if the port cannot be bound
     */
    public static McpOAuthLoopback open(int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in 0..65535, was " + port);
        }
        return new McpOAuthLoopback(LoopbackRedirectListener.open(port));
    }

    /** {@code http://127.0.0.1:<port>/callback}: the redirect URI to give {@link McpOAuth#of}. */
    public URI redirectUri() {
        return listener.redirectUri();
    }

    /**
     * A handler that gives the authorization URL to {@code open} (which shows it to the user: opens a
     * browser, prints it) and completes with the redirect that reaches this listener with the URL's
     * {@code state}. {@code open} must not block; its failure fails the authorization.
     */
    public McpOAuth.AuthorizationHandler handler(Function<URI, Mono<Void>> open) {
        Objects.requireNonNull(open, "open");
        return url -> listener.authorize(url, open);
    }

    /** Stops listening; the authorizations still waiting fail. Idempotent. */
    @Override
    public void close() {
        listener.close();
    }

    @Override
    public String toString() {
        return "McpOAuthLoopback[" + redirectUri() + "]";
    }
}
