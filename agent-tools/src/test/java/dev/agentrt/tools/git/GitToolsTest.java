package dev.agentrt.tools.git;

import static dev.agentrt.tools.git.GitFixture.ALICE;
import static dev.agentrt.tools.git.GitFixture.CLOCK;
import static dev.agentrt.tools.git.GitFixture.all;
import static dev.agentrt.tools.git.GitFixture.args;
import static dev.agentrt.tools.git.GitFixture.call;
import static dev.agentrt.tools.git.GitFixture.commit;
import static dev.agentrt.tools.git.GitFixture.init;
import static dev.agentrt.tools.git.GitFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Arrays;

class GitToolsTest {
    @TempDir
    Path root;

    @TempDir
    Path elsewhere;

    Git git;
    RevCommit first;

    @BeforeEach
    void repository() throws Exception {
        git = init(root);
        first = commit(git, "Add the parser\n\nIt reads numbers.\n", "src/Parser.java", "class Parser {\n  int a;\n}\n",
                "README.md", "# demo\n");
    }

    private GitTools tools() {
        return GitTools.builder(root).author("Fixer Bot", "fixer@example.com").clock(CLOCK).build();
    }

    private ToolResult run(String tool, JsonObject args) {
        return call(tools(), all(root), tool, args);
    }

    private static JsonArray paths(String... paths) {
        return new JsonArray(Arrays.stream(paths).map(p -> (JsonValue) new JsonValue.JsonString(p)).toList());
    }

    @Test
    void offersBlockingToolsWithClosedSchemasAndPushOnlyWhenAskedFor() throws Exception {
        GitTools tools = GitTools.forRepository(root);
        assertThat(tools.tools()).extracting(t -> t.spec().name())
                .containsExactly("git_status", "git_diff", "git_log", "git_show", "git_branch", "git_add", "git_commit",
                        "git_format_patch");
        for (Tool t : tools.tools()) {
            assertThat(t.blocking()).as(t.spec().name()).isTrue();
            assertThat(t.spec().parameters().getBoolean("additionalProperties")).as(t.spec().name()).contains(false);
            assertThat(t.spec().description()).isNotBlank();
        }
        assertThat(GitTools.builder(root).readOnly().build().tools()).extracting(t -> t.spec().name())
                .containsExactly("git_status", "git_diff", "git_log", "git_show");
        Git.init().setBare(true).setDirectory(elsewhere.toFile()).call().close();
        GitTools withPush = tools().toBuilder().pushTo(elsewhere).build();
        assertThat(withPush.tool(GitTools.PUSH)).isPresent();
        assertThat(withPush.pushRemote()).contains(elsewhere.toRealPath());
        assertThat(tools.root()).isEqualTo(root.toRealPath());
    }

    @Test
    void refusesSettingsOutOfRangeAndARepositoryThatIsNotADirectory() {
        assertThatThrownBy(() -> GitTools.builder(root).maxOutputChars(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxOutputChars");
        assertThatThrownBy(() -> GitTools.builder(root.resolve("missing")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repository");
        assertThatThrownBy(() -> GitTools.builder(root).author("Eve <x>", "e@example.com"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GitTools.builder(root).pushTo(root).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pushTo");
    }

    @Test
    void statusListsStagedUnstagedAndUntrackedChanges() throws Exception {
        write(root, "src/Parser.java", "class Parser {\n  int b;\n}\n");
        write(root, "NOTES.txt", "todo\n");
        write(root, "src/Lexer.java", "class Lexer {}\n");
        git.add().addFilepattern("src/Lexer.java").call();
        Files.delete(root.resolve("README.md"));

        ToolResult r = run("git_status", args().build());

        assertThat(r.isError()).isFalse();
        assertThat(r.content()).isEqualTo("""
                On branch main
                Changes staged for commit:
                  new file:   src/Lexer.java
                Changes not staged for commit:
                  modified:   src/Parser.java
                  deleted:   README.md
                Untracked files:
                  NOTES.txt""");
    }

    @Test
    void statusOfACleanTreeSaysSo() {
        assertThat(run("git_status", args().build()).content())
                .isEqualTo("On branch main\nnothing to commit, working tree clean");
    }

    @Test
    void diffShowsTheWorkTreeTheIndexAndChangesBetweenRevisions() throws Exception {
        write(root, "src/Parser.java", "class Parser {\n  int b;\n}\n");
        ToolResult unstaged = run("git_diff", args().build());
        assertThat(unstaged.content()).contains("diff --git a/src/Parser.java b/src/Parser.java", "-  int a;",
                "+  int b;");
        assertThat(run("git_diff", args().put("staged", true).build()).content()).isEqualTo("No differences.");

        git.add().addFilepattern("src/Parser.java").call();
        assertThat(run("git_diff", args().build()).content()).isEqualTo("No differences.");
        assertThat(run("git_diff", args().put("staged", true).build()).content()).contains("+  int b;");

        RevCommit second = commit(git, "Use b", "README.md", "# demo\nmore\n");
        ToolResult between = run("git_diff", args().put("from", first.name()).put("to", "main").build());
        assertThat(between.content()).contains("+  int b;", "+more");
        ToolResult limited = run("git_diff",
                args().put("from", "HEAD~1").put("to", second.name()).put("paths", paths("README.md")).build());
        assertThat(limited.content()).contains("+more").doesNotContain("Parser");
        assertThat(run("git_diff", args().put("to", "HEAD").build()).errorKind())
                .isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(run("git_diff", args().put("from", "no-such-branch").put("to", "HEAD").build()))
                .satisfies(e -> {
                    assertThat(e.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
                    assertThat(e.content()).contains("no-such-branch");
                });
    }

    @Test
    void aHugeDiffIsCutAtTheOutputLimitAndABinaryFileIsNotPrinted() throws Exception {
        write(root, "big.txt", "line\n".repeat(50_000));
        write(root, "blob.bin", "\0\1\2binary");
        git.add().addFilepattern(".").call();
        GitTools small = tools().toBuilder().maxOutputChars(2_000).build();

        ToolResult big = call(small, all(root), "git_diff", args().put("staged", true)
                .put("paths", paths("big.txt"))
                .build());
        assertThat(big.isError()).isFalse();
        assertThat(big.content().length()).isLessThan(2_200);
        assertThat(big.content()).endsWith("bytes reached; limit the diff with `paths` to see the rest]");

        ToolResult bin = call(small, all(root), "git_diff", args().put("staged", true)
                .put("paths", paths("blob.bin"))
                .build());
        assertThat(bin.content()).contains("Binary files differ").doesNotContain("binary\n");
    }

    @Test
    void logListsCommitsNewestFirstAndShowPrintsOneInFull() throws Exception {
        commit(git, "Fix the parser", "src/Parser.java", "class Parser {\n  long a;\n}\n");
        commit(git, "Document it", "README.md", "# demo\n\nParses.\n");

        ToolResult log = run("git_log", args().build());
        assertThat(GitFixture.lines(log.content())).hasSize(3);
        assertThat(log.content()).startsWith(git.getRepository().resolve("HEAD").abbreviate(7).name())
                .contains("2026-11-30 Alice: Document it", "Alice: Fix the parser", "Alice: Add the parser");
        assertThat(run("git_log", args().put("path", "src").build()).content())
                .doesNotContain("Document it")
                .contains("Fix the parser");
        assertThat(run("git_log", args().put("max_count", 1).build()).content())
                .contains("Document it")
                .contains("more commits follow");

        ToolResult show = run("git_show", args().put("rev", "HEAD~1").build());
        assertThat(show.content()).startsWith("commit " + git.getRepository().resolve("HEAD~1").name())
                .contains("Author: Alice <alice@example.com>", "    Fix the parser", "-  int a;", "+  long a;");
        ToolResult root0 = run("git_show", args().put("rev", first.name()).build());
        assertThat(root0.content()).contains("    It reads numbers.", "+++ b/README.md");
    }

    @Test
    void branchCreatesSwitchesAndListsAndRefusesToLoseChanges() throws Exception {
        ToolResult created = run("git_branch", args().put("name", "fix/parser").put("create", true).build());
        assertThat(created.content())
                .startsWith("Switched to a new branch fix/parser at " + first.abbreviate(7).name());
        assertThat(git.getRepository().getBranch()).isEqualTo("fix/parser");
        commit(git, "Change on the branch", "src/Parser.java", "class Parser {}\n");

        assertThat(run("git_branch", args().put("name", "main").build()).isError()).isFalse();
        assertThat(root.resolve("src/Parser.java")).hasContent("class Parser {\n  int a;\n}");
        assertThat(run("git_branch", args().build()).content()).isEqualTo("  fix/parser\n* main");

        write(root, "src/Parser.java", "uncommitted\n");
        ToolResult refused = run("git_branch", args().put("name", "fix/parser").build());
        assertThat(refused.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(refused.content()).contains("src/Parser.java", "nothing was changed");
        assertThat(root.resolve("src/Parser.java")).hasContent("uncommitted");
        assertThat(git.getRepository().getBranch()).isEqualTo("main");

        assertThat(run("git_branch", args().put("name", "main").put("create", true).build()).content())
                .contains("already exists");
        assertThat(run("git_branch", args().put("name", "bad..name").put("create", true).build()).content())
                .contains("not a valid branch name");
        assertThat(run("git_branch", args().put("name", "nope").build()).content()).contains("no branch named nope");
    }

    @Test
    void addAndCommitRecordTheChangeAsTheBuildersAuthorAtTheClocksTime() throws Exception {
        write(root, "src/Parser.java", "class Parser {\n  int b;\n}\n");
        write(root, "src/New.java", "class New {}\n");
        Files.delete(root.resolve("README.md"));

        ToolResult added = run("git_add", args().put("paths", paths(".")).build());
        assertThat(added.isError()).as(added.content()).isFalse();
        ToolResult committed = run("git_commit", args().put("message", "Fix the parser\n\nUse b.").build());

        assertThat(committed.isError()).as(committed.content()).isFalse();
        RevCommit c = git.log().setMaxCount(1).call().iterator().next();
        assertThat(committed.content()).isEqualTo("Committed " + c.abbreviate(7).name() + " on main: Fix the parser");
        assertThat(c.getFullMessage()).isEqualTo("Fix the parser\n\nUse b.\n");
        PersonIdent author = c.getAuthorIdent();
        assertThat(author.getName()).isEqualTo("Fixer Bot");
        assertThat(author.getEmailAddress()).isEqualTo("fixer@example.com");
        assertThat(author.getWhenAsInstant()).isEqualTo(CLOCK.instant());
        assertThat(c.getCommitterIdent().getName()).isEqualTo("Fixer Bot");
        assertThat(git.status().call().isClean()).isTrue();

        assertThat(run("git_commit", args().put("message", "again").build()))
                .satisfies(r -> assertThat(r.content()).contains("nothing is staged"));
    }

    @Test
    void commitTakesTheAuthorFromTheRepositoryConfigOrRefusesWithoutOne() throws Exception {
        write(root, "a.txt", "a\n");
        git.add().addFilepattern("a.txt").call();
        GitTools noAuthor = GitTools.builder(root).clock(CLOCK).zone(ZoneOffset.ofHours(2)).build();
        ObjectId before = git.getRepository().resolve(Constants.HEAD);

        // Blank in the repository's configuration whatever the machine's own git configuration says.
        StoredConfig blank = git.getRepository().getConfig();
        blank.setString("user", null, "name", "");
        blank.setString("user", null, "email", "");
        blank.save();
        ToolResult refused = call(noAuthor, all(root), "git_commit", args().put("message", "x").build());
        assertThat(refused.isError()).isTrue();
        assertThat(refused.content()).contains("No author identity", "Nothing was committed");
        assertThat(git.getRepository().resolve(Constants.HEAD)).isEqualTo(before);

        StoredConfig config = git.getRepository().getConfig();
        config.setString("user", null, "name", "Repo Owner");
        config.setString("user", null, "email", "owner@example.com");
        config.save();
        ToolResult ok = call(noAuthor, all(root), "git_commit", args().put("message", "From config").build());
        assertThat(ok.isError()).as(ok.content()).isFalse();
        PersonIdent author = git.log().setMaxCount(1).call().iterator().next().getAuthorIdent();
        assertThat(author.getName()).isEqualTo("Repo Owner");
        assertThat(author.getZoneOffset()).isEqualTo(ZoneOffset.ofHours(2));
    }

    @Test
    void pathArgumentsMayNotLeaveTheRepositoryOrNameGitDir() {
        for (String bad : new String[]{"../outside", "/etc/passwd", ".git/config", "src/../../x", "a\\b"}) {
            ToolResult r = run("git_add", args().put("paths", paths(bad)).build());
            assertThat(r.isError()).as(bad).isTrue();
            assertThat(r.errorKind()).as(bad).isIn(ToolErrorKind.INVALID_ARGUMENTS, ToolErrorKind.PERMISSION_DENIED);
        }
        assertThat(
                run("git_format_patch", args().put("base", "HEAD").put("output_dir", ".git/hooks").build()).errorKind())
                .isIn(ToolErrorKind.INVALID_ARGUMENTS, ToolErrorKind.PERMISSION_DENIED);
        assertThat(run("git_show", args().put("rev", "--output=/tmp/x").build()).errorKind())
                .isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
    }

    @Test
    void aRepositoryWithoutCommitsHasAStatusAndAnEmptyLog() throws Exception {
        Path empty = Files.createDirectory(root.resolve("empty"));
        init(empty).close();
        GitTools tools = GitTools.forRepository(empty);
        assertThat(call(tools, all(empty), "git_status", args().build()).content())
                .startsWith("On branch main (no commits yet)");
        assertThat(call(tools, all(empty), "git_log", args().build()).content()).contains("No commits yet");
        ToolResult denied = call(tools, all(root.resolve("src")), "git_status", args().build());
        assertThat(denied.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(denied.content()).contains("file-read:" + empty.toRealPath());
    }
}
