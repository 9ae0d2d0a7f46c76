package dev.agentrt.tools.mcp;

import dev.agentrt.tools.internal.mcp.HttpServerTransport;

import java.net.InetSocketAddress;
import java.net.URI;

/**
 * An MCP server listening for streamable HTTP, from {@link McpServer#serveHttp(McpHttpOptions)}.
 * It serves until {@link #close()}d.
 *
 * <pre>{@code
 * try (McpHttpServer http = server.serveHttp(McpHttpOptions.defaults().port(3001))) {
 *     System.out.println("MCP endpoint: " + http.url());
 *     shutdown.await();
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class McpHttpServer implements AutoCloseable {
    private final HttpServerTransport transport;

    McpHttpServer(HttpServerTransport transport) {
        this.transport = transport;
    }

    /** The address and port it listens on (the port the system picked, when asked for 0). */
    public InetSocketAddress address() {
        return transport.address();
    }

    /** The endpoint clients connect to, e.g. {@code http://127.0.0.1:3001/mcp}. */
    public URI url() {
        return transport.url();
    }

    /**
     * Stops serving: ends every session, cancels the calls still running (their requests are answered
     * 503 or cut), stops listening and waits, at most about 10 s, for the server's threads to end.
     * Blocks the caller; idempotent.
     */
    @Override
    public void close() {
        transport.close();
    }

    @Override
    public String toString() {
        return "McpHttpServer[" + url() + "]";
    }
}
