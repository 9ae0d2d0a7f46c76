package dev.agentrt.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.security.Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.AbstractApplicationContextRunner;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.DispatcherHandler;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** When each controller is there: opt-in, one per web stack, and a start that fails naming the property. */
class AgentrtWebAutoConfigurationTest {
    private static final AutoConfigurations WEB = AutoConfigurations.of(AgentrtWebFluxAutoConfiguration.class,
            AgentrtWebMvcAutoConfiguration.class);

    private static final Duration WAIT = Duration.ofMinutes(1);

    @TempDir
    Path dir;

    private <R extends AbstractApplicationContextRunner<R, ?, ?>> R withAgent(R runner) {
        return runner.withConfiguration(WEB)
                .withUserConfiguration(TestAgentConfiguration.class)
                .withPropertyValues("test.runs-db=" + dir.resolve("runs.db"));
    }

    @Test
    void thereIsNoControllerUnlessTheApplicationTurnsItOn() {
        withAgent(new ReactiveWebApplicationContextRunner()).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(AgentRunsWebFluxController.class);
            assertThat(context).doesNotHaveBean(AgentRuns.class);
        });
        withAgent(new WebApplicationContextRunner()).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(AgentRunsWebMvcController.class);
            assertThat(context).doesNotHaveBean(AgentRuns.class);
        });
        withAgent(new ReactiveWebApplicationContextRunner()).withPropertyValues("agentrt.web.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(AgentRunsWebFluxController.class));
    }

    @Test
    void aReactiveApplicationGetsTheWebFluxControllerOnly() {
        withAgent(new ReactiveWebApplicationContextRunner()).withPropertyValues("agentrt.web.enabled=true")
                .run(context -> {
                    assertThat(context).hasSingleBean(AgentRunsWebFluxController.class);
                    assertThat(context).doesNotHaveBean(AgentRunsWebMvcController.class);
                    assertThat(context.getBean(AgentrtWebProperties.class).getPath()).isEqualTo("/agentrt");
                });
    }

    @Test
    void aServletApplicationGetsTheMvcControllerOnly() {
        withAgent(new WebApplicationContextRunner()).withPropertyValues("agentrt.web.enabled=true")
                .run(context -> {
                    assertThat(context).hasSingleBean(AgentRunsWebMvcController.class);
                    assertThat(context).doesNotHaveBean(AgentRunsWebFluxController.class);
                });
    }

    @Test
    void anApplicationThatIsNotAWebApplicationGetsNoController() {
        withAgent(new ApplicationContextRunner()).withPropertyValues("agentrt.web.enabled=true").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(AgentRunsWebFluxController.class);
            assertThat(context).doesNotHaveBean(AgentRunsWebMvcController.class);
        });
    }

    @Test
    void withoutItsWebFrameworkOnTheClassPathAStackGetsNoController() {
        withAgent(new ReactiveWebApplicationContextRunner()).withPropertyValues("agentrt.web.enabled=true")
                .withClassLoader(new FilteredClassLoader(DispatcherHandler.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(AgentRunsWebFluxController.class);
                });
        withAgent(new WebApplicationContextRunner()).withPropertyValues("agentrt.web.enabled=true")
                .withClassLoader(new FilteredClassLoader(DispatcherServlet.class, SseEmitter.class))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(AgentRunsWebMvcController.class);
                });
    }

    @Test
    void theApplicationsOwnControllerReplacesIt() {
        withAgent(new ReactiveWebApplicationContextRunner()).withPropertyValues("agentrt.web.enabled=true")
                .withUserConfiguration(OwnController.class)
                .run(context -> {
                    assertThat(context).hasSingleBean(AgentRunsWebFluxController.class);
                    assertThat(context.getBean(AgentRunsWebFluxController.class))
                            .isSameAs(context.getBean("ownController"));
                });
    }

    @Test
    void anAgentWithoutARunStoreFailsTheStartNamingTheProperty() {
        new ReactiveWebApplicationContextRunner().withConfiguration(WEB)
                .withUserConfiguration(AgentWithoutStore.class)
                .withPropertyValues("agentrt.web.enabled=true")
                .run(context -> assertThat(context).getFailure()
                        .rootCause()
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("agentrt.web.enabled=true needs the Agent bean to have a run store"));
    }

    @Test
    void aSettingOutOfRangeFailsTheStartNamingTheProperty() {
        assertFails("agentrt.web.path=agentrt", "agentrt.web.path must start with '/'");
        assertFails("agentrt.web.path=/agentrt/", "agentrt.web.path must start with '/', not end with '/'");
        assertFails("agentrt.web.path=/", "agentrt.web.path");
        assertFails("agentrt.web.path=/a{b}", "agentrt.web.path");
        assertFails("agentrt.web.path=/a b", "agentrt.web.path");
        assertFails("agentrt.web.heartbeat=0s", "agentrt.web.heartbeat must be a positive duration, was PT0S");
        assertFails("agentrt.web.poll-interval=-1s", "agentrt.web.poll-interval must be a positive duration");
    }

    @Test
    void itsPropertiesAreDescribedForIdes() throws Exception {
        try (var in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).isNotNull();
            var metadata = JsonValue.parse(new String(in.readAllBytes(),
                    StandardCharsets.UTF_8)).asObject();
            var properties = metadata.getArray("properties")
                    .orElseThrow()
                    .items()
                    .stream()
                    .map(v -> v.asObject())
                    .filter(p -> p.getString("name").orElse("").startsWith("agentrt.web."))
                    .toList();
            assertThat(properties).extracting(p -> p.getString("name").orElseThrow())
                    .containsExactlyInAnyOrder("agentrt.web.enabled", "agentrt.web.path", "agentrt.web.heartbeat",
                            "agentrt.web.poll-interval");
            assertThat(properties).allSatisfy(p -> assertThat(p.getString("description")).isPresent());
        }
    }

    @Test
    void whenTheApplicationStopsItsOpenStreamsEndAndItsRunsStayResumable() {
        var runId = new AtomicReference<String>();
        var streamed = new AtomicReference<List<AgentRuns.Item>>();
        withAgent(new ReactiveWebApplicationContextRunner()).withPropertyValues("agentrt.web.enabled=true")
                .run(context -> {
                    AgentRuns runs = context.getBean(AgentRuns.class);
                    TestAgentConfiguration.Gate gate = context.getBean(TestAgentConfiguration.Gates.class)
                            .gate("stop");
                    runId.set(runs.start(new AgentRuns.StartRun("hold stop", null),
                            Principal.ANONYMOUS).block(WAIT));
                    gate.entered.asMono().block(WAIT);
                    var items = new CopyOnWriteArrayList<AgentRuns.Item>();
                    var ended = runs.follow(runId.get(), 0).doOnNext(items::add).then().toFuture();
                    streamed.set(items);
                    context.close();
                    ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    assertThat(runs.runningCount()).isZero();
                });
        try (RunStore store = RunStore.open(dir.resolve("runs.db"))) {
            var run = store.find(runId.get()).block(WAIT);
            assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
            assertThat(streamed.get()).extracting(AgentRuns.Item::name).doesNotContain("completed", "failed");
        }
    }

    private void assertFails(String property, String message) {
        withAgent(new ReactiveWebApplicationContextRunner()).withPropertyValues("agentrt.web.enabled=true", property)
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining(message));
    }

    @Configuration(proxyBeanMethods = false)
    static class AgentWithoutStore {
        @Bean
        Agent agent() {
            return Agent.builder().model(ScriptedChatModel.of(ScriptedChatModel.Reply.text("hi"))).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnController {
        @Bean
        AgentRunsWebFluxController ownController(Agent agent) {
            var properties = new AgentrtWebProperties();
            return new AgentRunsWebFluxController(new AgentRuns(agent, properties));
        }
    }
}
