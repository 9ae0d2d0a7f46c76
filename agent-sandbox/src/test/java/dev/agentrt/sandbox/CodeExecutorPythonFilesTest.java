package dev.agentrt.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.sandbox.CodeExecutor.Language;
import dev.agentrt.sandbox.CodeExecutor.Options;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Python with host files: declared files copied in and out, a declared directory mounted read-only. */
class CodeExecutorPythonFilesTest {
    // A hang guard only: the first run in a JVM starts CPython, minutes on a loaded 2-core machine.
    private static final Duration WAIT = Duration.ofMinutes(10);
    private static CodeExecutor executor;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        // No time limit passes on its own here: a slow machine makes no run time out.
        executor = CodeExecutor.create(Options.DEFAULT.withPoolSize(1)
                .withWarmUp(false)
                .withLimits(new SandboxLimits(Duration.ofSeconds(30), 64L << 20, 64 << 10)),
                (after, alarm) -> reactor.core.Disposables.single());
    }

    @AfterAll
    static void stop() {
        executor.close();
    }

    private static ToolResult python(String code, Grants grants, JsonObject... files) {
        return python(code, null, grants, files);
    }

    private static ToolResult python(String code, String cwd, Grants grants, JsonObject... files) {
        assumeTrue(executor.unavailable(Language.PYTHON).isEmpty(), "python is unavailable here");
        var call = JsonObject.builder()
                .put("language", "python")
                .put("code", code)
                .put("files", new JsonArray(List.<JsonValue>of(files)));
        if (cwd != null) {
            call.put("cwd", cwd);
        }
        return executor.invoke(call.build(), new TestContext(grants)).block(WAIT);
    }

    private static ExecutionResult result(ToolResult r) {
        assertThat(r.errorKind()).as(r.content()).isIn(null, ToolErrorKind.EXECUTION_FAILED);
        return ExecutionResult.fromJson(JsonValue.parse(r.content()).asObject());
    }

    /** Where Python sees the host path {@code path}, as a Python string literal: at that same path. */
    private static String guest(Path path) {
        return JsonValue.of(path.toString()).toJson();
    }

    private static JsonObject read(Path path) {
        return JsonObject.builder().put("path", path.toString()).put("access", "read").build();
    }

    private static JsonObject write(Path path) {
        return JsonObject.builder().put("path", path.toString()).put("access", "write").build();
    }

    /** A project with a module and a unittest suite, one test failing when {@code broken}. */
    private Path project(boolean broken) throws IOException {
        Path repo = Files.createDirectories(tmp.toRealPath().resolve("repo"));
        Files.writeString(repo.resolve("calc.py"), """
                def add(a, b):
                    return a + b
                """);
        Path tests = Files.createDirectories(repo.resolve("tests"));
        Files.writeString(tests.resolve("test_calc.py"), """
                import calc

                def test_add():
                    assert calc.add(2, 3) == 5

                def test_add_negative():
                    assert calc.add(-2, -3) == %s, 'got %%d' %% calc.add(-2, -3)
                """.formatted(broken ? "5" : "-5"));
        return repo;
    }

    /** A small test runner: this CPython for WASI has no unittest module in its standard library. */
    private static final String RUN_TESTS = """
            import importlib, os, sys
            failed = 0
            for name in sorted(os.listdir('tests')):
                if name.startswith('test_') and name.endswith('.py'):
                    module = importlib.import_module('tests.' + name[:-3])
                    for test in sorted(n for n in dir(module) if n.startswith('test_')):
                        try:
                            getattr(module, test)()
                            print('PASS', test)
                        except AssertionError as e:
                            failed += 1
                            print('FAIL', test, e)
            print('ran', name, 'failed', failed)
            sys.exit(1 if failed else 0)""";

    @Test
    void aDeclaredFileIsReadAtItsOwnPath() throws IOException {
        Path data = Files.writeString(tmp.toRealPath().resolve("in.csv"), "a,b\n1,2\n");

        ExecutionResult r = result(python("open(" + guest(data) + ").read().splitlines()",
                Grants.of(Capability.fileRead(tmp.toRealPath())), read(data)));

        assertThat(r.outcome()).as(r.stderr()).isEqualTo(RunOutcome.OK);
        assertThat(r.value()).isEqualTo(JsonValue.parse("[\"a,b\",\"1,2\"]"));
    }

    @Test
    void aFileDeclaredForWritingLandsOnTheHostOnlyWhenAGrantAllowsIt() throws IOException {
        Path dir = tmp.toRealPath();
        Path out = dir.resolve("out.txt");
        String code = "with open(" + guest(out) + ", 'w') as f:\n    f.write('42\\n')\n'done'";

        ExecutionResult denied = result(python(code, Grants.of(Capability.fileRead(dir)), write(out)));

        assertThat(denied.outcome()).isEqualTo(RunOutcome.OK);
        assertThat(denied.stderr()).contains("'" + out + "' was not written to the host",
                "permission denied: file-write:" + out + " is not granted");
        assertThat(out).doesNotExist();

        ExecutionResult granted = result(python(code, Grants.of(Capability.fileWrite(out)), write(out)));

        assertThat(granted.outcome()).isEqualTo(RunOutcome.OK);
        assertThat(granted.stderr()).isEmpty();
        assertThat(out).content().isEqualTo("42\n");
    }

    @Test
    void aFileDeclaredForWritingIsNotWrittenBackWhenAnInterruptedRunEndsOrWhenUnchanged() throws IOException {
        Path dir = tmp.toRealPath();
        Path out = Files.writeString(dir.resolve("out.txt"), "before\n");
        Grants grants = Grants.of(Capability.fileRead(dir), Capability.fileWrite(dir));

        ExecutionResult exited = result(python("""
                with open(%s) as f:
                    text = f.read()
                with open(%s, 'a') as f:
                    f.write('after\\n')
                raise SystemExit(3)""".formatted(guest(out), guest(out)), grants, write(out)));

        assertThat(exited.outcome()).isEqualTo(RunOutcome.exit(3));
        assertThat(out).content().isEqualTo("before\nafter\n");

        ExecutionResult overflow = result(python("""
                with open(%s, 'w') as f:
                    f.write('lost')
                print('x' * 100000)""".formatted(guest(out)), grants, write(out)));

        assertThat(overflow.outcome()).isEqualTo(RunOutcome.OUTPUT_LIMIT);
        assertThat(out).content().isEqualTo("before\nafter\n");
    }

    @Test
    void aMountedDirectoryRunsItsTestSuiteAndTheResultSaysWhetherItPassed() throws IOException {
        Path repo = project(false);
        Grants grants = Grants.of(Capability.fileRead(repo));

        ExecutionResult passing = result(python(RUN_TESTS, repo.toString(), grants, read(repo)));

        assertThat(passing.outcome()).as(passing.stderr()).isEqualTo(RunOutcome.OK);
        assertThat(passing.stdout()).isEqualTo("PASS test_add\nPASS test_add_negative\nran test_calc.py failed 0\n");

        Files.writeString(repo.resolve("tests/test_calc.py"),
                Files.readString(repo.resolve("tests/test_calc.py")).replace("== -5", "== 5"));
        ExecutionResult failing = result(python(RUN_TESTS, repo.toString(), grants, read(repo)));

        assertThat(failing.outcome()).isEqualTo(RunOutcome.exit(1));
        assertThat(failing.stdout())
                .isEqualTo("PASS test_add\nFAIL test_add_negative got -5\nran test_calc.py failed 1\n");
    }

    @Test
    void aMountedDirectoryIsReadOnlyInsidePythonWhileTmpIsScratch() throws IOException {
        Path repo = project(false);

        ExecutionResult r = result(python("""
                import errno, os
                refused = []
                for attempt in (lambda: open('calc.py', 'a'), lambda: open('new.py', 'w'),
                                lambda: os.remove('calc.py'), lambda: os.mkdir('more'),
                                lambda: os.rename('tests', 't2'), lambda: os.symlink('/tmp', '/tmp/l')):
                    try:
                        attempt()
                    except OSError as e:
                        refused.append(errno.errorcode[e.errno])
                with open('/tmp/scratch.txt', 'w') as f:
                    f.write('ok')
                [refused, open('/tmp/scratch.txt').read(), sorted(os.listdir('.'))]""", repo.toString(),
                Grants.of(Capability.fileRead(repo), Capability.fileWrite(repo)), read(repo)));

        assertThat(r.outcome()).as(r.stderr()).isEqualTo(RunOutcome.OK);
        assertThat(r.value()).isEqualTo(JsonValue.parse(
                "[[\"EROFS\",\"EROFS\",\"EROFS\",\"EROFS\",\"EROFS\",\"ENOTSUP\"],\"ok\",[\"calc.py\",\"tests\"]]"));
        assertThat(repo.resolve("new.py")).doesNotExist();
        assertThat(repo.resolve("calc.py")).content().contains("return a + b");
    }

    @Test
    void aLinkInsideAMountedDirectoryIsNotFollowedWhereverItPoints() throws IOException {
        Path repo = project(false);
        Path outside = Files.createDirectories(tmp.toRealPath().resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.createSymbolicLink(repo.resolve("secret.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(repo.resolve("outside"), outside);
        Files.createSymbolicLink(repo.resolve("inside.py"), repo.resolve("calc.py"));
        Files.createSymbolicLink(repo.resolve("dangling"), tmp.resolve("missing"));

        ExecutionResult r = result(python(
                """
                        import os
                        [sorted(os.listdir(%s)), os.path.exists(%s)]""".formatted(guest(repo),
                        guest(outside.resolve("secret.txt"))),
                Grants.of(Capability.fileRead(tmp.toRealPath())), read(repo)));

        assertThat(r.outcome()).as(r.stderr()).isEqualTo(RunOutcome.OK);
        assertThat(r.value()).isEqualTo(JsonValue.parse("[[\"calc.py\",\"tests\"],false]"));
    }

    @Test
    void pythonSeesTheHostPathsWhereverItLooksAndNeverTheGuestPreopen() throws IOException {
        Path repo = project(true);
        String at = JsonValue.of(repo.toString()).toJson();

        ExecutionResult r = result(python("""
                import glob, os, pathlib, sys, traceback
                import calc
                seen = {'cwd': os.getcwd(), 'abspath': os.path.abspath('calc.py'), 'path0': sys.path[0],
                        'module': calc.__file__, 'realpath': os.path.realpath('tests/../calc.py'),
                        'scandir': sorted(e.path for e in os.scandir(%1$s)),
                        'walk': [d for d, _, _ in os.walk(%1$s)],
                        'glob': sorted(glob.glob(%1$s + '/**/*.py', recursive=True)),
                        'pathlib': sorted(str(p) for p in pathlib.Path(%1$s).rglob('*.py')),
                        'cwd_pathlib': str(pathlib.Path.cwd()), 'read': open(%1$s + '/calc.py').read()[:3]}
                try:
                    open(%1$s + '/missing.txt')
                except OSError as e:
                    seen['error'] = str(e)
                try:
                    from tests import test_calc
                    test_calc.test_add_negative()
                except AssertionError:
                    seen['traceback'] = traceback.format_exc()
                seen""".formatted(at), repo.toString(), Grants.of(Capability.fileRead(repo)), read(repo)));

        assertThat(r.outcome()).as(r.stderr()).isEqualTo(RunOutcome.OK);
        JsonObject seen = r.value().asObject();
        String calc = repo.resolve("calc.py").toString();
        String test = repo.resolve("tests/test_calc.py").toString();
        assertThat(seen.getString("cwd")).hasValue(repo.toString());
        assertThat(seen.getString("cwd_pathlib")).hasValue(repo.toString());
        assertThat(seen.getString("path0")).hasValue(repo.toString());
        assertThat(seen.getString("abspath")).hasValue(calc);
        assertThat(seen.getString("realpath")).hasValue(calc);
        assertThat(seen.getString("module")).hasValue(calc);
        assertThat(seen.getString("read")).hasValue("def");
        assertThat(seen.get("scandir").asArray().items()).extracting(JsonValue::toJson)
                .containsExactly(JsonValue.of(calc).toJson(), JsonValue.of(repo.resolve("tests").toString()).toJson());
        assertThat(seen.get("walk").asArray().items()).extracting(JsonValue::toJson)
                .containsExactly(JsonValue.of(repo.toString()).toJson(),
                        JsonValue.of(repo.resolve("tests").toString()).toJson());
        assertThat(seen.get("glob")).isEqualTo(seen.get("pathlib"));
        assertThat(seen.get("glob").asArray().items()).extracting(JsonValue::toJson)
                .containsExactly(JsonValue.of(calc).toJson(), JsonValue.of(test).toJson());
        assertThat(seen.getString("error")).hasValue(
                "[Errno 44] No such file or directory: '" + repo.resolve("missing.txt") + "'");
        assertThat(seen.getString("traceback").orElseThrow()).contains("File \"" + test + "\", line 7")
                .contains("assert calc.add(-2, -3) == 5")
                .doesNotContain("/guest");
        assertThat(r.toString()).doesNotContain("/guest");
    }

    @Test
    void anUndeclaredFileIsNotThereEvenWhenGranted() throws IOException {
        Path dir = tmp.toRealPath();
        Path declared = Files.writeString(dir.resolve("declared.txt"), "yes");
        Path undeclared = Files.writeString(dir.resolve("undeclared.txt"), "no");

        ExecutionResult r = result(python("""
                import os
                [os.path.exists(%s), os.path.exists(%s), sorted(os.listdir(%s))]""".formatted(guest(declared),
                guest(undeclared), guest(dir)), Grants.of(Capability.fileRead(dir)), read(declared)));

        assertThat(r.outcome()).as(r.stderr()).isEqualTo(RunOutcome.OK);
        assertThat(r.value()).isEqualTo(JsonValue.parse("[true,false,[\"declared.txt\"]]"));
    }

    @Test
    void aDeclaredFileNoGrantCoversIsRefusedBeforeTheCodeRunsWithTheReason() throws IOException {
        Path dir = tmp.toRealPath();
        Path secret = Files.writeString(dir.resolve("secret.txt"), "secret");
        Path out = dir.resolve("out.txt");

        ToolResult r = python("open(" + guest(out) + ", 'w').write('ran')", Grants.none(),
                read(secret), write(out));

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).contains("permission denied: file-read:" + secret + " is not granted");
        assertThat(out).doesNotExist();
    }

    @Test
    void aDirectoryDeclaredForWritingIsRefusedWithTheReason() throws IOException {
        Path repo = project(false);

        ToolResult r = python("1", Grants.of(Capability.fileRead(repo), Capability.fileWrite(repo)), write(repo));

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(r.content()).contains("is a directory", "reading only");
    }

    @Test
    void cwdIsForPythonOnlyAndMustBeAbsolute() {
        ToolResult relative = python("1", "repo", Grants.none());
        assertThat(relative.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(relative.content()).contains("cwd must be an absolute path");

        ToolResult js = executor.invoke(JsonObject.builder()
                .put("language", "javascript")
                .put("code", "1")
                .put("cwd", "/tmp")
                .build(), new TestContext(Grants.none())).block(WAIT);
        assertThat(js.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(js.content()).contains("for python only");
    }

    @Test
    void aDirectoryDeclaredForJavaScriptGivesTheScriptAClearError() throws IOException {
        Path repo = project(false);
        var files = new ArrayList<JsonValue>();
        files.add(read(repo));

        ToolResult r = executor.invoke(JsonObject.builder()
                .put("language", "javascript")
                .put("code", "readFile(" + JsonValue.of(repo.toString()).toJson() + ")")
                .put("files", new JsonArray(files))
                .build(), new TestContext(Grants.of(Capability.fileRead(repo)))).block(WAIT);

        ExecutionResult result = result(r);
        assertThat(result.error()).isNotNull();
        assertThat(result.error().message()).contains("is a directory", "mounts a declared directory read-only");
    }
}
