package dev.agentrt.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentrt.core.Outcome;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.sandbox.CodeExecutor;
import dev.agentrt.sandbox.ExecutionResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

class FixTheBugsTest {
    @TempDir
    Path memory;

    @Test
    void fixesBothBugsCommitsOnABranchAndWritesThePatchAndDescription() throws Exception {
        assumeTrue(pythonRuns(), "this JVM cannot run Python for WASI");
        var bytes = new ByteArrayOutputStream();
        var out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        FixTheBugs.Run run = FixTheBugs.run(out, Map.of(), memory.resolve("agent_memory"), memory).orElseThrow();

        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(run.result().outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(run.testRuns()).hasSize(2);
        assertThat(run.testRuns().getFirst()).contains("6 passed, 2 failed")
                .contains("FAIL tests.test_money.test_amounts_that_binary_floats_cannot_hold")
                .contains("FAIL tests.test_report.test_monthly_totals_keep_years_apart");
        assertThat(run.testRuns().getLast()).contains("8 passed, 0 failed").doesNotContain("FAIL");
        assertThat(printed).contains("Tests before the fix:")
                .contains("Tests after the fix:")
                .contains("-    return int(float(text) * 100)")
                .contains("+    return int(decimal.Decimal(text) * 100)")
                .contains("patches/PR.md:")
                .contains("since the JVM started");

        Path repository = run.repository();
        try (Git git = Git.open(repository.toFile())) {
            Repository repo = git.getRepository();
            assertThat(repo.getBranch()).isEqualTo(FixTheBugs.BRANCH);
            RevCommit fix = git.log().setMaxCount(1).call().iterator().next();
            assertThat(fix.getShortMessage()).isEqualTo("Fix amount parsing and monthly totals");
            assertThat(fix.getParentCount()).isEqualTo(1);
            assertThat(fix.getAuthorIdent().getName()).isEqualTo("agentrt");
            assertThat(read(repo, fix, "ledger/money.py")).contains("decimal.Decimal(text)");
            assertThat(read(repo, fix, "ledger/report.py")).contains("entry.date[:7]");
            // main is untouched: the fix lives on the branch only, and no test was changed.
            RevCommit main;
            try (RevWalk walk = new RevWalk(repo)) {
                main = walk.parseCommit(repo.resolve("main"));
            }
            assertThat(fix.getParent(0)).isEqualTo(main);
            assertThat(read(repo, main, "ledger/money.py")).contains("int(float(text) * 100)");
            assertThat(git.diff().setOldTree(treeOf(repo, main)).setNewTree(treeOf(repo, fix)).call())
                    .extracting(d -> d.getNewPath())
                    .containsExactlyInAnyOrder("ledger/money.py", "ledger/report.py");
        }
        try (Stream<Path> files = Files.list(repository.resolve(FixTheBugs.PATCHES))) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("0001-Fix-amount-parsing-and-monthly-totals.patch", "PR.md");
        }
        assertThat(repository.resolve(FixTheBugs.PATCHES).resolve("PR.md")).content()
                .contains("Fix amount parsing and monthly totals")
                .contains("decimal.Decimal");

        // The test runs the sample's tests again itself, in a sandbox of its own: they pass on the fixed tree.
        assertThat(runSampleTests(repository)).contains("8 passed, 0 failed");
    }

    @Test
    void theSampleAsShippedFailsExactlyTheTwoPlantedTests() throws Exception {
        assumeTrue(pythonRuns(), "this JVM cannot run Python for WASI");
        Path repository = FixTheBugs.sampleRepository(Files.createDirectories(memory.resolve("sample")));

        assertThat(runSampleTests(repository)).contains("6 passed, 2 failed")
                .contains("FAIL tests.test_money.test_amounts_that_binary_floats_cannot_hold")
                .contains("FAIL tests.test_report.test_monthly_totals_keep_years_apart");
        try (Git git = Git.open(repository.toFile())) {
            assertThat(git.status().call().isClean()).isTrue();
            assertThat(git.getRepository().getBranch()).isEqualTo("main");
        }
    }

    private static boolean pythonRuns() {
        try (CodeExecutor executor = CodeExecutor.create(CodeExecutor.Options.DEFAULT
                .withLanguages(CodeExecutor.Language.PYTHON))) {
            return executor.unavailable(CodeExecutor.Language.PYTHON).isEmpty();
        }
    }

    /** Runs the project's tests through the code executor, as the agent does; returns what they printed. */
    private static String runSampleTests(Path repository) {
        try (CodeExecutor executor = CodeExecutor.create(CodeExecutor.Options.DEFAULT
                .withLanguages(CodeExecutor.Language.PYTHON)
                .withLimits(FixTheBugs.SANDBOX_LIMITS))) {
            var arguments = JsonValue.of(Map.of("language", "python", "code", FixTheBugs.TEST_SCRIPT, "cwd",
                    repository.toString(), "files", List.of(Map.of("path", repository.toString(), "access", "read"))))
                    .asObject();
            ToolResult result = ToolRegistry.of(executor)
                    .execute(new ToolCall("t1", CodeExecutor.NAME, arguments.toJson()),
                            ToolExecution.builder("test", Principal.of("test"),
                                    Grants.of(Capability.fileRead(repository))).timeout(Duration.ofMinutes(5)).build())
                    .block();
            assertThat(result).isNotNull();
            ExecutionResult ran = ExecutionResult.fromJson(JsonValue.parse(result.content()).asObject());
            return ran.stdout();
        }
    }

    private static String read(Repository repo, RevCommit commit, String path) throws Exception {
        try (TreeWalk walk = TreeWalk.forPath(repo, path, commit.getTree())) {
            assertThat(walk).as(path).isNotNull();
            ObjectId blob = walk.getObjectId(0);
            return new String(repo.open(blob).getBytes(), StandardCharsets.UTF_8);
        }
    }

    private static org.eclipse.jgit.treewalk.AbstractTreeIterator treeOf(Repository repo, RevCommit commit)
            throws Exception {
        var parser = new org.eclipse.jgit.treewalk.CanonicalTreeParser();
        try (var reader = repo.newObjectReader()) {
            parser.reset(reader, commit.getTree());
        }
        return parser;
    }
}
