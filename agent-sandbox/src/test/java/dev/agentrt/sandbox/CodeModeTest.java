package dev.agentrt.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.ApprovalRequest;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.sandbox.CodeExecutor.Language;
import dev.agentrt.sandbox.internal.RunTimer;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/** Code mode: a script calls the task's tools through the registry, as the model would. */
class CodeModeTest {
    private static final Path SECRET = Path.of("/secret/notes.txt");

    /** {"sum": a + b}: a JSON result, which the script gets parsed. */
    private static final Tool ADD = Tool.builder("add")
            .description("Adds two integers")
            .parameters(JsonValue.parse("""
                    {"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}},
                     "required":["a","b"]}""").asObject())
            .handler((args, ctx) -> Mono.just(ToolResult.json(JsonObject.builder()
                    .put("sum", args.getLong("a").orElseThrow() + args.getLong("b").orElseThrow())
                    .build())))
            .build();

    /** A text result, which the script gets as a string. */
    private static final Tool SHOUT = Tool.builder("shout")
            .parameters(JsonValue.parse("""
                    {"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}""").asObject())
            .handler((args, ctx) -> Mono.just(ToolResult.text(args.getString("text").orElseThrow().toUpperCase())))
            .build();

    private static final Tool READ_SECRET = Tool.builder("read_secret")
            .requires(Capability.fileRead(SECRET))
            .handler((args, ctx) -> Mono.just(ToolResult.text("the secret")))
            .build();

    private static String call(String code) {
        return JsonObject.builder().put("language", "javascript").put("code", code).build().toJson();
    }

    /** What one task that runs {@code code} in code mode produced. */
    private record Ran(AgentResult result, List<AgentEvent> events, ScriptedChatModel model) {
        /** The script's run, from the code executor's result. */
        ExecutionResult execution() {
            Message.ToolResult r = result.transcript()
                    .stream()
                    .filter(Message.ToolResult.class::isInstance)
                    .map(Message.ToolResult.class::cast)
                    .filter(m -> m.callId().equals("c1"))
                    .findFirst()
                    .orElseThrow();
            return ExecutionResult.fromJson(JsonValue.parse(r.content()).asObject());
        }

        JsonValue value() {
            ExecutionResult e = execution();
            assertThat(e.ok()).as("%s", e).isTrue();
            return e.value();
        }

        List<AgentEvent.ToolCallRequested> requested() {
            return events.stream()
                    .filter(AgentEvent.ToolCallRequested.class::isInstance)
                    .map(AgentEvent.ToolCallRequested.class::cast)
                    .toList();
        }
    }

    private static Ran run(CodeExecutor executor, String code, UnaryOperator<Agent.Builder> configure, Tool... tools) {
        var model = ScriptedChatModel.of(Reply.toolCalls(new ToolCall("c1", CodeExecutor.NAME, call(code))),
                Reply.text("done"));
        var events = new CopyOnWriteArrayList<AgentEvent>();
        var all = new ArrayList<Tool>();
        all.add(executor);
        all.addAll(List.of(tools));
        Agent agent = configure.apply(Agent.builder().model(model).tools(all.toArray(Tool[]::new))).build();
        AgentResult result = agent.task("use code mode")
                .stream()
                .doOnNext(events::add)
                .ofType(AgentEvent.Completed.class)
                .map(AgentEvent.Completed::result)
                .blockLast(Duration.ofMinutes(10));
        return new Ran(result, events, model);
    }

    private static Ran run(String code, Tool... tools) {
        try (var executor = CodeExecutor.codeMode()) {
            return run(executor, code, b -> b, tools);
        }
    }

    @Test
    void aScriptCallsTwoToolsAndCombinesTheirResults() {
        Ran ran = run("""
                const a = tools.add({a: 1, b: 2});
                const s = tools.shout({text: 'hi'});
                ({sum: a.sum, shout: s, type: typeof s})""", ADD, SHOUT);

        assertThat(ran.value()).isEqualTo(JsonValue.parse("{\"sum\":3,\"shout\":\"HI\",\"type\":\"string\"}"));
        assertThat(ran.model().requests().get(0).tools()).extracting(ToolSpec::name)
                .containsExactly(CodeExecutor.NAME, "add", "shout");
        assertThat(ran.model().requests().get(0).tools().get(0).description()).contains("tools.read_file")
                .contains("ToolError");
        // The events show the nesting: the script's calls name the code executor's call as their parent.
        assertThat(ran.requested()).extracting(e -> e.call().id(), AgentEvent.ToolCallRequested::parentCallId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("c1", null),
                        org.assertj.core.groups.Tuple.tuple("c1/1", "c1"),
                        org.assertj.core.groups.Tuple.tuple("c1/2", "c1"));
        assertThat(ran.requested().get(1).call().name()).isEqualTo("add");
        assertThat(ran.requested().get(1).call().arguments()).isEqualTo("{\"a\":1,\"b\":2}");
        assertThat(ran.events()).filteredOn(AgentEvent.ToolCallCompleted.class::isInstance)
                .extracting(e -> ((AgentEvent.ToolCallCompleted) e).call().id())
                .containsExactly("c1/1", "c1/2", "c1");
    }

    @Test
    void toolsWorkWithAwaitAndTheToolsObjectListsTheCallableTools() {
        Ran ran = run("""
                const r = await tools.add({a: 2, b: 2});
                return {sum: r.sum, names: Object.keys(tools)};""", ADD, SHOUT);

        assertThat(ran.value()).isEqualTo(JsonValue.parse("{\"sum\":4,\"names\":[\"add\",\"shout\"]}"));
    }

    @Test
    void aDeniedCallThrowsAnExplainedErrorTheScriptCanCatchAndIsAPermissionDeniedEvent() {
        Ran ran = run("""
                let caught;
                try { tools.read_secret({}); } catch (e) { caught = {name: e.name, kind: e.kind, tool: e.tool,
                    message: e.message, isError: e instanceof Error}; }
                caught""", READ_SECRET);

        JsonObject caught = ran.value().asObject();
        assertThat(caught.getString("name")).hasValue("ToolError");
        assertThat(caught.getString("kind")).hasValue("PERMISSION_DENIED");
        assertThat(caught.getString("tool")).hasValue("read_secret");
        assertThat(caught.getBoolean("isError")).hasValue(true);
        assertThat(caught.getString("message").orElseThrow())
                .startsWith("Permission denied: tool \"read_secret\" needs")
                .contains("file-read")
                .contains("not granted to this agent");
        assertThat(ran.events()).filteredOn(AgentEvent.PermissionDenied.class::isInstance)
                .singleElement()
                .satisfies(e -> assertThat(((AgentEvent.PermissionDenied) e).call().id()).isEqualTo("c1/1"));
    }

    @Test
    void anUncaughtToolErrorEndsTheScriptWithItsMessage() {
        Ran ran = run("tools.read_secret({});\n'not reached'", READ_SECRET);

        ExecutionResult e = ran.execution();
        assertThat(e.ok()).isFalse();
        assertThat(e.error().type()).isEqualTo("ToolError");
        assertThat(e.error().message()).startsWith("Permission denied: tool \"read_secret\"");
        assertThat(e.error().line()).isEqualTo(1);
    }

    @Test
    void invalidArgumentsAreErrorsThatSayWhatIsWrong() {
        Ran ran = run("""
                const kinds = [];
                for (const bad of [() => tools.add({a: 'one', b: 2}), () => tools.add(5), () => tools.add([1])]) {
                  try { bad(); kinds.push('ran'); } catch (e) { kinds.push(e.kind + ': ' + e.message); }
                }
                kinds""", ADD);

        List<String> kinds = ran.value()
                .asArray()
                .items()
                .stream()
                .map(v -> ((JsonValue.JsonString) v).value())
                .toList();
        assertThat(kinds).hasSize(3);
        assertThat(kinds.get(0)).startsWith("INVALID_ARGUMENTS: Invalid arguments for tool \"add\"");
        assertThat(kinds.get(1)).isEqualTo("INVALID_ARGUMENTS: tools.add takes one object of arguments, got integer.");
        assertThat(kinds.get(2)).isEqualTo("INVALID_ARGUMENTS: tools.add takes one object of arguments, got array.");
    }

    @Test
    void anUnknownToolAndTheCodeExecutorItselfAreNotCallable() {
        Ran ran = run("""
                const out = {listed: CODE in tools};
                for (const name of ['nope', CODE]) {
                  try { tools[name]({language: 'javascript', code: '1'}); out[name] = 'ran'; }
                  catch (e) { out[name] = e.kind + ': ' + e.message; }
                }
                out""".replace("CODE", "'" + CodeExecutor.NAME + "'"), ADD);

        JsonObject out = ran.value().asObject();
        assertThat(out.getBoolean("listed")).hasValue(false);
        assertThat(out.getString("nope")).hasValue("UNKNOWN_TOOL: Unknown tool \"nope\". Available tools: add.");
        assertThat(out.getString(CodeExecutor.NAME))
                .hasValue("UNKNOWN_TOOL: Unknown tool \"code_executor\". Available tools: add.");
        // Only the model's call ran the executor.
        assertThat(ran.events()).filteredOn(AgentEvent.ToolCallCompleted.class::isInstance)
                .extracting(e -> ((AgentEvent.ToolCallCompleted) e).call().name())
                .containsExactly(CodeExecutor.NAME);
    }

    @Test
    void callsPastTheAgentsCapFailInTheScript() {
        var ran = new Object() {
            Ran value;
        };
        var runs = new AtomicInteger();
        Tool count = Tool.builder("count")
                .handler((args, ctx) -> Mono.fromSupplier(() -> ToolResult.text("" + runs.incrementAndGet())))
                .build();
        try (var executor = CodeExecutor.codeMode()) {
            ran.value = run(executor, """
                    const out = [];
                    for (let i = 0; i < 5; i++) {
                      try { out.push(tools.count({})); } catch (e) { out.push(e.kind + ': ' + e.message); }
                    }
                    out""", b -> b.maxNestedToolCalls(3), count);
        }

        List<String> out = ran.value.value()
                .asArray()
                .items()
                .stream()
                .map(v -> ((JsonValue.JsonString) v).value())
                .toList();
        assertThat(out.subList(0, 3)).containsExactly("1", "2", "3");
        assertThat(out.subList(3, 5)).containsOnly("EXECUTION_FAILED: Not run: the limit of 3 tool calls per call of "
                + "\"code_executor\" is reached. Do the rest in another step, with fewer calls.");
        assertThat(runs).hasValue(3);
    }

    @Test
    void theApprovalHandlerIsConsultedForACallFromTheScript() {
        var asked = new CopyOnWriteArrayList<ApprovalRequest>();
        Ran ran;
        try (var executor = CodeExecutor.codeMode()) {
            ran = run(executor, "tools.read_secret({})", b -> b.approvals(request -> {
                asked.add(request);
                return Mono.just(Decision.approveOnce());
            }), READ_SECRET);
        }

        assertThat(ran.value()).isEqualTo(JsonValue.of("the secret"));
        assertThat(asked).singleElement().satisfies(q -> {
            assertThat(q.callId()).isEqualTo("c1/1");
            assertThat(q.toolName()).isEqualTo("read_secret");
            assertThat(q.missing()).containsExactly(Capability.fileRead(SECRET));
        });
        assertThat(ran.events()).filteredOn(AgentEvent.ApprovalDecided.class::isInstance).hasSize(1);
    }

    @Test
    void withoutCodeModeScriptsHaveNoTools() {
        try (var executor = CodeExecutor.javascript()) {
            Ran ran = run(executor, "typeof tools", b -> b, ADD);

            assertThat(ran.value()).isEqualTo(JsonValue.of("undefined"));
            assertThat(executor.callsTools()).isFalse();
            assertThat(executor.spec().description()).doesNotContain("tools.read_file");
        }
    }

    @Test
    void cancellingTheTaskCancelsTheToolTheScriptWaitsForAndEndsTheScript() throws InterruptedException {
        var started = new CountDownLatch(1);
        var cancelled = new CountDownLatch(1);
        Tool hang = Tool.builder("hang")
                .handler((args, ctx) -> Mono.<ToolResult>never()
                        .doOnSubscribe(s -> started.countDown())
                        .doOnCancel(cancelled::countDown))
                .build();
        // The guest disarms its time limit when it leaves the script: that is when the script has ended.
        var guestLeft = new CountDownLatch(1);
        RunTimer timer = (after, alarm) -> guestLeft::countDown;
        var model = ScriptedChatModel.of(
                Reply.toolCalls(new ToolCall("c1", CodeExecutor.NAME, call("tools.hang({}); while (true) {}"))),
                Reply.text("done"));
        try (var executor = CodeExecutor.codeMode(CodeExecutor.Options.DEFAULT.withLanguages(Language.JAVASCRIPT),
                timer)) {
            Agent agent = Agent.builder().model(model).tools(executor, hang).build();
            Disposable task = agent.task("hang").execute().subscribe();

            assertThat(started.await(1, TimeUnit.MINUTES)).isTrue();
            task.dispose();

            assertThat(cancelled.await(1, TimeUnit.MINUTES)).isTrue();
            // Had the cancellation not stopped the guest, it would loop for ever after the call.
            assertThat(guestLeft.await(1, TimeUnit.MINUTES)).isTrue();
        }
    }

    @Test
    void theTimeLimitStopsAScriptThatKeepsCallingTools() throws Exception {
        var calls = new CountDownLatch(3);
        Tool tick = Tool.builder("tick").handler((args, ctx) -> Mono.fromSupplier(() -> {
            calls.countDown();
            return ToolResult.text("tick");
        })).build();
        var timer = new ManualTimer();
        try (var executor = CodeExecutor.codeMode(CodeExecutor.Options.DEFAULT.withLanguages(Language.JAVASCRIPT),
                timer)) {
            var model = ScriptedChatModel.of(Reply.toolCalls(new ToolCall("c1", CodeExecutor.NAME,
                    call("while (true) { try { tools.tick({}); } catch (e) {} }"))), Reply.text("done"));
            var result = Agent.builder().model(model).tools(executor, tick).build().task("loop").execute().toFuture();

            assertThat(calls.await(1, TimeUnit.MINUTES)).isTrue();
            timer.fireWhenArmed();

            AgentResult done = result.get(1, TimeUnit.MINUTES);
            ExecutionResult e = new Ran(done, List.of(), model).execution();
            assertThat(e.outcome()).isEqualTo(RunOutcome.TIMEOUT);
        }
    }

    @Test
    void theTimeLimitCancelsTheToolTheScriptWaitsFor() throws Exception {
        var started = new CountDownLatch(1);
        var cancelled = new CountDownLatch(1);
        Tool hang = Tool.builder("hang")
                .handler((args, ctx) -> Mono.<ToolResult>never()
                        .doOnSubscribe(s -> started.countDown())
                        .doOnCancel(cancelled::countDown))
                .build();
        var timer = new ManualTimer();
        try (var executor = CodeExecutor.codeMode(CodeExecutor.Options.DEFAULT.withLanguages(Language.JAVASCRIPT),
                timer)) {
            var model = ScriptedChatModel.of(
                    Reply.toolCalls(new ToolCall("c1", CodeExecutor.NAME, call("tools.hang({})"))),
                    Reply.text("done"));
            var result = Agent.builder().model(model).tools(executor, hang).build().task("hang").execute().toFuture();

            assertThat(started.await(1, TimeUnit.MINUTES)).isTrue();
            timer.fireWhenArmed();

            assertThat(cancelled.await(1, TimeUnit.MINUTES)).isTrue();
            AgentResult done = result.get(1, TimeUnit.MINUTES);
            assertThat(new Ran(done, List.of(), model).execution().outcome()).isEqualTo(RunOutcome.TIMEOUT);
        }
    }

    @Test
    void pythonCodeCallsToolsThroughTheSamePath() {
        try (var executor = CodeExecutor.codeMode(CodeExecutor.Options.DEFAULT)) {
            assumeTrue(executor.unavailable(Language.PYTHON).isEmpty(), "python is unavailable here");
            String code = """
                    import sys
                    a = tools.add(a=1, b=2)
                    b = tools.add({"a": 3, "b": 4})
                    try:
                        tools.read_secret()
                    except ToolError as e:
                        denied = [e.kind, e.tool, str(e)]
                    try:
                        tools.add(a="one", b=2)
                    except ToolError as e:
                        invalid = e.kind
                    [a["sum"] + b["sum"], tools.shout(text="hi"), denied, invalid, len(sys.stdin.read())]
                    """;
            String args = JsonObject.builder().put("language", "python").put("code", code).build().toJson();
            var model = ScriptedChatModel.of(Reply.toolCalls(new ToolCall("c1", CodeExecutor.NAME, args)),
                    Reply.text("done"));
            var events = new CopyOnWriteArrayList<AgentEvent>();
            AgentResult done = Agent.builder()
                    .model(model)
                    .tools(executor, ADD, SHOUT, READ_SECRET)
                    .listener(events::add)
                    .build()
                    .task("py")
                    .execute()
                    .block(Duration.ofMinutes(10));

            Ran ran = new Ran(done, events, model);
            var out = ran.value().asArray().items();
            assertThat(out.get(0)).isEqualTo(JsonValue.of(10));
            assertThat(out.get(1)).isEqualTo(JsonValue.of("HI"));
            var denied = out.get(2).asArray().items();
            assertThat(denied.get(0)).isEqualTo(JsonValue.of("PERMISSION_DENIED"));
            assertThat(denied.get(1)).isEqualTo(JsonValue.of("read_secret"));
            assertThat(((JsonValue.JsonString) denied.get(2)).value())
                    .startsWith("Permission denied: tool \"read_secret\"");
            assertThat(out.get(3)).isEqualTo(JsonValue.of("INVALID_ARGUMENTS"));
            // Standard input still reads as empty when no call is waiting.
            assertThat(out.get(4)).isEqualTo(JsonValue.of(0));
            assertThat(ran.requested()).extracting(e -> e.call().id())
                    .containsExactly("c1", "c1/1", "c1/2", "c1/3", "c1/4", "c1/5");
            assertThat(ran.requested().subList(1, 6)).allSatisfy(e -> assertThat(e.parentCallId()).isEqualTo("c1"));
        }
    }

    @Test
    void cancellingAPythonScriptCancelsTheToolItWaitsFor() throws InterruptedException {
        var started = new CountDownLatch(1);
        var cancelled = new CountDownLatch(1);
        Tool hang = Tool.builder("hang")
                .handler((args, ctx) -> Mono.<ToolResult>never()
                        .doOnSubscribe(s -> started.countDown())
                        .doOnCancel(cancelled::countDown))
                .build();
        // The guest disarms its time limit when it leaves the script: that is when the script has ended.
        var guestLeft = new CountDownLatch(1);
        RunTimer timer = (after, alarm) -> guestLeft::countDown;
        try (var executor = CodeExecutor.codeMode(CodeExecutor.Options.DEFAULT, timer)) {
            assumeTrue(executor.unavailable(Language.PYTHON).isEmpty(), "python is unavailable here");
            String args = JsonObject.builder()
                    .put("language", "python")
                    .put("code", "tools.hang()\nwhile True:\n    pass")
                    .build()
                    .toJson();
            var model = ScriptedChatModel.of(Reply.toolCalls(new ToolCall("c1", CodeExecutor.NAME, args)),
                    Reply.text("done"));
            Disposable task = Agent.builder()
                    .model(model)
                    .tools(executor, hang)
                    .build()
                    .task("py")
                    .execute()
                    .subscribe();

            assertThat(started.await(2, TimeUnit.MINUTES)).isTrue();
            task.dispose();

            assertThat(cancelled.await(1, TimeUnit.MINUTES)).isTrue();
            // Had the cancellation not stopped the guest, it would loop for ever after the call.
            assertThat(guestLeft.await(1, TimeUnit.MINUTES)).isTrue();
        }
    }
}
