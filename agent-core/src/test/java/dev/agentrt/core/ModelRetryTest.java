package dev.agentrt.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.RetryPolicy;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The loop retries a step whose model call failed in a way that may pass, and a run that fails carries
 * what it did. Backoff runs on virtual time: nothing here waits for real.
 */
class ModelRetryTest {
    static final ToolCall COUNT_CALL = new ToolCall("call_1", "count", "{}");

    /** 1 s, then 2 s, 4 s...: no jitter, so the waits are exact. */
    static RetryPolicy retries(int max) {
        return new RetryPolicy(max, Duration.ofSeconds(1), Duration.ofSeconds(30), 0, Duration.ZERO);
    }

    static ModelException connectionReset() {
        return new ModelException("OpenAI: the connection broke during the reply: Connection reset", 200, "req_9",
                true, new java.io.IOException("Connection reset"));
    }

    static Flux<ChatEvent> toolCallReply() {
        return Flux.just(new ChatEvent.ToolCallDelta(0, COUNT_CALL.id(), COUNT_CALL.name(), "{}"),
                new ChatEvent.UsageReport(Usage.of(10, 5)), ChatEvent.finish(FinishReason.TOOL_CALLS));
    }

    /** Some text and usage, then the connection breaks. */
    static Flux<ChatEvent> brokenReply(ModelException failure) {
        return Flux.concat(Flux.just(ChatEvent.text("Half an an"), new ChatEvent.UsageReport(Usage.of(20, 3))),
                Flux.error(failure));
    }

    static Flux<ChatEvent> textReply(String text) {
        return Flux.just(ChatEvent.text(text.substring(0, 4)), ChatEvent.text(text.substring(4)),
                new ChatEvent.UsageReport(Usage.of(20, 6)), ChatEvent.finish(FinishReason.STOP));
    }

    /** A model that answers each call with the next reply of a script (the last one repeats), recording requests. */
    static final class Script implements ChatModel {
        final List<ChatRequest> requests = new CopyOnWriteArrayList<>();
        private final ConcurrentLinkedQueue<Supplier<Flux<ChatEvent>>> replies = new ConcurrentLinkedQueue<>();
        private volatile Supplier<Flux<ChatEvent>> last;

        @SafeVarargs
        Script(Supplier<Flux<ChatEvent>>... replies) {
            for (Supplier<Flux<ChatEvent>> reply : replies) {
                this.replies.add(reply);
            }
            this.last = replies[replies.length - 1];
        }

        @Override
        public Flux<ChatEvent> stream(ChatRequest request) {
            return Flux.defer(() -> {
                requests.add(request);
                Supplier<Flux<ChatEvent>> next = replies.size() > 1 ? replies.poll() : last;
                return next.get();
            });
        }
    }

    final AtomicInteger toolRuns = new AtomicInteger();
    final List<AgentEvent> events = new CopyOnWriteArrayList<>();

    Tool countingTool() {
        return Tool.builder("count")
                .handler((args, ctx) -> Mono.fromCallable(() -> ToolResult.text("ran " + toolRuns.incrementAndGet())))
                .build();
    }

    Agent.Builder agent(ChatModel model) {
        return Agent.builder()
                .model(model)
                .instructions("Be brief.")
                .tools(countingTool())
                .listener(events::add)
                .modelRetry(retries(2));
    }

    @Test
    void aReplyThatBreaksMidStreamIsAskedAgainWithTheSameConversationAndNoToolRunsTwice() {
        var model = new Script(ModelRetryTest::toolCallReply, () -> brokenReply(connectionReset()),
                () -> textReply("All done."));
        Agent agent = agent(model).build();

        StepVerifier.withVirtualTime(() -> agent.task("go").execute())
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .assertNext(r -> {
                    assertThat(r.text()).isEqualTo("All done.");
                    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
                    assertThat(r.steps()).as("a retried call is still one step").isEqualTo(2);
                    assertThat(r.transcript()).containsExactly(Message.system("Be brief."), Message.user("go"),
                            Message.assistant("", List.of(COUNT_CALL)),
                            new Message.ToolResult("call_1", "count", "ran 1", false), Message.assistant("All done."));
                    assertThat(r.usage()).as("the broken reply's tokens count").isEqualTo(Usage.of(50, 14));
                })
                .expectComplete()
                .verify(Duration.ofSeconds(30));

        assertThat(toolRuns).hasValue(1);
        assertThat(model.requests).hasSize(3);
        assertThat(model.requests.get(2)).as("the retry sends the same conversation").isEqualTo(model.requests.get(1));
    }

    @Test
    void streamSubscribersSeeTheRetryBetweenTheVoidTextAndTheNewAttempt() {
        var model = new Script(ModelRetryTest::toolCallReply, () -> brokenReply(connectionReset()),
                () -> textReply("All done."));
        Agent agent = agent(model).build();

        List<AgentEvent> stream = new CopyOnWriteArrayList<>();
        StepVerifier.withVirtualTime(() -> agent.task("go").stream().doOnNext(stream::add))
                .thenConsumeWhile(e -> !(e instanceof AgentEvent.ModelRetry))
                .expectNextMatches(AgentEvent.ModelRetry.class::isInstance)
                .expectNoEvent(Duration.ofMillis(999))
                .thenAwait(Duration.ofMillis(1))
                .thenConsumeWhile(e -> true)
                .expectComplete()
                .verify(Duration.ofSeconds(30));

        String taskId = stream.get(0).taskId();
        assertThat(stream).filteredOn(e -> !(e instanceof AgentEvent.Started || e instanceof AgentEvent.Completed))
                .filteredOn(e -> stepOf(e) == 2)
                .containsExactly(
                        new AgentEvent.ModelRequest(taskId, 2, 4, 1),
                        new AgentEvent.TextDelta(taskId, 2, "Half an an"),
                        new AgentEvent.ModelRetry(taskId, 2, 1, 200, "req_9",
                                "OpenAI: the connection broke during the reply: Connection reset",
                                Duration.ofSeconds(1).toNanos()),
                        new AgentEvent.ModelRequest(taskId, 2, 4, 1),
                        new AgentEvent.TextDelta(taskId, 2, "All "),
                        new AgentEvent.TextDelta(taskId, 2, "done."),
                        new AgentEvent.StepDone(taskId, 2, Usage.of(40, 9), Usage.of(50, 14)));
        // What a UI shows: the deltas of the step since its last request.
        assertThat(textSinceLastRequest(stream, 2)).isEqualTo("All done.");
        assertThat(stream).filteredOn(AgentEvent.ToolCallRequested.class::isInstance).hasSize(1);
        assertThat(events).as("listeners see what stream() shows").isEqualTo(stream);
    }

    static int stepOf(AgentEvent e) {
        return switch (e) {
            case AgentEvent.ModelRequest m -> m.step();
            case AgentEvent.TextDelta t -> t.step();
            case AgentEvent.ModelRetry r -> r.step();
            case AgentEvent.StepDone s -> s.step();
            default -> 0;
        };
    }

    static String textSinceLastRequest(List<AgentEvent> stream, int step) {
        var text = new StringBuilder();
        for (AgentEvent e : stream) {
            if (e instanceof AgentEvent.ModelRequest m && m.step() == step) {
                text.setLength(0);
            } else if (e instanceof AgentEvent.TextDelta t && t.step() == step) {
                text.append(t.text());
            }
        }
        return text.toString();
    }

    @Test
    void givesUpAfterThePolicysRetriesWithTheRunSoFarIncludingTheToolResults() {
        var model = new Script(ModelRetryTest::toolCallReply, () -> brokenReply(connectionReset()));
        Agent agent = agent(model).build();

        StepVerifier.withVirtualTime(() -> agent.task("go").execute())
                .expectSubscription()
                .expectNoEvent(Duration.ofSeconds(1))
                .expectNoEvent(Duration.ofMillis(1999))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ModelException.class)
                            .hasMessage("OpenAI: the connection broke during the reply: Connection reset "
                                    + "(step 2 gave up after 2 retries)")
                            .hasCauseInstanceOf(java.io.IOException.class);
                    var m = (ModelException) e;
                    assertThat(m.status()).isEqualTo(200);
                    assertThat(m.requestId()).isEqualTo("req_9");
                    assertThat(m.getSuppressed()).as("the earlier attempts").hasSize(2);
                    AgentResult partial = m.partialResult().orElseThrow();
                    assertThat(partial.outcome()).isEqualTo(Outcome.FAILED);
                    assertThat(partial.steps()).isEqualTo(2);
                    assertThat(partial.transcript()).containsExactly(Message.system("Be brief."),
                            Message.user("go"), Message.assistant("", List.of(COUNT_CALL)),
                            new Message.ToolResult("call_1", "count", "ran 1", false));
                    assertThat(partial.usage()).isEqualTo(Usage.of(10 + 3 * 20, 5 + 3 * 3));
                })
                .verify(Duration.ofSeconds(30));

        assertThat(model.requests).hasSize(4);
        assertThat(toolRuns).hasValue(1);
        assertThat(events).filteredOn(AgentEvent.ModelRetry.class::isInstance)
                .extracting(e -> ((AgentEvent.ModelRetry) e).delayNanos())
                .containsExactly(Duration.ofSeconds(1).toNanos(), Duration.ofSeconds(2).toNanos());
        assertThat(events).last().isInstanceOfSatisfying(AgentEvent.Failed.class, f -> {
            assertThat(f.errorType()).isEqualTo("ModelException");
            assertThat(f.partial().transcript()).hasSize(4);
        });
    }

    @Test
    void theSameExceptionHandedOutForEveryFailureIsNeitherChangedNorListedTwice() {
        ModelException shared = connectionReset();
        var model = new Script(() -> Flux.error(shared));
        Agent agent = agent(model).build();

        StepVerifier.withVirtualTime(() -> agent.task("go").execute())
                .thenAwait(Duration.ofSeconds(3))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isNotSameAs(shared);
                    assertThat(((ModelException) e).partialResult()).isPresent();
                    assertThat(e.getSuppressed()).isEmpty();
                })
                .verify(Duration.ofSeconds(30));
        assertThat(model.requests).hasSize(3);
        assertThat(shared.partialResult()).isEmpty();
        assertThat(shared.getSuppressed()).isEmpty();
        assertThat(shared.getMessage()).doesNotContain("gave up");
    }

    @Test
    void aFailureThatCannotPassIsNotRetried() {
        var unauthorized = new ModelException("OpenAI returned HTTP 401: invalid_api_key", 401, "req_1", false, null);
        var model = new Script(() -> Flux.error(unauthorized));
        Agent agent = agent(model).build();

        StepVerifier.withVirtualTime(() -> agent.task("go").execute())
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ModelException.class)
                            .hasMessage("OpenAI returned HTTP 401: invalid_api_key");
                    assertThat(((ModelException) e).status()).isEqualTo(401);
                    assertThat(((ModelException) e).partialResult().orElseThrow().transcript())
                            .containsExactly(Message.system("Be brief."), Message.user("go"));
                })
                .verify(Duration.ofSeconds(30));
        assertThat(model.requests).hasSize(1);
        assertThat(events).noneMatch(AgentEvent.ModelRetry.class::isInstance);
    }

    @Test
    void retryingCanBeTurnedOff() {
        var model = new Script(() -> brokenReply(connectionReset()));
        Agent agent = agent(model).modelRetry(RetryPolicy.NONE).build();

        StepVerifier.create(agent.task("go").execute())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessage("OpenAI: the connection broke during the reply: Connection reset"))
                .verify(Duration.ofSeconds(30));
        assertThat(model.requests).hasSize(1);
    }

    @Test
    void cancellingDuringTheBackoffStopsAtOnce() {
        var model = new Script(() -> brokenReply(connectionReset()));
        Agent agent = agent(model).modelRetry(retries(2).withBackoff(Duration.ofMinutes(10), Duration.ofMinutes(10)))
                .build();
        VirtualTimeScheduler clock = VirtualTimeScheduler.getOrSet();
        try {
            var received = new CopyOnWriteArrayList<AgentEvent>();
            Disposable running = agent.task("go").stream().subscribe(received::add);
            assertThat(received).last().isInstanceOf(AgentEvent.ModelRetry.class);
            clock.advanceTimeBy(Duration.ofMinutes(5));

            running.dispose();
            clock.advanceTimeBy(Duration.ofHours(1));

            assertThat(model.requests).as("no call after the cancel").hasSize(1);
            assertThat(received).last().isInstanceOf(AgentEvent.ModelRetry.class);
            assertThat(events).last()
                    .isInstanceOfSatisfying(AgentEvent.Failed.class,
                            f -> assertThat(f.partial().outcome()).isEqualTo(Outcome.CANCELLED));
        } finally {
            VirtualTimeScheduler.reset();
        }
    }

    @Test
    void aRetryIsNotStartedWhenItsWaitWouldOutlastTheWallTimeBudget() {
        var model = new Script(() -> brokenReply(connectionReset()));
        // Waits of 3 s, then 6 s: the first fits in the 5 s budget, the second (at 3 s) does not.
        Agent agent = agent(model)
                .modelRetry(new RetryPolicy(5, Duration.ofSeconds(3), Duration.ofSeconds(30), 0, Duration.ZERO))
                .toolTimeout(Duration.ofSeconds(1))
                .budget(Budget.UNLIMITED.withMaxWallTime(Duration.ofSeconds(5)))
                .build();

        StepVerifier.withVirtualTime(() -> agent.task("go").execute())
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(2999))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(ModelException.class)
                            .hasMessageEndingWith("(step 1 not retried: waiting 6000 ms would pass the task's "
                                    + "wall-time budget of PT5S)");
                    assertThat(((ModelException) e).partialResult().orElseThrow().outcome())
                            .isEqualTo(Outcome.FAILED);
                })
                .verify(Duration.ofSeconds(30));
        assertThat(model.requests).hasSize(2);
    }

    @Test
    void theWallTimeBudgetStillEndsATaskWhoseRetriedCallHangs() {
        var model = new Script(() -> brokenReply(connectionReset()), Flux::never);
        Agent agent = agent(model)
                .toolTimeout(Duration.ofSeconds(1))
                .budget(Budget.UNLIMITED.withMaxWallTime(Duration.ofSeconds(5)))
                .build();

        StepVerifier.withVirtualTime(() -> agent.task("go").execute())
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(4999))
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(e -> assertThat(((BudgetExceededException) e).outcome())
                        .isEqualTo(Outcome.TIME_LIMIT))
                .verify(Duration.ofSeconds(30));
        assertThat(model.requests).hasSize(2);
    }

    @Test
    void theTokensOfBrokenRepliesCountAgainstTheTokenBudget() {
        // Each broken reply reports 23 tokens: the third pushes the task past its budget of 60.
        var model = new Script(() -> brokenReply(connectionReset()));
        Agent agent = agent(model).budget(Budget.UNLIMITED.withMaxTokens(60)).build();

        StepVerifier.withVirtualTime(() -> agent.task("go").execute())
                .thenAwait(Duration.ofSeconds(3))
                .expectErrorSatisfies(e -> {
                    var b = (BudgetExceededException) e;
                    assertThat(b.outcome()).isEqualTo(Outcome.TOKEN_LIMIT);
                    assertThat(b.partialResult().usage().totalTokens()).isEqualTo(69);
                })
                .verify(Duration.ofSeconds(30));
        assertThat(model.requests).hasSize(3);
    }

    @Test
    void retriesDoNotCountAsSteps() {
        var model = new Script(() -> brokenReply(connectionReset()), () -> textReply("Fine now."));
        Agent agent = agent(model).maxSteps(1).build();

        StepVerifier.withVirtualTime(() -> agent.task("go").execute())
                .thenAwait(Duration.ofSeconds(1))
                .assertNext(r -> {
                    assertThat(r.text()).isEqualTo("Fine now.");
                    assertThat(r.steps()).isEqualTo(1);
                })
                .expectComplete()
                .verify(Duration.ofSeconds(30));
    }
}
