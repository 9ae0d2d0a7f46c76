package dev.agentrt.spring.mcp;

import static dev.agentrt.spring.mcp.McpClientsAutoConfigurationTest.messages;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolSource;
import dev.agentrt.tools.Param;
import dev.agentrt.tools.ToolMethod;
import dev.agentrt.tools.mcp.McpHttpHandler;
import dev.agentrt.tools.mcp.McpServer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Flux;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code agentrt.mcp.server.*}: when the endpoint exists, where it is mounted, and which tools it
 * serves under which grants. The tools are checked through the handler itself (stateless requests),
 * the HTTP side in {@link McpServerOverHttpTest}.
 */
class McpServerAutoConfigurationTest {
    private final ReactiveWebApplicationContextRunner reactive = new ReactiveWebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AgentrtMcpAutoConfiguration.class));

    @Test
    void offByDefault() {
        reactive.withUserConfiguration(ToolBeans.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(McpHttpHandler.class);
            assertThat(context).doesNotHaveBean(org.springframework.web.reactive.function.server.RouterFunction.class);
        });
        reactive.withPropertyValues("agentrt.mcp.server.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(McpHttpHandler.class);
        });
    }

    @Test
    void onWebFluxTheEndpointIsARouterFunction() {
        reactive.withPropertyValues("agentrt.mcp.server.enabled=true").run(context -> {
            assertThat(context).hasSingleBean(McpHttpHandler.class);
            assertThat(context.getBean(McpHttpHandler.class).path()).isEqualTo("/mcp");
            assertThat(context).hasBean("agentrtMcpWebFluxRoutes");
            assertThat(context).doesNotHaveBean("agentrtMcpWebMvcRoutes");
        });
    }

    @Test
    void onMvcTheEndpointIsAnMvcRouterFunction() {
        new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(AgentrtMcpAutoConfiguration.class))
                .withPropertyValues("agentrt.mcp.server.enabled=true", "agentrt.mcp.server.path=/tools/mcp")
                .run(context -> {
                    assertThat(context).hasSingleBean(McpHttpHandler.class);
                    assertThat(context.getBean(McpHttpHandler.class).path()).isEqualTo("/tools/mcp");
                    assertThat(context).hasBean("agentrtMcpWebMvcRoutes");
                    assertThat(context).doesNotHaveBean("agentrtMcpWebFluxRoutes");
                });
    }

    @Test
    void withoutWebFluxOnTheClassPathNothingIsMountedOnAReactiveServer() {
        reactive.withClassLoader(
                new FilteredClassLoader(org.springframework.web.reactive.function.server.RouterFunction.class))
                .withPropertyValues("agentrt.mcp.server.enabled=true")
                .run(context -> assertThat(context).doesNotHaveBean("agentrtMcpWebFluxRoutes"));
    }

    @Test
    void outsideAWebApplicationThereIsAHandlerButNoRoute() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(AgentrtMcpAutoConfiguration.class))
                .withPropertyValues("agentrt.mcp.server.enabled=true")
                .run(context -> {
                    assertThat(context).hasSingleBean(McpHttpHandler.class);
                    assertThat(context).doesNotHaveBean("agentrtMcpWebFluxRoutes");
                    assertThat(context).doesNotHaveBean("agentrtMcpWebMvcRoutes");
                });
    }

    @Test
    void withoutStatedGrantsTheServerExposesNoTools() {
        reactive.withUserConfiguration(ToolBeans.class)
                .withPropertyValues("agentrt.mcp.server.enabled=true", "agentrt.mcp.server.stateless=true")
                .run(context -> assertThat(toolNames(context.getBean(McpHttpHandler.class))).isEmpty());
    }

    @Test
    void withStatedGrantsItServesTheToolAndToolMethodBeansUnderThem() {
        reactive.withUserConfiguration(ToolBeans.class, StatedGrants.class)
                .withPropertyValues("agentrt.mcp.server.enabled=true", "agentrt.mcp.server.stateless=true",
                        "agentrt.mcp.server.name=shop")
                .run(context -> {
                    McpHttpHandler handler = context.getBean(McpHttpHandler.class);
                    assertThat(toolNames(handler)).containsExactlyInAnyOrder("echo", "refund", "lookup", "greet");
                    assertThat(callText(handler, "lookup", "{}")).isEqualTo("customer 42");
                    assertThat(callText(handler, "greet", "{\"name\":\"Ada\"}")).isEqualTo("Hello, Ada");
                    // payments:refund was not granted.
                    assertThat(callText(handler, "refund", "{}")).contains("payments:refund");
                });
    }

    @Test
    void theApplicationsOwnMcpServerBeanIsServedAsItIs() {
        reactive.withUserConfiguration(ToolBeans.class, StatedGrants.class, OwnServer.class)
                .withPropertyValues("agentrt.mcp.server.enabled=true", "agentrt.mcp.server.stateless=true")
                .run(context -> assertThat(toolNames(context.getBean(McpHttpHandler.class)))
                        .containsExactly("echo"));
    }

    @Test
    void closingTheApplicationClosesTheEndpoint() {
        McpHttpHandler[] handler = new McpHttpHandler[1];
        reactive.withUserConfiguration(ToolBeans.class, StatedGrants.class)
                .withPropertyValues("agentrt.mcp.server.enabled=true", "agentrt.mcp.server.stateless=true")
                .run(context -> {
                    handler[0] = context.getBean(McpHttpHandler.class);
                    assertThat(toolNames(handler[0])).isNotEmpty();
                });
        var request = new McpHttpHandler.Request("POST", "/mcp", Map.of("Content-Type", List.of("application/json")),
                Flux.just(ByteBuffer.wrap("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"
                        .getBytes(StandardCharsets.UTF_8))));
        assertThat(handler[0].handle(request).block(Duration.ofSeconds(60)).status()).isEqualTo(503);
    }

    @Test
    void aBadServerPropertyFailsTheStartNamingIt() {
        reactive.withPropertyValues("agentrt.mcp.server.enabled=true", "agentrt.mcp.server.path=mcp")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure())).contains("agentrt.mcp.server")
                            .contains("/mcp");
                });
        reactive.withPropertyValues("agentrt.mcp.server.enabled=true",
                "agentrt.mcp.server.allowed-origins=https://app.example.com/page").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure())).contains("agentrt.mcp.server");
                });
    }

    @Test
    void twoToolsOfTheSameNameFailTheStartNamingTheServer() {
        reactive.withUserConfiguration(ToolBeans.class, StatedGrants.class, DuplicateTool.class)
                .withPropertyValues("agentrt.mcp.server.enabled=true")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure())).contains("agentrt.mcp.server").contains("echo");
                });
    }

    // ---- the handler, spoken to directly

    private static JsonObject post(McpHttpHandler handler, String body) {
        var request = new McpHttpHandler.Request("POST", handler.path(),
                Map.of("Content-Type", List.of("application/json"), "Accept",
                        List.of("application/json, text/event-stream")),
                Flux.just(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8))));
        McpHttpHandler.Response response = handler.handle(request).block(Duration.ofSeconds(60));
        assertThat(response.status()).isEqualTo(200);
        String text = StandardCharsets.UTF_8.decode(response.body().single().block(Duration.ofSeconds(60)))
                .toString();
        return JsonValue.parse(text).asObject().getObject("result").orElseThrow();
    }

    private static List<String> toolNames(McpHttpHandler handler) {
        return post(handler, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{}}").getArray("tools")
                .orElseThrow()
                .items()
                .stream()
                .map(t -> t.asObject().getString("name").orElseThrow())
                .toList();
    }

    private static String callText(McpHttpHandler handler, String tool, String arguments) {
        JsonObject result = post(handler, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}}");
        return result.getArray("content").orElseThrow().items().getFirst().asObject().getString("text").orElseThrow();
    }

    // ---- application configurations

    @Configuration(proxyBeanMethods = false)
    static class ToolBeans {
        @Bean
        Tool echo() {
            return TestTools.echo();
        }

        @Bean
        ToolSource more() {
            return () -> List.of(TestTools.refund(), TestTools.lookup());
        }

        @Bean
        Greeter greeter() {
            return new Greeter();
        }
    }

    public static final class Greeter {
        @ToolMethod("Greets someone")
        public String greet(@Param("who") String name) {
            return "Hello, " + name;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class StatedGrants {
        @Bean
        McpServerGrants mcpServerGrants() {
            return McpServerGrants.of(Capability.custom("crm"));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnServer {
        @Bean
        McpServer mcpServer() {
            return McpServer.expose(List.of(TestTools.echo()), Grants.none());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class DuplicateTool {
        @Bean
        Tool anotherEcho() {
            return Tool.builder("echo")
                    .description("Another tool named echo")
                    .handler((args, ctx) -> reactor.core.publisher.Mono.just(dev.agentrt.core.tool.ToolResult.text("")))
                    .build();
        }
    }
}
