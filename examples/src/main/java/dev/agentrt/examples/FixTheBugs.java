package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.context.TaskContext;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.examples.support.Offline;
import dev.agentrt.memory.IngestProgress;
import dev.agentrt.memory.MemoryTools;
import dev.agentrt.memory.VectorMemory;
import dev.agentrt.sandbox.CodeExecutor;
import dev.agentrt.sandbox.ExecutionResult;
import dev.agentrt.sandbox.SandboxLimits;
import dev.agentrt.tools.fs.FileSystemTools;
import dev.agentrt.tools.git.GitTools;
import dev.agentrt.tools.web.WebBrowser;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Shows: the flagship program. An agent with a model, a vector memory at {@code ./agent_memory}, the code executor (in code
 * mode), the file, git and web tools is told "analyse the code base and submit a PR fixing all the bugs" over a small
 * Python project (a copy of the sample bundled with the examples, made a git repository in a temporary directory).
 * The program indexes the project into memory; the agent reads the code, runs the project's tests in the sandbox
 * (CPython for WASI, the repository mounted read-only), edits the two files with bugs, runs the tests again until
 * they pass, commits on a new branch and writes {@code PR.md} and a patch series.
 * Needs: a JVM that runs Python for WASI (Java 25; on another the program says so and stops). Offline, a scripted
 * model follows that path; the same environment variables as {@link QuickStart} run it on a real model.
 * You will see: the event stream, the test output before and after, the diff, the pull-request description, and
 * where the time went.
 */
public final class FixTheBugs {
    private FixTheBugs() {}

    /** A project's test suite may run for minutes; the other limits are the executor's defaults. */
    static final SandboxLimits SANDBOX_LIMITS = SandboxLimits.DEFAULT.withTimeout(Duration.ofMinutes(4));

    /** What the agent is told. */
    static final String TASK = "Analyse the code base and submit a PR fixing all the bugs.";

    /** The memory namespace the project is indexed into. */
    static final String NAMESPACE = "fixthebugs";

    /** Where {@code git_format_patch} writes the patch series and {@code PR.md}, in the repository. */
    static final String PATCHES = "patches";

    /** The branch the fix is committed on. */
    static final String BRANCH = "fix/ledger-bugs";

    /** The sample project's files, bundled under {@code dev/agentrt/examples/fixthebugs/}. */
    static final List<String> SAMPLE_FILES = List.of("README.md", "run_tests.py", "ledger/__init__.py",
            "ledger/money.py", "ledger/entries.py", "ledger/report.py", "tests/__init__.py", "tests/test_money.py",
            "tests/test_entries.py", "tests/test_report.py");

    public static void main(String[] args) {
        run(System.out, System.getenv(), Path.of("agent_memory"), null, args);
    }

    /** What one run did, for the test. */
    record Run(AgentResult result, Path repository, List<String> testRuns, Timings timings) {}

    /**
     * Runs the program with the memory at {@code memoryDir} and the project copied into {@code workDir} (null: a
     * temporary directory deleted at the end); empty when this JVM cannot run Python for WASI (it says so on
     * {@code out}).
     */
    static Optional<Run> run(PrintStream out, Map<String, String> env, Path memoryDir, @Nullable Path workDir,
            String... args) {
        Timings timings = new Timings();
        try (Offline offline = Offline.start(out, env, args);
                CodeExecutor executor = CodeExecutor.codeMode(CodeExecutor.Options.DEFAULT
                        .withLanguages(CodeExecutor.Language.PYTHON, CodeExecutor.Language.JAVASCRIPT)
                        .withLimits(SANDBOX_LIMITS)
                        // CPython's started state, kept beside the memory: the next run of the program makes
                        // its interpreters from it instead of starting CPython (seconds on a fresh JVM)
                        .withPythonImageCache(imageCache(memoryDir))
                        .withWarmUp(false))) { // its scripts are Python: a JavaScript warm-up would only take a core
            Optional<String> unavailable = executor.unavailable(CodeExecutor.Language.PYTHON);
            if (unavailable.isPresent()) {
                out.println("This JVM cannot run the project's tests: Python for WASI is unavailable ("
                        + unavailable.get() + "). Run the example on Java 25 or later.");
                return Optional.empty();
            }
            // The scripts are Python: CPython starts now, beside the indexing and the model's first steps
            executor.startAhead(CodeExecutor.Language.PYTHON);
            Path repository = sampleRepository(workDir != null ? workDir : offline.directory());
            out.println("The project: a copy of the sample, a git repository at " + repository);
            ChatModel model = offline.model(() -> scripted(repository));
            return Optional.of(recipe(model, repository, memoryDir, executor, offline.events(), timings, out));
        }
    }

    /** Where CPython's started state is kept: {@code agent_cache} beside the memory directory. */
    static Path imageCache(Path memoryDir) {
        return memoryDir.toAbsolutePath().resolveSibling("agent_cache");
    }

    /** The recipe: memory, code executor, file and git tools, the grants that confine them, and the task. */
    static Run recipe(ChatModel model, Path repository, Path memoryDir, CodeExecutor executor,
            Consumer<AgentEvent> printer, Timings timings, PrintStream out) {
        try (VectorMemory memory = VectorMemory.open(memoryDir)) { // local embeddings, Lucene index on disk
            long indexing = System.nanoTime();
            memory.forgetWhere(NAMESPACE, Map.of()).block(); // the last run's copy lived elsewhere
            IngestProgress last = memory.index(NAMESPACE, TaskContext.fromDirectory(repository))
                    .blockLast(Duration.ofMinutes(10));
            timings.indexing = System.nanoTime() - indexing;
            out.printf("Indexed %d chunks of %d files into %s.%n%n", last == null ? 0 : last.chunksDone(),
                    last == null ? 0 : last.filesTotal(), memoryDir.toAbsolutePath());

            Agent agent = Agent.builder()
                    .model(model)
                    .instructions(INSTRUCTIONS.formatted(repository))
                    .memory(memory)
                    .memoryNamespace(NAMESPACE)
                    .tools(executor, FileSystemTools.rootedAt(repository), MemoryTools.of(memory).namespace(NAMESPACE))
                    .tools(GitTools.builder(repository).author("agentrt", "agentrt@example.com").build())
                    .tools(WebBrowser.create()) // no Net grant: a page the model wants is asked for, and refused
                    .grant(Capability.fileRead(repository), Capability.fileWrite(repository),
                            Capability.memoryRead(NAMESPACE), GitTools.commitCapability(repository))
                    .maxSteps(30)
                    .toolTimeout(Duration.ofMinutes(5)) // a test suite may take a while on a slow machine
                    .build();
            List<String> testRuns = new ArrayList<>();
            AgentResult result = agent.task(TASK)
                    .stream()
                    .doOnNext(printer)

                    .doOnNext(timings::onEvent)
                    .doOnNext(event -> testOutput(event).ifPresent(testRuns::add))
                    .ofType(AgentEvent.Completed.class)
                    .map(AgentEvent.Completed::result)
                    .blockLast(Duration.ofMinutes(30));
            out.println();
            for (int i = 0; i < testRuns.size(); i++) {
                out.println(i == 0
                        ? "Tests before the fix:"
                        : i == testRuns.size() - 1
                                ? "Tests after the fix:"
                                : "Tests, run " + (i + 1) + ":");
                testRuns.get(i).lines().forEach(line -> out.println("  " + line));
            }
            printPatches(out, repository.resolve(PATCHES));
            timings.print(out);
            return new Run(result, repository, testRuns, timings);
        }
    }

    static final String INSTRUCTIONS = """
            You are a careful software engineer working on the Python project at %s (the file tools take paths
            relative to it). Find the bugs, fix them with the smallest correct change, and prove it: run the
            project's tests (python3 run_tests.py) with code_executor in Python, declaring the project directory
            for reading in 'files' and as 'cwd', before and after your change. Then create a branch, commit, and write the change as a patch series
            with a pull-request description. Do not change the tests to make them pass.""";

    /** The Python a model runs to test the project: the project's own runner, in the read-only mounted copy. */
    static final String TEST_SCRIPT = """
            import run_tests
            run_tests.run()""";

    /** The scripted model: the path a careful engineer takes, one step at a time. */
    static ChatModel scripted(Path repository) {
        String runTests = JsonValue.of(Map.of("language", "python", "code", TEST_SCRIPT, "cwd", repository.toString(),
                "files", List.of(Map.of("path", repository.toString(), "access", "read")))).toJson();
        return ScriptedChatModel.of(
                calls(call("recall", "{\"query\":\"money amounts parsing and monthly report\",\"limit\":3}"),
                        call("list_directory", "{\"path\":\"ledger\"}")),
                calls(call("read_file", "{\"path\":\"ledger/money.py\"}"),
                        call("read_file", "{\"path\":\"ledger/report.py\"}"),
                        call("read_file", "{\"path\":\"run_tests.py\"}")),
                calls(call(CodeExecutor.NAME, runTests)),
                calls(edit("ledger/money.py", "import re\n", "import decimal\nimport re\n"),
                        edit("ledger/money.py", "return int(float(text) * 100)",
                                "return int(decimal.Decimal(text) * 100)"),
                        edit("ledger/report.py", "month = entry.date[5:7]", "month = entry.date[:7]")),
                calls(call(CodeExecutor.NAME, runTests)),
                calls(call("git_branch", "{\"name\":\"" + BRANCH + "\",\"create\":true}")),
                calls(call("git_add", "{\"paths\":[\"ledger/money.py\",\"ledger/report.py\"]}")),
                calls(call("git_commit", "{\"message\":" + JsonValue.of(COMMIT_MESSAGE).toJson() + "}")),
                calls(call("git_format_patch", "{\"base\":\"main\",\"title\":\"Fix amount parsing and monthly"
                        + " totals\",\"description\":" + JsonValue.of(PR_DESCRIPTION).toJson() + "}")),
                Reply.text("Fixed both bugs on branch " + BRANCH + ": amounts are parsed with decimal arithmetic"
                        + " (0.29 became 28 cents through a binary float), and monthly totals are keyed by year and"
                        + " month (March 2025 and March 2026 were summed together). All 8 tests pass; the patch"
                        + " series and PR.md are written."));
    }

    static final String COMMIT_MESSAGE = """
            Fix amount parsing and monthly totals

            to_cents multiplied a binary float by 100 and truncated, so "0.29" became 28 cents; parse the
            text as a decimal instead. monthly_totals keyed months by their number alone, so the same month
            of different years was summed together; key by year and month.""";

    static final String PR_DESCRIPTION = """
            Two bugs made tests fail:

            - `ledger.money.to_cents` truncated a binary float: `to_cents("0.29")` was 28. It now parses with
              `decimal.Decimal`, which holds every two-decimal amount exactly.
            - `ledger.report.monthly_totals` used `date[5:7]` as the key, merging March 2025 with March 2026.
              It now uses `date[:7]` ("YYYY-MM"), as its docstring says.

            Before: 6 passed, 2 failed. After: 8 passed, 0 failed (`python3 run_tests.py`).""";

    private static Reply calls(ToolCall... calls) {
        return Reply.toolCalls(calls);
    }

    private static ToolCall call(String name, String arguments) {
        return new ToolCall(Reply.newId(), name, arguments);
    }

    private static ToolCall edit(String path, String oldText, String newText) {
        return call("edit_file", JsonValue.of(Map.of("path", path, "old_text", oldText, "new_text", newText)).toJson());
    }

    /** The output of a test run in the sandbox, when {@code event} is one. */
    static Optional<String> testOutput(AgentEvent event) {
        if (event instanceof AgentEvent.ToolCallCompleted done && done.call().name().equals(CodeExecutor.NAME)) {
            ExecutionResult ran = ExecutionResult.fromJson(JsonValue.parse(done.result()).asObject());
            if (ran.stdout().contains(" passed, ")) {
                return Optional.of(ran.stdout().strip());
            }
        }
        return Optional.empty();
    }

    /** Copies the bundled sample project into {@code directory} and makes it a git repository with one commit. */
    static Path sampleRepository(Path directory) {
        Path repository = directory.resolve("ledger");
        try {
            for (String file : SAMPLE_FILES) {
                Path target = repository.resolve(file);
                Files.createDirectories(target.getParent());
                try (InputStream in = FixTheBugs.class.getResourceAsStream("fixthebugs/" + file)) {
                    if (in == null) {
                        throw new IllegalStateException("the sample file " + file + " is missing from the class path");
                    }
                    Files.write(target, in.readAllBytes());
                }
            }
            try (Git git = Git.init().setDirectory(repository.toFile()).setInitialBranch("main").call()) {
                git.add().addFilepattern(".").call();
                PersonIdent maintainer = new PersonIdent("Sample Maintainer", "maintainer@example.com");
                git.commit()
                        .setMessage("The ledger library")
                        .setAuthor(maintainer)
                        .setCommitter(maintainer)
                        .setSign(false)
                        .call();
            }
            return repository.toRealPath();
        } catch (GitAPIException e) {
            throw new IllegalStateException("cannot make the sample a git repository: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Prints the patch series and the pull-request description {@code git_format_patch} wrote. */
    private static void printPatches(PrintStream out, Path directory) {
        if (!Files.isDirectory(directory)) {
            out.println();
            out.println("No patch series was written.");
            return;
        }
        try (var files = Files.list(directory)) {
            List<Path> written = files.sorted().toList();
            for (Path file : written) {
                if (file.getFileName().toString().endsWith(".patch")) {
                    print(out, file);
                }
            }
            Path description = directory.resolve("PR.md");
            if (Files.isRegularFile(description)) {
                print(out, description);
            }
        } catch (IOException e) {
            out.println("(cannot list " + directory + ": " + e.getMessage() + ")");
        }
    }

    private static void print(PrintStream out, Path file) throws IOException {
        out.println();
        out.println(file.getParent().getFileName() + "/" + file.getFileName() + ":");
        Files.readString(file, StandardCharsets.UTF_8).lines().forEach(line -> out.println("  " + line));
    }

    /** Where the time of one run went: measured from the events, printed at the end. */
    static final class Timings {
        long indexing;
        private final Map<String, Long> toolNanos = new LinkedHashMap<>();
        private final Map<String, Integer> toolCalls = new LinkedHashMap<>();
        private long taskStart;
        private long taskNanos;

        void onEvent(AgentEvent event) {
            switch (event) {
                case AgentEvent.Started s -> taskStart = System.nanoTime();
                case AgentEvent.ToolCallCompleted done -> add(done.call().name(), done.durationNanos());
                case AgentEvent.ToolCallFailed failed -> add(failed.call().name(), failed.durationNanos());
                case AgentEvent.Completed c -> taskNanos = System.nanoTime() - taskStart;
                case AgentEvent.Failed f -> taskNanos = System.nanoTime() - taskStart;
                default -> {
                }
            }
        }

        private void add(String tool, long nanos) {
            toolNanos.merge(tool, nanos, Long::sum);
            toolCalls.merge(tool, 1, Integer::sum);
        }

        /** The tool time of one tool, in nanoseconds (calls of one step overlap, so the sum may exceed the step). */
        long toolNanos(String tool) {
            return toolNanos.getOrDefault(tool, 0L);
        }

        void print(PrintStream out) {
            long sinceJvmStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            out.println();
            out.printf("Time: %,d ms since the JVM started; indexing %,d ms; the task %,d ms, of which tools:%n",
                    sinceJvmStart, indexing / 1_000_000, taskNanos / 1_000_000);
            toolNanos.forEach((tool, nanos) -> out.printf("  %-18s %2d call%s %,7d ms%n", tool,
                    toolCalls.get(tool), toolCalls.get(tool) == 1 ? " " : "s", nanos / 1_000_000));
        }
    }
}
