package dev.agentrt.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.run.RunEvent;
import dev.agentrt.core.run.RunStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A durable run whose agent calls a sub-agent: the sub-agent's events are journaled under the call. */
class SubAgentRunTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<RunStore> stores = new ArrayList<>();

    @AfterEach
    void close() {
        stores.forEach(RunStore::close);
    }

    private RunStore store(String name) {
        RunStore s = RunStore.open(dir.resolve(name));
        stores.add(s);
        return s;
    }

    @Test
    void theSubAgentsEventsAreJournaledNestedAndItsStreamedDeltasAreNot() {
        RunStore leadStore = store("lead.db");
        RunStore subStore = store("sub.db");
        Agent sub = Agent.builder()
                .name("helper")
                .model(ScriptedChatModel.of(Reply.text("helped")))
                .runStore(subStore)
                .build();
        Agent lead = Agent.builder()
                .name("lead")
                .model(ScriptedChatModel.of(Reply.toolCall("help", "{\"task\":\"help me\"}"), Reply.text("done")))
                .tools(sub.asTool("help", "helps"))
                .runStore(leadStore)
                .build();

        AgentResult result = lead.task("go").execute().block(WAIT);
        List<AgentEvent> journaled = lead.events(result.runId(), 1).map(RunEvent::event).collectList().block(WAIT);

        List<AgentEvent.SubAgentEvent> nested = journaled.stream()
                .filter(AgentEvent.SubAgentEvent.class::isInstance)
                .map(AgentEvent.SubAgentEvent.class::cast)
                .toList();
        assertThat(nested).isNotEmpty().allSatisfy(e -> {
            assertThat(e.agent()).isEqualTo("helper");
            assertThat(e.call().name()).isEqualTo("help");
            assertThat(e.innermost()).isNotInstanceOf(AgentEvent.TextDelta.class);
        });
        assertThat(nested.get(0).event()).isInstanceOf(AgentEvent.Started.class);
        assertThat(nested.get(nested.size() - 1).event()).isInstanceOfSatisfying(AgentEvent.Completed.class,
                c -> assertThat(c.result().text()).isEqualTo("helped"));
        // The sub-agent has a store of its own, so the call is also a durable run there, which the nested Started
        // names (issue 20); the caller's journal still holds its events under the call.
        String childId = result.runId() + "/1/" + nested.get(0).call().id();
        assertThat(((AgentEvent.Started) nested.get(0).event()).taskId()).isEqualTo(childId);
        assertThat(subStore.runs().collectList().block(WAIT)).singleElement()
                .satisfies(r -> assertThat(r.id()).isEqualTo(childId))
                .satisfies(r -> assertThat(r.status()).isEqualTo(dev.agentrt.core.run.RunStatus.COMPLETED));
        assertThat(leadStore.find(childId).block(WAIT)).as("not in the caller's store").isNull();
    }
}
