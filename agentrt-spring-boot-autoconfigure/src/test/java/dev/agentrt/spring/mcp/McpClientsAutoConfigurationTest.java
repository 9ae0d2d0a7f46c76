package dev.agentrt.spring.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.core.tool.ToolSource;
import dev.agentrt.tools.mcp.McpHttpOptions;
import dev.agentrt.tools.mcp.McpHttpServer;
import dev.agentrt.tools.mcp.McpServer;
import dev.agentrt.tools.mcp.McpTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code agentrt.mcp.clients.*}: each entry a connected {@link McpTools} bean, against real MCP
 * servers (a child JVM over stdio, agentrt's JDK HTTP server over streamable HTTP). Timeouts are hang
 * guards only.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class McpClientsAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AgentrtMcpAutoConfiguration.class));

    private static String[] stdioClient(String name, String... more) {
        var props = new ArrayList<String>();
        List<String> command = TestTools.childJvm();
        props.add("agentrt.mcp.clients." + name + ".command=" + command.getFirst());
        for (int i = 1; i < command.size(); i++) {
            props.add("agentrt.mcp.clients." + name + ".args[" + (i - 1) + "]=" + command.get(i));
        }
        props.add("agentrt.mcp.clients." + name + ".connect-timeout=120s");
        props.addAll(List.of(more));
        return props.toArray(String[]::new);
    }

    @Test
    void withoutClientsThereIsNoConnectionAndNoServer() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(McpTools.class);
            assertThat(context).doesNotHaveBean(dev.agentrt.tools.mcp.McpHttpHandler.class);
            assertThat(context).hasSingleBean(AgentrtMcpProperties.class);
        });
    }

    @Test
    void aStdioClientFromPropertiesIsAConnectedToolSourceBeanClosedWithTheContext() throws Exception {
        long[] pid = new long[1];
        runner.withPropertyValues(stdioClient("local", "agentrt.mcp.clients.local.allowed-tools=echo,lookup"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    McpTools tools = context.getBean(McpTools.class);
                    assertThat(context.getBeansOfType(ToolSource.class)).containsValue(tools);
                    assertThat(tools.server()).isEqualTo("local");
                    assertThat(tools.tools()).extracting(t -> t.spec().name()).containsExactly("echo", "lookup");
                    assertThat(tools.pid()).isPresent();
                    pid[0] = tools.pid().getAsLong();
                    var registry = ToolRegistry.of(tools.tools());
                    // Connecting grants nothing: without McpTools.capability("local") the call is refused.
                    ToolResult refused = registry
                            .execute(new ToolCall("1", "echo", "{\"text\":\"hi\"}"),
                                    ToolExecution.of("t", Principal.ANONYMOUS, Grants.none()))
                            .block(Duration.ofSeconds(60));
                    assertThat(refused.isError()).isTrue();
                    assertThat(refused.content()).contains("mcp:local");
                    ToolResult echo = registry
                            .execute(new ToolCall("2", "echo", "{\"text\":\"hi\"}"),
                                    ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(McpTools.capability("local"))))
                            .block(Duration.ofSeconds(60));
                    assertThat(echo.content()).isEqualTo("echo: hi");
                });
        // The context closed: the server process is gone.
        ProcessHandle.of(pid[0]).ifPresent(p -> p.onExit().join());
        assertThat(ProcessHandle.of(pid[0]).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
    }

    @Test
    void anHttpClientSendsHeadersWhoseSecretsComeFromSpringProperties() {
        McpServer server = McpServer.expose(TestTools.all(), Grants.of(Capability.custom("crm")));
        try (McpHttpServer http = server.serveHttp(McpHttpOptions.defaults().bearerTokens("s3cret"::equals))) {
            runner.withPropertyValues("crm.token=s3cret", "agentrt.mcp.clients.remote.url=" + http.url(),
                    "agentrt.mcp.clients.remote.headers.Authorization=Bearer ${crm.token}",
                    "agentrt.mcp.clients.remote.prefix-names=true").run(context -> {
                        assertThat(context).hasNotFailed();
                        McpTools tools = context.getBean(McpTools.class);
                        assertThat(tools.tools()).extracting(t -> t.spec().name())
                                .containsExactly("remote_echo", "remote_refund", "remote_lookup");
                        ToolResult lookup = ToolRegistry.of(tools.tools())
                                .execute(new ToolCall("1", "remote_lookup", "{}"), ToolExecution.of("t",
                                        Principal.ANONYMOUS, Grants.of(McpTools.capability("remote"))))
                                .block(Duration.ofSeconds(60));
                        assertThat(lookup.content()).isEqualTo("customer 42");
                    });
            // The wrong secret: the server refuses, the start fails naming the connection's property.
            runner.withPropertyValues("agentrt.mcp.clients.remote.url=" + http.url(),
                    "agentrt.mcp.clients.remote.headers.Authorization=Bearer guess").run(context -> {
                        assertThat(context).hasFailed();
                        assertThat(context.getStartupFailure()).rootCause().isNotNull();
                        assertThat(messages(context.getStartupFailure())).contains("agentrt.mcp.clients.remote");
                    });
        }
    }

    @Test
    void aRequiredConnectionThatFailsFailsTheStartNamingTheProperty() {
        runner.withPropertyValues("agentrt.mcp.clients.broken.command=/nonexistent/mcp-server-binary",
                "agentrt.mcp.clients.broken.reconnect=false").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure())).contains("agentrt.mcp.clients.broken")
                            .contains("required=false");
                });
    }

    @Test
    void anOptionalConnectionThatFailsIsLoggedAndLeftOut() {
        runner.withPropertyValues("agentrt.mcp.clients.broken.command=/nonexistent/mcp-server-binary",
                "agentrt.mcp.clients.broken.required=false").run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBeansOfType(McpTools.class)).isEmpty();
                    assertThat(context.getBeanProvider(ToolSource.class).orderedStream().toList()).isEmpty();
                });
    }

    @Test
    void aConnectionNeedsExactlyOneOfCommandAndUrlWhateverRequiredSays() {
        runner.withPropertyValues("agentrt.mcp.clients.none.required=false").run(context -> {
            assertThat(context).hasFailed();
            assertThat(messages(context.getStartupFailure())).contains("agentrt.mcp.clients.none.command")
                    .contains("agentrt.mcp.clients.none.url");
        });
        runner.withPropertyValues("agentrt.mcp.clients.both.command=node",
                "agentrt.mcp.clients.both.url=http://127.0.0.1:1/mcp").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure())).contains("not both");
                });
        runner.withPropertyValues("agentrt.mcp.clients.web.url=ftp://127.0.0.1/mcp").run(context -> {
            assertThat(context).hasFailed();
            assertThat(messages(context.getStartupFailure())).contains("agentrt.mcp.clients.web")
                    .contains("http(s)");
        });
        runner.withPropertyValues("agentrt.mcp.clients.web.url=http://127.0.0.1:1/mcp",
                "agentrt.mcp.clients.web.args=x").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure())).contains("agentrt.mcp.clients.web.args");
                });
        runner.withPropertyValues("agentrt.mcp.clients[bad.name].command=node").run(context -> {
            assertThat(context).hasFailed();
            assertThat(messages(context.getStartupFailure())).contains("agentrt.mcp.clients.bad.name")
                    .contains("server name");
        });
    }

    @Test
    void withoutAgentToolsOnTheClassPathNothingIsConfigured() {
        runner.withClassLoader(new FilteredClassLoader(McpTools.class))
                .withPropertyValues("agentrt.mcp.clients.broken.command=/nonexistent/mcp-server-binary",
                        "agentrt.mcp.server.enabled=true")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(AgentrtMcpProperties.class);
                    assertThat(context.getBeanDefinitionNames()).noneMatch(n -> n.startsWith("mcpTools-"));
                });
    }

    /** Every message of the cause chain, so an assertion can find the property wherever Spring wrapped it. */
    static String messages(Throwable failure) {
        var all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
