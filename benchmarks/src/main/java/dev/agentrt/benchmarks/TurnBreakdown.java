package dev.agentrt.benchmarks;

import dev.agentrt.core.Agent;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonSchema;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Where a turn's allocation and time go: the exact bytes each piece of the turn allocates on the
 * calling thread (from {@code ThreadMXBean.getCurrentThreadAllocatedBytes}) and its mean time, after
 * JIT warm-up. A diagnostic companion to {@link TurnOverheadBenchmark}, not a substitute (means, no
 * percentiles, no JMH safeguards).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.agentrt.benchmarks.TurnBreakdown [iterations]}.
 */
public final class TurnBreakdown {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
            .getThreadMXBean();
    static volatile @Nullable Object sink;

    private TurnBreakdown() {}

    public static void main(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        Tool tool = Fixtures.agentrtTool();
        Agent agent = Fixtures.agentrtAgent(Fixtures.agentrtModel(Duration.ZERO, 1), tool);
        Agent textOnly = Fixtures.agentrtAgent(Fixtures.agentrtModel(Duration.ZERO, 0), tool);
        ScriptedChatModel model = Fixtures.agentrtModel(Duration.ZERO, 1);
        ToolRegistry registry = ToolRegistry.of(tool);
        ToolExecution execution = ToolExecution.of("t1", Principal.ANONYMOUS, Grants.of(Fixtures.DOCS_READ));
        ToolCall call = new ToolCall("call_1", Fixtures.TOOL_NAME, Fixtures.ARGUMENTS);
        JsonObject args0 = JsonValue.parse(Fixtures.ARGUMENTS).asObject();
        JsonSchema schema = JsonSchema.compile(tool.spec().parameters());
        Grants grants = Grants.of(Fixtures.DOCS_READ);
        List<Capability> required = List.of(Fixtures.DOCS_READ);
        var firstRequest = new ChatRequest(List.of(Message.system(Fixtures.INSTRUCTIONS), Message.user(Fixtures.INPUT)),
                registry.specs(), agent.options());
        Mono<String> just = Mono.just("x");

        System.out.printf(Locale.ROOT, "%-58s %10s %10s%n", "piece (one call of each)", "bytes/op", "ns/op");
        measure("full turn: agent.task(..).execute().block()", iterations,
                () -> agent.task(Fixtures.INPUT).execute().block());
        measure("one-step turn (text answer, no tool)", iterations,
                () -> textOnly.task(Fixtures.INPUT).execute().block());
        measure("ToolRegistry.execute(call).block()", iterations, () -> registry.execute(call, execution).block());
        measure("  JsonValue.parse(arguments)", iterations, () -> JsonValue.parse(Fixtures.ARGUMENTS));
        measure("  JsonSchema.isValid(arguments)", iterations, () -> schema.isValid(args0));
        measure("  Grants.missing([custom docs:read])", iterations, () -> grants.missing(required));
        measure("  tool.invoke(..)", iterations, () -> tool.invoke(args0, null));
        measure("  Mono.just(..).timeout(60 s).block()", iterations,
                () -> just.timeout(Duration.ofSeconds(60)).block());
        measure("ChatModel.call(first request).block() (stream + assemble)", iterations,
                () -> model.call(firstRequest).block());
        measure("Mono.just(..).block() (the benchmark's own block)", iterations, just::block);
    }

    private static void measure(String name, int iterations, Supplier<@Nullable Object> op) {
        for (int i = 0; i < iterations; i++) {
            sink = op.get();
        }
        long bytes = THREADS.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            sink = op.get();
        }
        long nanos = System.nanoTime() - start;
        bytes = THREADS.getCurrentThreadAllocatedBytes() - bytes;
        System.out.printf(Locale.ROOT, "%-58s %10d %10.0f%n", name, bytes / iterations, (double) nanos / iterations);
    }
}
