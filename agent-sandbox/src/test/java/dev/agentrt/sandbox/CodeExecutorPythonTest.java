package dev.agentrt.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

import java.time.Duration;
import java.util.Optional;

class CodeExecutorPythonTest {
    // A hang guard only: the first run in a JVM starts CPython, minutes on a loaded 2-core machine.
    private static final Duration WAIT = Duration.ofMinutes(10);
    private static CodeExecutor executor;

    @BeforeAll
    static void start() {
        // No time limit passes on its own here: a slow machine makes no run time out (the endless loop has its
        // own executor on the wall clock, which it always reaches).
        executor = CodeExecutor.create(Options.DEFAULT.withPoolSize(1)
                .withLimits(new SandboxLimits(Duration.ofSeconds(30), 64L << 20, 64 << 10)),
                (after, alarm) -> reactor.core.Disposables.single());
    }

    @AfterAll
    static void stop() {
        executor.close();
    }

    private static ExecutionResult python(String code) {
        assumeTrue(executor.unavailable(Language.PYTHON).isEmpty(), "python is unavailable here");
        return executor.execute("python", code).block(WAIT);
    }

    @Test
    void pythonIsAvailableOnJava25WithTheArtifactAndOtherwiseTheResultSaysWhy() {
        Optional<String> why = executor.unavailable(Language.PYTHON);
        ToolResult r = executor
                .invoke(JsonObject.builder().put("language", "python").put("code", "print('hi')").build(),
                        new TestContext(Grants.none()))
                .block(WAIT);
        if (Runtime.version().feature() >= 25) {
            assertThat(why).isEmpty();
            assertThat(r.isError()).as(r.content()).isFalse();
            assertThat(ExecutionResult.fromJson(JsonValue.parse(r.content()).asObject()).stdout()).isEqualTo("hi\n");
        } else {
            assertThat(why).hasValueSatisfying(w -> assertThat(w).contains("Java 25"));
            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
            assertThat(r.content()).contains("python is unavailable", "Java 25", "use javascript");
        }
    }

    @Test
    void helloWorldPrintsAndTheLastExpressionIsTheValue() {
        ExecutionResult r = python("""
                import sys
                print('hello, world')
                print('warning', file=sys.stderr)
                total = sum(range(1, 11))
                {'total': total, 'squares': [i * i for i in range(3)]}""");

        assertThat(r.outcome()).isEqualTo(RunOutcome.OK);
        assertThat(r.language()).isEqualTo("python");
        assertThat(r.stdout()).isEqualTo("hello, world\n");
        assertThat(r.stderr()).isEqualTo("warning\n");
        assertThat(r.value()).isEqualTo(JsonValue.parse("{\"total\":55,\"squares\":[0,1,4]}"));
    }

    @Test
    void anExceptionComesBackWithItsTypeMessageAndLine() {
        ExecutionResult r = python("""
                def ratio(a, b):
                    return a / b
                print('before')
                ratio(1, 0)""");

        assertThat(r.outcome()).isInstanceOf(RunOutcome.Trap.class);
        assertThat(r.error().type()).isEqualTo("ZeroDivisionError");
        assertThat(r.error().message()).isEqualTo("division by zero");
        assertThat(r.error().line()).isEqualTo(2);
        assertThat(r.stdout()).isEqualTo("before\n");
    }

    @Test
    void aSyntaxErrorNamesItsLine() {
        ExecutionResult r = python("x = 1\nif x\n    pass\n");
        assertThat(r.error().type()).isEqualTo("SyntaxError");
        assertThat(r.error().line()).isEqualTo(2);
    }

    @Test
    void nothingOneRunLeavesInTheInterpreterReachesTheNext() {
        python("import builtins, sys\nbuiltins.leaked = 'task one'\nsys.modules['json'].leaked = True");
        ExecutionResult r = python("import builtins, json\n[hasattr(builtins, 'leaked'), hasattr(json, 'leaked')]");
        assertThat(r.value()).isEqualTo(JsonValue.parse("[false,false]"));
    }

    @Test
    void sysExitIsAnExitCode() {
        assertThat(python("import sys\nsys.exit(3)").outcome()).isEqualTo(new RunOutcome.Exit(3));
        assertThat(python("import sys\nsys.exit(0)").outcome()).isEqualTo(RunOutcome.OK);
    }

    @Test
    void anInterpreterStartedAheadServesTheNextRunWithTheCommonModulesImportedAndClosingDropsIt() {
        var ahead = CodeExecutor.create(Options.DEFAULT.withPoolSize(0).withLanguages(Language.PYTHON));
        try {
            assumeTrue(ahead.unavailable(Language.PYTHON).isEmpty(), "python is unavailable here");
            ahead.startAhead(Language.PYTHON);
            ahead.startAhead(Language.PYTHON); // one is starting: nothing more starts
            ahead.startAhead(Language.JAVASCRIPT); // not offered: nothing happens

            ExecutionResult r = ahead.execute("python", "import sys\n"
                    + "x = sorted(m for m in ('csv', 'decimal', 're', 'dataclasses') if m in sys.modules)\nx")
                    .block(WAIT);
            assertThat(r.value()).isEqualTo(JsonValue.parse("[\"csv\",\"dataclasses\",\"decimal\",\"re\"]"));
            // Each run still has an interpreter of its own: nothing the last one did is there.
            assertThat(ahead.execute("python", "'x' in globals()").block(WAIT).value()).isEqualTo(JsonValue.of(false));

            ahead.startAhead(Language.PYTHON);
            ahead.close(); // drops the one started ahead; a later run starts its own
            assertThat(ahead.execute("python", "6 * 7").block(WAIT).value()).isEqualTo(JsonValue.of(42));
        } finally {
            ahead.close();
        }
    }

    @Test
    void anEndlessLoopTimesOutAndTheNextRunWorks() {
        try (var quick = CodeExecutor.create(Options.DEFAULT.withPoolSize(0)
                .withLanguages(Language.PYTHON)
                .withLimits(new SandboxLimits(Duration.ofSeconds(8), 64L << 20, 4096)))) {
            assumeTrue(quick.unavailable(Language.PYTHON).isEmpty(), "python is unavailable here");
            ExecutionResult r = quick.execute("python", "while True:\n    pass").block(WAIT);
            assertThat(r.outcome()).isEqualTo(RunOutcome.TIMEOUT);
        }
        assertThat(python("'next'").value()).isEqualTo(JsonValue.of("next"));
    }

    @Test
    void aMemoryBombHitsTheMemoryLimit() {
        ExecutionResult r = python("blocks = []\nwhile True:\n    blocks.append(bytearray(1 << 20))");
        assertThat(r.outcome()).isEqualTo(RunOutcome.MEMORY_LIMIT);
    }

    @Test
    void hugeOutputHitsTheOutputLimit() {
        ExecutionResult r = python("while True:\n    print('spam' * 100)");
        assertThat(r.outcome()).isEqualTo(RunOutcome.OUTPUT_LIMIT);
        assertThat(r.stdout().length()).isLessThanOrEqualTo(64 << 10);
    }

    @Test
    void aPythonCallThatDeclaresFilesWithoutGrantsIsDenied() {
        assumeTrue(executor.unavailable(Language.PYTHON).isEmpty(), "python is unavailable here");
        ToolResult r = executor.invoke(JsonValue.parse("""
                {"language":"python","code":"1","files":[{"path":"/tmp/x.txt","access":"read"}]}""").asObject(),
                new TestContext(Grants.none())).block(WAIT);
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).contains("permission denied: file-read:", "x.txt is not granted");
    }

    @Test
    void theHostFileSystemIsOutOfReach() {
        ExecutionResult r = python("""
                import os
                try:
                    open('/etc/passwd').read()
                    result = 'read'
                except OSError as e:
                    result = type(e).__name__
                result""");
        assertThat(r.value().toJson()).isNotEqualTo("\"read\"").endsWith("Error\"");
    }
}
