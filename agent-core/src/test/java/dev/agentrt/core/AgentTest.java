package dev.agentrt.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.memory.MemoryQuery;
import dev.agentrt.core.memory.MemoryRecord;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

class AgentTest {
    static final String ECHO_SCHEMA = """
            {"type":"object","properties":{"text":{"type":"string"}},"required":["text"],"additionalProperties":false}""";

    static Tool echo() {
        return Tool.builder("echo")
                .description("Echoes its text")
                .parameters(JsonValue.parse(ECHO_SCHEMA).asObject())
                .handler((args, ctx) -> Mono.just(ToolResult.text("echo: " + args.getString("text").orElseThrow())))
                .build();
    }

    static List<Message.ToolResult> toolResults(AgentResult r) {
        return r.transcript()
                .stream()
                .filter(Message.ToolResult.class::isInstance)
                .map(Message.ToolResult.class::cast)
                .toList();
    }

    @Test
    void aToolSourcesInstructionsReachTheModelAfterTheAgentsOwnAndSurviveToBuilder() {
        var model = ScriptedChatModel.of(Reply.text("ok"), Reply.text("ok"));
        dev.agentrt.core.tool.ToolSource withInstructions = new dev.agentrt.core.tool.ToolSource() {
            @Override
            public List<Tool> tools() {
                return List.of(echo());
            }

            @Override
            public String instructions() {
                return "Echo repeats its text; use it to test.";
            }
        };
        dev.agentrt.core.tool.ToolSource silent = () -> List.of();
        Agent agent = Agent.builder().model(model).instructions("Be brief.").tools(withInstructions, silent).build();
        assertThat(agent.toolInstructions()).containsExactly("Echo repeats its text; use it to test.");

        agent.task("go").executeBlocking();
        agent.toBuilder().build().task("go").executeBlocking();

        assertThat(model.requests()).hasSize(2)
                .allSatisfy(request -> assertThat(request.messages()).containsExactly(
                        Message.system("Be brief."), Message.system("Echo repeats its text; use it to test."),
                        Message.user("go")));
    }

    @Test
    void runsAMultiStepToolConversationToAFinalAnswer() {
        var model = ScriptedChatModel.of(
                Reply.toolCall("echo", "{\"text\":\"one\"}"),
                Reply.toolCall("echo", "{\"text\":\"two\"}"),
                Reply.text("done after two calls"));
        Agent agent = Agent.builder().model(model).instructions("Be brief.").tools(echo()).build();

        StepVerifier.create(agent.task("go").execute())
                .assertNext(r -> {
                    assertThat(r.text()).isEqualTo("done after two calls");
                    assertThat(r.steps()).isEqualTo(3);
                    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
                    assertThat(toolResults(r)).extracting(Message.ToolResult::content)
                            .containsExactly("echo: one", "echo: two");
                    assertThat(r.transcript().get(0)).isEqualTo(Message.system("Be brief."));
                    assertThat(r.transcript().get(1)).isEqualTo(Message.user("go"));
                    assertThat(r.usage().inputTokens()).isEqualTo(30);
                })
                .verifyComplete();
        // The second request carried the first call and its result.
        assertThat(model.requests().get(1).messages()).hasSize(4);
        assertThat(model.requests().get(0).tools()).extracting(ToolSpec::name).containsExactly("echo");
    }

    @Test
    void runsTheToolCallsOfOneStepAtTheSameTime() {
        // Each call waits until both have started: run one after the other, the first would time out.
        var started = new AtomicInteger();
        Sinks.Empty<Void> bothStarted = Sinks.empty();
        Tool barrier = Tool.builder("barrier")
                .handler((args, ctx) -> Mono.defer(() -> {
                    if (started.incrementAndGet() == 2) {
                        bothStarted.tryEmitEmpty();
                    }
                    return bothStarted.asMono().then(Mono.just(ToolResult.text("passed " + ctx.callId())));
                }))
                .build();
        var model = ScriptedChatModel.of(
                Reply.toolCalls(new ToolCall("a", "barrier", "{}"), new ToolCall("b", "barrier", "{}")),
                Reply.text("ok"));
        Agent agent = Agent.builder().model(model).tools(barrier).toolTimeout(Duration.ofSeconds(5)).build();

        AgentResult r = agent.task("go").executeBlocking();

        assertThat(toolResults(r)).extracting(Message.ToolResult::callId, Message.ToolResult::content,
                Message.ToolResult::error)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "passed a", false),
                        org.assertj.core.groups.Tuple.tuple("b", "passed b", false));
    }

    @Test
    void keepsToolResultsInCallOrderWhenLaterCallsFinishFirst() {
        Tool slow = Tool.builder("wait")
                .parameters(JsonValue.parse("{\"type\":\"object\",\"properties\":{\"ms\":{\"type\":\"integer\"}}}")
                        .asObject())
                .handler((args, ctx) -> Mono.delay(Duration.ofMillis(args.getLong("ms").orElseThrow()))
                        .thenReturn(ToolResult.text(ctx.callId())))
                .build();
        var model = ScriptedChatModel.of(Reply.toolCalls(new ToolCall("first", "wait", "{\"ms\":150}"),
                new ToolCall("second", "wait", "{\"ms\":1}"), new ToolCall("third", "wait", "{\"ms\":40}")),
                Reply.text("ok"));
        // Virtual time: the calls finish second, third, first on any machine.
        StepVerifier.withVirtualTime(() -> Agent.builder().model(model).tools(slow).build().task("go").execute())
                .thenAwait(Duration.ofMillis(150))
                .assertNext(r -> assertThat(toolResults(r)).extracting(Message.ToolResult::content)
                        .containsExactly("first", "second", "third"))
                .expectComplete()
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void answersEveryBadCallWithAnErrorResultAndGoesOn() {
        Tool failing = Tool.builder("explode")
                .handler((args, ctx) -> {
                    throw new IllegalStateException("kaboom");
                })
                .build();
        Tool never = Tool.builder("hang").handler((args, ctx) -> Mono.never()).build();
        var model = ScriptedChatModel.of(
                Reply.toolCalls(
                        new ToolCall("1", "nope", "{}"),
                        new ToolCall("2", "echo", "{\"text\": "),
                        new ToolCall("3", "echo", "{\"text\": 42}"),
                        new ToolCall("4", "echo", "[1,2]"),
                        new ToolCall("5", "explode", "{}"),
                        new ToolCall("6", "hang", "{}"),
                        new ToolCall("7", "echo", "{\"text\":\"fine\"}")),
                Reply.text("recovered"));
        Agent agent = Agent.builder()
                .model(model)
                .tools(echo(), failing, never)
                .toolTimeout(Duration.ofMillis(200))
                .build();

        // Virtual time: the hanging call times out when the clock passes 200 ms, on any machine; the
        // other calls answer before any time passes.
        var result = new java.util.concurrent.atomic.AtomicReference<AgentResult>();
        StepVerifier.withVirtualTime(() -> agent.task("go").execute())
                .thenAwait(Duration.ofMillis(200))
                .consumeNextWith(result::set)
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        AgentResult r = result.get();

        assertThat(r.text()).isEqualTo("recovered");
        List<Message.ToolResult> results = toolResults(r);
        assertThat(results).extracting(Message.ToolResult::callId).containsExactly("1", "2", "3", "4", "5", "6", "7");
        assertThat(results).extracting(Message.ToolResult::error)
                .containsExactly(true, true, true, true, true, true, false);
        assertThat(results.get(0).content()).contains("Unknown tool \"nope\"").contains("echo, explode, hang");
        assertThat(results.get(1).content()).contains("not valid JSON");
        assertThat(results.get(2).content()).contains("$.text").contains("string");
        assertThat(results.get(3).content()).contains("must be a JSON object");
        assertThat(results.get(4).content()).contains("kaboom");
        assertThat(results.get(5).content()).contains("did not finish within 200 ms");
        assertThat(results.get(6).content()).isEqualTo("echo: fine");
        // The model saw every result before its next turn.
        assertThat(model.lastRequest().messages()).containsAll(results);
    }

    @Test
    void failsWithTheStepLimitAndAConsistentPartialTranscript() {
        var model = ScriptedChatModel.builder().reply(Reply.toolCall("echo", "{\"text\":\"again\"}")).repeat().build();
        Agent agent = Agent.builder().model(model).tools(echo()).maxSteps(3).build();

        StepVerifier.create(agent.task("loop forever").execute())
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(BudgetExceededException.class).hasMessageContaining("maxSteps=3");
                    AgentResult partial = ((BudgetExceededException) e).partialResult();
                    assertThat(partial.outcome()).isEqualTo(Outcome.STEP_LIMIT);
                    assertThat(partial.steps()).isEqualTo(3);
                    assertEveryCallAnswered(partial.transcript());
                    assertThat(toolResults(partial)).last().satisfies(t -> {
                        assertThat(t.error()).isTrue();
                        assertThat(t.content()).startsWith("Not run");
                    });
                })
                .verify(Duration.ofSeconds(30));
        assertThat(model.requests()).hasSize(3);
    }

    static void assertEveryCallAnswered(List<Message> transcript) {
        for (int i = 0; i < transcript.size(); i++) {
            if (transcript.get(i) instanceof Message.Assistant a && a.hasToolCalls()) {
                for (int k = 0; k < a.toolCalls().size(); k++) {
                    assertThat(transcript.get(i + 1 + k)).isInstanceOfSatisfying(Message.ToolResult.class,
                            t -> assertThat(t.callId()).isNotEmpty());
                }
                int n = i;
                assertThat(a.toolCalls()).extracting(ToolCall::id)
                        .containsExactlyElementsOf(
                                transcript.subList(n + 1, n + 1 + a.toolCalls().size())
                                        .stream()
                                        .map(m -> ((Message.ToolResult) m).callId())
                                        .toList());
            }
        }
    }

    @Test
    void cancellingMidToolStopsTheToolAndTheTask() throws Exception {
        var started = new CountDownLatch(1);
        var interrupted = new CountDownLatch(1);
        var finishedNormally = new AtomicBoolean();
        Tool sleeper = Tool.builder("sleep").blockingHandler((args, ctx) -> {
            started.countDown();
            try {
                Thread.sleep(30_000);
                finishedNormally.set(true);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return ToolResult.text("woke up");
        }).build();
        var model = ScriptedChatModel.of(Reply.toolCall("sleep", "{}"), Reply.text("never reached"));
        Agent agent = Agent.builder().model(model).tools(sleeper).build();

        var subscription = agent.task("sleep").execute().subscribe();
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        subscription.dispose();

        assertThat(interrupted.await(5, TimeUnit.SECONDS)).as("tool thread interrupted").isTrue();
        assertThat(finishedNormally).isFalse();
        Thread.sleep(50);
        assertThat(model.requests()).hasSize(1);
    }

    @Test
    void cancellingMidStreamCancelsTheModelRequest() {
        var cancelled = new AtomicBoolean();
        var model = new dev.agentrt.core.model.ChatModel() {
            @Override
            public reactor.core.publisher.Flux<ChatEvent> stream(dev.agentrt.core.model.ChatRequest request) {
                return reactor.core.publisher.Flux.<ChatEvent>never().doOnCancel(() -> cancelled.set(true));
            }
        };
        var events = new CopyOnWriteArrayList<AgentEvent>();
        Agent agent = Agent.builder().model(model).listener(events::add).build();
        StepVerifier.create(agent.task("hi").stream())
                .expectNextMatches(AgentEvent.Started.class::isInstance)
                .expectNextMatches(AgentEvent.ModelRequest.class::isInstance)
                .thenCancel()
                .verify(Duration.ofSeconds(30));
        assertThat(cancelled).isTrue();
        assertThat(events).last()
                .isInstanceOfSatisfying(AgentEvent.Failed.class,
                        f -> assertThat(f.partial().outcome()).isEqualTo(Outcome.CANCELLED));
    }

    @Test
    void deniesAnUngrantedCapabilityAndExplainsItToTheModel() {
        Tool secret = Tool.builder("secret")
                .requires(Capability.env("API_TOKEN"))
                .handler((args, ctx) -> Mono.just(ToolResult.text("token")))
                .build();
        var model = ScriptedChatModel.of(Reply.toolCall("secret", "{}"), Reply.text("could not"));
        var events = new CopyOnWriteArrayList<AgentEvent>();
        Agent agent = Agent.builder().model(model).tools(secret).listener(events::add).build();

        AgentResult r = agent.task("read it").executeBlocking();

        assertThat(toolResults(r)).singleElement().satisfies(t -> {
            assertThat(t.error()).isTrue();
            assertThat(t.content()).contains("Permission denied").contains("env:API_TOKEN");
        });
        assertThat(events).filteredOn(AgentEvent.PermissionDenied.class::isInstance)
                .singleElement()
                .satisfies(e -> assertThat(((AgentEvent.PermissionDenied) e).missing())
                        .containsExactly(Capability.env("API_TOKEN")));
    }

    @Test
    void asksTheApprovalHandlerAndRunsTheCallWhenApproved() {
        var runs = new AtomicInteger();
        Tool secret = Tool.builder("secret")
                .requires(Capability.env("API_TOKEN"))
                .handler((args, ctx) -> Mono.fromCallable(() -> ToolResult.text("run " + runs.incrementAndGet())))
                .build();
        var model = ScriptedChatModel.of(Reply.toolCall("secret", "{}"), Reply.toolCall("secret", "{}"),
                Reply.text("ok"));
        var asked = new AtomicInteger();
        var events = new CopyOnWriteArrayList<AgentEvent>();
        Agent agent = Agent.builder()
                .model(model)
                .tools(secret)
                .listener(events::add)
                .approvals(req -> {
                    asked.incrementAndGet();
                    assertThat(req.missing()).containsExactly(Capability.env("API_TOKEN"));
                    return Mono.just(Decision.approveForTask());
                })
                .build();

        AgentResult r = agent.task("read it").executeBlocking();

        assertThat(toolResults(r)).extracting(Message.ToolResult::content).containsExactly("run 1", "run 2");
        assertThat(asked).as("approved for the task: asked once").hasValue(1);
        assertThat(events).filteredOn(AgentEvent.ApprovalDecided.class::isInstance).hasSize(1);
    }

    @Test
    void deniesTheCallWhenTheApproverSaysNoOrFails() {
        Tool secret = Tool.builder("secret")
                .requires(Capability.custom("payments", "refund"))
                .handler((args, ctx) -> Mono.just(ToolResult.text("refunded")))
                .build();
        var model = ScriptedChatModel.of(Reply.toolCall("secret", "{}"), Reply.toolCall("secret", "{}"),
                Reply.text("ok"));
        var calls = new AtomicInteger();
        Agent agent = Agent.builder()
                .model(model)
                .tools(secret)
                .approvals(req -> calls.incrementAndGet() == 1
                        ? Mono.just(Decision.deny("too risky"))
                        : Mono.error(new IllegalStateException("approver offline")))
                .build();

        List<Message.ToolResult> results = toolResults(agent.task("refund").executeBlocking());

        assertThat(results.get(0).content()).contains("not approved: too risky");
        assertThat(results.get(1).content()).contains("approval handler failed").contains("approver offline");
        assertThat(results).allMatch(Message.ToolResult::error);
    }

    @Test
    void grantsOfOneTaskDoNotLeakIntoAnother() {
        Tool secret = Tool.builder("secret")
                .requires(Capability.env("HOME"))
                .handler((args, ctx) -> Mono.just(ToolResult.text("home")))
                .build();
        var model = ScriptedChatModel.builder()
                .perConversation()
                .replies(Reply.toolCall("secret", "{}"), Reply.text("ok"))
                .build();
        Agent agent = Agent.builder().model(model).tools(secret).build();

        AgentResult granted = agent.task("a").grant(Capability.env("HOME")).executeBlocking();
        AgentResult plain = agent.task("b").executeBlocking();

        assertThat(toolResults(granted)).singleElement().extracting(Message.ToolResult::error).isEqualTo(false);
        assertThat(toolResults(plain)).singleElement().extracting(Message.ToolResult::error).isEqualTo(true);
    }

    @Test
    void hidesToolsTheCallerMayNotUseAndTreatsCallsToThemAsUnknown() {
        Tool admin = Tool.builder("drop_table").handler((args, ctx) -> Mono.just(ToolResult.text("dropped"))).build();
        var model = ScriptedChatModel.builder()
                .perConversation()
                .replies(Reply.toolCall("drop_table", "{}"), Reply.text("ok"))
                .build();
        Agent agent = Agent.builder()
                .model(model)
                .tools(echo(), admin)
                .toolAccess((principal, tool) -> !tool.name().equals("drop_table") || principal.hasRole("admin"))
                .grantsFor(p -> p.hasRole("admin") ? List.of(Capability.custom("db")) : List.of())
                .build();

        AgentResult guest = agent.task("drop it").as(Principal.of("guest")).executeBlocking();
        assertThat(model.requests().get(0).tools()).extracting(ToolSpec::name).containsExactly("echo");
        assertThat(toolResults(guest).get(0).content()).contains("Unknown tool").endsWith("Available tools: echo.");

        AgentResult admin1 = agent.task("drop it").as(Principal.of("root", "admin")).executeBlocking();
        assertThat(model.lastRequest().tools()).extracting(ToolSpec::name).containsExactly("echo", "drop_table");
        assertThat(toolResults(admin1).get(0).content()).isEqualTo("dropped");
    }

    @Test
    void aListenerGetsBackWithStartedWhatItCapturedWhereTheTaskWasMadeOnWhicheverThreadItRuns() {
        var ambient = new ThreadLocal<String>();
        var received = new java.util.concurrent.CopyOnWriteArrayList<String>();
        AgentEvent.Listener listener = new AgentEvent.Listener() {
            @Override
            public void onEvent(AgentEvent event) {}

            @Override
            public Object captureContext() {
                return ambient.get();
            }

            @Override
            public void onStarted(AgentEvent.Started started, Object captured) {
                received.add(started.input() + "<-" + captured + " on " + ambient.get());
            }
        };
        Agent agent = Agent.builder()
                .model(ScriptedChatModel.builder().replies(Reply.text("a")).repeat().build())
                .listener(listener)
                .build();

        ambient.set("request-1");
        Mono<AgentResult> made = agent.task("execute").execute();
        Flux<AgentEvent> streamed = agent.task("stream").stream();
        ambient.remove();
        made.subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()).block(Duration.ofSeconds(10));
        streamed.subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()).blockLast(Duration.ofSeconds(10));
        agent.task("nothing captured").executeBlocking();

        assertThat(received).containsExactly("execute<-request-1 on null", "stream<-request-1 on null",
                "nothing captured<-null on null");
    }

    @Test
    void whatAListenerEntersForAToolCallIsCurrentWhileTheToolStartsOnWhicheverThreadThatIs() {
        var ambient = new ThreadLocal<String>();
        var entered = new AtomicInteger();
        var closed = new AtomicInteger();
        var seen = new CopyOnWriteArrayList<String>();
        AgentEvent.Listener tracer = new AgentEvent.Listener() {
            @Override
            public void onEvent(AgentEvent event) {}

            @Override
            public AgentEvent.Listener.Scope enterTool(String taskId, ToolCall call) {
                entered.incrementAndGet();
                String before = ambient.get();
                ambient.set(call.name());
                return () -> {
                    closed.incrementAndGet();
                    ambient.set(before);
                };
            }
        };
        AgentEvent.Listener broken = new AgentEvent.Listener() {
            @Override
            public void onEvent(AgentEvent event) {}

            @Override
            public AgentEvent.Listener.Scope enterTool(String taskId, ToolCall call) {
                throw new IllegalStateException("a broken tracer");
            }
        };
        var anyObject = JsonValue.parse("{\"type\":\"object\"}").asObject();
        Tool slow = Tool.builder("slow")
                .description("Blocks")
                .parameters(anyObject)
                .blockingHandler((args, ctx) -> {
                    seen.add("slow sees " + ambient.get() + (Thread.currentThread().isVirtual()
                            ? " on a virtual thread"
                            : " elsewhere"));
                    return ToolResult.text("ok");
                })
                .build();
        Tool quick = Tool.builder("quick").description("Does not block").parameters(anyObject).handler((args, ctx) -> {
            seen.add("quick sees " + ambient.get());
            return Mono.fromSupplier(() -> {
                seen.add("quick's Mono sees " + ambient.get());
                return ToolResult.text("ok");
            });
        }).build();
        Agent agent = Agent.builder()
                .model(ScriptedChatModel.of(Reply.toolCall("slow", "{}"), Reply.toolCall("quick", "{}"),
                        Reply.text("done")))
                .tools(slow, quick)
                .listener(broken)
                .listener(tracer)
                .build();

        AgentResult result = agent.task("go").executeBlocking();

        assertThat(result.text()).isEqualTo("done");
        assertThat(toolResults(result)).extracting(Message.ToolResult::error).containsExactly(false, false);
        assertThat(seen).containsExactly("slow sees slow on a virtual thread", "quick sees quick",
                "quick's Mono sees quick");
        // Every scope entered was closed, and nothing stays current on the caller's thread.
        assertThat(closed.get()).isEqualTo(entered.get()).isPositive();
        assertThat(ambient.get()).isNull();
    }

    @Test
    void streamsEventsInOrderEndingWithCompleted() {
        var model = ScriptedChatModel.of(Reply.toolCall("echo", "{\"text\":\"x\"}"), Reply.text("final words"));
        Agent agent = Agent.builder().model(model).tools(echo()).build();

        List<AgentEvent> events = agent.task("go").stream().collectList().block(Duration.ofSeconds(30));

        assertThat(events).extracting(e -> e.getClass().getSimpleName())
                .containsExactly(
                        "Started", "ModelRequest", "ModelResponse", "ToolCallRequested", "ToolCallCompleted",
                        "StepDone", "ModelRequest", "TextDelta", "TextDelta", "ModelResponse", "StepDone", "Completed");
        assertThat(events).extracting(AgentEvent::taskId).containsOnly(events.get(0).taskId());
        var completed = (AgentEvent.Completed) events.get(events.size() - 1);
        assertThat(completed.result().text()).isEqualTo("final words");
        String streamed = events.stream()
                .filter(AgentEvent.TextDelta.class::isInstance)
                .map(e -> ((AgentEvent.TextDelta) e).text())
                .reduce("", String::concat);
        assertThat(streamed).isEqualTo("final words");
    }

    @Test
    void endsTheStreamWithFailedAndAnErrorWhenTheModelFails() {
        var model = ScriptedChatModel.of(Reply.error(new ModelException("overloaded", 529, "req_1", true, null)));
        Agent agent = Agent.builder().model(model).modelRetry(dev.agentrt.core.model.RetryPolicy.NONE).build();
        StepVerifier.create(agent.task("hi").stream())
                .expectNextMatches(AgentEvent.Started.class::isInstance)
                .expectNextMatches(AgentEvent.ModelRequest.class::isInstance)
                .expectNextMatches(e -> e instanceof AgentEvent.Failed f && f.errorType().equals("ModelException")
                        && f.partial().outcome() == Outcome.FAILED
                        && f.partial().transcript().equals(List.of(Message.user("hi"))))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .satisfies(m -> assertThat(((ModelException) m).status()).isEqualTo(529))
                        .satisfies(m -> assertThat(((ModelException) m).partialResult()).isPresent()))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void treatsAStreamWithoutAFinishEventAsAnError() {
        var model = ScriptedChatModel.of(Reply.events(ChatEvent.text("half an ans")));
        StepVerifier.create(Agent.builder().model(model).build().task("hi").execute())
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("without a finish event"))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void stopsWhenTheTokenBudgetIsUsedUpBeforeRunningMoreTools() {
        var runs = new AtomicInteger();
        Tool counting = Tool.builder("count")
                .handler((a, c) -> Mono.fromCallable(() -> ToolResult.text("" + runs
                        .incrementAndGet())))
                .build();
        var model = ScriptedChatModel.builder()
                .repeat()
                .reply(Reply.of("", List.of(new ToolCall("c", "count", "{}")), Usage.of(600, 100)))
                .build();
        Agent agent = Agent.builder()
                .model(model)
                .tools(counting)
                .maxSteps(50)
                .budget(Budget.UNLIMITED.withMaxTokens(1000))
                .build();

        StepVerifier.create(agent.task("spend").execute())
                .expectErrorSatisfies(e -> {
                    var b = (BudgetExceededException) e;
                    assertThat(b.outcome()).isEqualTo(Outcome.TOKEN_LIMIT);
                    assertThat(b.partialResult().usage().totalTokens()).isEqualTo(1400);
                    assertEveryCallAnswered(b.partialResult().transcript());
                })
                .verify(Duration.ofSeconds(30));
        assertThat(runs).as("the second step's tool never ran").hasValue(1);
    }

    @Test
    void stopsWhenTheCostBudgetIsUsedUp() {
        var model = ScriptedChatModel.builder()
                .repeat()
                .reply(Reply.of("", List.of(new ToolCall("c", "echo", "{\"text\":\"$\"}")),
                        new Usage(10, 10, 0, 0, 0.40)))
                .build();
        Agent agent = Agent.builder()
                .model(model)
                .tools(echo())
                .maxSteps(50)
                .budget(Budget.UNLIMITED.withMaxCost(1.0))
                .build();
        StepVerifier.create(agent.task("spend").execute())
                .expectErrorSatisfies(e -> assertThat(((BudgetExceededException) e).outcome())
                        .isEqualTo(Outcome.COST_LIMIT))
                .verify(Duration.ofSeconds(30));
        assertThat(model.requests()).hasSize(3);
    }

    @Test
    void stopsWhenTheWallTimeBudgetRunsOutAndCancelsTheRunningTool() {
        var cancelled = new AtomicBoolean();
        Tool slow = Tool.builder("slow")
                .handler((a, c) -> Mono.<ToolResult>never()
                        .doOnCancel(() -> cancelled.set(
                                true)))
                .build();
        // The tool starts at 300 ms and would time out at 1300 ms; the wall-time budget ends the task at
        // 1000 ms. In virtual time, whatever the machine's speed.
        var model = ScriptedChatModel.builder()
                .latency(Duration.ofMillis(300))
                .replies(Reply.toolCall("slow", "{}"), Reply.text("late"))
                .build();
        Agent agent = Agent.builder()
                .model(model)
                .tools(slow)
                .toolTimeout(Duration.ofSeconds(1))
                .budget(Budget.UNLIMITED.withMaxWallTime(Duration.ofSeconds(1)))
                .build();
        StepVerifier.withVirtualTime(() -> agent.task("wait").execute())
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(999))
                .then(() -> assertThat(cancelled).isFalse())
                .thenAwait(Duration.ofMillis(1))
                .expectErrorSatisfies(e -> {
                    var b = (BudgetExceededException) e;
                    assertThat(b.outcome()).isIn(Outcome.TIME_LIMIT);
                    assertEveryCallAnswered(b.partialResult().transcript());
                })
                .verify(Duration.ofSeconds(30));
        assertThat(cancelled).isTrue();
    }

    @Test
    void sumsUsageAcrossSteps() {
        var model = ScriptedChatModel.of(
                Reply.of("", List.of(new ToolCall("1", "echo", "{\"text\":\"a\"}")), new Usage(100, 20, 50, 10, 0.25)),
                Reply.of("done", List.of(), new Usage(130, 5, 100, 0, 0.5)));
        AgentResult r = Agent.builder().model(model).tools(echo()).build().task("go").executeBlocking();
        assertThat(r.usage()).isEqualTo(new Usage(230, 25, 150, 10, 0.75));
    }

    @Test
    void putsPriorMessagesAndRecalledMemoryIntoTheConversation() {
        var recalled = new AtomicInteger();
        Memory memory = new Memory() {
            @Override
            public Mono<List<MemoryHit>> recall(MemoryQuery query) {
                recalled.incrementAndGet();
                assertThat(query.namespace()).isEqualTo("team");
                return Mono.just(List.of(new MemoryHit(MemoryRecord.of("team", "The build uses Maven", Map.of()),
                        0.9)));
            }

            @Override
            public Mono<String> remember(MemoryRecord record) {
                return Mono.just("id");
            }

            @Override
            public Mono<Boolean> forget(String namespace, String id) {
                return Mono.just(false);
            }
        };
        var model = ScriptedChatModel.of(Reply.text("Maven"));
        Agent agent = Agent.builder().model(model).memory(memory).memoryNamespace("team").build();

        agent.task("Which build tool?").withMessages(Message.user("hello"), Message.assistant("hi")).executeBlocking();

        List<Message> sent = model.lastRequest().messages();
        assertThat(sent).hasSize(4);
        assertThat(sent.get(0)).isInstanceOfSatisfying(Message.System.class,
                s -> assertThat(s.text()).contains("The build uses Maven"));
        assertThat(sent.subList(1, 4)).containsExactly(Message.user("hello"), Message.assistant("hi"),
                Message.user("Which build tool?"));
        assertThat(recalled).hasValue(1);
    }

    @Test
    void recalledMemoryNamesItsSourcesAndStaysWithinTheTokenBudget() {
        List<Memory.MemoryHit> hits = List.of(
                new Memory.MemoryHit(new MemoryRecord("c1", "code", "class TaskRun {}",
                        Map.of("path", "src/TaskRun.java", MemoryRecord.LINES, "10-12")), 0.9),
                new Memory.MemoryHit(new MemoryRecord("big", "code", "x".repeat(500), Map.of()), 0.8),
                new Memory.MemoryHit(new MemoryRecord("note-7", "code", "Deploys on Tuesdays", Map.of()), 0.7));
        Memory memory = new Memory() {
            @Override
            public Mono<List<MemoryHit>> recall(MemoryQuery query) {
                return Mono.just(hits);
            }

            @Override
            public Mono<String> remember(MemoryRecord record) {
                return Mono.just("id");
            }

            @Override
            public Mono<Boolean> forget(String namespace, String id) {
                return Mono.just(false);
            }
        };
        var model = ScriptedChatModel.of(Reply.text("ok"));
        Agent.builder().model(model).memory(memory).recallTokenBudget(60).build().task("q").executeBlocking();

        String recalled = ((Message.System) model.lastRequest().messages().get(0)).text();
        assertThat(recalled).contains("[1] src/TaskRun.java lines 10-12\nclass TaskRun {}")
                .contains("[2] memory note-7\nDeploys on Tuesdays")
                .doesNotContain("xxxx")
                .hasSizeLessThanOrEqualTo(240);
        assertThatThrownBy(() -> Agent.builder().model(model).memory(memory).recallTokenBudget(0).build())
                .hasMessageContaining("recallTokenBudget");
    }

    @Test
    void oneAgentServesManyConcurrentTasks() {
        var model = ScriptedChatModel.builder()
                .perConversation()
                .latency(Duration.ofMillis(20))
                .replies(Reply.toolCall("echo", "{\"text\":\"x\"}"), Reply.text("ok"))
                .recordRequests(false)
                .build();
        Agent agent = Agent.builder().model(model).tools(echo()).build();
        List<AgentResult> results = reactor.core.publisher.Flux.range(0, 500)
                .flatMap(i -> agent.task("task " + i).execute(), 500)
                .collectList()
                .block(Duration.ofMinutes(2));
        assertThat(results).hasSize(500).allSatisfy(r -> {
            assertThat(r.text()).isEqualTo("ok");
            assertThat(r.transcript()).hasSize(4);
        });
        assertThat(results).extracting(AgentResult::taskId).doesNotHaveDuplicates();
    }

    @Test
    void aFailingListenerDoesNotBreakTheTask() {
        var model = ScriptedChatModel.of(Reply.text("fine"));
        Agent agent = Agent.builder().model(model).listener(e -> {
            throw new IllegalStateException("listener bug");
        }).build();
        assertThat(agent.task("hi").executeBlocking().text()).isEqualTo("fine");
    }

    @Test
    void rejectsMissingOrContradictorySettingsNamingTheSetting() {
        assertThatThrownBy(() -> Agent.builder().build()).hasMessageContaining("model");
        var model = ScriptedChatModel.of(Reply.text("x"));
        assertThatThrownBy(() -> Agent.builder().model(model).maxSteps(0).build()).hasMessageContaining("maxSteps");
        assertThatThrownBy(() -> Agent.builder().model(model).maxConcurrentToolCalls(0).build())
                .hasMessageContaining("maxConcurrentToolCalls");
        assertThatThrownBy(() -> Agent.builder().model(model).toolTimeout(Duration.ZERO).build())
                .hasMessageContaining("toolTimeout");
        assertThatThrownBy(() -> Agent.builder()
                .model(model)
                .toolTimeout(Duration.ofMinutes(5))
                .budget(Budget.UNLIMITED.withMaxWallTime(Duration.ofSeconds(10)))
                .build())
                .hasMessageContaining("toolTimeout")
                .hasMessageContaining("budget.maxWallTime");
        assertThatThrownBy(() -> Agent.builder().model(model).recallLimit(3).build())
                .hasMessageContaining("recallLimit")
                .hasMessageContaining("memory");
        assertThatThrownBy(() -> Agent.builder().model(model).tools(echo(), echo()).build())
                .hasMessageContaining("tools")
                .hasMessageContaining("echo");
        assertThatThrownBy(() -> Agent.builder().model(model).modelRetry(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("modelRetry");
    }

    @Test
    void anAgentIsReusableAndToBuilderMakesAVariant() {
        var model = ScriptedChatModel.builder().repeat().reply(Reply.text("same")).build();
        Agent agent = Agent.builder()
                .model(model)
                .instructions("one")
                .maxSteps(4)
                .modelRetry(dev.agentrt.core.model.RetryPolicy.NONE)
                .build();
        Agent variant = agent.toBuilder().instructions("two").build();
        assertThat(agent.task("a").executeBlocking().text()).isEqualTo("same");
        assertThat(variant.task("b").executeBlocking().transcript().get(0)).isEqualTo(Message.system("two"));
        assertThat(variant.maxSteps()).isEqualTo(4);
        assertThat(variant.modelRetry()).isEqualTo(dev.agentrt.core.model.RetryPolicy.NONE);
        assertThat(Agent.builder().model(model).build().modelRetry()).isEqualTo(Agent.DEFAULT_MODEL_RETRY);
        assertThat(agent.instructions()).isEqualTo("one");
    }

    @Test
    void mapsAReplyThatOnlyHitTheLengthLimitToAFinalAnswer() {
        var model = ScriptedChatModel.of(Reply.events(ChatEvent.text("truncated"),
                ChatEvent.finish(FinishReason.LENGTH)));
        assertThat(Agent.builder().model(model).build().task("hi").executeBlocking().text()).isEqualTo("truncated");
    }
}
