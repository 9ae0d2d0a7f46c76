package dev.agentrt.spring.actuate;

import dev.agentrt.core.Agent;
import dev.agentrt.core.run.RunStore;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The {@link AgentrtApprovalsEndpoint} ({@code /actuator/agentrtapprovals}), which lists the runs awaiting approval
 * and approves or denies their calls, when all of these hold:
 * <ul>
 * <li>Spring Security is on the class path ({@code org.springframework.security.core.Authentication}). Without it
 *     there is no endpoint bean at all, even when {@code management.endpoints.web.exposure.include} names it: an
 *     approval is an authorisation, and nothing would tell who gave it.</li>
 * <li>The application has one {@code Agent} bean and a {@code RunStore} bean (runs can wait for a person only in a
 *     store).</li>
 * <li>The endpoint is available as Actuator decides it: its access ({@code management.endpoint.agentrtapprovals.access},
 *     unrestricted by default) and its exposure ({@code management.endpoints.web.exposure.include=agentrtapprovals};
 *     Actuator exposes only {@code health} over the web by default).</li>
 * </ul>
 *
 * <p>Each operation requires an authenticated principal with the role {@code agentrt.actuator.approvals.role}
 * (default {@code AGENTRT_APPROVER}); the endpoint checks it itself. No {@code SecurityWebFilterChain} or
 * {@code SecurityFilterChain} is contributed, because Boot's default chains back off as soon as any chain bean
 * exists, which would leave the rest of the application less protected than before. Authentication is the
 * application's chain's: Boot's default one (HTTP Basic, form login) authenticates Actuator requests; its CSRF
 * protection refuses a {@code POST} without a token, so an application that decides through HTTP Basic turns CSRF
 * off for the Actuator paths in its own chain ({@code EndpointRequest.to(AgentrtApprovalsEndpoint.class)}).
 */
@AutoConfiguration(afterName = "dev.agentrt.spring.AgentrtAutoConfiguration")
@ConditionalOnClass(value = Endpoint.class, name = "org.springframework.security.core.Authentication")
@EnableConfigurationProperties(AgentrtActuatorProperties.class)
public final class AgentrtApprovalsAutoConfiguration {
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    @ConditionalOnSingleCandidate(Agent.class)
    @ConditionalOnBean(RunStore.class)
    AgentrtApprovalsEndpoint agentrtApprovalsEndpoint(Agent agent, AgentrtActuatorProperties properties) {
        return new AgentrtApprovalsEndpoint(agent, properties.getApprovals());
    }
}
