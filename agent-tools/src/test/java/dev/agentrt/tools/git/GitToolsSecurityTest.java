package dev.agentrt.tools.git;

import static dev.agentrt.tools.git.GitFixture.CLOCK;
import static dev.agentrt.tools.git.GitFixture.all;
import static dev.agentrt.tools.git.GitFixture.args;
import static dev.agentrt.tools.git.GitFixture.call;
import static dev.agentrt.tools.git.GitFixture.commit;
import static dev.agentrt.tools.git.GitFixture.init;
import static dev.agentrt.tools.git.GitFixture.symlink;
import static dev.agentrt.tools.git.GitFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/** Repositories built to attack the tools: each case ends in a clear refusal or in safe behaviour. */
class GitToolsSecurityTest {
    @TempDir
    Path tmp;

    Path root;
    Path outside;
    Git git;

    @BeforeEach
    void repository() throws Exception {
        root = Files.createDirectory(tmp.resolve("repo"));
        outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "TOP SECRET\n");
        git = init(root);
        commit(git, "Initial", "a.txt", "a\n");
    }

    private GitTools tools() {
        return GitTools.builder(root).author("Bot", "bot@example.com").clock(CLOCK).build();
    }

    private ToolResult run(String tool, JsonObject args) {
        return call(tools(), all(root), tool, args);
    }

    private static JsonArray paths(String... paths) {
        return new JsonArray(Arrays.stream(paths).map(p -> (JsonValue) new JsonValue.JsonString(p)).toList());
    }

    private void assertEveryToolRefuses(String expected) {
        for (String tool : List.of("git_status", "git_log", "git_diff", "git_show")) {
            ToolResult r = run(tool, args().build());
            assertThat(r.errorKind()).as(tool + ": " + r.content()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
            assertThat(r.content()).as(tool).contains(expected);
        }
    }

    @Test
    void aDotGitThatIsASymbolicLinkIsRefused() throws Exception {
        Path other = Files.createDirectory(tmp.resolve("other"));
        init(other).close();
        Path wt = Files.createDirectory(tmp.resolve("wt"));
        symlink(wt.resolve(".git"), other.resolve(".git"));

        ToolResult r = call(GitTools.forRepository(wt), all(wt), "git_status", args().build());

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).contains(".git is a symbolic link");
    }

    @Test
    void aGitfilePointingElsewhereIsRefused() throws Exception {
        Path wt = Files.createDirectory(tmp.resolve("wt"));
        Files.writeString(wt.resolve(".git"), "gitdir: " + root.resolve(".git") + "\n");

        ToolResult r = call(GitTools.forRepository(wt), all(wt), "git_log", args().build());

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).contains(".git is a file", "gitdir:");
    }

    @Test
    void aSymbolicLinkInsideDotGitIsRefused() throws Exception {
        symlink(root.resolve(".git/refs/heads/evil"), outside.resolve("secret.txt"));
        assertEveryToolRefuses(".git/refs/heads/evil is a symbolic link");
    }

    @Test
    void alternateObjectStoresAndCommondirAreRefused() throws Exception {
        Files.writeString(root.resolve(".git/objects/info/alternates"), outside + "\n");
        assertEveryToolRefuses(".git/objects/info/alternates");
        Files.delete(root.resolve(".git/objects/info/alternates"));

        Files.writeString(root.resolve(".git/commondir"), outside + "\n");
        assertEveryToolRefuses("commondir");
    }

    @Test
    void aConfigurationThatIncludesAnotherFileIsRefused() throws Exception {
        Files.writeString(outside.resolve("leak.cfg"), "[user]\n\tname = LEAKED\n");
        Files.writeString(root.resolve(".git/config"),
                Files.readString(root.resolve(".git/config")) + "[include]\n\tpath = " + outside.resolve("leak.cfg")
                        + "\n");
        assertEveryToolRefuses("includes other files");

        Files.writeString(root.resolve(".git/config"), Files.readString(root.resolve(".git/config"))
                .replace("[include]", "[includeIf \"gitdir:/\"]"));
        assertEveryToolRefuses("includes other files");
    }

    @Test
    void coreWorktreePointingOutsideIsIgnoredTheWorkTreeIsTheGrantedDirectory() throws Exception {
        StoredConfig config = git.getRepository().getConfig();
        config.setString("core", null, "worktree", outside.toString());
        config.save();
        write(root, "b.txt", "b\n");

        ToolResult status = run("git_status", args().build());
        assertThat(status.content()).contains("b.txt").doesNotContain("secret.txt");
        assertThat(run("git_add", args().put("paths", paths(".")).build()).isError()).isFalse();
        assertThat(run("git_commit", args().put("message", "Add b").build()).isError()).isFalse();

        assertThat(tree("HEAD")).containsExactly("a.txt", "b.txt");
        assertThat(outside).isDirectoryNotContaining("glob:**/.git*");
    }

    @Test
    void hooksNeverRunNeitherInDotGitHooksNorUnderCoreHooksPath() throws Exception {
        Path marker = outside.resolve("hook-ran");
        String script = "#!/bin/sh\necho ran >> '" + marker + "'\nexit 0\n";
        for (String hook : List.of("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit", "post-checkout")) {
            Path h = root.resolve(".git/hooks").resolve(hook);
            Files.createDirectories(h.getParent());
            Files.writeString(h, script);
            Files.setPosixFilePermissions(h, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        write(root, "c.txt", "c\n");

        assertThat(run("git_add", args().put("paths", paths("c.txt")).build()).isError()).isFalse();
        ToolResult committed = run("git_commit", args().put("message", "Add c").build());
        assertThat(committed.isError()).as(committed.content()).isFalse();
        assertThat(run("git_branch", args().put("name", "side").put("create", true).build()).isError()).isFalse();
        assertThat(marker).doesNotExist();

        Path hooksDir = Files.createDirectory(tmp.resolve("hooks"));
        for (String hook : List.of("pre-commit", "commit-msg", "post-commit")) {
            Path h = hooksDir.resolve(hook);
            Files.writeString(h, script);
            Files.setPosixFilePermissions(h, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        StoredConfig config = git.getRepository().getConfig();
        config.setString("core", null, "hooksPath", hooksDir.toString());
        config.save();
        write(root, "d.txt", "d\n");
        run("git_add", args().put("paths", paths("d.txt")).build());
        assertThat(run("git_commit", args().put("message", "Add d").build()).isError()).isFalse();
        assertThat(marker).doesNotExist();

        // The hooks are real: git itself runs them.
        assumeTrue(GitFixture.gitInstalled(), "git is not installed");
        write(root, "e.txt", "e\n");
        GitFixture.run(root, "git", "add", "e.txt");
        GitFixture.Run real = GitFixture.run(root, "git", "-c", "user.name=T", "-c", "user.email=t@example.com",
                "commit", "-m", "by git");
        assertThat(real.exit()).as(real.output()).isZero();
        assertThat(marker).exists();
    }

    @Test
    void aFilterDriverInTheConfigurationIsNeverRun() throws Exception {
        Path marker = outside.resolve("filter-ran");
        StoredConfig config = git.getRepository().getConfig();
        config.setString("filter", "evil", "clean", "sh -c 'touch " + marker + "; cat'");
        config.setString("filter", "evil", "smudge", "sh -c 'touch " + marker + "; cat'");
        config.save();
        write(root, ".gitattributes", "*.txt filter=evil\n");
        write(root, "f.txt", "f\n");

        ToolResult add = run("git_add", args().put("paths", paths("f.txt")).build());

        assertThat(add.errorKind()).as(add.content()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(add.content()).contains("never run external commands");
        assertThat(marker).doesNotExist();
        assertThat(tree("HEAD")).containsExactly("a.txt");
        try (Repository repo = git.getRepository()) {
            assertThat(DirCache.read(repo).findEntry("f.txt")).isNegative();
        }
    }

    @Test
    void aSmudgeFilterIsNeverRunWhenABranchIsCheckedOut() throws Exception {
        git.checkout().setCreateBranch(true).setName("side").call();
        commit(git, "Attributes", ".gitattributes", "*.txt filter=evil\n", "g.txt", "g\n");
        git.checkout().setName("main").call();
        Path marker = outside.resolve("smudge-ran");
        StoredConfig config = git.getRepository().getConfig();
        config.setString("filter", "evil", "smudge", "sh -c 'touch " + marker + "; cat'");
        config.save();

        ToolResult r = run("git_branch", args().put("name", "side").build());

        assertThat(r.errorKind()).as(r.content()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).contains("never run external commands");
        assertThat(marker).doesNotExist();
        assertThat(git.getRepository().getBranch()).isEqualTo("main");
        assertThat(root.resolve(".git/index.lock")).doesNotExist();
    }

    @Test
    void aNestedRepositoryWhoseGitfilePointsOutsideIsNeverRead() throws Exception {
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        ObjectId outsideHead;
        try (Git other = init(elsewhere)) {
            outsideHead = commit(other, "Private", "private.txt", "private\n").getId();
        }
        Path sub = Files.createDirectory(root.resolve("sub"));
        Files.writeString(sub.resolve(".git"), "gitdir: " + elsewhere.resolve(".git") + "\n");

        ToolResult add = run("git_add", args().put("paths", paths(".")).build());

        assertThat(add.errorKind()).as(add.content()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(add.content()).contains("points to a repository outside this one");
        try (Repository repo = git.getRepository()) {
            DirCache dc = DirCache.read(repo);
            for (int i = 0; i < dc.getEntryCount(); i++) {
                assertThat(dc.getEntry(i).getObjectId()).isNotEqualTo(outsideHead);
            }
        }
        assertThat(run("git_status", args().build()).content()).doesNotContain(outsideHead.name())
                .doesNotContain("private.txt");
    }

    @Test
    void linksInTheWorkTreeAreStagedAsLinksAndNeverFollowed() throws Exception {
        symlink(root.resolve("to-secret"), outside.resolve("secret.txt"));
        symlink(root.resolve("to-outside"), outside);

        // The capability check resolves links, so the path is outside the grants...
        ToolResult through = run("git_add", args().put("paths", paths("to-outside/secret.txt")).build());
        assertThat(through.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(through.content()).contains("file-read:");
        // ...and even with the outside granted, the tool does not go through a link.
        ToolResult granted = call(tools(), all(root).with(List.of(Capability.fileRead(outside))), "git_add",
                args().put("paths", paths("to-outside/secret.txt")).build());
        assertThat(granted.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(granted.content()).contains("goes through the symbolic link to-outside");

        assertThat(run("git_add", args().put("paths", paths(".")).build()).isError()).isFalse();
        ToolResult diff = run("git_diff", args().put("staged", true).build());
        assertThat(diff.content()).contains("new file mode 120000", "+" + outside.resolve("secret.txt"))
                .doesNotContain("TOP SECRET");
        assertThat(run("git_commit", args().put("message", "Links").build()).isError()).isFalse();
        try (TreeWalk tw = TreeWalk.forPath(git.getRepository(), "to-secret",
                git.getRepository().parseCommit(git.getRepository().resolve("HEAD")).getTree())) {
            assertThat(tw.getFileMode(0)).isEqualTo(FileMode.SYMLINK);
            assertThat(new String(git.getRepository().open(tw.getObjectId(0)).getBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(outside.resolve("secret.txt").toString());
        }
        ToolResult show = run("git_show", args().build());
        assertThat(show.content()).doesNotContain("TOP SECRET");
    }

    @Test
    void aBranchSwitchThatWouldWriteThroughALinkedDirectoryIsRefused() throws Exception {
        run("git_branch", args().put("name", "b").put("create", true).build());
        commit(git, "Add dir/file", "dir/file.txt", "planted\n");
        run("git_branch", args().put("name", "main").build());
        assertThat(root.resolve("dir")).doesNotExist();
        symlink(root.resolve("dir"), outside);

        ToolResult r = run("git_branch", args().put("name", "b").build());

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).contains("symbolic link dir");
        assertThat(outside.resolve("file.txt")).doesNotExist();
        assertThat(git.getRepository().getBranch()).isEqualTo("main");
    }

    @Test
    void treesWithDotDotOrDotGitNamesAreNeverCheckedOut() throws Exception {
        for (String bad : List.of("..", ".git", ".GIT")) {
            Repository repo = git.getRepository();
            ObjectId commit;
            try (ObjectInserter ins = repo.newObjectInserter()) {
                ObjectId blob = ins.insert(Constants.OBJ_BLOB, "planted\n".getBytes(StandardCharsets.UTF_8));
                var inner = new TreeFormatter();
                inner.append("escape.txt", FileMode.REGULAR_FILE, blob);
                ObjectId innerId = ins.insert(inner);
                var top = new TreeFormatter();
                top.append(bad, FileMode.TREE, innerId);
                top.append("a.txt", FileMode.REGULAR_FILE, ins.insert(Constants.OBJ_BLOB, "a\n".getBytes()));
                var cb = new CommitBuilder();
                cb.setTreeId(ins.insert(top));
                cb.setParentId(repo.resolve("HEAD"));
                cb.setAuthor(GitFixture.ALICE);
                cb.setCommitter(GitFixture.ALICE);
                cb.setMessage("evil\n");
                commit = ins.insert(cb);
                ins.flush();
            }
            RefUpdate u = repo.updateRef("refs/heads/evil");
            u.setNewObjectId(commit);
            u.forceUpdate();

            ToolResult r = run("git_branch", args().put("name", "evil").build());

            assertThat(r.errorKind()).as(bad + ": " + r.content()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
            assertThat(r.content()).as(bad).contains("not a valid path");
            assertThat(tmp.resolve("escape.txt")).doesNotExist();
            assertThat(root.resolve(".git/escape.txt")).doesNotExist();
            assertThat(repo.getBranch()).isEqualTo("main");
            assertThat(run("git_show", args().put("rev", "evil").build()).isError()).isFalse();
        }
    }

    @Test
    void anIndexHoldingAPathOutsideTheWorkTreeOrInDotGitIsReportedAsDamaged() throws Exception {
        Path escape = tmp.resolve("escape");
        Files.writeString(escape, "must survive\n");
        // Written with a harmless path of the same length, then patched in the file (JGit refuses to write these).
        for (String[] paths : List.of(new String[]{"aa/escape", "../escape"}, new String[]{"xgit/hook", ".git/hook"})) {
            Repository repo = git.getRepository();
            ObjectId blob;
            try (ObjectInserter ins = repo.newObjectInserter()) {
                blob = ins.insert(Constants.OBJ_BLOB, "x\n".getBytes(StandardCharsets.UTF_8));
                ins.flush();
            }
            DirCache dc = repo.lockDirCache();
            DirCacheBuilder b = dc.builder();
            var e = new DirCacheEntry(paths[0]);
            e.setFileMode(FileMode.REGULAR_FILE);
            e.setObjectId(blob);
            b.add(e);
            b.commit();
            Path index = root.resolve(".git/index");
            byte[] bytes = Files.readAllBytes(index);
            byte[] from = paths[0].getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(paths[1].getBytes(StandardCharsets.US_ASCII), 0, bytes, indexOf(bytes, from), from.length);
            byte[] sum = MessageDigest.getInstance("SHA-1").digest(Arrays.copyOf(bytes, bytes.length - 20));
            System.arraycopy(sum, 0, bytes, bytes.length - 20, 20);
            Files.write(index, bytes);

            for (String tool : List.of("git_status", "git_diff")) {
                ToolResult r = run(tool, args().build());
                assertThat(r.isError()).as(paths[1] + " " + tool).isTrue();
                assertThat(r.content()).as(paths[1] + " " + tool).contains("damaged");
            }
            assertThat(run("git_commit", args().put("message", "x").build()).isError()).isTrue();
            assertThat(run("git_branch", args().put("name", "other").put("create", true).build()).isError()).isTrue();
            assertThat(escape).hasContent("must survive");
            assertThat(root.resolve(".git/hook")).doesNotExist();
            Files.delete(index);
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer : for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    private List<String> tree(String rev) throws IOException {
        Repository repo = git.getRepository();
        RevCommit c = repo.parseCommit(repo.resolve(rev));
        var names = new java.util.ArrayList<String>();
        try (TreeWalk tw = new TreeWalk(repo)) {
            tw.addTree(c.getTree());
            tw.setRecursive(true);
            while (tw.next()) {
                names.add(tw.getPathString());
            }
        }
        return names;
    }
}
