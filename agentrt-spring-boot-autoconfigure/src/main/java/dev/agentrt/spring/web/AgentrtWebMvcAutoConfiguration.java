package dev.agentrt.spring.web;

import dev.agentrt.core.Agent;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Serves the application's {@link Agent} bean's runs as server-sent events in a Spring MVC (servlet) application
 * ({@link AgentRunsWebMvcController}), when {@code agentrt.web.enabled=true}. The agent must have a run store; the
 * application fails to start, naming the property, when it has none.
 */
@AutoConfiguration(afterName = "dev.agentrt.spring.AgentrtAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({DispatcherServlet.class, SseEmitter.class, Agent.class})
@ConditionalOnBooleanProperty("agentrt.web.enabled")
@EnableConfigurationProperties(AgentrtWebProperties.class)
public class AgentrtWebMvcAutoConfiguration {
    @Bean
    @ConditionalOnMissingBean
    AgentRuns agentrtWebRuns(Agent agent, AgentrtWebProperties properties) {
        return new AgentRuns(agent, properties);
    }

    @Bean
    @ConditionalOnMissingBean
    AgentRunsWebMvcController agentRunsWebMvcController(AgentRuns runs) {
        return new AgentRunsWebMvcController(runs);
    }
}
