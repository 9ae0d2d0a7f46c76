package dev.agentrt.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.run.AgentJson;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** {@link Agent#asTool}: an agent as another's tool, never doing more than its caller may. */
class SubAgentTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    static String task(String text) {
        return dev.agentrt.core.json.JsonObject.builder().put("task", text).build().toJson();
    }

    static List<Message.ToolResult> toolResults(List<Message> messages) {
        return messages.stream()
                .filter(Message.ToolResult.class::isInstance)
                .map(Message.ToolResult.class::cast)
                .toList();
    }

    static Message.ToolResult lastToolResult(ScriptedChatModel model) {
        List<Message.ToolResult> results = toolResults(model.lastRequest().messages());
        return results.get(results.size() - 1);
    }

    /** A tool that reads the file its {@code path} names (as far as the check goes: it answers with the path). */
    static Tool reader() {
        return Tool.builder("read")
                .parameters(JsonValue.parse("""
                        {"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}""").asObject())
                .requires(args -> List.of(Capability.fileRead(Path.of(args.getString("path").orElseThrow()))))
                .handler((args, ctx) -> Mono
                        .just(ToolResult.text("contents of " + args.getString("path").orElseThrow())))
                .build();
    }

    static String path(Path p) {
        return dev.agentrt.core.json.JsonObject.builder().put("path", p.toString()).build().toJson();
    }

    @Test
    void theSubAgentsAnswerIsTheCallsResult() {
        var subModel = ScriptedChatModel.of(Reply.text("The answer is 42."));
        Agent researcher = Agent.builder().model(subModel).name("researcher").instructions("You research.").build();
        var leadModel = ScriptedChatModel.of(Reply.toolCall("research", task("What is the answer?")),
                Reply.text("It is 42."));
        Agent lead = Agent.builder().model(leadModel).tools(researcher.asTool("research", "Finds answers")).build();

        AgentResult result = lead.task("Find the answer").execute().block(WAIT);

        assertThat(result.text()).isEqualTo("It is 42.");
        assertThat(toolResults(result.transcript())).singleElement().satisfies(r -> {
            assertThat(r.content()).isEqualTo("The answer is 42.");
            assertThat(r.error()).isFalse();
        });
        List<Message> asked = subModel.lastRequest().messages();
        assertThat(asked.get(0)).isEqualTo(Message.system("You research."));
        assertThat(asked.get(asked.size() - 1)).isEqualTo(Message.user("What is the answer?"));
        assertThat(leadModel.requests().get(0).tools()).singleElement().satisfies(spec -> {
            assertThat(spec.name()).isEqualTo("research");
            assertThat(spec.description()).isEqualTo("Finds answers");
        });
    }

    @Test
    void theCallersContextReachesTheSubAgentWithTheTask() {
        var subModel = ScriptedChatModel.of(Reply.text("ok"));
        Agent sub = Agent.builder().model(subModel).build();
        var leadModel = ScriptedChatModel.of(
                Reply.toolCall("sub", "{\"task\":\"Summarise\",\"context\":\"The file has 3 bugs.\"}"),
                Reply.text("done"));

        Agent.builder().model(leadModel).tools(sub.asTool("sub", "helps")).build().task("go").execute().block(WAIT);

        assertThat(subModel.lastRequest().messages()).last()
                .isEqualTo(Message.user("Summarise\n\nContext from the caller:\nThe file has 3 bugs."));
    }

    @Test
    void aCallWithoutATaskIsRefusedBeforeTheSubAgentRuns() {
        var subModel = ScriptedChatModel.of(Reply.text("never"));
        Agent sub = Agent.builder().model(subModel).build();
        var leadModel = ScriptedChatModel.of(Reply.toolCall("sub", "{\"context\":\"x\"}"), Reply.text("done"));

        AgentResult result = Agent.builder()
                .model(leadModel)
                .tools(sub.asTool("sub", "helps"))
                .build()
                .task("go")
                .execute()
                .block(WAIT);

        assertThat(toolResults(result.transcript())).singleElement()
                .satisfies(r -> assertThat(r.content()).contains("Invalid arguments").contains("task"));
        assertThat(subModel.requests()).isEmpty();
    }

    @Test
    void theSubAgentMayReadOnlyWhatBothItAndItsCallerMay() throws IOException {
        Path a = Files.createDirectories(temp.resolve("a"));
        Path b = Files.createDirectories(a.resolve("b"));
        var subModel = ScriptedChatModel.of(Reply.toolCall("read", path(a.resolve("x"))),
                Reply.toolCall("read", path(b.resolve("x"))), Reply.toolCall("read", path(temp.resolve("y"))),
                Reply.text("read what I could"));
        Agent sub = Agent.builder().model(subModel).tools(reader()).grant(Capability.fileRead(a)).build();
        var leadModel = ScriptedChatModel.of(Reply.toolCall("sub", task("read files")), Reply.text("done"));
        Agent lead = Agent.builder()
                .model(leadModel)
                .tools(sub.asTool("sub", "reads"))
                .grant(Capability.fileRead(b), Capability.fileRead(temp.resolve("y")))
                .build();

        lead.task("go").execute().block(WAIT);

        List<Message.ToolResult> results = toolResults(subModel.lastRequest().messages());
        assertThat(results).hasSize(3);
        assertThat(results.get(0).error()).isTrue();
        assertThat(results.get(0).content()).contains("Permission denied");
        assertThat(results.get(1).error()).isFalse();
        assertThat(results.get(1).content()).isEqualTo("contents of " + b.resolve("x"));
        // The caller may read y, the sub-agent may not: the intersection refuses it too.
        assertThat(results.get(2).error()).isTrue();
    }

    @Test
    void theSubAgentRunsForTheCallersPrincipal() {
        var seen = new AtomicReference<Principal>();
        Tool whoami = Tool.builder("whoami").handler((args, ctx) -> {
            seen.set(ctx.principal());
            return Mono.just(ToolResult.text(ctx.principal().id()));
        }).build();
        Agent sub = Agent.builder()
                .model(ScriptedChatModel.of(Reply.toolCall("whoami", "{}"), Reply.text("ok")))
                .tools(whoami)
                .build();
        var leadModel = ScriptedChatModel.of(Reply.toolCall("sub", task("who?")), Reply.text("done"));

        Agent.builder()
                .model(leadModel)
                .tools(sub.asTool("sub", "asks"))
                .build()
                .task("go")
                .as(Principal.of("alice", "admin"))
                .execute()
                .block(WAIT);

        assertThat(seen.get()).isEqualTo(Principal.of("alice", "admin"));
    }

    @Test
    void aCapabilityTheIntersectionLacksNeedsTheApprovalOfBothSides() throws IOException {
        Path file = Files.writeString(temp.resolve("f.txt"), "x");
        var subApprovals = new CopyOnWriteArrayList<String>();
        var callerApprovals = new CopyOnWriteArrayList<String>();
        // The sub-agent has no grant, its approver approves; the caller has none either and no approver: denied.
        var subModel = ScriptedChatModel.of(Reply.toolCall("read", path(file)), Reply.text("no luck"));
        Agent sub = Agent.builder().model(subModel).tools(reader()).approvals(request -> {
            subApprovals.add(request.callId());
            return Mono.just(Decision.approveForTask());
        }).build();
        var leadModel = ScriptedChatModel.of(Reply.toolCall("sub", task("read")), Reply.text("done"));
        Agent.builder().model(leadModel).tools(sub.asTool("sub", "reads")).build().task("go").execute().block(WAIT);

        assertThat(lastToolResult(subModel).error()).isTrue();
        assertThat(lastToolResult(subModel).content()).contains("calling agent may not");
        assertThat(subApprovals).isEmpty(); // the caller said no first

        // Now the caller's approver approves too: the call runs, both approvers having been asked.
        var subModel2 = ScriptedChatModel.of(Reply.toolCall("read", path(file)), Reply.text("read it"));
        Agent sub2 = sub.toBuilder().model(subModel2).build();
        var leadModel2 = ScriptedChatModel.of(Reply.toolCall("sub", task("read")), Reply.text("done"));
        Agent.builder().model(leadModel2).tools(sub2.asTool("sub", "reads")).approvals(request -> {
            callerApprovals.add(request.toolName());
            return Mono.just(Decision.approveOnce());
        }).build().task("go").execute().block(WAIT);

        assertThat(lastToolResult(subModel2).error()).isFalse();
        assertThat(callerApprovals).containsExactly("sub");
        assertThat(subApprovals).hasSize(1);
    }

    @Test
    void theSubAgentsOwnApprovalForTheTaskIsRememberedForTheRestOfItsRun() throws IOException {
        Path file = Files.writeString(temp.resolve("g.txt"), "x");
        var subApprovals = new CopyOnWriteArrayList<String>();
        var subModel = ScriptedChatModel.of(Reply.toolCall("read", path(file)), Reply.toolCall("read", path(file)),
                Reply.text("read twice"));
        Agent sub = Agent.builder().model(subModel).tools(reader()).approvals(request -> {
            subApprovals.add(request.callId());
            return Mono.just(Decision.approveForTask());
        }).build();
        var leadModel = ScriptedChatModel.of(Reply.toolCall("sub", task("read")), Reply.text("done"));

        Agent.builder()
                .model(leadModel)
                .tools(sub.asTool("sub", "reads"))
                .grant(Capability.fileRead(temp))
                .build()
                .task("go")
                .execute()
                .block(WAIT);

        assertThat(toolResults(subModel.lastRequest().messages())).hasSize(2)
                .allSatisfy(r -> assertThat(r.error())
                        .isFalse());
        assertThat(subApprovals).hasSize(1);
    }

    @Test
    void theSubAgentsEventsNestUnderTheCallersToolCallAndRoundTripThroughJson() {
        Agent inner = Agent.builder().model(ScriptedChatModel.of(Reply.text("deep answer"))).name("inner").build();
        Agent middle = Agent.builder()
                .model(ScriptedChatModel.of(Reply.toolCall("ask_inner", task("deeper")), Reply.text("middle answer")))
                .name("middle")
                .tools(inner.asTool("ask_inner", "asks inner"))
                .build();
        var leadModel = ScriptedChatModel.of(Reply.toolCall("ask_middle", task("go on")), Reply.text("done"));
        Agent lead = Agent.builder().model(leadModel).tools(middle.asTool("ask_middle", "asks middle")).build();

        List<AgentEvent> events = lead.task("go").stream().collectList().block(WAIT);

        ToolCall call = events.stream()
                .filter(AgentEvent.ToolCallRequested.class::isInstance)
                .map(e -> ((AgentEvent.ToolCallRequested) e).call())
                .findFirst()
                .orElseThrow();
        List<AgentEvent.SubAgentEvent> nested = events.stream()
                .filter(AgentEvent.SubAgentEvent.class::isInstance)
                .map(AgentEvent.SubAgentEvent.class::cast)
                .toList();
        assertThat(nested).isNotEmpty().allSatisfy(e -> {
            assertThat(e.call()).isEqualTo(call);
            assertThat(e.agent()).isEqualTo("middle");
            assertThat(e.taskId()).isEqualTo(events.get(0).taskId());
        });
        assertThat(nested.get(0).event()).isInstanceOf(AgentEvent.Started.class);
        assertThat(nested.get(nested.size() - 1).event()).isInstanceOfSatisfying(AgentEvent.Completed.class,
                c -> assertThat(c.result().text()).isEqualTo("middle answer"));
        // The inner agent's events are nested one level deeper, under middle's call.
        List<AgentEvent.SubAgentEvent> deeper = nested.stream()
                .filter(e -> e.event() instanceof AgentEvent.SubAgentEvent)
                .toList();
        assertThat(deeper).isNotEmpty().allSatisfy(e -> {
            var inside = (AgentEvent.SubAgentEvent) e.event();
            assertThat(inside.agent()).isEqualTo("inner");
            assertThat(inside.call().name()).isEqualTo("ask_inner");
        });
        assertThat(deeper).anySatisfy(e -> assertThat(e.innermost()).isInstanceOfSatisfying(
                AgentEvent.Completed.class, c -> assertThat(c.result().text()).isEqualTo("deep answer")));
        // The parent events come in order around the nested ones.
        int requested = events.indexOf(events.stream()
                .filter(AgentEvent.ToolCallRequested.class::isInstance)
                .findFirst()
                .orElseThrow());
        int completed = events.indexOf(events.stream()
                .filter(AgentEvent.ToolCallCompleted.class::isInstance)
                .findFirst()
                .orElseThrow());
        assertThat(events.indexOf(nested.get(0))).isBetween(requested, completed);
        assertThat(events.indexOf(nested.get(nested.size() - 1))).isBetween(requested, completed);
        for (AgentEvent e : nested) {
            assertThat(AgentJson.readEvent(AgentJson.write(e))).isEqualTo(e);
        }
    }

    @Test
    void aMalformedNestedEventIsAnErrorNamingWhereItIs() {
        String json = "{\"type\":\"sub_agent_event\",\"taskId\":\"t\",\"step\":1,\"call\":{\"type\":\"tool_call\","
                + "\"id\":\"c\",\"name\":\"sub\",\"arguments\":\"{}\"},\"agent\":\"a\",\"event\":{\"type\":\"nope\"}}";
        assertThatThrownBy(() -> AgentJson.readEvent(json))
                .isInstanceOf(dev.agentrt.core.json.JsonParseException.class)
                .hasMessageContaining("event")
                .hasMessageContaining("nope");
    }

    @Test
    void whatTheSubAgentSpendsIsChargedToTheCaller() {
        Agent sub = Agent.builder()
                .model(ScriptedChatModel.of(Reply.of("costly", List.of(), Usage.of(100, 20))))
                .build();
        var leadModel = ScriptedChatModel.of(Reply.of("", List.of(new ToolCall("c1", "sub", task("work"))),
                Usage.of(10, 5)), Reply.of("done", List.of(), Usage.of(30, 2)));

        AgentResult result = Agent.builder()
                .model(leadModel)
                .tools(sub.asTool("sub", "works"))
                .build()
                .task("go")
                .execute()
                .block(WAIT);

        assertThat(result.usage().totalTokens()).isEqualTo(15 + 120 + 32);
    }

    @Test
    void theSubAgentsBudgetIsWhatTheCallerHasLeftAndItsSpendingStopsTheCaller() {
        var subModel = ScriptedChatModel.of(Reply.of("too long", List.of(), Usage.of(150, 50)));
        Agent sub = Agent.builder().model(subModel).build();
        var leadModel = ScriptedChatModel.of(Reply.of("", List.of(new ToolCall("c1", "sub", task("work"))),
                Usage.of(10, 5)), Reply.text("never asked"));
        Agent lead = Agent.builder()
                .model(leadModel)
                .tools(sub.asTool("sub", "works"))
                .budget(Budget.UNLIMITED.withMaxTokens(100))
                .build();

        assertThatThrownBy(() -> lead.task("go").execute().block(WAIT))
                .isInstanceOfSatisfying(BudgetExceededException.class, e -> {
                    assertThat(e.outcome()).isEqualTo(Outcome.TOKEN_LIMIT);
                    AgentResult partial = e.partialResult();
                    assertThat(partial.usage().totalTokens()).isEqualTo(215);
                    // The sub-agent ran out of its 85 tokens: an error result for the lead's model, not a crash.
                    assertThat(toolResults(partial.transcript())).singleElement().satisfies(r -> {
                        assertThat(r.error()).isTrue();
                        assertThat(r.content()).contains("did not finish").contains("85 tokens");
                    });
                });
        // The lead stopped before asking its model again.
        assertThat(leadModel.requests()).hasSize(1);
    }

    @Test
    void subAgentsRunInOneStepHoldTheirBudgetsSoTogetherTheyCannotSpendMoreThanTheCallerHas() {
        // Both sub-agents' models wait until each call has either reached its model or been refused, so both are
        // in flight together whichever starts first. Each would spend 70 of the 85 tokens the lead has left:
        // without holding, both would run and spend 155 in all.
        var reached = new AtomicInteger();
        var refused = new AtomicInteger();
        Sinks.One<Boolean> gate = Sinks.one();
        Runnable openWhenBothDecided = () -> {
            if (reached.get() + refused.get() == 2) {
                gate.tryEmitValue(true);
            }
        };
        java.util.function.Function<String, ChatModel> gated = name -> {
            var inner = ScriptedChatModel.of(Reply.of(name + "'s answer", List.of(), Usage.of(50, 20)));
            return request -> Flux.defer(() -> {
                reached.incrementAndGet();
                openWhenBothDecided.run();
                return gate.asMono().thenMany(inner.stream(request));
            });
        };
        Agent a = Agent.builder().model(gated.apply("a")).build();
        Agent b = Agent.builder().model(gated.apply("b")).build();
        var leadModel = ScriptedChatModel.of(Reply.of("", List.of(new ToolCall("c1", "a", task("work")),
                new ToolCall("c2", "b", task("work"))), Usage.of(10, 5)), Reply.of("done", List.of(), Usage.of(0, 0)));

        AgentResult result = Agent.builder()
                .model(leadModel)
                .tools(a.asTool("a", "works"), b.asTool("b", "works"))
                .budget(Budget.UNLIMITED.withMaxTokens(100))
                .listener(event -> {
                    if (event instanceof AgentEvent.ToolCallFailed f && f.message().contains("used up its budget")) {
                        refused.incrementAndGet();
                        openWhenBothDecided.run();
                    }
                })
                .build()
                .task("go")
                .execute()
                .block(WAIT);

        // Whichever started first held all that was left; the other was not run.
        assertThat(reached.get()).isEqualTo(1);
        assertThat(refused.get()).isEqualTo(1);
        assertThat(toolResults(result.transcript())).extracting(r -> r.content())
                .anySatisfy(c -> assertThat(c).contains("used up its budget"))
                .anySatisfy(c -> assertThat(c).endsWith("'s answer"));
        assertThat(result.usage().totalTokens()).isEqualTo(85);
    }

    @Test
    void whatASubAgentHeldAndDidNotSpendIsGivenBackWhenItsCallEnds() {
        var modelA = ScriptedChatModel.of(Reply.of("a's answer", List.of(), Usage.of(5, 5)));
        Agent a = Agent.builder().model(modelA).budget(Budget.UNLIMITED.withMaxTokens(30)).build();
        var modelB = ScriptedChatModel.of(Reply.of("far too long", List.of(), Usage.of(150, 50)));
        Agent b = Agent.builder().model(modelB).build();
        var leadModel = ScriptedChatModel.of(
                Reply.of("", List.of(new ToolCall("c1", "a", task("work"))), Usage.of(10, 5)),
                Reply.of("", List.of(new ToolCall("c2", "b", task("work"))), Usage.of(0, 0)),
                Reply.of("done", List.of(), Usage.of(0, 0)));

        Agent lead = Agent.builder()
                .model(leadModel)
                .tools(a.asTool("a", "works"), b.asTool("b", "works"))
                .budget(Budget.UNLIMITED.withMaxTokens(200))
                .build();

        // a held 30 and spent 10: b's budget is the 175 left (200 - 15 - 10), not 155. b overspends it in its one
        // step, which stops the lead too.
        assertThatThrownBy(() -> lead.task("go").execute().block(WAIT))
                .isInstanceOfSatisfying(BudgetExceededException.class, e -> assertThat(toolResults(
                        e.partialResult().transcript())).extracting(r -> r.content())
                        .anySatisfy(c -> assertThat(c).isEqualTo("a's answer"))
                        .anySatisfy(c -> assertThat(c).contains("did not finish").contains("(175 tokens)")));
    }

    @Test
    void aCallerWithNoBudgetLeftStartsNoSubAgent() {
        var subModel = ScriptedChatModel.of(Reply.text("never"));
        Agent sub = Agent.builder().model(subModel).build();
        var leadModel = ScriptedChatModel.of(Reply.of("", List.of(new ToolCall("c1", "sub", task("work"))),
                Usage.of(10, 5)), Reply.of("done", List.of(), Usage.of(0, 0)));
        AgentResult result = Agent.builder()
                .model(leadModel)
                .tools(sub.asTool("sub", "works"))
                .budget(Budget.UNLIMITED.withMaxTokens(15))
                .build()
                .task("go")
                .execute()
                .block(WAIT);

        assertThat(toolResults(result.transcript())).singleElement()
                .satisfies(r -> assertThat(r.content()).contains("used up its budget"));
        assertThat(subModel.requests()).isEmpty();
    }

    @Test
    void aSubAgentsFailureIsAnErrorResultForTheCallersModel() {
        Agent sub = Agent.builder()
                .model(ScriptedChatModel.of(Reply.error(new ModelException("the provider is down"))))
                .modelRetry(dev.agentrt.core.model.RetryPolicy.NONE)
                .build();
        var leadModel = ScriptedChatModel.of(Reply.toolCall("sub", task("work")), Reply.text("I will do it myself."));

        AgentResult result = Agent.builder()
                .model(leadModel)
                .tools(sub.asTool("sub", "works"))
                .build()
                .task("go")
                .execute()
                .block(WAIT);

        assertThat(result.text()).isEqualTo("I will do it myself.");
        assertThat(lastToolResult(leadModel).error()).isTrue();
        assertThat(lastToolResult(leadModel).content()).contains("did not finish").contains("the provider is down");
    }

    @Test
    void cancellingTheCallerCancelsTheSubAgentsRun() throws InterruptedException {
        var started = new CountDownLatch(1);
        var cancelled = new CountDownLatch(1);
        Tool hang = Tool.builder("hang")
                .handler((args, ctx) -> Mono.<ToolResult>never()
                        .doOnSubscribe(s -> started.countDown())
                        .doOnCancel(cancelled::countDown))
                .build();
        Agent sub = Agent.builder()
                .model(ScriptedChatModel.of(Reply.toolCall("hang", "{}"), Reply.text("never")))
                .tools(hang)
                .build();
        var leadModel = ScriptedChatModel.of(Reply.toolCall("sub", task("wait")), Reply.text("never"));
        Agent lead = Agent.builder().model(leadModel).tools(sub.asTool("sub", "waits")).build();

        Disposable running = lead.task("go").execute().subscribe();
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        running.dispose();

        assertThat(cancelled.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(leadModel.requests()).hasSize(1);
    }

    @Test
    void anAgentThatWouldCallItselfIsRefused() {
        var self = new AtomicReference<Agent>();
        // A tool that hands the call to the agent's own asTool: recursion the immutable builders cannot prevent.
        Tool delegate = Tool.builder("again")
                .handler((args, ctx) -> self.get().asTool("again", "recurse").invoke(args, ctx))
                .build();
        var model = ScriptedChatModel.of(Reply.toolCall("again", task("again")), Reply.text("stopped"));
        Agent a = Agent.builder().model(model).name("a").tools(delegate).build();
        self.set(a);

        AgentResult result = a.task("go").execute().block(WAIT);

        assertThat(result.text()).isEqualTo("stopped");
        assertThat(toolResults(result.transcript())).singleElement().satisfies(r -> {
            assertThat(r.error()).isTrue();
            assertThat(r.content()).contains("already running in this chain of calls (a → a)");
        });
        assertThat(model.requests()).hasSize(2);
    }

    @Test
    void aCycleThroughAnotherAgentIsRefused() {
        var first = new AtomicReference<Agent>();
        Tool backToA = Tool.builder("ask_a")
                .handler((args, ctx) -> first.get().asTool("ask_a", "asks a").invoke(args, ctx))
                .build();
        var bModel = ScriptedChatModel.of(Reply.toolCall("ask_a", task("loop")), Reply.text("b gave up"));
        Agent b = Agent.builder().model(bModel).name("b").tools(backToA).build();
        var aModel = ScriptedChatModel.of(Reply.toolCall("ask_b", task("help")), Reply.text("a done"));
        Agent a = Agent.builder().model(aModel).name("a").tools(b.asTool("ask_b", "asks b")).build();
        first.set(a);

        AgentResult result = a.task("go").execute().block(WAIT);

        assertThat(result.text()).isEqualTo("a done");
        assertThat(lastToolResult(bModel).content()).contains("already running in this chain of calls (a → b → a)");
        assertThat(aModel.requests()).hasSize(2);
    }

    @Test
    void subAgentsNestNoDeeperThanTheCap() {
        var models = new ArrayList<ScriptedChatModel>();
        Agent next = null;
        for (int level = Agent.MAX_SUB_AGENT_DEPTH + 1; level >= 0; level--) {
            var model = ScriptedChatModel.of(Reply.toolCall("next", task("deeper")), Reply.text("level " + level));
            models.add(0, model);
            var b = Agent.builder().model(model).name("a" + level);
            if (next != null) {
                b.tools(next.asTool("next", "goes deeper"));
            }
            next = b.build();
        }

        AgentResult result = next.task("go").execute().block(WAIT);

        assertThat(result.text()).isEqualTo("level 0");
        int deepest = Agent.MAX_SUB_AGENT_DEPTH;
        assertThat(lastToolResult(models.get(deepest)).content())
                .contains("nested " + deepest + " deep")
                .contains("the most allowed is " + deepest);
        assertThat(models.get(deepest + 1).requests()).isEmpty();
        for (int level = 0; level < deepest; level++) {
            assertThat(lastToolResult(models.get(level)).content()).isEqualTo("level " + (level + 1));
        }
    }

    @Test
    void aToolNeedsAName() {
        Agent sub = Agent.builder().model(ScriptedChatModel.of(Reply.text("x"))).build();
        assertThatThrownBy(() -> sub.asTool(" ", "d")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
    }
}
