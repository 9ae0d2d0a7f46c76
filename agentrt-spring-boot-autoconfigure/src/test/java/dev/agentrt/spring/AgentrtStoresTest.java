package dev.agentrt.spring;

import static dev.agentrt.spring.AgentrtAutoConfigurationTest.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.memory.MemoryQuery;
import dev.agentrt.core.memory.MemoryRecord;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.EmbeddingModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreException;
import dev.agentrt.memory.VectorMemory;
import dev.agentrt.runs.SqliteRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** Memory and run store from the properties: present, absent, replaced, closed, and every bad combination. */
class AgentrtStoresTest {
    private static final Duration WAIT = Duration.ofMinutes(2);

    private final ApplicationContextRunner runner = Contexts.runner()
            .withBean(ChatModel.class, () -> ScriptedChatModel.builder().reply(Reply.text("done")).repeat().build());

    @TempDir
    Path dir;

    @Test
    void withoutStorePropertiesThereIsNoMemoryAndNoRunStore() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(Memory.class);
            assertThat(context).doesNotHaveBean(RunStore.class);
            assertThat(context).doesNotHaveBean(EmbeddingModel.class);
            Agent agent = context.getBean(Agent.class);
            assertThat(agent.memory()).isNull();
            assertThat(agent.runStore()).isNull();
        });
    }

    @Test
    void aRunStorePathJournalsTheAgentsRunsInSqliteAndTheContextClosesIt() {
        Path file = dir.resolve("runs.db");
        var store = new AtomicReference<RunStore>();
        runner.withPropertyValues("agentrt.runs.path=" + file).run(context -> {
            assertThat(context).hasNotFailed();
            store.set(context.getBean(RunStore.class));
            assertThat(store.get()).isInstanceOf(SqliteRunStore.class);
            Agent agent = context.getBean(Agent.class);
            assertThat(agent.runStore()).isSameAs(store.get());
            AgentResult result = agent.task("hello").execute().block(WAIT);
            RunRecord run = store.get().find(result.runId()).block(WAIT);
            assertThat(run).isNotNull();
            assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(run.input()).isEqualTo("hello");
        });
        assertThat(file).exists();
        assertThatThrownBy(() -> store.get().find("any").block(WAIT)).isInstanceOf(RunStoreException.class)
                .hasMessageContaining("is closed");
        try (RunStore reopened = SqliteRunStore.open(file)) {
            assertThat(reopened.runs().collectList().block(WAIT)).hasSize(1);
        }
    }

    @Test
    void theApplicationsRunStoreReplacesTheConfiguredOne() {
        Path own = dir.resolve("own.db");
        Path configured = dir.resolve("configured.db");
        runner.withBean("ownStore", RunStore.class, () -> SqliteRunStore.open(own))
                .withPropertyValues("agentrt.runs.path=" + configured)
                .run(context -> {
                    assertThat(context).hasSingleBean(RunStore.class).hasBean("ownStore");
                    assertThat(context.getBean(Agent.class).runStore()).isSameAs(context.getBean(RunStore.class));
                });
        assertThat(configured).doesNotExist();
    }

    @Test
    void badRunStoreSettingsFailTheStartNamingTheProperty() {
        assertFails(runner.withPropertyValues("agentrt.runs.store=sqlite"), "agentrt.runs.store",
                "needs agentrt.runs.path");
        assertFails(runner.withPropertyValues("agentrt.runs.store=datasource", "agentrt.runs.path=" + dir.resolve("x")),
                "agentrt.runs.path", "remove one of the two");
        assertFails(runner.withPropertyValues("agentrt.runs.store=datasource"), "agentrt.runs.store",
                "no DataSource bean");
        assertFails(runner.withPropertyValues("agentrt.runs.store=mongo"), "agentrt.runs.store", "");
        assertFails(runner.withPropertyValues("agentrt.runs.path=" + dir.resolve("not-a-dir/runs.db")),
                "agentrt.runs.path", "cannot open a run store there");
    }

    @Test
    void aFileThatIsNotADatabaseIsRefusedAndLeftAsItWas() throws Exception {
        Path notADatabase = Files.writeString(dir.resolve("notes.txt"), "not a database, ".repeat(100));
        assertFails(runner.withPropertyValues("agentrt.runs.path=" + notADatabase), "agentrt.runs.path",
                "cannot open a run store there");
        assertThat(Files.readString(notADatabase)).isEqualTo("not a database, ".repeat(100));
    }

    @Test
    void withoutAgentRunsOnTheClassPathARunStoreSettingFailsAndNoSettingIsFine() {
        var noRuns = runner.withClassLoader(new FilteredClassLoader("dev.agentrt.runs."));
        assertFails(noRuns.withPropertyValues("agentrt.runs.path=" + dir.resolve("runs.db")),
                "agentrt.runs.path or agentrt.runs.store", "dev.agentrt:agent-runs is not on the class path");
        noRuns.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(RunStore.class);
            assertThat(context).hasSingleBean(Agent.class);
        });
        assertThat(dir.resolve("runs.db")).doesNotExist();
    }

    @Test
    void aMemoryPathWithTheApplicationsEmbeddingModelRemembersAndRecallsAndIsClosedWithTheContext() {
        var model = new Contexts.TrigramModel();
        var memory = new AtomicReference<Memory>();
        runner.withBean(EmbeddingModel.class, () -> model)
                .withPropertyValues("agentrt.memory.path=" + dir.resolve("memory"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    memory.set(context.getBean(Memory.class));
                    assertThat(memory.get()).isInstanceOf(VectorMemory.class);
                    assertThat(((VectorMemory) memory.get()).embeddingModel()).isSameAs(model);
                    assertThat(context.getBean(Agent.class).memory()).isSameAs(memory.get());
                    rememberAndRecall(memory.get());
                });
        assertThat(model.closed).as("the application's model is the application's to close").isTrue();
        // The index was closed: a new memory opens the same directory (Lucene refuses a second writer).
        try (var reopened = VectorMemory.open(dir.resolve("memory"), new Contexts.TrigramModel())) {
            assertThat(reopened.recall(MemoryQuery.of("notes", "deploys Tuesday", 1)).block(WAIT)).hasSize(1);
        }
    }

    @Test
    void aMemoryPathAloneUsesTheBundledModel() {
        runner.withPropertyValues("agentrt.memory.path=" + dir.resolve("memory")).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(EmbeddingModel.class).getClass().getName())
                    .isEqualTo("dev.agentrt.inference.LocalEmbeddingModel");
            rememberAndRecall(context.getBean(Memory.class));
        });
    }

    static void rememberAndRecall(Memory memory) {
        memory.remember(MemoryRecord.of("notes", "Deploys happen on Tuesdays", Map.of("topic", "ops")))
                .block(WAIT);
        memory.remember(MemoryRecord.of("notes", "The cafeteria serves soup at noon", Map.of())).block(WAIT);
        List<Memory.MemoryHit> hits = memory.recall(MemoryQuery.of("notes", "When are deploys?", 1)).block(WAIT);
        assertThat(hits).singleElement()
                .satisfies(h -> assertThat(h.record().text()).isEqualTo("Deploys happen on Tuesdays"));
    }

    @Test
    void theApplicationsMemoryReplacesTheConfiguredOne() {
        var own = VectorMemory.builder()
                .embeddingModel(new Contexts.TrigramModel())
                .store(dev.agentrt.core.memory.InMemoryVectorStore.create(64))
                .build();
        runner.withBean("ownMemory", Memory.class, () -> own)
                .withPropertyValues("agentrt.memory.path=" + dir.resolve("memory"))
                .run(context -> {
                    assertThat(context).hasSingleBean(Memory.class).getBean(Memory.class).isSameAs(own);
                    assertThat(context.getBean(Agent.class).memory()).isSameAs(own);
                });
        assertThat(dir.resolve("memory")).doesNotExist();
    }

    @Test
    void badMemorySettingsFailTheStartNamingTheProperty() {
        var withModel = runner.withBean(EmbeddingModel.class, Contexts.TrigramModel::new);
        assertFails(withModel.withPropertyValues("agentrt.memory.store=lucene"), "agentrt.memory.store",
                "needs agentrt.memory.path");
        assertFails(withModel.withPropertyValues("agentrt.memory.store=datasource",
                "agentrt.memory.path=" + dir.resolve("m")), "agentrt.memory.path", "remove one of the two");
        assertFails(withModel.withPropertyValues("agentrt.memory.store=datasource"), "agentrt.memory.store",
                "no DataSource bean");
        assertFails(withModel.withPropertyValues("agentrt.memory.path=" + dir.resolve("m"),
                "agentrt.memory.table=vectors"), "agentrt.memory.table", "agentrt.memory.store=datasource");
        assertFails(withModel.withPropertyValues("agentrt.memory.store=redis"), "agentrt.memory.store", "");
        assertThat(dir.resolve("m")).doesNotExist();
    }

    @Test
    void withoutAgentInferenceAMemoryNeedsTheApplicationsEmbeddingModel() {
        var noInference = runner.withClassLoader(new FilteredClassLoader("dev.agentrt.inference."));
        assertFails(noInference.withPropertyValues("agentrt.memory.path=" + dir.resolve("m")),
                "agentrt.memory.path", "add dev.agentrt:agent-inference");
        noInference.withBean(EmbeddingModel.class, Contexts.TrigramModel::new)
                .withPropertyValues("agentrt.memory.path=" + dir.resolve("m"))
                .run(context -> rememberAndRecall(context.getBean(Memory.class)));
    }

    @Test
    void withoutAgentMemoryOnTheClassPathAMemorySettingFailsAndNoSettingIsFine() {
        var noMemory = runner.withClassLoader(new FilteredClassLoader("dev.agentrt.memory."));
        assertFails(noMemory.withPropertyValues("agentrt.memory.path=" + dir.resolve("m")),
                "agentrt.memory.path or agentrt.memory.store", "dev.agentrt:agent-memory is not on the class path");
        noMemory.withPropertyValues("agentrt.runs.path=" + dir.resolve("runs.db")).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(Memory.class);
            assertThat(context).hasSingleBean(RunStore.class);
        });
    }

    static void assertFails(ApplicationContextRunner runner, String property, String reason) {
        runner.run(context -> {
            assertThat(context).as(property).hasFailed();
            assertThat(messages(context.getStartupFailure())).as(property)
                    .anySatisfy(m -> assertThat(m).contains(property).contains(reason));
        });
    }
}
