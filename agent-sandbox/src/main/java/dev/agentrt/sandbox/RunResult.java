package dev.agentrt.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a run produced. Whatever the outcome, the output written before the end is kept (cut at the
 * output cap) and the files copied back are listed.
 *
 * @param outcome how the run ended
 * @param stdout what the guest wrote to stdout, decoded as UTF-8
 * @param stderr what the guest wrote to stderr, decoded as UTF-8
 * @param returned the values the called export returned (empty for a command run)
 * @param written host files the guest's output was copied to (only after an {@code OK} run)
 * @param refused guest paths of files the guest wrote that no {@code FileWrite} grant covered;
 *     they did not reach the host
 * @param elapsed wall-clock time of the run, instantiation included
 */
public record RunResult(RunOutcome outcome, String stdout, String stderr, List<Long> returned, List<Path> written,
        List<String> refused, Duration elapsed) {
    public RunResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        returned = List.copyOf(returned);
        written = List.copyOf(written);
        refused = List.copyOf(refused);
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** Whether the run ended normally ({@link RunOutcome#OK}). */
    public boolean ok() {
        return outcome instanceof RunOutcome.Ok;
    }
}
