package dev.agentrt.tools.mcp;

import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ServerTelemetry;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolAccess;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.tools.internal.mcp.McpServerBridge;
import dev.agentrt.tools.internal.mcp.StreamableHttpHandler;
import reactor.core.publisher.Mono;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Serves agentrt tools to MCP clients. Every {@code tools/call} runs through the {@link ToolRegistry}
 * under this server's policy, exactly like an agent's own calls: arguments validated against the
 * tool's schema, capabilities checked against {@link Builder#grants}, the call bounded by {@link
 * Builder#timeout}; a refusal or failure is an {@code isError} result. Clients see only the tools
 * {@link Builder#access} lets the principal use.
 *
 * <pre>{@code
 * public static void main(String[] args) {           // run as an MCP server subprocess
 *     McpServer.builder(ToolRegistry.of(search, readFile))
 *         .name("docs")
 *         .grants(Grants.of(Capability.fileRead(Path.of("/srv/docs"))))
 *         .build()
 *         .serveStdio()
 *         .block();
 * }
 * }</pre>
 *
 * <p>Transports: streamable HTTP ({@link #serveHttp(McpHttpOptions)}, on the JDK's own HTTP server:
 * sessions or stateless, origin checks, an optional bearer token check; see {@link McpHttpOptions}),
 * and stdio (newline-delimited JSON-RPC), over the process's own stdin and stdout or any pair of
 * streams. Over stdio, a line the server cannot use never stops it: a line that is not JSON gets a {@code -32700}
 * parse error, JSON that is not a JSON-RPC message a {@code -32600} invalid request, a line over
 * 16 MiB is skipped (not held) and rejected, blank lines are ignored, and the next message is served.
 * {@code ping} is answered at any time; other requests before the client's {@code
 * notifications/initialized} get an error. JSON-RPC batches are served when the client negotiated
 * protocol version 2025-03-26, the one revision that has them, and rejected otherwise.
 * {@code notifications/cancelled} cancels the call it names.
 *
 * <p>Immutable and thread-safe; one server may serve several stream pairs at once. Serving reads
 * and writes on two threads of its own per stream pair, never on the caller's.
 */
public final class McpServer {
    private final ToolRegistry registry;
    private final String name;
    private final String version;
    private final Principal principal;
    private final Grants grants;
    private final ToolAccess access;
    private final Duration timeout;
    private final Duration drainTimeout;
    private final ServerTelemetry telemetry;

    private McpServer(Builder b) {
        this.registry = b.registry;
        this.name = b.name;
        this.version = b.version;
        this.principal = b.principal;
        this.grants = b.grants;
        this.access = b.access;
        this.timeout = b.timeout;
        this.drainTimeout = b.drainTimeout;
        this.telemetry = b.telemetry;
    }

    /** A server for these tools, granted {@code grants}, with the defaults of {@link Builder}. */
    public static McpServer expose(ToolRegistry registry, Grants grants) {
        return builder(registry).grants(grants).build();
    }

    /** A server for these tools, granted {@code grants}, with the defaults of {@link Builder}. */
    public static McpServer expose(List<? extends Tool> tools, Grants grants) {
        return builder(tools).grants(grants).build();
    }

    public static Builder builder(ToolRegistry registry) {
        return new Builder(registry);
    }

    /** Fails with {@code IllegalArgumentException} for duplicate names or an invalid schema. */
    public static Builder builder(List<? extends Tool> tools) {
        return new Builder(ToolRegistry.of(List.copyOf(tools)));
    }

    /** The tools a client is shown. */
    public List<ToolSpec> tools() {
        return registry.specs(execution());
    }

    /**
     * Serves over this process's stdin and stdout until stdin ends (see {@link #serve}). Whatever
     * else the program prints must go to stderr: stdout carries the protocol.
     */
    public Mono<Void> serveStdio() {
        return serve(System.in, System.out);
    }

    /**
     * Serves one client over a pair of streams. When {@code in} ends (the client is done), the calls
     * still running are answered as they finish, for at most {@link Builder#drainTimeout}; calls
     * still running then are cancelled and answered with an error. Completes once all that is
     * written; fails with a {@link dev.agentrt.core.ToolException} if writing to {@code out} fails
     * (the client stopped reading). Cancelling stops serving at once, running calls unanswered (a
     * thread blocked reading {@code in} ends when the stream does). Cold: each subscription serves
     * anew; {@code out} is flushed but not closed.
     */
    public Mono<Void> serve(InputStream in, OutputStream out) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        return McpServerBridge.serve(registry, this::execution, telemetry, name, version, in, out,
                drainTimeout);
    }

    /** Serves over streamable HTTP with {@link McpHttpOptions#defaults()}: 127.0.0.1, a free port. */
    public McpHttpServer serveHttp() {
        return serveHttp(McpHttpOptions.defaults());
    }

    /**
     * Serves over streamable HTTP until the returned server is closed. Every call goes through the
     * same registry, grants, access policy and timeout as over stdio. Binds before returning (the
     * caller's thread waits for that, nothing more); fails with an {@link java.io.UncheckedIOException}
     * if the address cannot be bound. Each server is independent: call this again for another port.
     */
    public McpHttpServer serveHttp(McpHttpOptions options) {
        Objects.requireNonNull(options, "options");
        return new McpHttpServer(McpServerBridge.serveHttp(registry, this::execution, telemetry, name, version,
                settings(options), options.address(), options.port()));
    }

    /**
     * The streamable HTTP endpoint without a server: for mounting these tools on an HTTP server the
     * application already runs (see {@link McpHttpHandler}). Everything of {@code options} applies
     * except {@link McpHttpOptions#address()} and {@link McpHttpOptions#port()}, which are the
     * hosting server's. Serves until {@linkplain McpHttpHandler#close() closed}.
     */
    public McpHttpHandler httpHandler(McpHttpOptions options) {
        Objects.requireNonNull(options, "options");
        return new McpHttpHandler(
                McpServerBridge.httpHandler(registry, this::execution, telemetry, name, version,
                        settings(options)));
    }

    private static StreamableHttpHandler.Settings settings(McpHttpOptions options) {
        McpHttpOptions.BearerTokenValidator tokens = options.bearerTokens();
        return new StreamableHttpHandler.Settings(options.path(), options.allowedOrigins(),
                tokens == null ? null : tokens::isValid, options.resourceMetadata(), options.stateless(),
                options.maxRequestBytes(), options.maxSessions());
    }

    private ToolExecution execution() {
        return new ToolExecution("mcp-server-" + name, principal, grants, null, timeout, null, access);
    }

    /** Configures a server. Not thread-safe; {@link #build()} copies. */
    public static final class Builder {
        private final ToolRegistry registry;
        private String name = "agentrt";
        private String version = "1.0.0";
        private Principal principal = Principal.ANONYMOUS;
        private Grants grants = Grants.none();
        private ToolAccess access = ToolAccess.ALL;
        private Duration timeout = Duration.ofSeconds(30);
        private Duration drainTimeout = Duration.ofSeconds(10);
        private ServerTelemetry telemetry = ServerTelemetry.NONE;

        private Builder(ToolRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /** The server name clients see in the handshake; {@code agentrt} by default. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** The server version clients see in the handshake. */
        public Builder version(String version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /** Who the calls run for (visible to tools and to {@link #access}); anonymous by default. */
        public Builder principal(Principal principal) {
            this.principal = Objects.requireNonNull(principal, "principal");
            return this;
        }

        /** What every call may do; nothing by default, so tools that need a capability are refused. */
        public Builder grants(Grants grants) {
            this.grants = Objects.requireNonNull(grants, "grants");
            return this;
        }

        public Builder grant(Capability... capabilities) {
            this.grants = grants.with(List.of(capabilities));
            return this;
        }

        /** Which tools clients see and may call; all by default. */
        public Builder access(ToolAccess access) {
            this.access = Objects.requireNonNull(access, "access");
            return this;
        }

        /** How long one call may take; 30 s by default. */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /**
         * Once the client has closed the server's input, how long the calls still running may take
         * to finish and be answered before the server cancels them, answers them with an error and
         * stops; 10 s by default.
         */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = positive(drainTimeout, "drainTimeout");
            return this;
        }

        /**
         * Where the server records each {@code tools/call} it answers: agent-otel's
         * {@code AgentTelemetry.serverTelemetry()} draws a {@code SERVER} span {@code tools/call {tool}} under the
         * trace context the client sent in the request's {@code params._meta}, with the OpenTelemetry MCP
         * conventions' attributes ({@code mcp.method.name}, {@code jsonrpc.request.id}, {@code mcp.session.id},
         * {@code mcp.protocol.version}, {@code network.transport}) and {@code error.type} ({@code tool_error} for
         * an error result), current while the tool starts. Nothing is recorded by default.
         */
        public Builder telemetry(ServerTelemetry telemetry) {
            this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
            return this;
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }

        public McpServer build() {
            return new McpServer(this);
        }
    }
}
