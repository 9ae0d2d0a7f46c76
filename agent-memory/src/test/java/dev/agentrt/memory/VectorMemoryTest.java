package dev.agentrt.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.Agent;
import dev.agentrt.core.MemoryStoreException;
import dev.agentrt.core.context.TaskContext;
import dev.agentrt.core.memory.InMemoryVectorStore;
import dev.agentrt.core.memory.Memory.MemoryHit;
import dev.agentrt.core.memory.MemoryQuery;
import dev.agentrt.core.memory.MemoryRecord;
import dev.agentrt.core.memory.VectorStore;
import dev.agentrt.core.model.EmbeddingModel;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.inference.LocalEmbeddingModel;
import dev.agentrt.memory.IngestProgress.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

class VectorMemoryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static LocalEmbeddingModel model;

    @TempDir
    Path tmp;

    private LuceneVectorStore store;
    private VectorMemory memory;

    @BeforeAll
    static void loadModel() {
        model = LocalEmbeddingModel.builder().build();
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    @BeforeEach
    void openMemory() {
        store = LuceneVectorStore.open(tmp.resolve("index"), model.dimensions());
        memory = VectorMemory.builder().embeddingModel(model).store(store).closing(store).build();
    }

    @AfterEach
    void closeMemory() {
        memory.close();
    }

    @Test
    void recallsWhatWasRememberedByMeaningWithinItsNamespaceAndFilter() {
        remember(new MemoryRecord("deploy", "notes", "Production deploys happen every Tuesday afternoon",
                Map.of("topic", "ops")));
        remember(new MemoryRecord("lunch", "notes", "The team eats lunch at noon in the cafeteria",
                Map.of("topic", "life")));
        remember(new MemoryRecord("other", "elsewhere", "Releases ship on Tuesdays", Map.of()));

        List<MemoryHit> hits = recall(MemoryQuery.of("notes", "When do we release to production?", 2));
        assertThat(hits).extracting(h -> h.record().id()).containsExactly("deploy", "lunch");
        assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
        assertThat(hits.get(0).record().metadata()).containsEntry("topic", "ops");

        var filtered = new MemoryQuery("notes", "When do we release to production?", 5, Map.of("topic", "life"));
        assertThat(recall(filtered)).extracting(h -> h.record().id()).containsExactly("lunch");
        assertThat(recall(MemoryQuery.of("notes", "   ", 3))).isEmpty();
    }

    @Test
    void rememberingUnderAKnownIdReplacesAndForgetRemovesEveryPart() {
        String longText = ("The retry policy backs off exponentially with jitter and honours Retry-After. ").repeat(60);
        remember(new MemoryRecord("policy", "ns", longText, Map.of()));
        List<VectorStore.Entry> parts = store.find("ns", Map.of(VectorMemory.MEMORY_ID, "policy"), 100).block(TIMEOUT);
        assertThat(parts).as("a long text is split, not rejected")
                .hasSizeGreaterThan(3)
                .allSatisfy(e -> assertThat(model.countTokens(e.text())).isLessThanOrEqualTo(model.maxInputTokens()));
        assertThat(String.join(" ", parts.stream().map(VectorStore.Entry::text).toList())).contains("Retry-After");
        assertThat(recall(MemoryQuery.of("ns", "how are retries delayed?", 1)).get(0).record().id())
                .isEqualTo("policy");

        remember(new MemoryRecord("policy", "ns", "Retries are disabled.", Map.of()));
        assertThat(store.find("ns", Map.of(), 100).block(TIMEOUT)).extracting(VectorStore.Entry::text)
                .containsExactly("Retries are disabled.");

        assertThat(memory.forget("ns", "policy").block(TIMEOUT)).isTrue();
        assertThat(memory.forget("ns", "policy").block(TIMEOUT)).isFalse();
        assertThat(store.find("ns", Map.of(), 100).block(TIMEOUT)).isEmpty();
    }

    @Test
    void blankTextsAndReservedMetadataAreRefusedAndNothingIsStored() {
        StepVerifier.create(memory.remember(MemoryRecord.of("ns", " \n", Map.of())))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("blank"))
                .verify(TIMEOUT);
        StepVerifier.create(memory.remember(MemoryRecord.of("ns", "x", Map.of(VectorMemory.MEMORY_ID, "y"))))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("reserved"))
                .verify(TIMEOUT);
        assertThat(store.find("ns", Map.of(), 10).block(TIMEOUT)).isEmpty();
        String id = remember(MemoryRecord.of("ns", "a fresh id is made", Map.of()));
        assertThat(id).isNotBlank();
    }

    @Test
    void indexingReportsProgressAndReindexingOnlyTouchesWhatChanged() throws IOException {
        Path project = tmp.resolve("project");
        write(project, "src/Retry.java", """
                package demo;

                /** Retries failed HTTP calls with exponential backoff. */
                final class Retry {
                    long delayMillis(int attempt) {
                        return 100L << attempt;
                    }
                }
                """);
        write(project, "docs/deploy.md", "# Deploying\n\nProduction deploys run on Tuesdays after the review.\n");
        write(project, "notes.txt", "Lunch is at noon.\n");
        Files.write(project.resolve("latin1.txt"), new byte[]{'c', 'a', 'f', (byte) 0xE9});

        List<IngestProgress> first = index(project);
        assertThat(first).hasSize(4).last().satisfies(p -> {
            assertThat(p.finished()).isTrue();
            assertThat(p.chunksDone()).isEqualTo(p.chunksTotal()).isEqualTo(3);
        });
        assertThat(first).extracting(IngestProgress::filesDone).containsExactly(1, 2, 3, 4);
        assertThat(byPath(first)).containsEntry("src/Retry.java", Status.INDEXED)
                .containsEntry("latin1.txt", Status.SKIPPED);
        assertThat(first).filteredOn(p -> p.status() == Status.SKIPPED)
                .extracting(IngestProgress::reason)
                .containsExactly("not UTF-8 text");

        MemoryHit hit = recall(MemoryQuery.of("code", "how long do we wait before retrying a request?", 1)).get(0);
        assertThat(hit.record().metadata()).containsEntry("path", "src/Retry.java")
                .containsEntry(MemoryRecord.LINES, "1-8")
                .containsKey(VectorMemory.HASH);
        assertThat(hit.record().text()).contains("100L << attempt");

        List<IngestProgress> again = index(project);
        assertThat(again).extracting(IngestProgress::status).doesNotContain(Status.INDEXED);
        assertThat(again.get(again.size() - 1).chunksTotal()).isZero();

        write(project, "notes.txt", "Lunch moved to one o'clock.\n");
        Files.delete(project.resolve("docs/deploy.md"));
        List<IngestProgress> third = index(project);
        assertThat(byPath(third)).containsEntry("notes.txt", Status.INDEXED)
                .containsEntry("src/Retry.java", Status.UNCHANGED)
                .containsEntry("docs/deploy.md", Status.REMOVED);
        assertThat(store.find("code", Map.of("path", "docs/deploy.md"), 10).block(TIMEOUT)).isEmpty();
        assertThat(store.find("code", Map.of("path", "notes.txt"), 10).block(TIMEOUT)).singleElement()
                .satisfies(e -> assertThat(e.text()).isEqualTo("Lunch moved to one o'clock."));
    }

    @Test
    void anAgentRecallsIndexedChunksWithTheirSources() throws IOException {
        Path project = tmp.resolve("repo");
        write(project, "build/pom.xml", "<project><!-- the build uses Maven 3.9 with the wrapper --></project>\n");
        write(project, "src/App.java", "class App { public static void main(String[] a) {} }\n");
        var chat = ScriptedChatModel.of(Reply.text("Maven"));
        Agent agent = Agent.builder().model(chat).memory(memory).memoryNamespace("repo").build();

        agent.task("Which build tool does the project use?")
                .withContext(TaskContext.fromDirectory(project))
                .executeBlocking();

        String recalled = chat.lastRequest()
                .messages()
                .stream()
                .filter(m -> m instanceof Message.System)
                .map(m -> ((Message.System) m).text())
                .collect(Collectors.joining("\n"));
        assertThat(recalled).contains("build/pom.xml lines 1-1").contains("Maven 3.9");
    }

    @Test
    void aModelAndStoreOfDifferentDimensionsAreRefusedNamingBoth() {
        try (var small = InMemoryVectorStore.create(8)) {
            assertThatThrownBy(() -> VectorMemory.builder().embeddingModel(model).store(small).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("384 dimensions")
                    .hasMessageContaining("vectors of 8");
        }
        assertThatThrownBy(() -> VectorMemory.builder().store(store).build()).hasMessageContaining("embeddingModel");
    }

    @Test
    void openingAnIndexOfAnotherDimensionOrADirectoryOfOtherFilesFailsAndOverwritesNothing() throws IOException {
        Path other = tmp.resolve("other-index");
        LuceneVectorStore.open(other, 16).close();
        assertThatThrownBy(() -> VectorMemory.open(other))
                .isInstanceOf(MemoryStoreException.class)
                .hasMessageContaining(other.toString())
                .hasMessageContaining("16")
                .hasMessageContaining("384");
        LuceneVectorStore.open(other, 16).close();

        Path notes = tmp.resolve("notes");
        write(notes, "keep.txt", "precious");
        assertThatThrownBy(() -> VectorMemory.open(notes)).isInstanceOf(MemoryStoreException.class)
                .hasMessageContaining(notes.toString());
        assertThat(Files.readString(notes.resolve("keep.txt"))).isEqualTo("precious");
    }

    @Test
    void openStoresAtAPathAndReopensWithTheMemories() {
        Path dir = tmp.resolve("agent_memory");
        try (VectorMemory opened = VectorMemory.open(dir)) {
            opened.remember(new MemoryRecord("m1", "default", "The cache is flushed hourly", Map.of())).block(TIMEOUT);
        }
        try (VectorMemory reopened = VectorMemory.open(dir)) {
            assertThat(reopened.recall(MemoryQuery.of("default", "how often is the cache cleared?", 1)).block(TIMEOUT))
                    .extracting(h -> h.record().id())
                    .containsExactly("m1");
        }
    }

    @Test
    void openWithAModelOfYourOwnStoresAtAPathAndLeavesTheModelToItsOwner() {
        Path dir = tmp.resolve("own_model_memory");
        try (VectorMemory opened = VectorMemory.open(dir, model)) {
            assertThat(opened.embeddingModel()).isSameAs(model);
            opened.remember(new MemoryRecord("m1", "default", "The cache is flushed hourly", Map.of())).block(TIMEOUT);
        }
        // Closing the memory closed its store only: the caller's model still embeds.
        assertThat(model.embed("still open").block(TIMEOUT).dimensions()).isEqualTo(384);
        try (VectorMemory reopened = VectorMemory.open(dir, model)) {
            assertThat(reopened.recall(MemoryQuery.of("default", "how often is the cache cleared?", 1)).block(TIMEOUT))
                    .extracting(h -> h.record().id())
                    .containsExactly("m1");
        }
    }

    @Test
    void withoutAgentInferenceOpenSaysWhichDependencyToAddOrHowToPassAModel() {
        // The platform class loader sees none of agentrt: agent-inference is absent there.
        assertThatThrownBy(() -> DefaultEmbeddingModel.open(ClassLoader.getPlatformClassLoader()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("add dev.agentrt:agent-inference")
                .hasMessageContaining("VectorMemory.open(path, embeddingModel)")
                .hasMessageContaining("VectorMemory.builder().embeddingModel(")
                .hasCauseInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void withAgentInferenceTheDefaultModelIsTheBundledOne() throws Exception {
        EmbeddingModel bundled = DefaultEmbeddingModel.open(VectorMemory.class.getClassLoader());
        try {
            assertThat(bundled).isInstanceOf(LocalEmbeddingModel.class);
            assertThat(bundled.dimensions()).isEqualTo(384);
        } finally {
            ((AutoCloseable) bundled).close();
        }
    }

    private String remember(MemoryRecord record) {
        return memory.remember(record).block(TIMEOUT);
    }

    private List<MemoryHit> recall(MemoryQuery query) {
        return memory.recall(query).block(TIMEOUT);
    }

    private List<IngestProgress> index(Path project) {
        return memory.index("code", TaskContext.fromDirectory(project)).collectList().block(TIMEOUT);
    }

    private static Map<String, Status> byPath(List<IngestProgress> events) {
        return events.stream().collect(Collectors.toMap(IngestProgress::path, IngestProgress::status));
    }

    private static void write(Path root, String relative, String text) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
