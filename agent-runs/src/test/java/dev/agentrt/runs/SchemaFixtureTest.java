package dev.agentrt.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store written by the first schema version, kept as a fixture ({@code src/test/resources/runs-schema-1.db}: a
 * run paused for an approval), opens with this version, and its run is approved and resumed to the end. Run with
 * {@code -Dfixture.write=true} to write the fixture again (only ever with the first schema's code).
 */
class SchemaFixtureTest {
    private static final Path FIXTURE = Path.of("src/test/resources/runs-schema-1.db");
    private static final ToolCall PAY = new ToolCall("call-pay", "pay", "{\"invoice\":17}");

    @TempDir
    Path dir;

    private final AtomicInteger payments = new AtomicInteger();

    private Agent.Builder agent(RunStore store) {
        Tool pay = Tool.builder("pay")
                .requires(Capability.custom("payments", "send"))
                .handler((a, ctx) -> Mono.fromCallable(() -> ToolResult.text("paid " + payments.incrementAndGet())))
                .build();
        return Agent.builder()
                .name("billing")
                .version("1")
                .runStore(store)
                .tools(pay)
                .model(ScriptedChatModel.builder()
                        .replies(Reply.toolCalls(PAY), Reply.text("Paid."))
                        .perConversation()
                        .build());
    }

    @Test
    void aStoreOfTheFirstSchemaOpensAndItsPausedRunResumes() throws Exception {
        if (Boolean.getBoolean("fixture.write")) {
            Files.deleteIfExists(FIXTURE);
            try (RunStore store = SqliteRunStore.open(FIXTURE)) {
                AgentResult paused = agent(store).approvals(r -> Mono.just(Decision.defer("finance decides")))
                        .build()
                        .task("Pay invoice 17")
                        .withId("run-v1")
                        .execute()
                        .block(Duration.ofSeconds(60));
                assertThat(paused.outcome()).isEqualTo(Outcome.AWAITING_APPROVAL);
            }
        }
        Path copy = dir.resolve("runs.db");
        Files.copy(FIXTURE, copy, StandardCopyOption.REPLACE_EXISTING);

        try (RunStore store = SqliteRunStore.open(copy)) {
            assertThat(store.find("run-v1").block().status()).isEqualTo(RunStatus.AWAITING_APPROVAL);
            Agent agent = agent(store).build();
            assertThat(agent.pending("run-v1").collectList().block()).singleElement()
                    .satisfies(p -> assertThat(p.text()).isEqualTo("finance decides"));
            agent.approve("run-v1", PAY.id(), Decision.approveOnce()).block();
            AgentResult done = agent.resume("run-v1").execute().block(Duration.ofSeconds(60));

            assertThat(done.outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(done.text()).isEqualTo("Paid.");
            assertThat(payments).hasValue(1);
            assertThat(done.transcript()).containsSubsequence(Message.user("Pay invoice 17"),
                    new Message.ToolResult(PAY.id(), "pay", "paid 1", false), Message.assistant("Paid."));
        }
        assertThat(Files.size(FIXTURE)).as("the fixture itself is never written").isPositive();
    }
}
