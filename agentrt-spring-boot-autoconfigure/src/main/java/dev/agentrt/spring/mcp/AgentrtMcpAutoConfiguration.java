package dev.agentrt.spring.mcp;

import dev.agentrt.core.tool.ServerTelemetry;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolSource;
import dev.agentrt.tools.ToolMethod;
import dev.agentrt.tools.Tools;
import dev.agentrt.tools.mcp.McpHttpHandler;
import dev.agentrt.tools.mcp.McpHttpOptions;
import dev.agentrt.tools.mcp.McpServer;
import dev.agentrt.tools.mcp.McpTools;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.util.ClassUtils;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * MCP from properties: a {@link McpTools} bean per {@code agentrt.mcp.clients.<name>} (connected at
 * start, closed with the context; see {@link AgentrtMcpProperties.Client}), and with {@code
 * agentrt.mcp.server.enabled=true} an {@link McpHttpHandler} mounted at {@code agentrt.mcp.server.path}
 * on the application's WebFlux or MVC server.
 *
 * <p>Grants: a connected server's tools are offered to agents (the {@code Agent.Builder} bean adds
 * every {@code ToolSource} bean) but an agent calls them only when the application grants {@code
 * McpTools.capability("<name>")}. The served tools are the application's {@link McpServer} bean, or
 * else its {@link Tool}, {@link ToolSource} and {@link ToolMethod @ToolMethod} beans (not the MCP
 * client connections: another server's tools are not re-exported) under its {@link McpServerGrants}
 * bean; without one, no tools are served and the log says why.
 */
@AutoConfiguration(afterName = "dev.agentrt.spring.AgentrtAutoConfiguration")
@ConditionalOnClass(McpTools.class)
@EnableConfigurationProperties(AgentrtMcpProperties.class)
@Import(McpClientsRegistrar.class)
public class AgentrtMcpAutoConfiguration {
    private static final Logger log = LoggerFactory.getLogger(AgentrtMcpAutoConfiguration.class);

    /** The MCP server on the application's HTTP server. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "agentrt.mcp.server", name = "enabled", havingValue = "true")
    static class ServerConfiguration {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        McpHttpHandler agentrtMcpHttpHandler(AgentrtMcpProperties properties, ObjectProvider<McpServer> servers,
                ObjectProvider<McpServerGrants> grants, ObjectProvider<McpHttpOptions.BearerTokenValidator> tokens,
                ObjectProvider<ServerTelemetry> telemetry, ConfigurableListableBeanFactory beans) {
            AgentrtMcpProperties.Server settings = properties.getServer();
            McpHttpOptions options;
            try {
                options = McpHttpOptions.defaults()
                        .path(settings.getPath())
                        .allowOrigin(settings.getAllowedOrigins().toArray(String[]::new))
                        .stateless(settings.isStateless())
                        .maxRequestBytes(settings.getMaxRequestBytes())
                        .maxSessions(settings.getMaxSessions());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("agentrt.mcp.server: " + e.getMessage(), e);
            }
            McpHttpOptions.@Nullable BearerTokenValidator validator = tokens.getIfUnique();
            if (validator != null) {
                options = options.bearerTokens(validator);
            }
            McpServer server = servers.getIfUnique(() -> collected(settings, grants.getIfUnique(),
                    telemetry.getIfUnique(() -> ServerTelemetry.NONE), beans));
            log.info("agentrt.mcp.server: serving {} MCP tools {} at {}{}", server.tools().size(),
                    server.tools().stream().map(t -> t.name()).toList(), settings.getPath(),
                    validator == null
                            ? " without authentication (define a McpHttpOptions.BearerTokenValidator bean "
                                    + "to require a bearer token)"
                            : "");
            return server.httpHandler(options);
        }

        /** The application's tool beans under its stated grants, or no tools when it stated none. */
        private static McpServer collected(AgentrtMcpProperties.Server settings, @Nullable McpServerGrants grants,
                ServerTelemetry telemetry, ConfigurableListableBeanFactory beans) {
            McpServer.Builder builder;
            if (grants == null) {
                log.warn("agentrt.mcp.server: the application defines neither an McpServer bean nor an "
                        + "McpServerGrants bean, so the MCP server exposes no tools: grants are never inferred. "
                        + "Define McpServerGrants with what the served tools may do (McpServerGrants.none() for "
                        + "tools that need no capability)");
                builder = McpServer.builder(ToolRegistry.empty());
            } else {
                List<Tool> tools = tools(beans);
                try {
                    builder = McpServer.builder(tools).grants(grants.grants());
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("agentrt.mcp.server: the application's tools cannot be served: "
                            + e.getMessage(), e);
                }
                log.info("agentrt.mcp.server: the served tools run under the grants {} (McpServerGrants)",
                        grants.grants());
            }
            return builder.name(settings.getName())
                    .version(settings.getVersion())
                    .timeout(settings.getCallTimeout())
                    .telemetry(telemetry)
                    .build();
        }

        /** Tool and ToolSource beans (but MCP connections) and the @ToolMethod methods of singleton beans. */
        private static List<Tool> tools(ConfigurableListableBeanFactory beans) {
            Set<Tool> tools = new LinkedHashSet<>();
            for (ToolSource source : beans.getBeanProvider(ToolSource.class).orderedStream().toList()) {
                if (!(source instanceof McpTools)) {
                    tools.addAll(source.tools());
                }
            }
            for (String name : beans.getBeanDefinitionNames()) {
                BeanDefinition definition = beans.getBeanDefinition(name);
                if (!definition.isSingleton() || definition.isAbstract()) {
                    continue;
                }
                Class<?> type = beans.getType(name, false);
                if (type != null && hasToolMethods(ClassUtils.getUserClass(type))) {
                    tools.addAll(Tools.from(beans.getBean(name)));
                }
            }
            return new ArrayList<>(tools);
        }

        private static boolean hasToolMethods(Class<?> type) {
            for (Method m : type.getMethods()) {
                if (m.isAnnotationPresent(ToolMethod.class)) {
                    return true;
                }
            }
            return false;
        }

        @Configuration(proxyBeanMethods = false)
        @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
        @ConditionalOnClass(org.springframework.web.reactive.function.server.RouterFunction.class)
        static class WebFlux {
            @Bean
            org.springframework.web.reactive.function.server.RouterFunction<org.springframework.web.reactive.function.server.ServerResponse> agentrtMcpWebFluxRoutes(
                    McpHttpHandler handler) {
                return McpWebFlux.routes(handler);
            }
        }

        @Configuration(proxyBeanMethods = false)
        @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
        @ConditionalOnClass(org.springframework.web.servlet.function.RouterFunction.class)
        static class WebMvc {
            @Bean
            org.springframework.web.servlet.function.RouterFunction<org.springframework.web.servlet.function.ServerResponse> agentrtMcpWebMvcRoutes(
                    McpHttpHandler handler) {
                return McpWebMvc.routes(handler);
            }
        }
    }
}
