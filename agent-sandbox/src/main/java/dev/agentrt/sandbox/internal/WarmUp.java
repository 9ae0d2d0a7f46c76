package dev.agentrt.sandbox.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import javax.management.JMException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Work run once, in the background, so that the JIT has compiled an interpreter before the first
 * real script needs it: on a daemon thread of its own at the lowest priority, never on the compute
 * scheduler (where it would hold a core the first real run is waiting for). {@link #close()} stops
 * it as a time limit stops a run; {@link #done()} tells when it has ended and whether it ran to the
 * end. Thread-safe.
 */
public final class WarmUp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);
    private static final WarmUp NONE = new WarmUp();

    private final CompletableFuture<Boolean> done = new CompletableFuture<>();
    private final RunGuard guard;

    private WarmUp() {
        guard = new RunGuard(RunTimer.SYSTEM, Duration.ZERO);
        done.complete(false);
    }

    private WarmUp(Duration timeout) {
        guard = new RunGuard(RunTimer.SYSTEM, timeout);
    }

    /**
     * Whether this JVM lets its JIT compile methods above 8,000 bytes of bytecode
     * ({@code -XX:-DontCompileHugeMethods}): only then can a warm-up get an interpreter loop compiled.
     * False on a JVM without the HotSpot diagnostic bean.
     */
    public static boolean jitCompilesHugeMethods() {
        try {
            // Through JMX by name, so that nothing here links to com.sun.management.
            Object option = ManagementFactory.getPlatformMBeanServer()
                    .invoke(new ObjectName("com.sun.management:type=HotSpotDiagnostic"), "getVMOption",
                            new Object[]{"DontCompileHugeMethods"}, new String[]{String.class.getName()});
            return option instanceof CompositeData data && "false".equals(data.get("value"));
        } catch (JMException | RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Nothing to warm up: {@link #done()} is {@code false} at once. */
    public static WarmUp none() {
        return NONE;
    }

    /**
     * Starts {@code work} on a new low-priority daemon thread under a guard with {@code timeout}; the
     * work returns whether it ran to the end. Does not block.
     */
    public static WarmUp start(String name, Duration timeout, Predicate<RunGuard> work) {
        var warmUp = new WarmUp(timeout);
        Thread thread = new Thread(() -> warmUp.run(work), name);
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        try {
            thread.start();
        } catch (RuntimeException | OutOfMemoryError e) {
            LOG.warn("could not start the warm-up thread '{}'", name, e);
            warmUp.done.complete(false);
        }
        return warmUp;
    }

    private void run(Predicate<RunGuard> work) {
        boolean finished = false;
        try {
            if (guard.enter()) {
                finished = work.test(guard) && guard.stopped() == null;
            }
        } catch (RuntimeException | Error e) {
            LOG.debug("warm-up failed", e);
        } finally {
            guard.exit();
            done.complete(finished);
        }
    }

    /**
     * Completes when the warm-up has ended: {@code true} when it ran to the end, {@code false} when
     * there was none, it was stopped by {@link #close()} or its time limit, or it failed.
     */
    public Mono<Boolean> done() {
        return Mono.fromFuture(done, true);
    }

    /** Stops the warm-up if it is still running; {@link #done()} then completes with {@code false}. */
    @Override
    public void close() {
        guard.cancel();
    }
}
