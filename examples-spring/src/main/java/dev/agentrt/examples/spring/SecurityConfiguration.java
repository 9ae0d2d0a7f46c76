package dev.agentrt.examples.spring;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.web.server.SecurityWebFilterChain;

/**
 * Who may decide refunds: the starter's Actuator endpoint for runs awaiting approval
 * ({@code /actuator/agentrtapprovals}) exists only with Spring Security, and answers only a user with the role
 * {@code AGENTRT_APPROVER}. Here that is the user {@code support.approver.name} (HTTP Basic, password
 * {@code support.approver.password}); the customers' endpoints, the agent's event stream and health stay open, as a
 * support desk's front end would call them. Authentication is HTTP Basic only, with no session cookie for a
 * forged request to ride on, so CSRF tokens are off (Boot's default chain would refuse a Basic {@code POST} without
 * one).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {
    @Bean
    MapReactiveUserDetailsService users(@Value("${support.approver.name}") String approver,
            @Value("${support.approver.password}") String password) {
        return new MapReactiveUserDetailsService(User.withUsername(approver)
                .password("{noop}" + password)
                .roles("AGENTRT_APPROVER")
                .build());
    }

    @Bean
    SecurityWebFilterChain security(ServerHttpSecurity http) {
        return http.authorizeExchange(exchanges -> exchanges.pathMatchers("/actuator/agentrtapprovals/**")
                .authenticated()
                .anyExchange()
                .permitAll())
                .httpBasic(Customizer.withDefaults())
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .build();
    }
}
