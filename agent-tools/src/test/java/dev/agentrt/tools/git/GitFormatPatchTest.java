package dev.agentrt.tools.git;

import static dev.agentrt.tools.git.GitFixture.CLOCK;
import static dev.agentrt.tools.git.GitFixture.all;
import static dev.agentrt.tools.git.GitFixture.args;
import static dev.agentrt.tools.git.GitFixture.call;
import static dev.agentrt.tools.git.GitFixture.commit;
import static dev.agentrt.tools.git.GitFixture.init;
import static dev.agentrt.tools.git.GitFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** {@code git_format_patch} against the real git: {@code git am} of the series reproduces the commits' trees. */
class GitFormatPatchTest {
    @TempDir
    Path tmp;

    Path root;
    Git git;
    RevCommit base;

    @BeforeEach
    void repository() throws Exception {
        root = Files.createDirectory(tmp.resolve("repo"));
        git = init(root);
        base = commit(git, "Initial", "src/Calc.java", "class Calc {\n  int add(int a, int b) { return a - b; }\n}\n",
                "old.txt", "to be removed\n", "data.bin", "\0\1\2\3");
    }

    private GitTools tools() {
        return GitTools.builder(root).author("Bot", "bot@example.com").clock(CLOCK).build();
    }

    private ToolResult run(String tool, JsonObject args) {
        return call(tools(), all(root), tool, args);
    }

    /** Three commits touching text, a binary file, a deletion, a mode change, a symlink and non-ASCII text. */
    private void aChangeOfThreeCommits() throws Exception {
        git.checkout().setCreateBranch(true).setName("fix").call();
        commit(git, "Fix add in Calc\n\nIt subtracted.\nNow it adds.\n", "src/Calc.java",
                "class Calc {\n  int add(int a, int b) { return a + b; }\n}\n");
        byte[] noise = new byte[20_000];
        new Random(42).nextBytes(noise);
        Files.write(root.resolve("data.bin"), noise);
        Files.delete(root.resolve("old.txt"));
        write(root, "run.sh", "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(root.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(root.resolve("link"), Path.of("src/Calc.java"));
        commit(git, "Replace the data, drop old.txt, add run.sh");
        var zoë = new PersonIdent("Zoë Ünicode", "zoe@example.com", Instant.parse("2026-11-29T08:30:00Z"),
                ZoneOffset.ofHoursMinutes(-5, -30));
        write(root, "src/Calc.java", "class Calc {\n  // Größe\n  int add(int a, int b) { return a + b; }\n}\n");
        git.add().addFilepattern(".").call();
        git.commit().setMessage("Kommentar: Größe").setAuthor(zoë).setCommitter(zoë).setSign(false).call();
    }

    @Test
    void writesOnePatchPerCommitAndADescriptionThatGitAmApplies() throws Exception {
        aChangeOfThreeCommits();

        ToolResult r = run("git_format_patch", args().put("base", "main")
                .put("title", "Fix Calc.add")
                .put("description", "Calc.add subtracted; it now adds.")
                .build());

        assertThat(r.isError()).as(r.content()).isFalse();
        Path out = root.resolve("patches");
        List<String> names;
        try (Stream<Path> files = Files.list(out)) {
            names = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(names).containsExactly("0001-Fix-add-in-Calc.patch",
                "0002-Replace-the-data-drop-old.txt-add-run.sh.patch",
                "0003-Kommentar-Gr-e.patch", "PR.md");
        String first = Files.readString(out.resolve("0001-Fix-add-in-Calc.patch"));
        assertThat(first)
                .startsWith("From " + git.getRepository().resolve("fix~2").name() + " Mon Sep 17 00:00:00 2001\n"
                        + "From: Alice <alice@example.com>\nDate: Mon, 30 Nov 2026 10:00:00 +0100\n"
                        + "Subject: [PATCH 1/3] Fix add in Calc\n")
                .contains(
                        "\nIt subtracted.\nNow it adds.\n---\n src/Calc.java | 2 +-\n 1 file changed, 1 insertion(+), "
                                + "1 deletion(-)\n\ndiff --git a/src/Calc.java b/src/Calc.java\n");
        assertThat(Files.readString(out.resolve("0002-Replace-the-data-drop-old.txt-add-run.sh.patch")))
                .contains("GIT binary patch\nliteral 20000\n", "deleted file mode 100644", "new file mode 100755",
                        "new file mode 120000");
        String pr = Files.readString(out.resolve("PR.md"));
        assertThat(pr).startsWith("# Fix Calc.add\n\nCalc.add subtracted; it now adds.\n\n## Commits\n\n- ")
                .contains("Fix add in Calc", "- `data.bin` (binary)", "- `src/Calc.java` (+2 -1)",
                        "- `old.txt` (+0 -1)");
        assertThat(r.content()).contains("Wrote 3 patches and PR.md to patches/");

        assumeTrue(GitFixture.gitInstalled(), "git is not installed: the series is not applied with git am");
        Path clone = tmp.resolve("clone");
        assertThat(GitFixture.run(tmp, "git", "clone", "-q", "-b", "main", root.toString(), clone.toString()).exit())
                .isZero();
        var patches = new java.util.ArrayList<>(List.of("git", "am", "-q"));
        names.stream().filter(n -> n.endsWith(".patch")).forEach(n -> patches.add(out.resolve(n).toString()));
        GitFixture.Run am = GitFixture.run(clone, patches.toArray(String[]::new));
        assertThat(am.exit()).as(am.output()).isZero();

        // The diffs are git's own, byte for byte (the diffstat's layout differs; git am does not read it).
        for (int i = 0; i < 3; i++) {
            String ours = Files.readString(out.resolve(names.get(i)));
            String theirs = GitFixture.run(root, "git", "format-patch", "--stdout", "--no-renames", "--full-index",
                    "-1", "fix~" + (2 - i)).output();
            if (!ours.contains("GIT binary patch")) {
                assertThat(diffPart(ours)).as(names.get(i))
                        .isEqualTo(diffPart(theirs).replaceAll(
                                "index ([0-9a-f]{7})[0-9a-f]{33}\\.\\.([0-9a-f]{7})[0-9a-f]{33}", "index $1..$2"));
            }
        }
        for (String rev : List.of("HEAD", "HEAD~1", "HEAD~2")) {
            String theirs = GitFixture.run(clone, "git", "rev-parse", rev + "^{tree}").output().strip();
            String ours = git.getRepository().resolve(("fix" + rev.substring(4)) + "^{tree}").name();
            assertThat(theirs).as(rev).isEqualTo(ours);
        }
        String author = GitFixture.run(clone, "git", "log", "-1", "--format=%an <%ae> %aI%n%B").output();
        assertThat(author).isEqualTo("Zoë Ünicode <zoe@example.com> 2026-11-29T03:00:00-05:30\nKommentar: Größe\n\n");
        String message = GitFixture.run(clone, "git", "log", "-1", "--skip=2", "--format=%B").output();
        assertThat(message).isEqualTo("Fix add in Calc\n\nIt subtracted.\nNow it adds.\n\n");
    }

    private static String diffPart(String mail) {
        return mail.substring(mail.indexOf("\ndiff --git "), mail.lastIndexOf("\n-- \n"));
    }

    @Test
    void refusesAnEmptySeriesAndAnOutputDirectoryThatIsNotGranted() throws Exception {
        ToolResult empty = run("git_format_patch", args().put("base", "main").build());
        assertThat(empty.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(empty.content()).contains("no commits after main");

        aChangeOfThreeCommits();
        Grants readOnly = Grants.of(Capability.fileRead(root), Capability.fileWrite(root.resolve("out")));
        ToolResult denied = call(tools(), readOnly, "git_format_patch", args().put("base", "main").build());
        assertThat(denied.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(denied.content()).contains("file-write:" + root.toRealPath().resolve("patches"));
        assertThat(root.resolve("patches")).doesNotExist();

        ToolResult granted = call(tools(), readOnly, "git_format_patch",
                args().put("base", "main").put("output_dir", "out/series").build());
        assertThat(granted.isError()).as(granted.content()).isFalse();
        assertThat(root.resolve("out/series/PR.md")).exists();
    }

    @Test
    void refusesAnOutputDirectoryBehindALink() throws Exception {
        aChangeOfThreeCommits();
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(root.resolve("out"), elsewhere);
        ToolResult r = call(tools(), all(root).with(List.of(Capability.fileWrite(elsewhere))), "git_format_patch",
                args().put("base", "main").put("output_dir", "out").build());
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        try (Stream<Path> files = Files.list(elsewhere)) {
            assertThat(files).isEmpty();
        }
    }
}
