package dev.agentrt.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.contract.ToolContract;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.memory.InMemoryVectorStore;
import dev.agentrt.core.memory.MemoryRecord;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.inference.LocalEmbeddingModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

class MemoryToolsTest {
    private static LocalEmbeddingModel model;

    @BeforeAll
    static void loadModel() {
        model = LocalEmbeddingModel.builder().build();
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    private static VectorMemory newMemory() {
        return VectorMemory.builder()
                .embeddingModel(model)
                .store(InMemoryVectorStore.create(model.dimensions()))
                .build();
    }

    @Test
    void theModelRemembersAndRecallsThroughTheToolsWhenGranted() {
        VectorMemory memory = newMemory();
        var chat = ScriptedChatModel.of(
                Reply.toolCall("remember", "{\"text\":\"The staging database is on port 5433\","
                        + "\"metadata\":{\"topic\":\"infra\"}}"),
                Reply.toolCall("recall", "{\"query\":\"which port does staging use?\",\"limit\":3}"),
                Reply.text("5433"));
        Agent agent = Agent.builder()
                .model(chat)
                .tools(MemoryTools.of(memory).namespace("alice"))
                .grant(Capability.memoryRead("alice"), Capability.memoryWrite("alice"))
                .build();

        AgentResult result = agent.task("Remember the port, then look it up").executeBlocking();

        List<Message.ToolResult> results = toolResults(result);
        assertThat(results).hasSize(2).noneMatch(Message.ToolResult::error);
        assertThat(results.get(0).content()).contains("\"id\"");
        assertThat(results.get(1).content()).contains("port 5433").contains("\"source\":\"memory ");
        assertThat(memory.recall(dev.agentrt.core.memory.MemoryQuery.of("alice", "staging port", 1))
                .block(Duration.ofSeconds(30))).singleElement()
                .satisfies(h -> assertThat(h.record().metadata()).containsEntry("topic", "infra"));
    }

    @Test
    void withoutTheGrantTheCallIsDeniedAndNothingIsStored() {
        VectorMemory memory = newMemory();
        var chat = ScriptedChatModel.of(Reply.toolCall("remember", "{\"text\":\"secret\"}"), Reply.text("ok"));
        Agent agent = Agent.builder()
                .model(chat)
                .tools(MemoryTools.of(memory).namespace("bob"))
                .grant(Capability.memoryWrite("alice"), Capability.memoryRead("bob"))
                .build();

        List<Message.ToolResult> results = toolResults(agent.task("store it").executeBlocking());

        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.error()).isTrue();
            assertThat(r.content()).contains("memory-write:bob");
        });
        assertThat(memory.store().find("bob", Map.of(), 10).block(Duration.ofSeconds(30))).isEmpty();
        assertThatThrownBy(() -> MemoryTools.of(memory).namespace("*")).hasMessageContaining("namespace");
    }

    private static List<Message.ToolResult> toolResults(AgentResult result) {
        return result.transcript()
                .stream()
                .filter(Message.ToolResult.class::isInstance)
                .map(Message.ToolResult.class::cast)
                .toList();
    }

    @Nested
    class RecallToolContract extends ToolContract {
        private final VectorMemory memory = newMemory();

        @Override
        protected Tool tool() {
            memory.remember(MemoryRecord.of("default", "Backups run nightly", Map.of())).block();
            return MemoryTools.of(memory).tools().get(1);
        }

        @Override
        protected JsonObject validArguments() {
            return JsonObject.builder().put("query", "when do backups run?").build();
        }

        @Override
        protected Grants grants() {
            return Grants.of(Capability.memoryRead("default"));
        }

        @Test
        void returnsTheRememberedFactWithItsSource() {
            assertThat(tool().spec().name()).isEqualTo("recall");
            assertThat(memory.recall(dev.agentrt.core.memory.MemoryQuery.of("default", "backups", 1)).block())
                    .isNotEmpty();
        }
    }
}
