package dev.agentrt.benchmarks;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.sandbox.ExecutionResult;
import dev.agentrt.sandbox.SandboxLimits;
import dev.agentrt.sandbox.internal.js.HostFiles;
import dev.agentrt.sandbox.internal.js.JsRunner;
import dev.agentrt.tools.fs.FileSystemTools;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Reading a small file (1 KiB, two directories below the root) through the file tools'
 * {@code read_file} (one call through a {@link ToolRegistry}) and through the code executor's
 * {@code readFile} (100 reads in one JavaScript run, so the host-file path dominates the engine's
 * start; {@code codeExecutorLoopOnly} is the same run without the reads): the price of the file
 * confinement layer, measured against a build without it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FileReadBenchmark {
    private static final int READS_PER_RUN = 100;

    private Path root;
    private ToolRegistry tools;
    private ToolExecution execution;
    private ToolCall call;
    private JsRunner js;
    private HostFiles hostFiles;
    private String script;
    private String loopOnly;

    @Setup
    public void setUp() throws IOException {
        root = Files.createTempDirectory("file-read-bench").toRealPath();
        Path file = Files.createDirectories(root.resolve("src/main")).resolve("small.txt");
        Files.writeString(file, "x".repeat(1023) + "\n");
        Grants grants = Grants.of(Capability.fileRead(root));
        tools = ToolRegistry.of(FileSystemTools.rootedAt(root).tools());
        execution = ToolExecution.of("bench", Principal.ANONYMOUS, grants);
        call = new ToolCall("c1", "read_file", JsonObject.builder().put("path", "src/main/small.txt").build().toJson());
        js = new JsRunner(SandboxLimits.DEFAULT.withTimeout(Duration.ofMinutes(1)), 0);
        hostFiles = new HostFiles(List.of(new HostFiles.Declared(file, false)), grants, 1 << 20);
        script = "let n = 0; for (let i = 0; i < " + READS_PER_RUN + "; i++) { n += readFile("
                + JsonValue.of(file.toString()).toJson() + ").length; } n";
        loopOnly = "let n = 0; for (let i = 0; i < " + READS_PER_RUN + "; i++) { n += 1024; } n";
    }

    @TearDown
    public void tearDown() throws IOException {
        js.close();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Benchmark
    public ToolResult readFileTool() {
        ToolResult r = tools.execute(call, execution).block(Duration.ofSeconds(10));
        if (r == null || r.isError()) {
            throw new IllegalStateException("read_file failed: " + (r == null ? "no result" : r.content()));
        }
        return r;
    }

    /** {@value #READS_PER_RUN} reads of the file in one run on a cold engine; divide by 100 for one read. */
    @Benchmark
    public ExecutionResult codeExecutorReadFile() {
        ExecutionResult r = js.run(script, hostFiles);
        if (!r.value().equals(JsonValue.of(READS_PER_RUN * 1024))) {
            throw new IllegalStateException("readFile failed: " + r.toJson());
        }
        return r;
    }

    /** {@link #codeExecutorReadFile} without the reads: subtract it to get the reads' own cost. */
    @Benchmark
    public ExecutionResult codeExecutorLoopOnly() {
        return js.run(loopOnly, hostFiles);
    }
}
