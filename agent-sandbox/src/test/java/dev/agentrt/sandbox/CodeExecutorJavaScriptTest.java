package dev.agentrt.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.sandbox.CodeExecutor.Language;
import dev.agentrt.sandbox.CodeExecutor.Options;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.time.Duration;

class CodeExecutorJavaScriptTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Options OPTIONS = Options.DEFAULT
            .withLimits(new SandboxLimits(Duration.ofSeconds(2), 32L << 20, 64 << 10))
            .withLanguages(Language.JAVASCRIPT);
    private static CodeExecutor executor;

    @BeforeAll
    static void start() {
        // Runs never time out here (a run expected to end otherwise cannot lose a race with the clock on a busy
        // machine); the time limit has its own executor and a timer the test fires.
        executor = CodeExecutor.create(OPTIONS, (after, alarm) -> reactor.core.Disposables.single());
    }

    @AfterAll
    static void stop() {
        executor.close();
    }

    private static ExecutionResult js(String code) {
        return executor.execute("javascript", code).block(WAIT);
    }

    @Test
    void codeThatComputesAndLogsReturnsItsOutputAndTheLastExpression() {
        ExecutionResult r = js("""
                let total = 0;
                for (let i = 1; i <= 10; i++) total += i;
                console.log('total', total, {n: [1, 2]});
                console.error('careful');
                total * 2""");

        assertThat(r.outcome()).isEqualTo(RunOutcome.OK);
        assertThat(r.ok()).isTrue();
        assertThat(r.stdout()).isEqualTo("total 55 {\"n\":[1,2]}\n");
        assertThat(r.stderr()).isEqualTo("careful\n");
        assertThat(r.value()).isEqualTo(JsonValue.of(110));
        assertThat(r.error()).isNull();
        assertThat(r.language()).isEqualTo("javascript");
    }

    @Test
    void aTopLevelReturnOfAnObjectComesBackAsJson() {
        ExecutionResult r = js("""
                const words = ['a', 'bb', 'ccc'];
                return { count: words.length, longest: words.at(-1), nested: { ok: true, none: null } };""");

        assertThat(r.outcome()).isEqualTo(RunOutcome.OK);
        assertThat(r.value()).isEqualTo(JsonValue.parse("""
                {"count":3,"longest":"ccc","nested":{"ok":true,"none":null}}"""));
    }

    @Test
    void codeWithoutAValueReturnsJsonNull() {
        assertThat(js("let x = 1;").value()).isEqualTo(JsonValue.nullValue());
    }

    @Test
    void aPromiseIsAwaitedAndItsValueReturned() {
        ExecutionResult r = js("Promise.resolve(20).then(v => v + 1)");
        assertThat(r.value()).isEqualTo(JsonValue.of(21));

        ExecutionResult awaited = js("const v = await Promise.resolve('later');\nreturn v;");
        assertThat(awaited.value()).isEqualTo(JsonValue.of("later"));
    }

    @Test
    void aThrownErrorComesBackWithItsTypeMessageAndLine() {
        ExecutionResult r = js("""
                console.log('before');
                const o = null;
                o.field;
                console.log('after');""");

        assertThat(r.outcome()).isInstanceOf(RunOutcome.Trap.class);
        assertThat(r.error()).isNotNull();
        assertThat(r.error().type()).isEqualTo("TypeError");
        assertThat(r.error().message()).contains("null");
        assertThat(r.error().line()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("before\n");
        assertThat(r.value()).isNull();
        assertThat(r.outcome().describe()).contains("TypeError", "line 3");
    }

    @Test
    void anErrorThrownInsideAFunctionWithReturnKeepsTheUsersLineNumbers() {
        ExecutionResult r = js("""
                function check(x) {
                  if (x > 1) throw new RangeError('too big: ' + x);
                  return x;
                }
                return check(5);""");

        assertThat(r.error().type()).isEqualTo("RangeError");
        assertThat(r.error().message()).isEqualTo("too big: 5");
        assertThat(r.error().line()).isEqualTo(2);
    }

    @Test
    void aSyntaxErrorNamesItsLine() {
        ExecutionResult r = js("let a = 1;\nlet b = ;\n");

        assertThat(r.error().type()).isEqualTo("SyntaxError");
        assertThat(r.error().line()).isEqualTo(2);
        assertThat(r.outcome()).isInstanceOf(RunOutcome.Trap.class);
    }

    @Test
    void aRejectedPromiseIsAnError() {
        ExecutionResult r = js("Promise.reject(new Error('nope'))");
        assertThat(r.error().message()).isEqualTo("nope");
    }

    @Test
    void aValueThatIsNotJsonIsAClearError() {
        ExecutionResult r = js("const a = {}; a.self = a; a");
        assertThat(r.error().type()).isEqualTo("TypeError");
        assertThat(r.error().message()).contains("cannot be written as JSON");
    }

    @Test
    void anEndlessLoopTimesOutAndTheNextRunWorksOnAFreshEngine() throws Exception {
        var timer = new ManualTimer();
        try (var timed = CodeExecutor.create(OPTIONS, timer)) {
            var run = timed.execute("javascript", "let i = 0; while (true) { i++; }").toFuture();
            timer.fireWhenArmed();
            ExecutionResult r = run.get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            assertThat(r.outcome()).isEqualTo(RunOutcome.TIMEOUT);
            assertThat(timer.armedFor()).isEqualTo(Duration.ofSeconds(2));

            ExecutionResult next = timed.execute("javascript", "'still working'").block(WAIT);
            assertThat(next.outcome()).isEqualTo(RunOutcome.OK);
            assertThat(next.value()).isEqualTo(JsonValue.of("still working"));
        }
    }

    @Test
    void endlessRecursionIsAClearErrorAndTheHostCarriesOn() {
        ExecutionResult r = js("function down(n) { return down(n + 1) + 1; }\ndown(0)");

        assertThat(r.outcome()).isInstanceOf(RunOutcome.Trap.class);
        assertThat(r.outcome().describe()).containsIgnoringCase("stack");
        assertThat(js("'fine'").value()).isEqualTo(JsonValue.of("fine"));
    }

    @Test
    void globalsDoNotLeakFromOneRunToTheNext() {
        js("globalThis.secret = 'task one'; var leaked = 1;");
        ExecutionResult r = js("[typeof globalThis.secret, typeof leaked]");
        assertThat(r.value()).isEqualTo(JsonValue.parse("[\"undefined\",\"undefined\"]"));
    }

    @Test
    void aMemoryBombHitsTheMemoryLimitAndTheHostCarriesOn() {
        ExecutionResult r = js("const chunks = []; while (true) chunks.push(new Uint8Array(1 << 20).fill(7));");
        assertThat(r.outcome()).isEqualTo(RunOutcome.MEMORY_LIMIT);

        assertThat(js("1 + 1").value()).isEqualTo(JsonValue.of(2));
    }

    @Test
    void aMemoryCapBelowWhatTheEngineNeedsIsReportedAsTheMemoryLimit() {
        try (var tiny = CodeExecutor.create(Options.DEFAULT.withPoolSize(0)
                .withLimits(new SandboxLimits(Duration.ofSeconds(2), 4 * SandboxLimits.PAGE_BYTES, 1024)))) {
            ExecutionResult r = tiny.execute("javascript", "1").block(WAIT);
            assertThat(r.outcome()).isEqualTo(RunOutcome.MEMORY_LIMIT);
        }
    }

    @Test
    void hugeOutputStopsTheRunAtTheOutputLimit() {
        ExecutionResult r = js("while (true) console.log('spam spam spam spam spam spam spam spam');");
        assertThat(r.outcome()).isEqualTo(RunOutcome.OUTPUT_LIMIT);
        assertThat(r.stdout().length()).isLessThanOrEqualTo(64 << 10).isGreaterThan(60_000);
    }

    @Test
    void aValueLargerThanTheOutputCapIsTheOutputLimit() {
        ExecutionResult r = js("'y'.repeat(200000)");
        assertThat(r.outcome()).isEqualTo(RunOutcome.OUTPUT_LIMIT);
        assertThat(r.value()).isNull();
    }

    @Test
    void theEnginePoolRefillsInTheBackground() {
        try (var pooled = CodeExecutor.create(Options.DEFAULT.withPoolSize(2).withLanguages(Language.JAVASCRIPT))) {
            assertThat(pooled.execute("javascript", "'a'").block(WAIT).value()).isEqualTo(JsonValue.of("a"));
            assertThat(pooled.execute("javascript", "'b'").block(WAIT).value()).isEqualTo(JsonValue.of("b"));
            assertThat(pooled.execute("javascript", "'c'").block(WAIT).value()).isEqualTo(JsonValue.of("c"));
        }
    }

    @Test
    void anUnknownLanguageIsAnInvalidArgumentAndRunsNothing() {
        ToolResult r = invoke(JsonObject.builder().put("language", "cobol").put("code", "1").build());
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(r.content()).contains("javascript", "cobol");

        StepVerifier.create(executor.execute("ruby", "1"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("ruby"))
                .verify(WAIT);
    }

    @Test
    void badFilesAreInvalidArguments() {
        ToolResult notArray = invoke(JsonObject.builder()
                .put("language", "javascript")
                .put("code", "1")
                .put("files", "/etc/passwd")
                .build());
        assertThat(notArray.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);

        ToolResult badAccess = executor.invoke(JsonValue.parse("""
                {"language":"javascript","code":"1","files":[{"path":"/tmp/x","access":"delete"}]}""").asObject(),
                new TestContext(Grants.none())).block(WAIT);
        assertThat(badAccess.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(badAccess.content()).contains("read or write");
    }

    @Test
    void theToolResultIsTheResultAsJsonAndAnErrorWhenTheCodeFailed() {
        ToolResult ok = invoke(JsonObject.builder().put("language", "javascript").put("code", "6 * 7").build());
        assertThat(ok.isError()).isFalse();
        ExecutionResult parsed = ExecutionResult.fromJson(JsonValue.parse(ok.content()).asObject());
        assertThat(parsed.value()).isEqualTo(JsonValue.of(42));

        ToolResult failed = invoke(JsonObject.builder()
                .put("language", "javascript")
                .put("code", "throw new Error('bad')")
                .build());
        assertThat(failed.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(failed.content()).contains("\"message\":\"bad\"", "\"line\":1");
    }

    @Test
    void anExecutionResultSurvivesAJsonRoundTrip() {
        for (ExecutionResult r : new ExecutionResult[]{js("console.log('x'); ({a: [1, 'b']})"),
                js("throw new TypeError('t')"),
                new ExecutionResult("javascript", RunOutcome.TIMEOUT, "partial", "", null, null, Duration.ofSeconds(2)),
                new ExecutionResult("python", new RunOutcome.Exit(3), "", "e", null, null, Duration.ofMillis(5))}) {
            ExecutionResult back = ExecutionResult.fromJson(r.toJson());
            assertThat(back).isEqualTo(new ExecutionResult(r.language(), r.outcome(), r.stdout(), r.stderr(),
                    r.value(), r.error(), Duration.ofMillis(r.elapsed().toMillis())));
        }
    }

    @Test
    void badOptionsNameTheSetting() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Options.DEFAULT.withPoolSize(-1))
                .hasMessageContaining("poolSize");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Options.DEFAULT.withLanguages())
                .hasMessageContaining("languages");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Options.DEFAULT.withMaxFileBytes(-5))
                .hasMessageContaining("maxFileBytes");
    }

    private static ToolResult invoke(JsonObject args) {
        return executor.invoke(args, new TestContext(Grants.none()))
                .block(WAIT);
    }
}
