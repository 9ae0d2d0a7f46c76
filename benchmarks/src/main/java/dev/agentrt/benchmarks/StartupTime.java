package dev.agentrt.benchmarks;

import dev.agentrt.core.AgentResult;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Time from JVM process start to the first completed turn (model → tool → model, scripted, no
 * latency) of a freshly built agent: class loading, initialisation and the interpreter, which is
 * what a CLI tool or a serverless function pays. Run each time in a new JVM.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.agentrt.benchmarks.StartupTime [agentrt|langchain4j|baseline]}
 * ({@code baseline} does nothing: the JVM's and the jar's own share).
 * Prints {@code <runtime> first-turn <ms since process start> ms (JVM uptime <ms> ms)}.
 */
public final class StartupTime {
    private StartupTime() {}

    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "agentrt";
        String answer = switch (which) {
            case "agentrt" -> {
                AgentResult r = Fixtures
                        .agentrtAgent(Fixtures.agentrtModel(Duration.ZERO, 1), Fixtures.agentrtTool())
                        .task(Fixtures.INPUT)
                        .executeBlocking();
                yield r.text();
            }
            case "baseline" -> Fixtures.ANSWER;
            case "langchain4j" -> Lc4jFixtures.firstTurn();
            default -> throw new IllegalArgumentException("expected agentrt, langchain4j or baseline, got " + which);
        };
        Instant now = Instant.now();
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        Instant processStart = ProcessHandle.current().info().startInstant().orElseThrow();
        if (!Fixtures.ANSWER.equals(answer)) {
            throw new IllegalStateException(which + " gave an unexpected answer: " + answer);
        }
        System.out.printf(Locale.ROOT, "%s first-turn %d ms (JVM uptime %d ms)%n", which,
                Duration.between(processStart, now).toMillis(), uptime);
    }
}
