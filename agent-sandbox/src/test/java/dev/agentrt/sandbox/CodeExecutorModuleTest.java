package dev.agentrt.sandbox;

import static dev.agentrt.sandbox.TestModules.wasm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonSchema;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.sandbox.CodeExecutor.Language;
import dev.agentrt.sandbox.CodeExecutor.Options;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;

class CodeExecutorModuleTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ManualTimer TIMER = new ManualTimer();
    private static CodeExecutor executor;

    @BeforeAll
    static void start() {
        // The time limit never passes on its own: the loop's test fires it, and no other run can lose a race with
        // the clock on a busy machine.
        executor = CodeExecutor.create(Options.DEFAULT.withLanguages(Language.JAVASCRIPT)
                .withLimits(SandboxLimits.DEFAULT.withTimeout(Duration.ofSeconds(2)))
                .withModule("guest", wasm("guest"))
                .withModule("hello", wasm("hello"))
                .withModule("loop", wasm("loop")), TIMER);
    }

    @AfterAll
    static void stop() {
        executor.close();
    }

    private static ToolResult call(String json) {
        return ToolRegistry.of(executor)
                .execute(new ToolCall("c1", CodeExecutor.NAME, json),
                        ToolExecution.of("task", Principal.ANONYMOUS, Grants.none()))
                .block(WAIT);
    }

    private static ExecutionResult result(ToolResult r) {
        return ExecutionResult.fromJson(JsonValue.parse(r.content()).asObject());
    }

    @Test
    void theModelRunsARegisteredProgramWithArgumentsAndStdin() {
        ToolResult r = call("{\"module\":\"guest\",\"args\":[\"i\"],\"stdin\":\"piped in\"}");

        assertThat(r.isError()).as(r.content()).isFalse();
        ExecutionResult ran = result(r);
        assertThat(ran.outcome()).isEqualTo(RunOutcome.OK);
        assertThat(ran.stdout()).isEqualTo("piped in");
        assertThat(ran.language()).isEqualTo("wasi:guest");
    }

    @Test
    void aProgramThatPrintsIsReadBack() {
        ExecutionResult r = executor.executeModule("hello", List.of(), "").block(WAIT);
        assertThat(r.stdout()).isEqualTo("hello, sandbox\n");
        assertThat(r.value()).isEqualTo(JsonValue.nullValue());
    }

    @Test
    void aProgramThatNeverEndsTimesOut() throws Exception {
        var pending = java.util.concurrent.CompletableFuture.supplyAsync(() -> call("{\"module\":\"loop\"}"));
        TIMER.fireWhenArmed();
        ToolResult r = pending.get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        assertThat(TIMER.armedFor()).isEqualTo(Duration.ofSeconds(2));
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(result(r).outcome()).isEqualTo(RunOutcome.TIMEOUT);
    }

    @Test
    void anExitCodeIsTheOutcome() {
        ExecutionResult r = executor.executeModule("guest", List.of("?"), "").block(WAIT);
        assertThat(r.outcome()).isEqualTo(new RunOutcome.Exit(99));
    }

    @Test
    void theSchemaNamesTheModulesAndTheDescriptionListsThem() {
        JsonObject params = executor.spec().parameters();
        assertThat(params.toJson()).contains("\"enum\":[\"guest\",\"hello\",\"loop\"]");
        assertThat(executor.spec().description()).contains("guest, hello, loop");
        assertThat(JsonSchema.compile(params).isValid(JsonValue.parse("{\"module\":\"hello\"}").asObject())).isTrue();
        assertThat(JsonSchema.compile(params).isValid(JsonValue.parse("{\"module\":\"rm\"}").asObject())).isFalse();
    }

    @Test
    void anUnknownModuleOrAMixedCallIsAnInvalidArgumentAndRunsNothing() {
        ToolResult unknown = executor.invoke(JsonValue.parse("{\"module\":\"rm\"}").asObject(),
                new TestContext(Grants.none())).block(WAIT);
        assertThat(unknown.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(unknown.content()).contains("[guest, hello, loop]", "'rm'");

        ToolResult mixed = call("{\"module\":\"hello\",\"language\":\"javascript\",\"code\":\"1\"}");
        assertThat(mixed.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(mixed.content()).contains("either module");

        ToolResult badArgs = executor.invoke(JsonValue.parse("{\"module\":\"guest\",\"args\":[1]}").asObject(),
                new TestContext(Grants.none())).block(WAIT);
        assertThat(badArgs.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);

        StepVerifier.create(executor.executeModule("rm", List.of(), ""))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("'rm'"))
                .verify(WAIT);
    }

    @Test
    void codeStillRunsBesideTheModules() {
        ToolResult r = call("{\"language\":\"javascript\",\"code\":\"[1, 2].map(x => x * 2)\"}");
        assertThat(result(r).value()).isEqualTo(JsonValue.parse("[2,4]"));
    }

    @Test
    void withoutModulesAModuleCallSaysNoneAreRegistered() {
        try (var plain = CodeExecutor.create(Options.DEFAULT.withPoolSize(0).withLanguages(Language.JAVASCRIPT))) {
            ToolResult r = plain.invoke(JsonValue.parse("{\"module\":\"hello\"}").asObject(),
                    new TestContext(Grants.none())).block(WAIT);
            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
            assertThat(r.content()).contains("no modules are registered");
            assertThat(plain.spec().parameters().toJson()).doesNotContain("\"module\"");
        }
    }

    @Test
    void aBadModuleNameIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> Options.DEFAULT.withModule("../evil", wasm("hello")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("modules")
                .hasMessageContaining("../evil");
    }
}
