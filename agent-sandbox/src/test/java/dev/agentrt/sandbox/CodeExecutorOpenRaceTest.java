package dev.agentrt.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.internal.fs.ConfinementHooks;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.sandbox.CodeExecutor.Language;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The code executor's host files between their grant check and their open: a link swapped in right
 * there (made deterministic with the confinement layer's hook; in this package only to reach it)
 * leaks nothing and overwrites nothing.
 */
class CodeExecutorOpenRaceTest {
    static CodeExecutor executor;

    @TempDir
    Path temp;

    Path granted;
    Path outside;

    @BeforeAll
    static void start() {
        executor = CodeExecutor.create(CodeExecutor.Options.DEFAULT.withLanguages(Language.JAVASCRIPT));
    }

    @AfterAll
    static void stop() {
        executor.close();
    }

    @BeforeEach
    void setUp() throws IOException {
        granted = Files.createDirectory(temp.resolve("granted")).toRealPath();
        outside = Files.createDirectory(temp.resolve("outside")).toRealPath();
        Files.writeString(outside.resolve("secret.txt"), "TOP SECRET");
        Files.writeString(granted.resolve("in.txt"), "fine");
        Files.writeString(granted.resolve("out.txt"), "old");
    }

    @AfterEach
    void resetHook() {
        ConfinementHooks.reset();
    }

    private ExecutionResult run(String code) {
        String args = """
                {"language":"javascript","code":%s,"files":[{"path":%s,"access":"read"},{"path":%s,"access":"write"}]}"""
                .formatted(JsonValue.of(code).toJson(), JsonValue.of(granted.resolve("in.txt").toString()).toJson(),
                        JsonValue.of(granted.resolve("out.txt").toString()).toJson());
        Grants grants = Grants.of(Capability.fileRead(granted), Capability.fileWrite(granted));
        ToolResult r = ToolRegistry.of(executor)
                .execute(new ToolCall("c1", CodeExecutor.NAME, JsonValue.parse(args).toJson()),
                        ToolExecution.of("task", Principal.ANONYMOUS, grants))
                .block(Duration.ofSeconds(60));
        return ExecutionResult.fromJson(JsonValue.parse(r.content()).asObject());
    }

    private void swapWhenOpening(String name, Path swapped, Path target) {
        ConfinementHooks.install(new ConfinementHooks.Hook() {
            @Override
            public void beforeOpen(Path path) throws IOException {
                if (path.getFileName().toString().equals(name)) {
                    Files.move(swapped, swapped.resolveSibling(swapped.getFileName() + ".moved"));
                    Files.createSymbolicLink(swapped, target);
                }
            }
        });
    }

    private static String caught(String call) {
        return "let caught = null; try { " + call + " } catch (e) { caught = 'refused: ' + e.message; } caught";
    }

    @Test
    void aFileSwappedForALinkBetweenCheckAndReadLeaksNothing() {
        swapWhenOpening("in.txt", granted.resolve("in.txt"), outside.resolve("secret.txt"));

        ExecutionResult r = run(caught("readFile(" + JsonValue.of(granted.resolve("in.txt").toString()).toJson()
                + ");"));

        assertThat(r.value().toJson()).contains("refused: permission denied").doesNotContain("TOP SECRET");
    }

    @Test
    void aFileSwappedForALinkBetweenCheckAndWriteOverwritesNothingOutside() {
        swapWhenOpening(granted.getFileName().toString(), granted.resolve("out.txt"), outside.resolve("secret.txt"));

        ExecutionResult r = run(caught("writeFile(" + JsonValue.of(granted.resolve("out.txt").toString()).toJson()
                + ", 'pwned');"));

        assertThat(r.value().toJson()).contains("refused: permission denied");
        assertThat(outside.resolve("secret.txt")).hasContent("TOP SECRET");
    }

    @Test
    void aParentSwappedForALinkBetweenCheckAndWriteOverwritesNothingOutside() throws IOException {
        Files.writeString(outside.resolve("out.txt"), "outside");
        swapWhenOpening(granted.getFileName().toString(), granted, outside);

        ExecutionResult r = run(caught("writeFile(" + JsonValue.of(granted.resolve("out.txt").toString()).toJson()
                + ", 'pwned');"));

        assertThat(r.value().toJson()).contains("refused: permission denied");
        assertThat(outside.resolve("out.txt")).hasContent("outside");
    }
}
