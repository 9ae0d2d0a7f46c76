package dev.agentrt.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.HostedChatModel;
import dev.agentrt.core.model.RetryPolicy;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.core.tool.ToolSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The model, the prototype builder, the agent, settings and grants: every condition, and a task end to end. */
@ExtendWith(OutputCaptureExtension.class)
class AgentrtAutoConfigurationTest {
    private static final Duration WAIT = Duration.ofMinutes(1);

    private final ApplicationContextRunner runner = Contexts.runner();

    @Test
    void withoutAModelThereIsABuilderButNoModelAndNoAgent() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(ChatModel.class);
            assertThat(context).doesNotHaveBean(Agent.class);
            assertThat(context).hasBean("agentrtAgentBuilder");
            Agent agent = context.getBean(Agent.Builder.class).model(ScriptedChatModel.of(Reply.text("hi"))).build();
            assertThat(agent.name()).isEqualTo("agent");
            assertThat(agent.maxSteps()).isEqualTo(10);
            assertThat(agent.grantsFor(Principal.ANONYMOUS).isEmpty()).isTrue();
        });
    }

    @Test
    void theModelIsMadeFromItsNameWithItsSettingsFromSpringsEnvironment() {
        runner.withPropertyValues("agentrt.model=anthropic:claude-sonnet-4-5", "ANTHROPIC_API_KEY=test-key",
                "ANTHROPIC_BASE_URL=http://127.0.0.1:9/").run(context -> {
                    assertThat(context).hasNotFailed();
                    ChatModel model = context.getBean(ChatModel.class);
                    assertThat(model).isInstanceOf(HostedChatModel.class);
                    assertThat(((HostedChatModel) model).modelName()).isEqualTo("claude-sonnet-4-5");
                    assertThat(((HostedChatModel) model).baseUrl().toString()).startsWith("http://127.0.0.1:9");
                    assertThat(context.getBean(Agent.class).model()).isSameAs(model);
                });
        runner.withPropertyValues("agentrt.model=ollama:qwen3:4b", "OLLAMA_HOST=http://127.0.0.1:11434")
                .run(context -> assertThat(((HostedChatModel) context.getBean(ChatModel.class)).baseUrl())
                        .isEqualTo(URI.create("http://127.0.0.1:11434")));
    }

    @Test
    void theModelsHttpTimeoutsComeFromAgentrtModelTimeoutsAndABadOneFailsTheStartNamingIt() throws Exception {
        var release = new java.util.concurrent.CountDownLatch(1);
        try (var server = dev.agentrt.core.testing.FakeHttpServer.start()) {
            server.enqueue(exchange -> release.await()); // never answers while the test runs
            runner.withPropertyValues("agentrt.model=openai:gpt-4.1-mini", "OPENAI_BASE_URL=" + server.url() + "/v1",
                    "agentrt.model-timeouts.response=200ms", "agentrt.model-timeouts.connect=5s").run(context -> {
                        assertThat(context).hasNotFailed();
                        var reach = context.getBean(ChatModel.class)
                                .reachability()
                                .block(
                                        java.time.Duration.ofMinutes(1));
                        assertThat(reach.status()).isEqualTo(dev.agentrt.core.model.ModelReachability.Status.DOWN);
                        assertThat(reach.detail()).contains("no response from " + server.url());
                    });
        } finally {
            release.countDown();
        }
        for (String bad : new String[]{"agentrt.model-timeouts.response=0s", "agentrt.model-timeouts.connect=-1s",
                "agentrt.model-timeouts.inactivity=0ms"}) {
            runner.withPropertyValues("agentrt.model=openai:gpt-4.1-mini", "OPENAI_API_KEY=k", bad)
                    .run(context -> {
                        assertThat(context).as(bad).hasFailed();
                        assertThat(context.getStartupFailure()).rootCause()
                                .hasMessageContaining(bad.substring(0, bad.indexOf('=')))
                                .hasMessageContaining("must be a positive duration");
                    });
        }
    }

    @Test
    void aMissingKeyFailsTheStartNamingThePropertyAndTheVariable() {
        runner.withPropertyValues("agentrt.model=anthropic:claude-sonnet-4-5").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("agentrt.model")
                    .hasMessageContaining("anthropic:claude-sonnet-4-5")
                    .hasMessageContaining("ANTHROPIC_API_KEY");
        });
        runner.withPropertyValues("agentrt.model=gemini:gemini-2.5-flash")
                .run(context -> assertThat(
                        context.getStartupFailure()).rootCause()
                        .hasMessageContaining("agentrt.model")
                        .hasMessageContaining("GEMINI_API_KEY or GOOGLE_API_KEY"));
    }

    @Test
    void anUnknownPrefixOrAMalformedNameFailsTheStartNamingTheProperty() {
        runner.withPropertyValues("agentrt.model=acme:big-model").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("agentrt.model")
                    .hasMessageContaining("unknown provider prefix 'acme'")
                    .hasMessageContaining("anthropic, openai");
        });
        runner.withPropertyValues("agentrt.model=claude-sonnet-4-5")
                .run(context -> assertThat(
                        context.getStartupFailure()).rootCause()
                        .hasMessageContaining("agentrt.model")
                        .hasMessageContaining("has no provider prefix"));
        runner.withPropertyValues("agentrt.model= ")
                .run(context -> assertThat(context.getStartupFailure())
                        .rootCause()
                        .hasMessageContaining("agentrt.model")
                        .hasMessageContaining("names no model"));
    }

    @Test
    void theApplicationsOwnModelAgentAndBuilderReplaceTheDefaults() {
        var own = ScriptedChatModel.of(Reply.text("mine"));
        // The application's model wins; its agentrt.model is not even read (there is no key).
        runner.withPropertyValues("agentrt.model=anthropic:claude-sonnet-4-5")
                .withBean("ownModel", ChatModel.class, () -> own)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).getBean(ChatModel.class).isSameAs(own);
                    assertThat(context.getBean(Agent.class).model()).isSameAs(own);
                });
        Agent ownAgent = Agent.builder().model(own).name("own").build();
        runner.withBean(ChatModel.class, () -> own)
                .withBean("ownAgent", Agent.class, () -> ownAgent)
                .run(context -> assertThat(context).getBean(Agent.class).isSameAs(ownAgent));
        runner.withBean(ChatModel.class, () -> own)
                .withBean("ownBuilder", Agent.Builder.class, () -> Agent.builder().model(own).name("from-own-builder"))
                .run(context -> {
                    assertThat(context).doesNotHaveBean("agentrtAgentBuilder");
                    assertThat(context.getBean(Agent.class).name()).isEqualTo("from-own-builder");
                });
    }

    @Test
    void withSeveralModelsTheAgentUsesThePrimaryOneAndWithoutOneThereIsNoAgent() {
        var cheap = ScriptedChatModel.of(Reply.text("cheap"));
        var main = ScriptedChatModel.of(Reply.text("main"));
        runner.withBean("cheap", ChatModel.class, () -> cheap)
                .withBean("main", ChatModel.class, () -> main)
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(Agent.class);
                    assertThat(context.getBean(Agent.Builder.class).model(cheap).build().model()).isSameAs(cheap);
                });
        runner.withBean("cheap", ChatModel.class, () -> cheap)
                .withBean("main", ChatModel.class, () -> main, d -> d.setPrimary(true))
                .run(context -> assertThat(context.getBean(Agent.class).model()).isSameAs(main));
    }

    @Test
    void theBuilderIsAPrototypeSoWhatOneCallerAddsNoOtherSees() {
        runner.withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("hi"))).run(context -> {
            Agent.Builder first = context.getBean(Agent.Builder.class);
            Agent.Builder second = context.getBean(Agent.Builder.class);
            assertThat(first).isNotSameAs(second);
            Agent withTool = first.tools(echo("added_here")).build();
            Agent without = second.build();
            assertThat(withTool.tools().find("added_here")).isPresent();
            assertThat(without.tools().find("added_here")).isEmpty();
        });
    }

    @Test
    void theAgentSettingsComeFromTheProperties() {
        runner.withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("hi")))
                .withPropertyValues("agentrt.name=support", "agentrt.instructions=Be brief.", "agentrt.max-steps=4",
                        "agentrt.tool-timeout=90s", "agentrt.max-concurrent-tool-calls=3",
                        "agentrt.model-retry.max-retries=5", "agentrt.model-retry.initial-backoff=200ms",
                        "agentrt.memory.namespace=support")
                .run(context -> {
                    Agent agent = context.getBean(Agent.class);
                    assertThat(agent.name()).isEqualTo("support");
                    assertThat(agent.instructions()).isEqualTo("Be brief.");
                    assertThat(agent.maxSteps()).isEqualTo(4);
                    assertThat(agent.toolTimeout()).isEqualTo(Duration.ofSeconds(90));
                    assertThat(agent.maxConcurrentToolCalls()).isEqualTo(3);
                    assertThat(agent.memoryNamespace()).isEqualTo("support");
                    RetryPolicy d = Agent.DEFAULT_MODEL_RETRY;
                    assertThat(agent.modelRetry()).isEqualTo(new RetryPolicy(5, Duration.ofMillis(200),
                            d.maxBackoff(), d.jitter(), d.maxRetryAfter()));
                });
        runner.withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("hi")))
                .withPropertyValues("agentrt.model-retry.max-retries=0")
                .run(context -> assertThat(context.getBean(Agent.class).modelRetry().maxRetries()).isZero());
    }

    @Test
    void aBadSettingFailsTheStartNamingItsProperty() {
        assertFailsNaming("agentrt.max-steps=0", "agentrt.max-steps", "must be at least 1");
        assertFailsNaming("agentrt.max-concurrent-tool-calls=0", "agentrt.max-concurrent-tool-calls",
                "must be at least 1");
        assertFailsNaming("agentrt.tool-timeout=0s", "agentrt.tool-timeout", "must be positive");
        assertFailsNaming("agentrt.name= ", "agentrt.name", "must not be blank");
        assertFailsNaming("agentrt.memory.namespace= ", "agentrt.memory.namespace", "must not be blank");
        assertFailsNaming("agentrt.model-retry.max-retries=-1", "agentrt.model-retry.max-retries",
                "must not be negative");
        assertFailsNaming("agentrt.model-retry.jitter=1.5", "agentrt.model-retry.jitter", "from 0 to 1");
        assertFailsNaming("agentrt.model-retry.initial-backoff=-1s", "agentrt.model-retry.initial-backoff",
                "must not be negative");
        assertFailsNaming("agentrt.model-retry.max-backoff=10ms", "agentrt.model-retry.max-backoff",
                "initial-backoff");
        assertFailsNaming("agentrt.max-steps=many", "agentrt.max-steps", "");
    }

    private void assertFailsNaming(String setting, String property, String reason) {
        runner.withPropertyValues(setting).run(context -> {
            assertThat(context).as(setting).hasFailed();
            assertThat(messages(context.getStartupFailure())).as(setting)
                    .anySatisfy(m -> assertThat(m).contains(property).contains(reason));
        });
    }

    /** The messages of a failure and of its causes. */
    static List<String> messages(Throwable failure) {
        var out = new java.util.ArrayList<String>();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            out.add(String.valueOf(t.getMessage()));
        }
        return out;
    }

    @Test
    void grantsAreTheExplicitListLoggedOneLineEachAndCodeAddsToThem(CapturedOutput output) {
        runner.withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("hi")))
                .withPropertyValues("agentrt.grants=net:api.github.com, file-read:/srv/docs, payments:refund")
                .withBean("moreGrants", AgentBuilderCustomizer.class,
                        () -> b -> b.grant(Capability.env("API_TOKEN")))
                .run(context -> {
                    assertThat(context.getBean(Agent.class).grantsFor(Principal.ANONYMOUS).capabilities())
                            .containsExactlyInAnyOrder(Capability.net("api.github.com"),
                                    Capability.fileRead(java.nio.file.Path.of("/srv/docs")),
                                    Capability.custom("payments", "refund"), Capability.env("API_TOKEN"));
                    assertThat(output.getAll())
                            .contains("agentrt.grants[0]: granting net:api.github.com to every task")
                            .contains("agentrt.grants[1]: granting file-read:/srv/docs to every task")
                            .contains("agentrt.grants[2]: granting payments:refund to every task");
                    assertThat(output.getAll().lines().filter(l -> l.contains("agentrt.grants[")).count())
                            .isEqualTo(3);
                });
    }

    @Test
    void withoutGrantsNothingIsGrantedAndTheLogSaysSo(CapturedOutput output) {
        runner.withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("hi")))
                .withPropertyValues("agentrt.memory.namespace=notes")
                .run(context -> {
                    assertThat(context.getBean(Agent.class).grantsFor(Principal.ANONYMOUS).isEmpty())
                            .as("no grant is inferred from other settings")
                            .isTrue();
                    assertThat(output.getAll()).contains("agentrt.grants: none");
                });
    }

    @Test
    void aGrantThatDoesNotParseFailsTheStartNamingItsIndex() {
        runner.withPropertyValues("agentrt.grants=net:api.github.com, net:example.com:http").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("agentrt.grants[1]")
                    .hasMessageContaining("invalid port 'http'");
        });
        runner.withPropertyValues("agentrt.grants[0]=file-read:")
                .run(context -> assertThat(
                        context.getStartupFailure()).rootCause()
                        .hasMessageContaining("agentrt.grants[0]")
                        .hasMessageContaining("lacks a path"));
    }

    @Test
    void customizersRunInTheirOrderAfterTheProperties() {
        runner.withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("hi")))
                .withPropertyValues("agentrt.instructions=from properties")
                .withUserConfiguration(OrderedCustomizers.class)
                .run(context -> assertThat(context.getBean(Agent.class).instructions())
                        .isEqualTo("from properties, first, second"));
    }

    @Configuration(proxyBeanMethods = false)
    static class OrderedCustomizers {
        @Bean
        @Order(2)
        AgentBuilderCustomizer second() {
            return b -> b.instructions(instructions(b) + ", second");
        }

        @Bean
        @Order(1)
        AgentBuilderCustomizer first() {
            return b -> b.instructions(instructions(b) + ", first");
        }

        /** The builder has no getters: read what it holds by building it. */
        private static String instructions(Agent.Builder b) {
            return b.build().instructions();
        }
    }

    @Test
    void anAgentFromTheContextRunsATaskWithTheToolAndListenerBeans() {
        var model = ScriptedChatModel.of(Reply.toolCall("weather", "{\"city\":\"Paris\"}"),
                Reply.text("It is sunny in Paris."));
        var events = new CopyOnWriteArrayList<AgentEvent>();
        runner.withBean(ChatModel.class, () -> model)
                .withBean("weatherTool", ToolSource.class, () -> echo("weather"))
                .withBean("events", AgentEvent.Listener.class, () -> events::add)
                .run(context -> {
                    Agent agent = context.getBean(Agent.class);
                    StepVerifier.create(agent.task("What is the weather in Paris?").execute())
                            .assertNext(result -> {
                                assertThat(result.text()).isEqualTo("It is sunny in Paris.");
                                assertThat(result.steps()).isEqualTo(2);
                            })
                            .expectComplete()
                            .verify(WAIT);
                    assertThat(events).filteredOn(e -> e instanceof AgentEvent.ToolCallCompleted)
                            .singleElement()
                            .satisfies(e -> assertThat(((AgentEvent.ToolCallCompleted) e).result())
                                    .contains("weather: {\"city\":\"Paris\"}"));
                    assertThat(events).last().isInstanceOf(AgentEvent.Completed.class);
                    assertThat(model.requests()).hasSize(2);
                });
    }

    /** A tool that answers with its name and its arguments. */
    static Tool echo(String name) {
        return Tool.builder(name)
                .description("Answers with its arguments")
                .handler((args, context) -> Mono.just(ToolResult.text(name + ": " + args.toJson())))
                .build();
    }

    static List<String> names(Agent agent) {
        return agent.tools().tools().stream().map(t -> t.spec().name()).toList();
    }
}
