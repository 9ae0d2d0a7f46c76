package dev.agentrt.tools.mcp;

import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to reach an MCP server: start it as a subprocess and talk over its stdin and stdout, or
 * post to its streamable HTTP endpoint.
 *
 * <pre>{@code
 * McpTransportSpec fs = McpTransportSpec.stdio("node", "server-filesystem/dist/index.js", "/srv/docs");
 * McpTransportSpec remote = McpTransportSpec.http("http://localhost:3001/mcp");
 * }</pre>
 *
 * <p>Values; immutable and thread-safe.
 */
public sealed interface McpTransportSpec permits McpTransportSpec.Stdio, McpTransportSpec.Http {

    /** A subprocess started with {@code command} and {@code args}, with the JVM's environment. */
    static Stdio stdio(String command, String... args) {
        return new Stdio(command, List.of(args), Map.of(), null);
    }

    /** A subprocess with extra environment variables (added to the JVM's environment). */
    static Stdio stdio(String command, List<String> args, Map<String, String> env) {
        return new Stdio(command, args, env, null);
    }

    /** A streamable HTTP endpoint, e.g. {@code http://localhost:3001/mcp}. */
    static Http http(String url) {
        return new Http(URI.create(Objects.requireNonNull(url, "url")), Map.of());
    }

    /**
     * A server run as a subprocess. The process belongs to the {@link McpTools} that started it:
     * closing that kills it and every process it started.
     *
     * @param command the executable, looked up on the {@code PATH} when not a path
     * @param args its arguments
     * @param env variables added to the JVM's environment for the process
     * @param workingDirectory the process's working directory; {@code null} for the JVM's
     */
    record Stdio(String command, List<String> args, Map<String, String> env, @Nullable Path workingDirectory)
            implements
                McpTransportSpec {
        public Stdio {
            Objects.requireNonNull(command, "command");
            if (command.isBlank()) {
                throw new IllegalArgumentException("command must not be blank");
            }
            args = List.copyOf(args);
            env = Map.copyOf(env);
        }

        /** This spec run in {@code directory}. */
        public Stdio inDirectory(Path directory) {
            return new Stdio(command, args, env, Objects.requireNonNull(directory, "directory"));
        }
    }

    /**
     * A server's streamable HTTP endpoint.
     *
     * @param url the endpoint, path included ({@code /mcp} for most servers)
     * @param headers sent with every request (an {@code Authorization} header, say)
     * @param oauth OAuth authorization for a protected server, or null (see {@link McpOAuth}); its
     *     bearer token replaces an {@code Authorization} header of {@code headers}
     */
    record Http(URI url, Map<String, String> headers, @Nullable McpOAuth oauth) implements McpTransportSpec {
        public Http(URI url, Map<String, String> headers) {
            this(url, headers, null);
        }

        public Http {
            Objects.requireNonNull(url, "url");
            String scheme = url.getScheme();
            if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
                throw new IllegalArgumentException("an MCP endpoint must be an absolute http(s) URL: " + url);
            }
            headers = Map.copyOf(headers);
        }

        /** This endpoint with one more header on every request. */
        public Http header(String name, String value) {
            var all = new java.util.LinkedHashMap<>(headers);
            all.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return new Http(url, all, oauth);
        }

        /** This endpoint authorized with OAuth 2.1 as the MCP authorization spec describes (see {@link McpOAuth}). */
        public Http oauth(McpOAuth oauth) {
            return new Http(url, headers, java.util.Objects.requireNonNull(oauth, "oauth"));
        }
    }
}
