package dev.agentrt.tools.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentrt.core.internal.fs.ConfinementHooks;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolAccess;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * The races inside a file tool, between its own check of an entry and the open that uses it, made
 * deterministic with the confinement layer's hook.
 */
class FileToolsOpenRaceTest {
    @TempDir
    Path temp;

    Path root;
    Path outside;
    FileSystemTools fs;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(temp.resolve("root")).toRealPath();
        outside = Files.createDirectory(temp.resolve("outside")).toRealPath();
        Files.writeString(outside.resolve("secret.txt"), "TOP SECRET\n");
        Files.createDirectory(root.resolve("sub"));
        Files.writeString(root.resolve("sub/ok.txt"), "fine\n");
        fs = FileSystemTools.rootedAt(root);
    }

    @AfterEach
    void resetHook() {
        ConfinementHooks.reset();
    }

    private ToolResult call(String tool, JsonObject args) {
        Grants grants = Grants.of(Capability.fileRead(root), Capability.fileWrite(root), Capability.fileRead(outside),
                Capability.fileWrite(outside));
        var execution = new ToolExecution("t", Principal.ANONYMOUS, grants, null, Duration.ofSeconds(30), null,
                ToolAccess.ALL);
        return ToolRegistry.of(fs.tools())
                .execute(new ToolCall("c1", tool, args.toJson()), execution)
                .block(Duration.ofSeconds(30));
    }

    private static void swapForLink(Path path, Path target) throws IOException {
        Files.move(path, path.resolveSibling(path.getFileName() + ".moved"));
        try {
            Files.createSymbolicLink(path, target);
        } catch (UnsupportedOperationException e) {
            assumeTrue(false, "this file system cannot make symbolic links: " + e);
        }
    }

    private void swapWhenOpening(String name, Path target) {
        ConfinementHooks.install(new ConfinementHooks.Hook() {
            @Override
            public void beforeOpen(Path path) throws IOException {
                if (path.getFileName().toString().equals(name)) {
                    swapForLink(path, target);
                }
            }
        });
    }

    private List<Path> entriesOutside() throws IOException {
        try (Stream<Path> all = Files.walk(outside)) {
            return all.toList();
        }
    }

    @Test
    void aDirectorySwappedForALinkDuringTheToolsOwnOpenIsPermissionDenied() {
        swapWhenOpening("sub", outside);

        ToolResult r = call("read_file", JsonObject.builder().put("path", "sub/secret.txt").build());

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).contains("changed while it was being opened").doesNotContain("TOP SECRET");
    }

    @Test
    void aFileSwappedForALinkDuringTheToolsOwnOpenIsPermissionDenied() {
        swapWhenOpening("ok.txt", outside.resolve("secret.txt"));

        ToolResult r = call("read_file", JsonObject.builder().put("path", "sub/ok.txt").build());

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).doesNotContain("TOP SECRET");
    }

    @Test
    void aParentSwappedForALinkWhileADirectoryIsCreatedIsPermissionDeniedAndWritesNothingOutside()
            throws IOException {
        ConfinementHooks.install(new ConfinementHooks.Hook() {
            @Override
            public void beforeCreateDirectory(Path path) throws IOException {
                swapForLink(root.resolve("sub"), outside);
            }
        });

        ToolResult r = call("write_file", JsonObject.builder()
                .put("path", "sub/new/planted.txt")
                .put("content", "pwned")
                .build());

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(entriesOutside()).noneMatch(p -> p.getFileName().toString().contains("planted"));
        assertThat(entriesOutside()).filteredOn(Files::isRegularFile).containsExactly(outside.resolve("secret.txt"));
    }
}
