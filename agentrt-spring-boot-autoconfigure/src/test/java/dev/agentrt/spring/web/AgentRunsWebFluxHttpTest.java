package dev.agentrt.spring.web;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.HttpHandlerAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

import java.security.Principal;

/** The endpoint in a WebFlux application on Reactor Netty. */
class AgentRunsWebFluxHttpTest extends AgentRunsHttpContract {
    @Override
    ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(TestAgentConfiguration.class, ReactiveApplication.class)
                .web(WebApplicationType.REACTIVE)
                .properties(properties)
                .run();
    }

    @Override
    String path() {
        return "/agentrt";
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({JacksonAutoConfiguration.class, CodecsAutoConfiguration.class,
            NettyReactiveWebServerAutoConfiguration.class, HttpHandlerAutoConfiguration.class,
            WebFluxAutoConfiguration.class, AgentrtWebFluxAutoConfiguration.class,
            AgentrtWebMvcAutoConfiguration.class})
    static class ReactiveApplication {
        /** Authenticates a request as the user its test header names. */
        @Bean
        WebFilter testUsers() {
            return (exchange, chain) -> {
                String user = exchange.getRequest().getHeaders().getFirst(TestUsers.HEADER);
                if (user == null) {
                    return chain.filter(exchange);
                }
                Principal principal = () -> user;
                return chain.filter(exchange.mutate().principal(Mono.just(principal)).build());
            };
        }
    }
}
