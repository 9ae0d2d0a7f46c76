package dev.agentrt.sandbox.internal.python;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.sandbox.CodeExecutor;
import dev.agentrt.sandbox.ExecutionResult;
import dev.agentrt.sandbox.RunOutcome;
import dev.agentrt.sandbox.SandboxLimits;
import dev.agentrt.sandbox.internal.RunGuard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposables;
import reactor.test.StepVerifier;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Interpreters after the first are made from the first one's image: each run still starts from a clean
 * interpreter, and what CPython seeded at start is seeded again per run.
 */
class InterpreterImageTest {
    private static PythonRunner runner;

    @BeforeAll
    static void start() {
        runner = PythonRunner.create(new SandboxLimits(Duration.ofSeconds(30), 64L << 20, 64 << 10), false);
    }

    @AfterAll
    static void stop() {
        runner.close();
    }

    private static ExecutionResult python(String code) {
        assumeTrue(runner.unavailable().isEmpty(), "python is unavailable here");
        // No time limit passes on its own: the timer never fires.
        return runner.run(code, new RunGuard((after, alarm) -> Disposables.single(), Duration.ofSeconds(30)));
    }

    @Test
    void laterInterpretersAreMadeFromTheFirstOnesImageAndRunTheSame() {
        ExecutionResult first = python(
                "import sys, decimal\n[sys.version_info[:2], str(decimal.Decimal('0.29') * 100)]");
        assertThat(runner.imageBytes()).as("the image kept after the first start").isPositive();
        ExecutionResult second = python(
                "import sys, decimal\n[sys.version_info[:2], str(decimal.Decimal('0.29') * 100)]");

        assertThat(first.outcome()).isEqualTo(RunOutcome.OK);
        assertThat(second.outcome()).isEqualTo(RunOutcome.OK);
        assertThat(second.value()).isEqualTo(first.value()).isEqualTo(JsonValue.parse("[[3,13],\"29.00\"]"));
    }

    @Test
    void whatARunBreaksInItsInterpreterIsWholeInTheNext() {
        ExecutionResult broken = python("""
                import json, sys, random
                json.dumps = None
                random.random = lambda: 4
                open('/guest/tmp/left-behind', 'w').write('x')
                big = [bytearray(1 << 20) for _ in range(8)]
                sys.path.clear()
                sys.modules['guest'].FILENAME = 'elsewhere'
                'done'""");
        // This run's own answer is written with json.dumps, which it broke.
        assertThat(broken.outcome()).isNotEqualTo(RunOutcome.OK);

        ExecutionResult next = python("""
                import json, os, random, sys
                [json.dumps([1]), callable(random.random) and random.random() != 4, len(sys.path) > 0,
                 os.path.exists('/guest/tmp/left-behind')]""");
        assertThat(next.outcome()).as(next.stderr()).isEqualTo(RunOutcome.OK);
        assertThat(next.value()).isEqualTo(JsonValue.parse("[\"[1]\",true,true,false]"));
        ExecutionResult error = python("1 / 0");
        assertThat(error.error().line()).as("the guest's own state, restored").isEqualTo(1);
    }

    @Test
    void eachRunDrawsItsOwnRandomNumbers() {
        String draw = "import random, os\n[random.getrandbits(64), os.urandom(8).hex()]";
        JsonValue one = python(draw).value();
        JsonValue two = python(draw).value();
        JsonValue three = python(draw).value();

        assertThat(one.asArray().get(0)).isNotEqualTo(two.asArray().get(0)).isNotEqualTo(three.asArray().get(0));
        assertThat(two.asArray().get(0)).isNotEqualTo(three.asArray().get(0));
        assertThat(one.asArray().get(1)).isNotEqualTo(two.asArray().get(1));
    }

    @Test
    void anImageKeptInADirectoryServesAnotherRunnerAsIfInANewJvm(@TempDir Path dir) throws Exception {
        assumeTrue(runner.unavailable().isEmpty(), "python is unavailable here");
        SandboxLimits limits = new SandboxLimits(Duration.ofSeconds(30), 64L << 20, 64 << 10);
        var first = PythonRunner.create(limits, false, dir);
        try {
            first.forgetImage(); // as in a JVM where no interpreter has started: this one starts CPython in full
            assertThat(run(first, "6 * 7").value()).isEqualTo(JsonValue.of(42));
            first.imageSaved().get(10, TimeUnit.MINUTES);
        } finally {
            first.close();
        }
        Path file = dir.resolve(PythonRunner.imageFileName(moduleClass()));
        assertThat(file).isRegularFile();

        var second = PythonRunner.create(limits, false, dir);
        try {
            second.forgetImage(); // a new JVM: only the file is left
            ExecutionResult r = run(second,
                    "import statistics, random\n[statistics.mean([1, 2, 3]), random.random() < 1]");
            assertThat(r.value()).isEqualTo(JsonValue.parse("[2, true]"));
            assertThat(second.imageFromFile()).as("the run was made from the file's image").isTrue();
        } finally {
            second.close();
        }
    }

    @Test
    void aDamagedImageFileIsIgnoredAndReplaced(@TempDir Path dir) throws Exception {
        assumeTrue(runner.unavailable().isEmpty(), "python is unavailable here");
        SandboxLimits limits = new SandboxLimits(Duration.ofSeconds(30), 64L << 20, 64 << 10);
        Path file = dir.resolve(PythonRunner.imageFileName(moduleClass()));
        Files.writeString(file, "damaged");
        var damaged = PythonRunner.create(limits, false, dir);
        try {
            damaged.forgetImage();
            assertThat(run(damaged, "'still runs'").value()).isEqualTo(JsonValue.of("still runs"));
            assertThat(damaged.imageFromFile()).isFalse();
            damaged.imageSaved().get(10, TimeUnit.MINUTES);
        } finally {
            damaged.close();
        }
        assertThat(Files.size(file)).as("replaced by a whole image").isGreaterThan(1_000_000);
    }

    @Test
    void preparingTheCacheWritesTheImageOnceAndLaterPreparationsKeepIt(@TempDir Path dir) throws Exception {
        assumeTrue(runner.unavailable().isEmpty(), "python is unavailable here");
        python("'an interpreter has started in this JVM'");
        SandboxLimits limits = new SandboxLimits(Duration.ofSeconds(30), 64L << 20, 64 << 10);
        Path file = dir.resolve(PythonRunner.imageFileName(moduleClass()));
        Files.writeString(file, "damaged");
        var options = CodeExecutor.Options.DEFAULT.withLanguages(CodeExecutor.Language.PYTHON)
                .withLimits(limits)
                .withPythonImageCache(dir);

        try (var executor = CodeExecutor.create(options)) {
            StepVerifier.create(executor.preparePython()).expectNext(true).verifyComplete();
        }
        assertThat(Files.size(file)).as("the damaged file replaced by a whole image").isGreaterThan(1_000_000);
        FileTime written = Files.getLastModifiedTime(file);
        Files.setLastModifiedTime(file, FileTime.fromMillis(written.toMillis() - 60_000));
        FileTime marked = Files.getLastModifiedTime(file);

        try (var executor = CodeExecutor.create(options)) {
            StepVerifier.create(executor.preparePython()).expectNext(true).verifyComplete();
        }
        assertThat(Files.getLastModifiedTime(file)).as("a usable image is left as it is").isEqualTo(marked);

        var reader = PythonRunner.create(limits, false, dir);
        try {
            reader.forgetImage(); // a new JVM: only the prepared file is left
            assertThat(run(reader, "6 * 7").value()).isEqualTo(JsonValue.of(42));
            assertThat(reader.imageFromFile()).as("the run was made from the prepared file").isTrue();
        } finally {
            reader.close();
        }
    }

    @Test
    void withoutAnImageCacheOrPythonThereIsNothingToPrepare() {
        try (var noCache = CodeExecutor.create(CodeExecutor.Options.DEFAULT.withLanguages(
                CodeExecutor.Language.PYTHON));
                var noPython = CodeExecutor.create(CodeExecutor.Options.DEFAULT
                        .withLanguages(CodeExecutor.Language.JAVASCRIPT)
                        .withPythonImageCache(Path.of("never-written")))) {
            StepVerifier.create(noCache.preparePython()).expectNext(false).verifyComplete();
            StepVerifier.create(noPython.preparePython()).expectNext(false).verifyComplete();
        }
        assertThat(Path.of("never-written")).doesNotExist();
    }

    private static ExecutionResult run(PythonRunner r, String code) {
        return r.run(code, new RunGuard((after, alarm) -> Disposables.single(), Duration.ofSeconds(30)));
    }

    private static Class<?> moduleClass() throws ClassNotFoundException {
        return Class.forName(PythonRunner.MODULE_CLASS, false, PythonRunner.class.getClassLoader());
    }
}
