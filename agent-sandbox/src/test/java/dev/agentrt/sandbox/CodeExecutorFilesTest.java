package dev.agentrt.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.sandbox.CodeExecutor.Language;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

class CodeExecutorFilesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static CodeExecutor executor;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        executor = CodeExecutor.create(CodeExecutor.Options.DEFAULT.withLanguages(Language.JAVASCRIPT));
    }

    @AfterAll
    static void stop() {
        executor.close();
    }

    private static JsonObject call(String code, Path read, Path write) {
        return JsonValue
                .parse("""
                        {"language":"javascript","code":%s,"files":[{"path":%s,"access":"read"},{"path":%s,"access":"write"}]}"""
                        .formatted(JsonValue.of(code).toJson(), JsonValue.of(read.toString()).toJson(),
                                JsonValue.of(write.toString()).toJson()))
                .asObject();
    }

    private static ToolResult throughTheRegistry(JsonObject args, Grants grants) {
        return ToolRegistry.of(executor)
                .execute(new ToolCall("call-1", CodeExecutor.NAME, args.toJson()),
                        ToolExecution.of("task", Principal.ANONYMOUS, grants))
                .block(WAIT);
    }

    private static ExecutionResult result(ToolResult r) {
        return ExecutionResult.fromJson(JsonValue.parse(r.content()).asObject());
    }

    @Test
    void codeReadsAGrantedFileAndWritesAGrantedPath() throws IOException {
        Path in = Files.writeString(dir.resolve("in.csv"), "a,1\nb,2\nc,3\n");
        Path out = dir.resolve("sum.txt");
        JsonObject args = call("""
                const rows = readFile(%s).trim().split('\\n').map(l => Number(l.split(',')[1]));
                const sum = rows.reduce((a, b) => a + b, 0);
                writeFile(%s, 'sum=' + sum);
                sum""".formatted(JsonValue.of(in.toString()).toJson(), JsonValue.of(out.toString()).toJson()), in, out);

        assertThat(executor.requiredCapabilities(args))
                .containsExactly(Capability.fileRead(in), Capability.fileWrite(out));
        ToolResult r = throughTheRegistry(args, Grants.of(Capability.fileRead(dir), Capability.fileWrite(out)));

        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(result(r).value()).isEqualTo(JsonValue.of(6));
        assertThat(out).hasContent("sum=6");
    }

    @Test
    void aCallWhoseWriteIsNotGrantedIsDeniedBeforeAnythingRuns() throws IOException {
        Path in = Files.writeString(dir.resolve("in.txt"), "x");
        Path out = dir.resolve("out.txt");
        ToolResult r = throughTheRegistry(call("writeFile(%s, 'leak')".formatted(JsonValue.of(out.toString()).toJson()),
                in, out), Grants.of(Capability.fileRead(dir)));

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(out).doesNotExist();
    }

    @Test
    void aWriteTheGrantsDoNotCoverFailsInsideTheScriptAndNothingReachesTheHost() throws IOException {
        Path in = Files.writeString(dir.resolve("in.txt"), "x");
        Path out = dir.resolve("out.txt");
        JsonObject args = call("""
                let caught = null;
                try { writeFile(%s, 'leak'); } catch (e) { caught = e.message; }
                caught""".formatted(JsonValue.of(out.toString()).toJson()), in, out);

        // Called directly, past the registry: the host function checks the grants itself.
        ToolResult r = executor.invoke(args, new TestContext(Grants.of(Capability.fileRead(dir)))).block(WAIT);

        assertThat(result(r).value())
                .isEqualTo(JsonValue.of("permission denied: file-write:" + out + " is not granted"));
        assertThat(out).doesNotExist();
    }

    @Test
    void aFileTheCallDidNotDeclareIsOutOfReachEvenWhenGranted() throws IOException {
        Path declared = Files.writeString(dir.resolve("declared.txt"), "ok");
        Path other = Files.writeString(dir.resolve("other.txt"), "secret");
        Path out = dir.resolve("never.txt");
        JsonObject args = call("""
                const errors = [];
                try { readFile(%s); } catch (e) { errors.push(e.message); }
                try { writeFile(%s, 'x'); } catch (e) { errors.push(e.message); }
                try { writeFile(%s, 'x'); } catch (e) { errors.push(e.message); }
                errors""".formatted(JsonValue.of(other.toString()).toJson(), JsonValue.of(declared.toString()).toJson(),
                JsonValue.of(dir.resolve("undeclared.txt").toString()).toJson()), declared, out);

        ToolResult r = executor.invoke(args,
                new TestContext(Grants.of(Capability.fileRead(dir), Capability.fileWrite(dir)))).block(WAIT);

        assertThat(result(r).value().toJson()).contains("is not declared in the call's files",
                "is not declared for writing");
        assertThat(declared).hasContent("ok");
        assertThat(dir.resolve("undeclared.txt")).doesNotExist();
    }

    @Test
    void aSymbolicLinkOutOfTheGrantIsRefused() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path secret = Files.writeString(outside.resolve("secret.txt"), "secret");
        Path granted = Files.createDirectories(dir.resolve("granted"));
        Path link = Files.createSymbolicLink(granted.resolve("link.txt"), secret);
        JsonObject args = call("""
                try { readFile(%s) } catch (e) { e.message }""".formatted(JsonValue.of(link.toString()).toJson()), link,
                granted.resolve("out.txt"));

        ToolResult r = executor.invoke(args, new TestContext(Grants.of(Capability.fileRead(granted)))).block(WAIT);

        assertThat(result(r).value().toJson()).contains("permission denied: file-read:");
    }

    @Test
    void aMissingFileIsAnErrorTheScriptCanCatch() {
        Path missing = dir.resolve("missing.txt");
        JsonObject args = call("readFile(%s)".formatted(JsonValue.of(missing.toString()).toJson()), missing,
                dir.resolve("o.txt"));

        ToolResult r = executor.invoke(args, new TestContext(Grants.of(Capability.fileRead(dir)))).block(WAIT);

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(result(r).error().message()).contains("does not exist");
        assertThat(result(r).error().line()).isEqualTo(1);
    }

    @Test
    void aFileLargerThanTheLimitIsRefused() throws IOException {
        Path big = Files.writeString(dir.resolve("big.txt"), "z".repeat(2048));
        try (var small = CodeExecutor.create(CodeExecutor.Options.DEFAULT.withMaxFileBytes(1024).withPoolSize(0))) {
            ToolResult r = small.invoke(call("readFile(%s)".formatted(JsonValue.of(big.toString()).toJson()), big,
                    dir.resolve("o.txt")), new TestContext(Grants.of(Capability.fileRead(dir)))).block(WAIT);
            assertThat(result(r).error().message()).contains("2048 bytes", "1024");
        }
    }

    @Test
    void aDanglingLinkInAGrantedDirectoryCannotCreateAFileOutside() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path granted = Files.createDirectories(dir.resolve("granted"));
        Path in = Files.writeString(granted.resolve("in.txt"), "x");
        // As a cloned repository could carry it: a link to a file that does not exist yet.
        Path link = Files.createSymbolicLink(granted.resolve("out.txt"), outside.resolve("planted.txt"));
        JsonObject args = call("""
                let caught = null;
                try { writeFile(%s, 'pwned'); } catch (e) { caught = e.message; }
                caught""".formatted(JsonValue.of(link.toString()).toJson()), in, link);
        Grants grants = Grants.of(Capability.fileRead(granted), Capability.fileWrite(granted));

        ToolResult direct = executor.invoke(args, new TestContext(grants)).block(WAIT);
        ToolResult registry = throughTheRegistry(args, grants);

        assertThat(result(direct).value().toJson()).contains("permission denied: file-write:");
        assertThat(registry.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(outside.resolve("planted.txt")).doesNotExist();
        assertThat(Files.isSymbolicLink(link)).isTrue();
    }

    @Test
    void aLinkInsideTheGrantThatLeadsInsideStillWorks() throws IOException {
        Path granted = Files.createDirectories(dir.resolve("granted"));
        Path target = Files.writeString(granted.resolve("target.txt"), "old");
        Path link = Files.createSymbolicLink(granted.resolve("link.txt"), target);
        JsonObject args = call("""
                const before = readFile(%1$s);
                writeFile(%1$s, 'new');
                before""".formatted(JsonValue.of(link.toString()).toJson()), link, link);

        ToolResult r = throughTheRegistry(args, Grants.of(Capability.fileRead(granted), Capability.fileWrite(granted)));

        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(result(r).value()).isEqualTo(JsonValue.of("old"));
        assertThat(target).hasContent("new");
        assertThat(Files.isSymbolicLink(link)).isTrue();
    }
}
