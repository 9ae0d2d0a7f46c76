package dev.agentrt.spring.mcp;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MCP in a Spring application: connections to MCP servers ({@code agentrt.mcp.clients.<name>.*}),
 * each a {@link dev.agentrt.tools.mcp.McpTools} bean, and this application's tools served over MCP on
 * its own HTTP server ({@code agentrt.mcp.server.*}).
 *
 * <pre>
 * agentrt.mcp.clients.docs.command=node
 * agentrt.mcp.clients.docs.args=server-filesystem/dist/index.js,/srv/docs
 * agentrt.mcp.clients.crm.url=https://crm.example.com/mcp
 * agentrt.mcp.clients.crm.headers.Authorization=Bearer ${CRM_TOKEN}
 * agentrt.mcp.server.enabled=true
 * </pre>
 *
 * <p>Connecting a server grants nothing: an agent calls its tools only when the application grants
 * {@code McpTools.capability("<name>")} (all of them) or {@code McpTools.capability("<name>",
 * "<tool>")} (one).
 */
@ConfigurationProperties(prefix = "agentrt.mcp")
public class AgentrtMcpProperties {
    /**
     * Connections to MCP servers, by name (1-32 letters, digits, '_' or '-'; the name is the server's
     * in McpTools.capability(name), the grant an agent needs to call its tools). Each needs either
     * 'command' (a subprocess spoken to over stdio) or 'url' (streamable HTTP).
     */
    private Map<String, Client> clients = new LinkedHashMap<>();

    /** This application's tools served to MCP clients on the application's own HTTP server. */
    private Server server = new Server();

    public Map<String, Client> getClients() {
        return clients;
    }

    public void setClients(Map<String, Client> clients) {
        this.clients = clients;
    }

    public Server getServer() {
        return server;
    }

    public void setServer(Server server) {
        this.server = server;
    }

    /** One MCP server to connect to: a subprocess (command) or a streamable HTTP endpoint (url). */
    public static class Client {
        /**
         * The executable of a server run as a subprocess and spoken to over its stdin and stdout,
         * looked up on the PATH when not a path. Exclusive with 'url'.
         */
        private @Nullable String command;

        /** The subprocess's arguments. */
        private List<String> args = new ArrayList<>();

        /**
         * Environment variables added to the JVM's for the subprocess. Values may be placeholders
         * (${SOME_SECRET}) resolved from Spring's property sources.
         */
        private Map<String, String> env = new LinkedHashMap<>();

        /** The subprocess's working directory; the JVM's when unset. */
        private @Nullable Path workingDirectory;

        /** The streamable HTTP endpoint, path included (e.g. https://mcp.example.com/mcp). Exclusive with 'command'. */
        private @Nullable String url;

        /**
         * Headers sent with every HTTP request (Authorization, say). Keep secrets out of the file:
         * write a placeholder (Bearer ${CRM_TOKEN}) resolved from the environment or another property source.
         */
        private Map<String, String> headers = new LinkedHashMap<>();

        /** Only these tools of the server (names as the server gives them) are offered; all when empty. */
        private List<String> allowedTools = new ArrayList<>();

        /** Name the tools '<name>_<tool>', so that two servers' tools cannot clash. */
        private boolean prefixNames;

        /** How long one tool call may take. */
        private Duration callTimeout = Duration.ofSeconds(60);

        /** How long starting the server, the MCP handshake and listing its tools may take at start. */
        private Duration connectTimeout = Duration.ofSeconds(30);

        /** Whether a stdio server that died is started again by the next call. */
        private boolean reconnect = true;

        /**
         * Whether a tool whose description or input schema changed after connect may still be called
         * (a server that rewrites a tool's description can rewrite what the model is told).
         */
        private boolean acceptToolChanges;

        /** Directories declared to the server as the client's MCP roots; they grant nothing. */
        private List<Path> roots = new ArrayList<>();

        /**
         * Whether the application fails to start when the server cannot be connected. When false, a
         * failed connection is logged and the server's tools are left out.
         */
        private boolean required = true;

        public @Nullable String getCommand() {
            return command;
        }

        public void setCommand(@Nullable String command) {
            this.command = command;
        }

        public List<String> getArgs() {
            return args;
        }

        public void setArgs(List<String> args) {
            this.args = args;
        }

        public Map<String, String> getEnv() {
            return env;
        }

        public void setEnv(Map<String, String> env) {
            this.env = env;
        }

        public @Nullable Path getWorkingDirectory() {
            return workingDirectory;
        }

        public void setWorkingDirectory(@Nullable Path workingDirectory) {
            this.workingDirectory = workingDirectory;
        }

        public @Nullable String getUrl() {
            return url;
        }

        public void setUrl(@Nullable String url) {
            this.url = url;
        }

        public Map<String, String> getHeaders() {
            return headers;
        }

        public void setHeaders(Map<String, String> headers) {
            this.headers = headers;
        }

        public List<String> getAllowedTools() {
            return allowedTools;
        }

        public void setAllowedTools(List<String> allowedTools) {
            this.allowedTools = allowedTools;
        }

        public boolean isPrefixNames() {
            return prefixNames;
        }

        public void setPrefixNames(boolean prefixNames) {
            this.prefixNames = prefixNames;
        }

        public Duration getCallTimeout() {
            return callTimeout;
        }

        public void setCallTimeout(Duration callTimeout) {
            this.callTimeout = callTimeout;
        }

        public Duration getConnectTimeout() {
            return connectTimeout;
        }

        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        public boolean isReconnect() {
            return reconnect;
        }

        public void setReconnect(boolean reconnect) {
            this.reconnect = reconnect;
        }

        public boolean isAcceptToolChanges() {
            return acceptToolChanges;
        }

        public void setAcceptToolChanges(boolean acceptToolChanges) {
            this.acceptToolChanges = acceptToolChanges;
        }

        public List<Path> getRoots() {
            return roots;
        }

        public void setRoots(List<Path> roots) {
            this.roots = roots;
        }

        public boolean isRequired() {
            return required;
        }

        public void setRequired(boolean required) {
            this.required = required;
        }
    }

    /** The MCP server on the application's own HTTP server (WebFlux or MVC). */
    public static class Server {
        /**
         * Whether to serve tools over MCP's streamable HTTP on the application's server. The tools
         * are the application's McpServer bean, or else its Tool, ToolSource and @ToolMethod beans
         * under the grants of its McpServerGrants bean (none without one: grants are never inferred).
         */
        private boolean enabled;

        /** The endpoint's path. */
        private String path = "/mcp";

        /** The server name clients see in the handshake. */
        private String name = "agentrt";

        /** The server version clients see in the handshake. */
        private String version = "1.0.0";

        /**
         * Origins (scheme://host[:port]) besides localhost whose browser pages may call the endpoint;
         * a request with another Origin header gets 403 (DNS rebinding protection).
         */
        private List<String> allowedOrigins = new ArrayList<>();

        /** Serve without sessions: every request stands alone. */
        private boolean stateless;

        /** The largest message accepted, in bytes; larger ones get 413. */
        private int maxRequestBytes = 4 * 1024 * 1024;

        /** The most sessions open at once; a new one ends the least recently used idle one. */
        private int maxSessions = 100;

        /** How long one tool call may take. */
        private Duration callTimeout = Duration.ofSeconds(30);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public String getVersion() {
            return version;
        }

        public void setVersion(String version) {
            this.version = version;
        }

        public List<String> getAllowedOrigins() {
            return allowedOrigins;
        }

        public void setAllowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = allowedOrigins;
        }

        public boolean isStateless() {
            return stateless;
        }

        public void setStateless(boolean stateless) {
            this.stateless = stateless;
        }

        public int getMaxRequestBytes() {
            return maxRequestBytes;
        }

        public void setMaxRequestBytes(int maxRequestBytes) {
            this.maxRequestBytes = maxRequestBytes;
        }

        public int getMaxSessions() {
            return maxSessions;
        }

        public void setMaxSessions(int maxSessions) {
            this.maxSessions = maxSessions;
        }

        public Duration getCallTimeout() {
            return callTimeout;
        }

        public void setCallTimeout(Duration callTimeout) {
            this.callTimeout = callTimeout;
        }
    }
}
