package dev.agentrt.spring.actuate;

import dev.agentrt.core.Agent;
import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.run.RunStore;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ResourceLoader;

/**
 * Health indicators for agentrt, with spring-boot-health on the class path, each a reactive indicator that never
 * blocks an event loop, and each off with its {@code management.health.<name>.enabled=false} (or
 * {@code management.health.defaults.enabled=false}), as Boot's own:
 *
 * <table>
 * <caption>Indicators</caption>
 * <tr><th>health key</th><th>property name</th><th>when</th><th>checks</th></tr>
 * <tr><td>{@code agentrtModel}</td><td>{@code agentrt-model}</td><td>one {@code Agent} bean</td>
 *     <td>the agent's model: {@code ChatModel.reachability()}, a free model list (never a paid call)</td></tr>
 * <tr><td>{@code agentrtMemory}</td><td>{@code agentrt-memory}</td><td>one {@code Memory} bean</td>
 *     <td>a {@code VectorMemory}'s store size; UNKNOWN for another memory</td></tr>
 * <tr><td>{@code agentrtRunStore}</td><td>{@code agentrt-run-store}</td><td>one {@code RunStore} bean</td>
 *     <td>{@code RunStore.size()}</td></tr>
 * </table>
 *
 * <p>An application replaces one by defining a bean of the same name.
 */
@AutoConfiguration(afterName = "dev.agentrt.spring.AgentrtAutoConfiguration")
@ConditionalOnClass(ReactiveHealthIndicator.class)
@EnableConfigurationProperties(AgentrtActuatorProperties.class)
public final class AgentrtHealthAutoConfiguration {
    /** The model's reachability, bounded by {@code agentrt.actuator.health.model-timeout}. */
    @Bean
    @ConditionalOnEnabledHealthIndicator("agentrt-model")
    @ConditionalOnSingleCandidate(Agent.class)
    @ConditionalOnMissingBean(name = "agentrtModelHealthIndicator")
    ReactiveHealthIndicator agentrtModelHealthIndicator(Agent agent, AgentrtActuatorProperties properties) {
        AgentrtActuatorProperties.Health health = properties.getHealth();
        return new ModelHealthIndicator(agent.model(), health.getModelTimeout(), health.getModelCacheTime());
    }

    /** The memory store's size. */
    @Bean
    @ConditionalOnEnabledHealthIndicator("agentrt-memory")
    @ConditionalOnSingleCandidate(Memory.class)
    @ConditionalOnMissingBean(name = "agentrtMemoryHealthIndicator")
    ReactiveHealthIndicator agentrtMemoryHealthIndicator(Memory memory, ResourceLoader resources) {
        return new MemoryHealthIndicator(memory, resources.getClassLoader());
    }

    /** The run store's size. */
    @Bean
    @ConditionalOnEnabledHealthIndicator("agentrt-run-store")
    @ConditionalOnSingleCandidate(RunStore.class)
    @ConditionalOnMissingBean(name = "agentrtRunStoreHealthIndicator")
    ReactiveHealthIndicator agentrtRunStoreHealthIndicator(RunStore store) {
        return new RunStoreHealthIndicator(store);
    }
}
