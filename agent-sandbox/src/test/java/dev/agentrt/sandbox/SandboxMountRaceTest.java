package dev.agentrt.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.SandboxException;
import dev.agentrt.core.internal.fs.ConfinementHooks;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The sandbox's mounts between a check and the copy it guards: a link swapped into a mount while it is
 * copied in or back (made deterministic with the confinement layer's hook; in this package only to
 * reach it) moves nothing across, and every failure is a {@link SandboxException}.
 */
class SandboxMountRaceTest {
    private final Sandbox sandbox = Sandbox.create();

    @TempDir
    Path tmp;

    Path in;
    Path out;
    Path outside;

    @BeforeEach
    void files() throws IOException {
        in = Files.createDirectories(tmp.resolve("in")).toRealPath();
        out = Files.createDirectories(tmp.resolve("out")).toRealPath();
        outside = Files.createDirectories(tmp.resolve("outside")).toRealPath();
        Files.writeString(in.resolve("a.txt"), "alpha");
        Files.writeString(outside.resolve("secret.txt"), "top secret");
        Files.writeString(outside.resolve("x.txt"), "outside");
    }

    @AfterEach
    void resetHook() {
        ConfinementHooks.reset();
    }

    private static WasmModule guest() throws IOException {
        try (InputStream bytes = SandboxMountRaceTest.class.getResourceAsStream("/wasm/guest.wasm")) {
            return WasmModule.of(Objects.requireNonNull(bytes, "guest.wasm").readAllBytes());
        }
    }

    private RunResult run(Grants grants, String... args) throws IOException {
        return sandbox.run(guest(), RunRequest.builder()
                .args(args)
                .stdin("pwned")
                .mount(Mount.readOnly(in, "/in"))
                .mount(Mount.readWrite(out, "/out"))
                .grants(grants)
                .build()).block(Duration.ofSeconds(30));
    }

    private static void swapForLink(Path path, Path target) throws IOException {
        Files.move(path, path.resolveSibling(path.getFileName() + ".moved"));
        Files.createSymbolicLink(path, target);
    }

    private void onOpening(String name, IoAction action) {
        ConfinementHooks.install(new ConfinementHooks.Hook() {
            @Override
            public void beforeOpen(Path path) throws IOException {
                if (path.getFileName().toString().equals(name)) {
                    ConfinementHooks.reset();
                    action.run();
                }
            }
        });
    }

    interface IoAction {
        void run() throws IOException;
    }

    @Test
    void aFileSwappedForALinkWhileItIsCopiedInFailsTheRunAndNothingLeaks() {
        onOpening("a.txt", () -> swapForLink(in.resolve("a.txt"), outside.resolve("secret.txt")));

        assertThatThrownBy(() -> run(Grants.of(Capability.fileRead(in), Capability.fileWrite(out)), "r3", "a.txt"))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("a.txt changed while it was being opened")
                .hasMessageNotContaining("top secret");
    }

    @Test
    void aDirectorySwappedForALinkWhileItIsCopiedInFailsTheRun() throws IOException {
        Files.createDirectory(in.resolve("sub"));
        Files.writeString(in.resolve("sub/b.txt"), "beta");
        onOpening("sub", () -> swapForLink(in.resolve("sub"), outside));

        assertThatThrownBy(() -> run(Grants.of(Capability.fileRead(in), Capability.fileWrite(out)), "r3", "sub/b.txt"))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("sub changed while it was being opened");
    }

    @Test
    void aMountSwappedForALinkBeforeTheCopyBackWritesNothingOutsideAndReportsNothingWritten() throws IOException {
        // Without a read grant on /out nothing is copied in, so the first open of "out" is the copy-back's.
        onOpening("out", () -> swapForLink(out, outside));

        RunResult r = run(Grants.of(Capability.fileRead(in), Capability.fileWrite(out)), "w4", "x.txt");

        assertThat(r.outcome()).isEqualTo(RunOutcome.OK);
        assertThat(r.written()).isEmpty();
        assertThat(r.refused()).containsExactly("/out/x.txt");
        assertThat(outside.resolve("x.txt")).hasContent("outside");
    }

    @Test
    void aTargetSwappedForALinkBeforeTheCopyBackIsReplacedNeverFollowed() throws IOException {
        Files.writeString(out.resolve("x.txt"), "old");
        onOpening("out", () -> Files.createSymbolicLink(out.resolve("y.txt"), outside.resolve("x.txt")));

        RunResult r = run(Grants.of(Capability.fileRead(in), Capability.fileWrite(out)), "w4", "y.txt");

        assertThat(r.outcome()).isEqualTo(RunOutcome.OK);
        assertThat(outside.resolve("x.txt")).hasContent("outside");
        assertThat(r.written()).isEmpty();
        assertThat(r.refused()).containsExactly("/out/y.txt");
    }

    @Test
    void aFailingCopyBackIsASandboxException() {
        onOpening("out", () -> {
            throw new IOException("the disk failed");
        });

        assertThatThrownBy(() -> run(Grants.of(Capability.fileRead(in), Capability.fileWrite(out)), "w4", "x.txt"))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("the disk failed");
        assertThat(out.resolve("x.txt")).doesNotExist();
    }
}
