package dev.agentrt.spring.web;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.security.Principal;

/** The endpoint in a Spring MVC application on Tomcat, under a base path of its own. */
class AgentRunsWebMvcHttpTest extends AgentRunsHttpContract {
    @Override
    ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(TestAgentConfiguration.class, ServletApplication.class)
                .web(WebApplicationType.SERVLET)
                .properties(properties)
                .run();
    }

    @Override
    String path() {
        return "/api/agent";
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({JacksonAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class,
            TomcatServletWebServerAutoConfiguration.class, DispatcherServletAutoConfiguration.class,
            WebMvcAutoConfiguration.class, AgentrtWebFluxAutoConfiguration.class,
            AgentrtWebMvcAutoConfiguration.class})
    static class ServletApplication {
        /** Authenticates a request as the user its test header names. */
        @Bean
        Filter testUsers() {
            return (request, response, chain) -> {
                var http = (HttpServletRequest) request;
                String user = http.getHeader(TestUsers.HEADER);
                if (user == null) {
                    chain.doFilter(request, response);
                    return;
                }
                Principal principal = () -> user;
                chain.doFilter(new HttpServletRequestWrapper(http) {
                    @Override
                    public Principal getUserPrincipal() {
                        return principal;
                    }
                }, response);
            };
        }
    }
}
