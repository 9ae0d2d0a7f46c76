package dev.agentrt.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.sandbox.CodeExecutor.Language;
import dev.agentrt.sandbox.CodeExecutor.Options;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

class CodeExecutorConcurrencyTest {
    private static CodeExecutor executor;

    @BeforeAll
    static void start() {
        executor = CodeExecutor.create(Options.DEFAULT.withLanguages(Language.JAVASCRIPT)
                .withLimits(SandboxLimits.DEFAULT.withTimeout(Duration.ofSeconds(60))));
    }

    @AfterAll
    static void stop() {
        executor.close();
    }

    @Test
    void twoHundredConcurrentRunsAllFinishOnABoundedNumberOfThreads() throws InterruptedException {
        int cores = Runtime.getRuntime().availableProcessors();
        var peak = new AtomicInteger();
        var sampling = new AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (sampling.get()) {
                peak.accumulateAndGet(computeThreads(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });

        List<ExecutionResult> results = Flux.range(0, 200)
                .flatMap(
                        i -> executor.execute("javascript",
                                "let s = 0; for (let k = 0; k < 1000; k++) s += k; s + " + i),
                        200)
                .collectList()
                .block(Duration.ofMinutes(3));
        sampling.set(false);
        sampler.join();

        assertThat(results).hasSize(200).allSatisfy(r -> assertThat(r.outcome()).isEqualTo(RunOutcome.OK));
        assertThat(results.stream().map(r -> ((JsonValue.JsonNumber) r.value()).longValue()).sorted().toList())
                .isEqualTo(java.util.stream.LongStream.range(0, 200).map(i -> 499_500 + i).boxed().toList());
        assertThat(peak.get()).isBetween(1, cores);
    }

    @Test
    void cancellingTheSubscriptionInterruptsTheRunningCode() {
        Disposable run = executor.execute("javascript", "while (true) {}").subscribe();
        awaitEngineFrames(true);

        run.dispose();

        awaitEngineFrames(false);
    }

    @Test
    void theRegistrysToolTimeoutCancelsTheRunAndFreesItsThread() {
        var execution = new ToolExecution("task", Principal.ANONYMOUS, Grants.none(), null, Duration.ofMillis(500),
                null, dev.agentrt.core.tool.ToolAccess.ALL);
        ToolResult r = ToolRegistry.of(executor)
                .execute(new ToolCall("c1", CodeExecutor.NAME, "{\"language\":\"javascript\",\"code\":\"for(;;){}\"}"),
                        execution)
                .block(Duration.ofSeconds(30));

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TIMEOUT);
        awaitEngineFrames(false);
    }

    private static int computeThreads() {
        return (int) Thread.getAllStackTraces()
                .keySet()
                .stream()
                .filter(t -> t.getName().startsWith("agentrt-compute"))
                .count();
    }

    /** Waits until some thread is (or no thread is any longer) executing inside a QuickJS engine. */
    private static void awaitEngineFrames(boolean present) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (engineRunning() == present) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(present ? "the engine never started" : "the engine is still running");
    }

    private static boolean engineRunning() {
        return Thread.getAllStackTraces()
                .values()
                .stream()
                .flatMap(Arrays::stream)
                .anyMatch(f -> f.getClassName().startsWith("io.roastedroot.quickjs4j.core.JavyPluginModuleMachine")
                        && f.getMethodName().contains("func"));
    }
}
