package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What a test left running: platform threads it started (by name prefix) and child processes.
 * Waiting means joining the thread or awaiting the process's exit, bounded as a hang guard.
 */
final class Leaks {
    private static final Duration GUARD = Duration.ofSeconds(30);

    private final Set<Thread> before = Thread.getAllStackTraces().keySet();
    private final List<ProcessHandle> processesBefore = ProcessHandle.current().descendants().toList();

    /** Fails if a thread named with one of {@code prefixes}, started since, is still alive after the guard. */
    void assertNoThreadsLeft(String... prefixes) throws InterruptedException {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (before.contains(t) || List.of(prefixes).stream().noneMatch(p -> t.getName().startsWith(p))) {
                continue;
            }
            t.join(GUARD);
            assertThat(t.isAlive()).as("thread %s is still running", t.getName()).isFalse();
        }
    }

    /** Fails if a process started since is still alive after the guard. */
    void assertNoProcessesLeft() throws Exception {
        for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
            if (!processesBefore.contains(p)) {
                p.onExit().get(GUARD.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }
}
