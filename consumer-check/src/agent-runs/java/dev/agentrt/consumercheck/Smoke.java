package dev.agentrt.consumercheck;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import reactor.core.publisher.Mono;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * agent-runs on a consumer's class path: a run in the embedded SQLite store pauses for an approval, and after the
 * store is reopened it is approved and resumed, the tool running exactly once.
 */
public final class Smoke {
    private Smoke() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("agentrt-runs-smoke");
        Path file = dir.resolve("runs.db");
        AtomicInteger payments = new AtomicInteger();
        Tool pay = Tool.builder("pay")
                .requires(Capability.custom("payments", "send"))
                .handler((a, ctx) -> Mono.fromCallable(() -> ToolResult.text("paid " + payments.incrementAndGet())))
                .build();
        ToolCall call = new ToolCall("call-1", "pay", "{}");
        String runId;
        try (RunStore store = RunStore.open(file)) {
            Agent agent = Agent.builder()
                    .model(ScriptedChatModel.builder().replies(Reply.toolCalls(call), Reply.text("done"))
                            .perConversation().build())
                    .tools(pay).runStore(store).approvals(r -> Mono.just(Decision.defer())).build();
            AgentResult paused = agent.task("pay the invoice").execute().block(Duration.ofSeconds(60));
            Checks.that(paused != null, "the task gave no result");
            Checks.equal("the paused outcome", Outcome.AWAITING_APPROVAL, paused.outcome());
            runId = paused.runId();
        }
        try (RunStore store = RunStore.open(file)) {
            Agent agent = Agent.builder()
                    .model(ScriptedChatModel.builder().replies(Reply.toolCalls(call), Reply.text("done"))
                            .perConversation().build())
                    .tools(pay).runStore(store).build();
            agent.approve(runId, "call-1", Decision.approveOnce()).block(Duration.ofSeconds(60));
            AgentResult done = agent.resume(runId).execute().block(Duration.ofSeconds(60));
            Checks.that(done != null, "the resumed task gave no result");
            Checks.equal("the final answer", "done", done.text());
            Checks.equal("payments made", 1, payments.get());
        }
        System.out.println("agent-runs smoke test passed: a run paused, was approved after a reopen, and finished");
    }
}
