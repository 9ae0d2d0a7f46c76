package dev.agentrt.spring.mcp;

import dev.agentrt.spring.mcp.AgentrtMcpProperties.Client;
import dev.agentrt.tools.mcp.McpTools;
import dev.agentrt.tools.mcp.McpTransportSpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

import java.util.Map;
import java.util.Objects;

/**
 * Registers one {@link McpTools} bean, {@code mcpTools-<name>}, per {@code agentrt.mcp.clients.<name>}.
 * Each connects when the context creates it (at start) and closes with the context. A connection
 * that fails fails the start with a message naming the property, unless {@code required=false}: then
 * it is logged and the bean is null (left out of every collection of {@code ToolSource} beans). A
 * configuration error (neither or both of command and url, a bad name) always fails.
 */
final class McpClientsRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {
    private static final Logger log = LoggerFactory.getLogger(McpClientsRegistrar.class);
    static final String PREFIX = "agentrt.mcp.clients";

    private @Nullable Environment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        Map<String, Client> clients = Binder.get(Objects.requireNonNull(environment, "environment"))
                .bind(PREFIX, Bindable.mapOf(String.class, Client.class))
                .orElse(Map.of());
        clients.forEach((name, client) -> {
            var definition = new RootBeanDefinition(McpTools.class, () -> connect(name, client));
            definition.setDestroyMethodName("close");
            registry.registerBeanDefinition("mcpTools-" + name, definition);
        });
    }

    /** The connected server, or null when a connection that is not required failed. */
    static @Nullable McpTools connect(String name, Client client) {
        String property = PREFIX + "." + name;
        McpTools.Builder builder;
        try {
            builder = McpTools.builder(name, transport(property, client))
                    .prefixNames(client.isPrefixNames())
                    .callTimeout(client.getCallTimeout())
                    .connectTimeout(client.getConnectTimeout())
                    .reconnect(client.isReconnect())
                    .acceptToolChanges(client.isAcceptToolChanges())
                    .roots(client.getRoots().toArray(java.nio.file.Path[]::new));
            if (!client.getAllowedTools().isEmpty()) {
                builder.allowTools(client.getAllowedTools());
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalStateException(property + ": " + e.getMessage(), e);
        }
        try {
            McpTools tools = Objects.requireNonNull(builder.connect().block(), "no connection");
            log.info("{}: connected to MCP server '{}' ({} tools: {}); agents call them only when granted "
                    + "McpTools.capability(\"{}\")", property, name, tools.tools().size(),
                    tools.tools().stream().map(t -> t.spec().name()).toList(), name);
            return tools;
        } catch (RuntimeException e) {
            if (client.isRequired()) {
                throw new IllegalStateException(property + ": " + e.getMessage() + " (set " + property
                        + ".required=false to start without it)", e);
            }
            log.warn("{}: {}; starting without its tools ({}.required=false)", property, e.getMessage(), property);
            return null;
        }
    }

    private static McpTransportSpec transport(String property, Client client) {
        String command = client.getCommand();
        String url = client.getUrl();
        if (command != null && url != null) {
            throw new IllegalArgumentException("set either " + property + ".command (a subprocess over stdio) or "
                    + property + ".url (streamable HTTP), not both");
        }
        if (command != null) {
            if (!client.getHeaders().isEmpty()) {
                throw new IllegalArgumentException(property + ".headers are for HTTP; a stdio server takes env");
            }
            McpTransportSpec.Stdio stdio = McpTransportSpec.stdio(command, client.getArgs(), client.getEnv());
            return client.getWorkingDirectory() == null ? stdio : stdio.inDirectory(client.getWorkingDirectory());
        }
        if (url != null) {
            if (!client.getArgs().isEmpty() || !client.getEnv().isEmpty() || client.getWorkingDirectory() != null) {
                throw new IllegalArgumentException(property + ".args, .env and .working-directory are for a "
                        + "subprocess; an HTTP server takes headers");
            }
            McpTransportSpec.Http http = McpTransportSpec.http(url);
            for (Map.Entry<String, String> header : client.getHeaders().entrySet()) {
                http = http.header(header.getKey(), header.getValue());
            }
            return http;
        }
        throw new IllegalArgumentException(
                "set " + property + ".command (a subprocess over stdio) or " + property + ".url (streamable HTTP)");
    }
}
