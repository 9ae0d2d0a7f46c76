package dev.agentrt.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.run.JournalEntry;
import dev.agentrt.core.run.RunEntry;
import dev.agentrt.core.run.RunEvent;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The calls a tool makes to other tools (code mode) in a durable run: journaled as events of the calling
 * call, never as calls of their own, so resume sees only the model's calls; a deferred approval of one
 * denies it rather than pausing the run, since the calling tool waits for its answer.
 */
class NestedCallJournalTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ToolCall SCRIPT = new ToolCall("call-script", "script", "{}");

    @TempDir
    Path dir;

    @Test
    void nestedCallsAreEventsOfTheCallingCallAndADeferredApprovalDeniesThem() {
        Tool lookup = Tool.builder("lookup")
                .handler((args, ctx) -> Mono.just(ToolResult.text("paid on 2 March")))
                .build();
        Tool pay = Tool.builder("pay")
                .requires(Capability.custom("payments", "send"))
                .handler((args, ctx) -> Mono.just(ToolResult.text("sent")))
                .build();
        Tool script = Tool.builder("script")
                .handler((args, ctx) -> ctx.callTool("lookup", JsonObject.builder().build())
                        .zipWith(ctx.callTool("pay", JsonObject.builder().build()))
                        .map(t -> ToolResult.text(t.getT1().content() + " | " + t.getT2().content())))
                .build();
        var model = ScriptedChatModel.builder()
                .replies(Reply.toolCalls(SCRIPT), Reply.text("done"))
                .perConversation()
                .build();
        try (RunStore store = SqliteRunStore.builder(dir.resolve("runs.db")).build()) {
            Agent agent = Agent.builder()
                    .model(model)
                    .runStore(store)
                    .tools(script, lookup, pay)
                    .approvals(request -> Mono.just(Decision.defer("ask the treasurer")))
                    .build();

            AgentResult result = agent.task("pay invoice 17").execute().block(WAIT);

            assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
            Message.ToolResult scriptResult = result.transcript()
                    .stream()
                    .filter(Message.ToolResult.class::isInstance)
                    .map(Message.ToolResult.class::cast)
                    .findFirst()
                    .orElseThrow();
            assertThat(scriptResult.content()).startsWith("paid on 2 March | Permission denied: tool \"pay\"")
                    .contains("a call made by a tool cannot wait for one");
            List<RunEntry> entries = store.journal(result.runId(), 1)
                    .map(JournalEntry::entry)
                    .collectList()
                    .block(WAIT);
            assertThat(entries).filteredOn(RunEntry.ToolStarted.class::isInstance)
                    .extracting(e -> ((RunEntry.ToolStarted) e).call())
                    .containsExactly(SCRIPT);
            assertThat(entries).noneMatch(e -> e instanceof RunEntry.AwaitingApproval);

            // The events, read back from the store's JSON, still show the nesting.
            List<AgentEvent.ToolCallRequested> requested = agent.events(result.runId(), 1)
                    .map(RunEvent::event)
                    .ofType(AgentEvent.ToolCallRequested.class)
                    .collectList()
                    .block(WAIT);
            assertThat(requested).extracting(e -> e.call().id(), AgentEvent.ToolCallRequested::parentCallId)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("call-script", null),
                            org.assertj.core.groups.Tuple.tuple("call-script/1", "call-script"),
                            org.assertj.core.groups.Tuple.tuple("call-script/2", "call-script"));
        }
    }
}
