package dev.agentrt.tools.fs;

import static dev.agentrt.tools.fs.FsFixture.args;
import static dev.agentrt.tools.fs.FsFixture.call;
import static dev.agentrt.tools.fs.FsFixture.symlink;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

class FileSystemToolsSecurityTest {
    @TempDir
    Path temp;

    Path root;
    Path outside;
    FileSystemTools fs;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(temp.resolve("root"));
        outside = Files.createDirectory(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "TOP SECRET\n");
        Files.writeString(root.resolve("ok.txt"), "fine\n");
        fs = FileSystemTools.rootedAt(root);
    }

    private Grants rootOnly() {
        return Grants.of(Capability.fileRead(root), Capability.fileWrite(root));
    }

    /** Grants that also cover the outside directory: only the tools' own confinement stands in the way. */
    private Grants rootAndOutside() {
        return Grants.of(Capability.fileRead(root), Capability.fileWrite(root), Capability.fileRead(outside),
                Capability.fileWrite(outside));
    }

    private static JsonObject argumentsFor(String tool, String path) {
        return switch (tool) {
            case "write_file" -> args().put("path", path).put("content", "pwned").build();
            case "edit_file" -> args().put("path", path).put("old_text", "a").put("new_text", "b").build();
            case "grep", "glob" -> args().put("path", path).put("pattern", "x").build();
            default -> args().put("path", path).build();
        };
    }

    private static final List<String> TOOLS = List.of("read_file", "write_file", "edit_file", "list_directory", "grep",
            "glob");

    @ParameterizedTest
    @ValueSource(strings = {"C:\\x", "a\\..\\b", "C:/x", "a\u0000b", "\\\\server\\share"})
    void refusesMalformedPathsBeforeAnyAccess(String path) {
        for (String tool : TOOLS) {
            ToolResult r = call(fs, rootAndOutside(), tool, argumentsFor(tool, path));
            assertThat(r.errorKind()).as("%s %s: %s", tool, path, r.content())
                    .isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        }
        assertThat(outside.resolve("secret.txt")).hasContent("TOP SECRET");
    }

    /** Reaching outside is first a question of grants: a denial the model is told about, with the path it named. */
    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/../../x", "/etc/passwd", "../outside/secret.txt"})
    void aPathThatLeavesTheRootIsRefusedAsNotGranted(String path) {
        for (String tool : TOOLS) {
            ToolResult r = call(fs, rootOnly(), tool, argumentsFor(tool, path));
            assertThat(r.errorKind()).as("%s %s: %s", tool, path, r.content())
                    .isEqualTo(ToolErrorKind.PERMISSION_DENIED);
            String named = path.startsWith("/") ? path : root.resolve(path).normalize().toString();
            assertThat(r.content()).as("%s %s", tool, path).contains(named);
        }
        assertThat(outside.resolve("secret.txt")).hasContent("TOP SECRET");
        assertThat(temp.resolve("x")).doesNotExist();
    }

    /** Grants that cover the outside do not widen the tools: they never reach outside their root. */
    @ParameterizedTest
    @ValueSource(strings = {"../outside/secret.txt", "a/../../outside/secret.txt", "../outside", "../x"})
    void aPathThatLeavesTheRootIsRefusedEvenWhenGranted(String path) {
        Grants everything = Grants.of(Capability.fileRead(temp), Capability.fileWrite(temp));
        for (String tool : TOOLS) {
            ToolResult r = call(fs, everything, tool, argumentsFor(tool, path));
            assertThat(r.errorKind()).as("%s %s: %s", tool, path, r.content())
                    .isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
            assertThat(r.content()).contains("leaves the root directory");
        }
        String outsideAbsolute = outside.resolve("secret.txt").toString();
        for (String tool : TOOLS) {
            ToolResult r = call(fs, everything, tool, argumentsFor(tool, outsideAbsolute));
            assertThat(r.content()).as(tool).contains("outside the root directory");
        }
        assertThat(outside.resolve("secret.txt")).hasContent("TOP SECRET");
        assertThat(temp.resolve("x")).doesNotExist();
    }

    @Test
    void explainsEachRefusalToTheModel() {
        assertThat(call(fs, rootOnly(), "read_file", args().put("path", "../x").build()).content())
                .contains("file-read")
                .contains(temp.resolve("x").toString());
        assertThat(call(fs, rootOnly(), "read_file", args().put("path", "a\\b").build()).content())
                .contains("backslash");
        assertThat(call(fs, rootOnly(), "read_file", args().put("path", "C:/x").build()).content())
                .contains("Windows drive");
        assertThat(call(fs, rootOnly(), "read_file", args().put("path", "a\u0000b").build()).content())
                .contains("NUL character");
    }

    @Test
    void acceptsAbsolutePathsInsideTheRootAndDotDotThatStaysInside() {
        ToolResult abs = call(fs, rootOnly(), "read_file", args().put("path", root.resolve("ok.txt").toString())
                .build());
        assertThat(abs.content()).contains("fine");
        ToolResult dots = call(fs, rootOnly(), "read_file", args().put("path", "sub/../ok.txt").build());
        assertThat(dots.content()).contains("fine");
    }

    @Test
    void fileReadOnTheRootLetsReadButNotWrite() {
        Grants readOnly = Grants.of(Capability.fileRead(root));
        assertThat(call(fs, readOnly, "read_file", args().put("path", "ok.txt").build()).isError()).isFalse();
        assertThat(call(fs, readOnly, "grep", args().put("pattern", "fine").build()).content()).contains("ok.txt");
        for (String tool : List.of("write_file", "edit_file")) {
            JsonObject a = tool.equals("write_file")
                    ? args().put("path", "ok.txt").put("content", "x").build()
                    : args().put("path", "ok.txt").put("old_text", "fine").put("new_text", "bad").build();
            ToolResult r = call(fs, readOnly, tool, a);
            assertThat(r.errorKind()).as(tool).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
            assertThat(r.content()).contains("file-write:");
        }
        assertThat(root.resolve("ok.txt")).hasContent("fine");
        assertThat(call(fs, Grants.none(), "read_file", args().put("path", "ok.txt").build()).errorKind())
                .isEqualTo(ToolErrorKind.PERMISSION_DENIED);
    }

    @Test
    void fileWriteOnASubdirectoryAllowsWritesThereOnly() throws IOException {
        Files.createDirectory(root.resolve("out"));
        Grants grants = Grants.of(Capability.fileRead(root), Capability.fileWrite(root.resolve("out")));
        assertThat(call(fs, grants, "write_file", args().put("path", "out/r.txt").put("content", "r").build())
                .isError()).isFalse();
        assertThat(call(fs, grants, "write_file", args().put("path", "out/deeper/r.txt").put("content", "r").build())
                .isError()).isFalse();
        ToolResult denied = call(fs, grants, "write_file", args().put("path", "r.txt").put("content", "r").build());
        assertThat(denied.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        ToolResult sneaky = call(fs, grants, "write_file",
                args().put("path", "out/../r.txt").put("content", "r").build());
        assertThat(sneaky.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(root.resolve("r.txt")).doesNotExist();
        assertThat(root.resolve("out/r.txt")).hasContent("r");
    }

    @Test
    void aFileLinkPointingOutsideIsDeniedByTheGrantsAndRefusedByTheToolEvenWhenGranted() throws IOException {
        symlink(root.resolve("link.txt"), outside.resolve("secret.txt"));
        ToolResult denied = call(fs, rootOnly(), "read_file", args().put("path", "link.txt").build());
        assertThat(denied.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        ToolResult refused = call(fs, rootAndOutside(), "read_file", args().put("path", "link.txt").build());
        assertThat(refused.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(refused.content()).contains("symbolic link").doesNotContain("TOP SECRET");
        ToolResult write = call(fs, rootAndOutside(), "write_file",
                args().put("path", "link.txt").put("content", "pwned").build());
        assertThat(write.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        ToolResult edit = call(fs, rootAndOutside(), "edit_file",
                args().put("path", "link.txt").put("old_text", "TOP").put("new_text", "NO").build());
        assertThat(edit.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(outside.resolve("secret.txt")).hasContent("TOP SECRET");
        assertThat(Files.isSymbolicLink(root.resolve("link.txt"))).isTrue();
    }

    @Test
    void aDirectoryLinkPointingOutsideIsNeverEntered() throws IOException {
        symlink(root.resolve("linkdir"), outside);
        for (Grants grants : List.of(rootOnly(), rootAndOutside())) {
            assertThat(call(fs, grants, "read_file", args().put("path", "linkdir/secret.txt").build()).errorKind())
                    .isEqualTo(ToolErrorKind.PERMISSION_DENIED);
            assertThat(call(fs, grants, "write_file",
                    args().put("path", "linkdir/new.txt").put("content", "x").build()).errorKind())
                    .isEqualTo(ToolErrorKind.PERMISSION_DENIED);
            assertThat(call(fs, grants, "list_directory", args().put("path", "linkdir").build()).errorKind())
                    .isEqualTo(ToolErrorKind.PERMISSION_DENIED);
            assertThat(call(fs, grants, "grep", args().put("pattern", "SECRET").build()).content())
                    .doesNotContain("TOP SECRET")
                    .startsWith("No lines match");
            assertThat(call(fs, grants, "glob", args().put("pattern", "**/secret.txt").build()).content())
                    .startsWith("No paths match");
        }
        assertThat(call(fs, rootOnly(), "list_directory", args().build()).content())
                .containsPattern("link\\s+-\\s+linkdir");
        assertThat(outside.resolve("new.txt")).doesNotExist();
    }

    @Test
    void aLinkSwappedInAfterTheCapabilityCheckIsRefused() {
        // The registry emits PermissionGranted after checking the grants and before invoking the tool:
        // replacing the checked regular file by a link right then is the race, made deterministic.
        Path target = root.resolve("ok.txt");
        var swaps = new AtomicInteger();
        ToolResult r = call(fs, rootAndOutside(), "read_file", args().put("path", "ok.txt").build(), event -> {
            if (event instanceof AgentEvent.PermissionGranted) {
                try {
                    Files.delete(target);
                    Files.createSymbolicLink(target, outside.resolve("secret.txt"));
                    swaps.incrementAndGet();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (UnsupportedOperationException e) {
                    org.junit.jupiter.api.Assumptions.assumeTrue(false, "no symbolic links here");
                }
            }
        });
        assertThat(swaps).hasValue(1);
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).contains("symbolic link").doesNotContain("TOP SECRET");
    }

    @Test
    void aDirectoryLinkSwappedInAfterTheCheckIsRefusedForWrites() throws IOException {
        Path sub = Files.createDirectory(root.resolve("sub"));
        ToolResult r = call(fs, rootAndOutside(), "write_file", args().put("path", "sub/planted.txt")
                .put("content", "pwned")
                .build(), event -> {
                    if (event instanceof AgentEvent.PermissionGranted) {
                        try {
                            Files.delete(sub);
                            Files.createSymbolicLink(sub, outside);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                });
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(outside.resolve("planted.txt")).doesNotExist();
        assertThat(FsFixture.tempFiles(temp)).isZero();
    }
}
