package dev.agentrt.tools.mcp;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The check, after each test, that it left nothing running: no process it started, and no thread it started that is
 * named with one of the given prefixes ({@link Leaks}). Registered with {@code @RegisterExtension}.
 */
final class LeakCheck implements BeforeEachCallback, AfterEachCallback {
    private final String[] threadPrefixes;
    private Leaks leaks;

    private LeakCheck(String... threadPrefixes) {
        this.threadPrefixes = threadPrefixes;
    }

    /** Checks the processes a test started. */
    static LeakCheck processes() {
        return new LeakCheck();
    }

    /** Checks the processes a test started and its threads named with one of {@code prefixes}. */
    static LeakCheck threadsAndProcesses(String... prefixes) {
        return new LeakCheck(prefixes);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        leaks = new Leaks();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (threadPrefixes.length > 0) {
            leaks.assertNoThreadsLeft(threadPrefixes);
        }
        leaks.assertNoProcessesLeft();
    }
}
