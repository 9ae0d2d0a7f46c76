package dev.agentrt.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.run.RunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** Every condition of {@link AgentrtApprovalsAutoConfiguration}. */
class AgentrtApprovalsAutoConfigurationTest {
    static final String EXPOSED = "management.endpoints.web.exposure.include=health," + AgentrtApprovalsEndpoint.ID;

    @TempDir
    Path dir;

    ReactiveWebApplicationContextRunner runner() {
        return new ReactiveWebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AgentrtApprovalsAutoConfiguration.class));
    }

    ReactiveWebApplicationContextRunner withAgentAndStore() {
        return runner().withBean(RunStore.class, () -> RunStore.open(dir.resolve("runs.db")))
                .withBean(Agent.class, () -> Fixtures.agent(RunStore.open(dir.resolve("agent.db")),
                        new AtomicInteger(), event -> {}));
    }

    @Test
    void withSpringSecurityAnAgentAStoreAndExposureTheEndpointIsThere() {
        withAgentAndStore().withPropertyValues(EXPOSED)
                .run(context -> assertThat(context).hasSingleBean(AgentrtApprovalsEndpoint.class));
    }

    @Test
    void withoutSpringSecurityThereIsNoEndpointEvenWhenExposed() {
        withAgentAndStore().withPropertyValues(EXPOSED)
                .withClassLoader(new FilteredClassLoader("org.springframework.security"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(AgentrtApprovalsEndpoint.class));
    }

    @Test
    void withoutActuatorThereIsNoEndpoint() {
        withAgentAndStore().withPropertyValues(EXPOSED)
                .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(AgentrtApprovalsEndpoint.class));
    }

    @Test
    void unexposedOrWithoutAccessThereIsNoEndpoint() {
        withAgentAndStore().run(context -> assertThat(context).doesNotHaveBean(AgentrtApprovalsEndpoint.class));
        withAgentAndStore().withPropertyValues(EXPOSED, "management.endpoint." + AgentrtApprovalsEndpoint.ID
                + ".access=NONE")
                .run(context -> assertThat(context).doesNotHaveBean(AgentrtApprovalsEndpoint.class));
    }

    @Test
    void withoutARunStoreOrWithoutAnAgentThereIsNoEndpoint() {
        runner().withPropertyValues(EXPOSED)
                .withBean(Agent.class, () -> Agent.builder().model(Fixtures.paymentModel()).build())
                .run(context -> assertThat(context).doesNotHaveBean(AgentrtApprovalsEndpoint.class));
        runner().withPropertyValues(EXPOSED)
                .withBean(RunStore.class, () -> RunStore.open(dir.resolve("runs.db")))
                .run(context -> assertThat(context).doesNotHaveBean(AgentrtApprovalsEndpoint.class));
    }

    @Test
    void anEndpointOfTheApplicationsOwnReplacesOurs() {
        var own = new AgentrtApprovalsEndpoint(Agent.builder().model(Fixtures.paymentModel()).build(),
                new AgentrtActuatorProperties.Approvals());
        withAgentAndStore().withPropertyValues(EXPOSED)
                .withBean("mine", AgentrtApprovalsEndpoint.class, () -> own)
                .run(context -> assertThat(context.getBean(AgentrtApprovalsEndpoint.class)).isSameAs(own));
    }

    @Test
    void aRoleWithThePrefixFailsTheStartNamingTheProperty() {
        withAgentAndStore().withPropertyValues(EXPOSED, "agentrt.actuator.approvals.role=ROLE_APPROVER")
                .run(context -> assertThat(context).hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("agentrt.actuator.approvals.role"));
    }
}
