package dev.agentrt.benchmarks;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.runs.PostgresRunStore;
import dev.agentrt.runs.SqliteRunStore;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What journaling a run costs per step (issue 18): a task of {@value #STEPS} steps on a zero-latency scripted model,
 * {@value #TOOL_ROUNDS} of them a model reply calling one fast tool (the document tool of {@link Fixtures}) and the
 * last the answer, with {@code store} = {@code off} (no run store), {@code sqlite} ({@link SqliteRunStore} in a temp
 * file, WAL, {@code synchronous=NORMAL}: a commit survives the process being killed) or {@code sqlite-sync} (the same
 * with {@code syncEveryCommit(true)}: an fsync per grouped commit, surviving power loss), or {@code postgres}
 * ({@link PostgresRunStore} at the JDBC URL of the system property {@code agentrt.bench.postgres.url}, by default a
 * PGlite server on 127.0.0.1:55438, not among the default parameters). Every step journals its model
 * reply, the tool call as started and its result, and the events; the run's creation, lease and final status are
 * spread over its steps. Sample-time mode, one sample per task divided by its {@value #STEPS} steps: the percentiles
 * are per step. Issue 18's target: p50 at most 1 ms per step on SQLite with grouped commits; run it with
 * {@code -t 4} as well, where four runs journal at once and share commits.
 *
 * <pre>{@code java -jar benchmarks.jar JournalingBenchmark -f 1 -wi 3 -i 5 -w 2s -r 3s -prof gc}</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JournalingBenchmark {
    static final int TOOL_ROUNDS = 9;
    static final int STEPS = TOOL_ROUNDS + 1;

    @Param({"off", "sqlite", "sqlite-sync"})
    public String store = "off";

    private @Nullable Agent agent;
    private @Nullable RunStore runStore;
    private @Nullable Path dir;

    @Setup
    public void setUp() throws IOException {
        Agent plain = Fixtures.agentrtAgent(Fixtures.agentrtModel(Duration.ZERO, TOOL_ROUNDS), Fixtures.agentrtTool());
        if (!store.equals("off")) {
            dir = Files.createTempDirectory("agentrt-journal-bench");
            runStore = switch (store) {
                case "sqlite" -> SqliteRunStore.open(dir.resolve("runs.db"));
                case "sqlite-sync" -> SqliteRunStore.builder(dir.resolve("runs.db")).syncEveryCommit(true).build();
                case "postgres" -> PostgresRunStore.open(System.getProperty("agentrt.bench.postgres.url",
                        "jdbc:postgresql://127.0.0.1:55438/postgres?user=postgres&sslmode=disable"));
                default -> throw new IllegalArgumentException("store must be off, sqlite, sqlite-sync or postgres: "
                        + store);
            };
        }
        agent = runStore == null ? plain : plain.toBuilder().runStore(runStore).build();
        AgentResult r = task();
        if (r == null || !r.text().equals(Fixtures.ANSWER) || r.steps() != STEPS) {
            throw new IllegalStateException("the scripted task did not run: " + r);
        }
        if (runStore != null && runStore.find(r.runId()).block().status() != RunStatus.COMPLETED) {
            throw new IllegalStateException("the run was not journaled as completed: " + r.runId());
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        if (runStore != null) {
            System.out.println();
            System.out.println("store after the trial: " + runStore.size().block());
            runStore.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** One task of {@value #STEPS} steps; JMH divides each sample by the steps. */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public @Nullable AgentResult step() {
        return task();
    }

    private @Nullable AgentResult task() {
        return agent.task(Fixtures.INPUT).execute().block();
    }
}
