package dev.agentrt.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A durable run can be started, approved and resumed from a non-blocking thread (a Netty event loop in a WebFlux
 * handler, Reactor's parallel scheduler): nothing on the way blocks the subscriber's thread, not even drawing the
 * run id (BlockHound, installed for every test, fails the subscription if something does). {@code approve} does
 * nothing before it is subscribed.
 */
class NonBlockingThreadsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private RunStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void aRunIsStartedApprovedAndResumedFromParallelThreads() {
        store = RunStore.open(dir.resolve("runs.db"));
        AtomicInteger payments = new AtomicInteger();
        Tool pay = Tool.builder("pay")
                .description("Pays an invoice.")
                .requires(Capability.custom("payments", "send"))
                .handler((args, ctx) -> Mono.fromSupplier(() -> {
                    payments.incrementAndGet();
                    return ToolResult.text("paid");
                }))
                .build();
        Agent agent = Agent.builder()
                .model(ScriptedChatModel.builder()
                        .replies(Reply.toolCall("pay", "{\"invoice\":17}"), Reply.text("Paid invoice 17."))
                        .perConversation()
                        .build())
                .runStore(store)
                .tools(pay)
                .approvals(request -> Mono.just(Decision.defer("finance approves payments")))
                .build();

        AgentResult paused = Mono.defer(() -> agent.task("Pay invoice 17").execute())
                .subscribeOn(Schedulers.parallel())
                .block(WAIT);
        assertThat(paused.outcome()).isEqualTo(Outcome.AWAITING_APPROVAL);
        String runId = paused.runId();
        String callId = agent.pending(runId).blockFirst(WAIT).call().id();

        Mono<Void> approval = agent.approve(runId, callId, Decision.approveOnce());
        assertThat(agent.pending(runId).collectList().block(WAIT)).as("nothing decided before subscription")
                .hasSize(1);
        StepVerifier.create(approval.subscribeOn(Schedulers.parallel())).expectComplete().verify(WAIT);

        StepVerifier.create(Mono.defer(() -> agent.resume(runId).execute()).subscribeOn(Schedulers.parallel()))
                .assertNext(done -> {
                    assertThat(done.outcome()).isEqualTo(Outcome.COMPLETED);
                    assertThat(done.text()).isEqualTo("Paid invoice 17.");
                })
                .expectComplete()
                .verify(WAIT);
        assertThat(payments).hasValue(1);
    }
}
