package dev.agentrt.sandbox;

import static dev.agentrt.sandbox.TestModules.wasm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.CapabilityDeniedException;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The run's file system: granted host files copied in, guest writes copied back only under a
 * FileWrite grant covering the exact target, and nothing else of the host reachable.
 */
class SandboxFilesTest {
    private static final int EBADF = 8;
    private static final int EACCES = 2;
    private static final int EROFS = 69;

    private final Sandbox sandbox = Sandbox.create();
    @TempDir
    Path tmp;
    Path in;
    Path out;
    Path outside;

    @BeforeEach
    void files() throws IOException {
        in = Files.createDirectories(tmp.resolve("in"));
        out = Files.createDirectories(tmp.resolve("out"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(in.resolve("a.txt"), "alpha");
        Files.writeString(outside.resolve("secret.txt"), "top secret");
    }

    private RunResult run(RunRequest.Builder request) {
        return sandbox.run(wasm("guest"), request.build()).block(Duration.ofSeconds(30));
    }

    private RunRequest.Builder inAndOut(Grants grants, String... args) {
        return RunRequest.builder()
                .args(args)
                .mount(Mount.readOnly(in, "/in"))
                .mount(Mount.readWrite(out, "/out"))
                .grants(grants);
    }

    private Grants readInWriteOut() {
        return Grants.of(Capability.fileRead(in), Capability.fileRead(out), Capability.fileWrite(out));
    }

    private List<Path> hostFiles() throws IOException {
        try (var walk = Files.walk(tmp)) {
            return walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
    }

    @Test
    void aGrantedFileIsReadAndAWrittenFileReachesTheHost() throws IOException {
        RunResult read = run(inAndOut(readInWriteOut(), "r3", "a.txt"));
        assertThat(read.outcome()).isEqualTo(RunOutcome.OK);
        assertThat(read.stdout()).isEqualTo("alpha");
        assertThat(read.written()).isEmpty();

        RunResult write = run(inAndOut(readInWriteOut(), "w4", "result.txt").stdin("omega"));
        assertThat(write.outcome()).isEqualTo(RunOutcome.OK);
        assertThat(write.written()).containsExactly(out.resolve("result.txt").toRealPath());
        assertThat(out.resolve("result.txt")).hasContent("omega");
    }

    @Test
    void absoluteAndDotDotPathsReachNothingOfTheHost() throws IOException {
        List<Path> before = hostFiles();
        for (String path : List.of("/etc/passwd", "../../../../../../etc/passwd", "../outside/secret.txt",
                "../../outside/secret.txt", tmp.resolve("outside/secret.txt").toString())) {
            RunResult r = run(inAndOut(readInWriteOut(), "r3", path));
            assertThat(r.outcome()).as(path).isInstanceOf(RunOutcome.Exit.class);
            assertThat(r.stdout()).as(path).isEmpty();
        }
        RunResult escapeWrite = run(inAndOut(readInWriteOut(), "w4", "../in/planted.txt").stdin("x"));
        assertThat(escapeWrite.outcome()).isInstanceOf(RunOutcome.Exit.class);
        assertThat(hostFiles()).isEqualTo(before);
    }

    @Test
    void withoutMountsThereIsNoDirectoryAtAll() {
        RunResult r = run(RunRequest.builder().args("r3", "etc/passwd"));
        assertThat(r.outcome()).isEqualTo(new RunOutcome.Exit(EBADF));
    }

    @Test
    void aMountNoGrantCoversFailsTheRun() throws IOException {
        String denied = outside.toRealPath().toString();
        assertThatThrownBy(() -> run(RunRequest.builder()
                .args("r3", "secret.txt")
                .mount(Mount.readOnly(outside, "/in"))
                .grants(Grants.of(Capability.fileRead(in)))))
                .isInstanceOf(CapabilityDeniedException.class)
                .hasMessageContaining(denied);
    }

    @Test
    void aSymlinkTheGuestCreatesCannotLeaveItsMount() throws IOException {
        // The link's target exists in the run's file system (the /in mount), outside the /out preopen.
        RunResult r = run(inAndOut(readInWriteOut(), "S4", "../in/a.txt", "peek"));
        assertThat(r.outcome()).isEqualTo(new RunOutcome.Exit(EACCES));
        assertThat(r.stdout()).isEmpty();
        RunResult absolute = run(inAndOut(readInWriteOut(), "S4", "/etc/passwd", "peek"));
        assertThat(absolute.outcome()).isEqualTo(new RunOutcome.Exit(EACCES));
        assertThat(absolute.stdout()).isEmpty();
        RunResult planted = run(inAndOut(readInWriteOut(), "s4", "a.txt", "link"));
        assertThat(planted.written()).isEmpty();
        assertThat(out).isEmptyDirectory();
    }

    @Test
    void aHostSymlinkInsideAMountIsNotFollowed() throws IOException {
        Files.createSymbolicLink(in.resolve("leak"), outside.resolve("secret.txt"));
        RunResult r = run(inAndOut(readInWriteOut(), "r3", "leak"));
        assertThat(r.outcome()).isInstanceOf(RunOutcome.Exit.class);
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void aReadOnlyMountRefusesWritesInsideTheGuest() throws IOException {
        RunResult r = run(inAndOut(readInWriteOut().with(List.of(Capability.fileWrite(in))), "w3", "a.txt")
                .stdin("overwritten"));
        assertThat(r.outcome()).isEqualTo(new RunOutcome.Exit(EROFS));
        assertThat(in.resolve("a.txt")).hasContent("alpha");
        RunResult create = run(inAndOut(readInWriteOut(), "w3", "new.txt").stdin("x"));
        assertThat(create.outcome()).isEqualTo(new RunOutcome.Exit(EROFS));
        assertThat(in.resolve("new.txt")).doesNotExist();
    }

    @Test
    void aFileWithoutAFileWriteGrantNeverReachesTheHost() throws IOException {
        RunResult r = run(inAndOut(Grants.of(Capability.fileRead(in), Capability.fileRead(out)), "w4", "x.txt")
                .stdin("data"));
        assertThat(r.outcome()).isEqualTo(RunOutcome.OK);
        assertThat(r.written()).isEmpty();
        assertThat(r.refused()).containsExactly("/out/x.txt");
        assertThat(out).isEmptyDirectory();
    }

    @Test
    void theWriteGrantMustCoverTheExactTarget() throws IOException {
        Path allowed = Files.createDirectories(out.resolve("allowed"));
        Grants grants = Grants.of(Capability.fileRead(in), Capability.fileRead(out), Capability.fileWrite(allowed));
        RunResult inside = run(inAndOut(grants, "w4", "allowed/ok.txt").stdin("yes"));
        RunResult beside = run(inAndOut(grants, "w4", "no.txt").stdin("no"));
        assertThat(inside.written()).containsExactly(allowed.toRealPath().resolve("ok.txt"));
        assertThat(allowed.resolve("ok.txt")).hasContent("yes");
        assertThat(beside.refused()).containsExactly("/out/no.txt");
        assertThat(out.resolve("no.txt")).doesNotExist();
    }

    @Test
    void theInMemoryFileSystemIsCappedAndAFullDiskReachesNothing() throws IOException {
        Sandbox small = Sandbox.builder().maxFileSystemBytes(1 << 20).build();
        RunResult r = small.run(wasm("guest"), inAndOut(readInWriteOut(), "w4", "big.bin").stdin(new byte[4 << 20])
                .build()).block(Duration.ofSeconds(30));
        // The guest's write fails (EIO); a run that did not end OK copies nothing back.
        assertThat(r.outcome()).isInstanceOf(RunOutcome.Exit.class);
        assertThat(r.written()).isEmpty();
        assertThat(out).isEmptyDirectory();
    }

    @Test
    void filesTheGuestLeftUnchangedAreNotCopiedBack() throws IOException {
        Files.writeString(out.resolve("kept.txt"), "same");
        RunResult r = run(inAndOut(readInWriteOut(), "r4", "kept.txt"));
        assertThat(r.stdout()).isEqualTo("same");
        assertThat(r.written()).isEmpty();
    }
}
