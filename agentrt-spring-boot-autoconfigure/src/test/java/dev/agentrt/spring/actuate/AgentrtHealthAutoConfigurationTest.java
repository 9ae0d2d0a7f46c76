package dev.agentrt.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.model.ModelReachability;
import dev.agentrt.core.model.openai.OpenAiChatModel;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.testing.FakeHttpServer;
import dev.agentrt.memory.VectorMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** Every condition of {@link AgentrtHealthAutoConfiguration}, and what each indicator reports. */
class AgentrtHealthAutoConfigurationTest {
    static final String KEY = "sk-health-secret-0123456789abcdef";
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    final FakeHttpServer server = FakeHttpServer.start();

    @AfterEach
    void stop() {
        server.close();
    }

    ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AgentrtHealthAutoConfiguration.class));
    }

    RunStore store() {
        return RunStore.open(dir.resolve("runs.db"));
    }

    Agent agent(RunStore store) {
        return Fixtures.agent(store, new AtomicInteger(), event -> {});
    }

    static Health health(ReactiveHealthIndicator indicator) {
        return indicator.health().block(WAIT);
    }

    @Test
    void anAgentGetsAModelIndicatorThatIsUpForItsScriptedModel() {
        runner().withBean(RunStore.class, this::store)
                .withBean(Agent.class, () -> Agent.builder().model(Fixtures.paymentModel()).build())
                .run(context -> {
                    ReactiveHealthIndicator model = context.getBean("agentrtModelHealthIndicator",
                            ReactiveHealthIndicator.class);
                    Health health = health(model);
                    assertThat(health.getStatus()).isEqualTo(Status.UP);
                    assertThat(health.getDetails()).containsEntry("model", "ScriptedChatModel")
                            .containsEntry("detail", "scripted model, in process")
                            .doesNotContainKey("httpStatus");
                });
    }

    @Test
    void withoutBeansThereAreNoIndicators() {
        runner().run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean("agentrtModelHealthIndicator")
                .doesNotHaveBean("agentrtMemoryHealthIndicator")
                .doesNotHaveBean("agentrtRunStoreHealthIndicator"));
    }

    @Test
    void eachIndicatorHasItsBean() {
        runner().withBean(RunStore.class, this::store)
                .withBean(Memory.class, Fixtures::vectorMemory)
                .withBean(Agent.class, () -> Agent.builder().model(Fixtures.paymentModel()).build())
                .run(context -> assertThat(context).hasBean("agentrtModelHealthIndicator")
                        .hasBean("agentrtMemoryHealthIndicator")
                        .hasBean("agentrtRunStoreHealthIndicator"));
    }

    @Test
    void eachIndicatorTurnsOffWithItsPropertyAsBootsOwn() {
        var all = runner().withBean(RunStore.class, this::store)
                .withBean(Memory.class, Fixtures::vectorMemory)
                .withBean(Agent.class, () -> Agent.builder().model(Fixtures.paymentModel()).build());

        all.withPropertyValues("management.health.agentrt-model.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("agentrtModelHealthIndicator")
                        .hasBean("agentrtMemoryHealthIndicator")
                        .hasBean("agentrtRunStoreHealthIndicator"));
        all.withPropertyValues("management.health.agentrt-memory.enabled=false")
                .run(context -> assertThat(context).hasBean("agentrtModelHealthIndicator")
                        .doesNotHaveBean("agentrtMemoryHealthIndicator")
                        .hasBean("agentrtRunStoreHealthIndicator"));
        all.withPropertyValues("management.health.agentrt-run-store.enabled=false")
                .run(context -> assertThat(context).hasBean("agentrtModelHealthIndicator")
                        .hasBean("agentrtMemoryHealthIndicator")
                        .doesNotHaveBean("agentrtRunStoreHealthIndicator"));
        all.withPropertyValues("management.health.defaults.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("agentrtModelHealthIndicator")
                        .doesNotHaveBean("agentrtMemoryHealthIndicator")
                        .doesNotHaveBean("agentrtRunStoreHealthIndicator"));
    }

    @Test
    void withoutSpringBootHealthThereAreNoIndicators() {
        runner().withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
                .withBean(RunStore.class, this::store)
                .withBean(Agent.class, () -> Agent.builder().model(Fixtures.paymentModel()).build())
                .run(context -> assertThat(context).hasNotFailed()
                        .doesNotHaveBean("agentrtModelHealthIndicator")
                        .doesNotHaveBean("agentrtRunStoreHealthIndicator"));
    }

    @Test
    void twoAgentsOrTwoStoresGetNoIndicatorRatherThanAGuess() {
        runner().withBean("one", Agent.class, () -> Agent.builder().model(Fixtures.paymentModel()).build())
                .withBean("two", Agent.class, () -> Agent.builder().model(Fixtures.paymentModel()).build())
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("agentrtModelHealthIndicator"));
    }

    @Test
    void anIndicatorOfTheApplicationsOwnReplacesOurs() {
        ReactiveHealthIndicator own = () -> Mono.just(Health.outOfService().build());
        runner().withBean(Agent.class, () -> Agent.builder().model(Fixtures.paymentModel()).build())
                .withBean("agentrtModelHealthIndicator", ReactiveHealthIndicator.class, () -> own)
                .run(context -> assertThat(context.getBean("agentrtModelHealthIndicator")).isSameAs(own));
    }

    @Test
    void aModelTimeoutThatIsNotPositiveFailsTheStartNamingTheProperty() {
        runner().withPropertyValues("agentrt.actuator.health.model-timeout=0s")
                .run(context -> assertThat(context).hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("agentrt.actuator.health.model-timeout must be positive"));
        runner().withPropertyValues("agentrt.actuator.health.model-cache-time=-1s")
                .run(context -> assertThat(context).hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("agentrt.actuator.health.model-cache-time"));
    }

    // ------------------------------------------------------------------------------ what the indicators say

    OpenAiChatModel hosted() {
        return OpenAiChatModel.builder()
                .model("gpt-4.1-mini")
                .apiKey(KEY)
                .baseUrl(server.url() + "/v1")
                .environment(name -> null)
                .build();
    }

    @Test
    void aHostedModelWhoseKeyIsRefusedIsDownWithTheStatusAndNeverTheKey() {
        server.enqueue(FakeHttpServer.Responder.json(401, """
                {"error":{"message":"Incorrect API key provided: %s","type":"invalid_request_error"}}"""
                .formatted(KEY)));

        Health health = health(new ModelHealthIndicator(hosted(), WAIT, Duration.ZERO));

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("httpStatus", 401)
                .containsEntry("model", "gpt-4.1-mini at " + server.url() + "/v1");
        assertThat(health.toString()).doesNotContain(KEY);
        assertThat(server.lastRequest().path()).isEqualTo("/v1/models");
    }

    @Test
    void aHostedModelThatListsItsModelsIsUpAndTheResultIsReusedForTheCacheTime() {
        server.otherwise(request -> FakeHttpServer.Responder.json(200, "{\"object\":\"list\",\"data\":[]}"));
        var cached = new ModelHealthIndicator(hosted(), WAIT, Duration.ofHours(1));
        var uncached = new ModelHealthIndicator(hosted(), WAIT, Duration.ZERO);

        assertThat(health(cached).getStatus()).isEqualTo(Status.UP);
        assertThat(health(cached).getDetails()).containsEntry("httpStatus", 200);
        assertThat(server.requests()).hasSize(1);
        assertThat(health(uncached).getStatus()).isEqualTo(Status.UP);
        assertThat(health(uncached).getStatus()).isEqualTo(Status.UP);
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void aModelWithoutACheckIsUnknownAndOneThatNeverAnswersIsDownAfterTheTimeout() {
        dev.agentrt.core.model.ChatModel custom = request -> Flux.empty();
        assertThat(health(new ModelHealthIndicator(custom, WAIT, Duration.ZERO)).getStatus())
                .isEqualTo(Status.UNKNOWN);

        dev.agentrt.core.model.ChatModel silent = new dev.agentrt.core.model.ChatModel() {
            @Override
            public Flux<dev.agentrt.core.model.ChatEvent> stream(dev.agentrt.core.model.ChatRequest request) {
                return Flux.empty();
            }

            @Override
            public Mono<ModelReachability> reachability() {
                return Mono.never();
            }
        };
        reactor.test.StepVerifier.withVirtualTime(() -> new ModelHealthIndicator(silent, Duration.ofSeconds(10),
                Duration.ZERO).health())
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(10))
                .assertNext(health -> {
                    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(health.getDetails()).containsEntry("detail", "no answer within PT10S");
                })
                .verifyComplete();
    }

    @Test
    void aModelWhoseCheckBreaksItsContractIsDownWithoutItsMessage() {
        dev.agentrt.core.model.ChatModel broken = new dev.agentrt.core.model.ChatModel() {
            @Override
            public Flux<dev.agentrt.core.model.ChatEvent> stream(dev.agentrt.core.model.ChatRequest request) {
                return Flux.empty();
            }

            @Override
            public Mono<ModelReachability> reachability() {
                return Mono.error(new IllegalStateException("token=" + KEY));
            }
        };

        Health health = health(new ModelHealthIndicator(broken, WAIT, Duration.ZERO));

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.toString()).contains("IllegalStateException").doesNotContain(KEY);
    }

    @Test
    void theRunStoreIsUpWithItsSizeAndDownOnceClosed() {
        RunStore store = store();
        var agent = agent(store);
        agent.task("Pay invoice 17").withId("run-1").execute().block(WAIT);
        var indicator = new RunStoreHealthIndicator(store);

        Health up = health(indicator);
        store.close();
        Health down = health(indicator);

        assertThat(up.getStatus()).isEqualTo(Status.UP);
        assertThat(up.getDetails()).containsEntry("runs", 1L).containsEntry("activeRuns", 1L);
        assertThat((Long) up.getDetails().get("entries")).isPositive();
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(down.getDetails()).containsKey("error");
    }

    @Test
    void aVectorMemoryIsUpWithItsEntriesAndAnotherMemoryIsUnknown() {
        VectorMemory memory = Fixtures.vectorMemory();
        memory.remember(dev.agentrt.core.memory.MemoryRecord.of("default", "The build uses Maven",
                java.util.Map.of())).block(WAIT);

        Health vector = health(new MemoryHealthIndicator(memory, getClass().getClassLoader()));
        Health custom = health(new MemoryHealthIndicator(Fixtures.customMemory(), getClass().getClassLoader()));

        assertThat(vector.getStatus()).isEqualTo(Status.UP);
        assertThat(vector.getDetails()).containsEntry("entries", 1L)
                .containsEntry("dimensions", 4)
                .containsEntry("store", "InMemoryVectorStore");
        assertThat(custom.getStatus()).isEqualTo(Status.UNKNOWN);
    }

    @Test
    void withoutAgentMemoryOnTheClassPathAMemoryIsUnknown() {
        runner().withClassLoader(new FilteredClassLoader("dev.agentrt.memory"))
                .withBean(Memory.class, Fixtures::customMemory)
                .run(context -> {
                    var indicator = context.getBean("agentrtMemoryHealthIndicator", ReactiveHealthIndicator.class);
                    assertThat(health(indicator).getStatus()).isEqualTo(Status.UNKNOWN);
                });
    }

    @Test
    void aLuceneMemoryThatIsClosedIsDown() {
        var lucene = dev.agentrt.memory.LuceneVectorStore.open(dir.resolve("memory"), 4);
        VectorMemory memory = VectorMemory.builder()
                .embeddingModel(new Fixtures.CountingEmbeddings())
                .store(lucene)
                .closing(lucene)
                .build();
        var indicator = new MemoryHealthIndicator(memory, getClass().getClassLoader());

        Health up = health(indicator);
        memory.close();
        Health down = health(indicator);

        assertThat(up.getStatus()).isEqualTo(Status.UP);
        assertThat(up.getDetails()).containsEntry("entries", 0L).containsEntry("store", "LuceneVectorStore");
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(down.getDetails()).containsKey("error");
    }
}
