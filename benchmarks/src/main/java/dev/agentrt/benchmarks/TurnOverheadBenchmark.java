package dev.agentrt.benchmarks;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The runtime's own cost of one full turn, model → tool → model, with zero-latency scripted models:
 * building the request, assembling the streamed reply, finding the tool, parsing and validating its
 * arguments against the schema, the capability check, invoking it, and the second model call.
 * agentrt against LangChain4j {@code AiServices} doing the same work (minus validation and
 * capabilities, which it does not have). Run with {@code -prof gc} for bytes per turn.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TurnOverheadBenchmark {
    private @Nullable Agent agent;
    private Lc4jFixtures.@Nullable Assistant assistant;

    @Setup
    public void setUp() {
        agent = Fixtures.agentrtAgent(Fixtures.agentrtModel(Duration.ZERO, 1), Fixtures.agentrtTool());
        assistant = Lc4jFixtures.langchain4jAssistant(new Lc4jFixtures.Lc4jScriptedModel(Duration.ZERO, 1),
                new Lc4jFixtures.DocTools(null));
        AgentResult r = agent.task(Fixtures.INPUT).execute().block();
        if (r == null || !r.text().equals(Fixtures.ANSWER) || r.steps() != 2) {
            throw new IllegalStateException("agentrt did not run the scripted turn: " + r);
        }
        String s = assistant.chat(Fixtures.INPUT);
        if (!Fixtures.ANSWER.equals(s)) {
            throw new IllegalStateException("LangChain4j did not run the scripted turn: " + s);
        }
    }

    @Benchmark
    public @Nullable AgentResult agentrt() {
        return agent.task(Fixtures.INPUT).execute().block();
    }

    @Benchmark
    public String langchain4j() {
        return assistant.chat(Fixtures.INPUT);
    }
}
