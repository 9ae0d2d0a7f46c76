package dev.agentrt.tools.git;

import static dev.agentrt.tools.git.GitFixture.CLOCK;
import static dev.agentrt.tools.git.GitFixture.args;
import static dev.agentrt.tools.git.GitFixture.call;
import static dev.agentrt.tools.git.GitFixture.commit;
import static dev.agentrt.tools.git.GitFixture.init;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.StoredConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** {@code git_push}: only to the bare repository the application named, never forced, running nothing. */
class GitPushTest {
    @TempDir
    Path tmp;

    Path root;
    Path remote;
    Git git;
    Git bare;

    @BeforeEach
    void repositories() throws Exception {
        root = Files.createDirectory(tmp.resolve("repo"));
        remote = tmp.resolve("remote.git");
        git = init(root);
        commit(git, "Initial", "a.txt", "a\n");
        bare = Git.init().setBare(true).setDirectory(remote.toFile()).setInitialBranch("main").call();
    }

    private GitTools tools() {
        return GitTools.builder(root).author("Bot", "bot@example.com").clock(CLOCK).pushTo(remote).build();
    }

    private Grants grants() {
        return Grants.of(Capability.fileRead(root), Capability.fileWrite(root), GitTools.commitCapability(),
                Capability.fileWrite(remote));
    }

    private ObjectId remoteRef(String branch) throws Exception {
        return bare.getRepository().resolve("refs/heads/" + branch);
    }

    @Test
    void pushesTheCurrentBranchAndANamedOne() throws Exception {
        ToolResult r = call(tools(), grants(), "git_push", args().build());
        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(r.content()).startsWith("Pushed main");
        assertThat(remoteRef("main")).isEqualTo(git.getRepository().resolve("main"));

        assertThat(call(tools(), grants(), "git_push", args().build()).content()).contains("already up to date");

        git.branchCreate().setName("fix").call();
        assertThat(call(tools(), grants(), "git_push", args().put("branch", "fix").build()).isError()).isFalse();
        assertThat(remoteRef("fix")).isEqualTo(git.getRepository().resolve("fix"));
    }

    @Test
    void needsAWriteGrantOnTheRemote() throws Exception {
        Grants noRemote = Grants.of(Capability.fileRead(root), Capability.fileWrite(root));
        ToolResult r = call(tools(), noRemote, "git_push", args().build());
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).contains("file-write:" + remote.toRealPath());
        assertThat(remoteRef("main")).isNull();
    }

    @Test
    void neverForcesAPushThatIsNotAFastForward() throws Exception {
        call(tools(), grants(), "git_push", args().build());
        ObjectId pushed = remoteRef("main");
        git.reset().setMode(org.eclipse.jgit.api.ResetCommand.ResetType.HARD).setRef("HEAD").call();
        git.commit()
                .setAmend(true)
                .setMessage("Rewritten")
                .setAuthor(GitFixture.ALICE)
                .setCommitter(GitFixture.ALICE)
                .setSign(false)
                .call();

        ToolResult r = call(tools(), grants(), "git_push", args().build());

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(r.content()).contains("rejected", "never forced");
        assertThat(remoteRef("main")).isEqualTo(pushed);
    }

    @Test
    void theRepositorysConfigurationCannotRedirectThePushOrRunAProgram() throws Exception {
        Path decoy = tmp.resolve("decoy.git");
        Git.init().setBare(true).setDirectory(decoy.toFile()).call().close();
        Path marker = tmp.resolve("ran");
        StoredConfig config = git.getRepository().getConfig();
        config.setString("url", decoy.toUri().toString(), "pushInsteadOf", remote.toUri().toString());
        config.setString("url", decoy.toString(), "insteadOf", remote.toString());
        config.setString("remote", remote.toUri().toString(), "receivepack", "touch " + marker);
        config.save();
        for (String hook : new String[]{"pre-receive", "update", "post-receive", "post-update"}) {
            Path h = remote.resolve("hooks").resolve(hook);
            Files.createDirectories(h.getParent());
            Files.writeString(h, "#!/bin/sh\ntouch '" + marker + "'\n");
            Files.setPosixFilePermissions(h, PosixFilePermissions.fromString("rwxr-xr-x"));
        }

        ToolResult r = call(tools(), grants(), "git_push", args().build());

        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(remoteRef("main")).isEqualTo(git.getRepository().resolve("main"));
        try (Git d = Git.open(decoy.toFile())) {
            assertThat(d.getRepository().resolve("refs/heads/main")).isNull();
        }
        assertThat(marker).doesNotExist();
    }

    @Test
    void refusesARemoteThatIsNotABareRepositoryOrHoldsALink() throws Exception {
        Files.createSymbolicLink(remote.resolve("refs/heads/evil"), root.resolve("a.txt"));
        ToolResult linked = call(tools(), grants(), "git_push", args().build());
        assertThat(linked.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(linked.content()).contains("refs/heads/evil is a symbolic link");

        Path notBare = Files.createDirectory(tmp.resolve("plain"));
        init(notBare).close();
        GitTools toPlain = GitTools.builder(root).pushTo(notBare).build();
        ToolResult r = call(toPlain, Grants.of(Capability.fileRead(root), Capability.fileWrite(notBare)), "git_push",
                args().build());
        assertThat(r.isError()).isTrue();
        assertThat(r.content()).contains("not a bare repository");
    }
}
