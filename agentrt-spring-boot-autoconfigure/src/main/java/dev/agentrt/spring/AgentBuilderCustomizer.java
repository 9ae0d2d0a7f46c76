package dev.agentrt.spring;

import dev.agentrt.core.Agent;

/**
 * Tweaks the {@link Agent.Builder} bean after the auto-configuration has set it up from {@code agentrt.*}
 * properties and the context's beans: tools, grants, approvals, a budget, anything the builder takes. Every
 * customizer bean is applied to every builder the context makes, in their {@code @Order} (or {@code Ordered})
 * order, so also to the {@code Agent} bean built from one.
 *
 * <pre>{@code
 * @Bean
 * AgentBuilderCustomizer researchAgent(WebBrowser browser) {
 *     return builder -> builder.tools(browser).grant(Capability.net("docs.oracle.com")).maxSteps(20);
 * }
 * }</pre>
 *
 * <p>Called on the thread that asks the context for the builder; must not block for long.
 */
@FunctionalInterface
public interface AgentBuilderCustomizer {
    void customize(Agent.Builder builder);
}
