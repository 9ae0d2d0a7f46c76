package dev.agentrt.sandbox.internal.js;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.sandbox.ExecutionResult;
import dev.agentrt.sandbox.ExecutionResult.ScriptError;
import dev.agentrt.sandbox.RunOutcome;
import dev.agentrt.sandbox.SandboxLimits;
import io.roastedroot.quickjs4j.core.Engine;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import run.endive.runtime.WasmInterruptedException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs JavaScript: one fresh engine per run, taken from a small pool of engines started ahead on
 * {@link AgentSchedulers#compute()}. {@link #run} blocks the calling thread for the length of the
 * script (at most the timeout) and is meant for a compute thread; it is thread-safe.
 */
public final class JsRunner implements AutoCloseable {
    public static final String LANGUAGE = "javascript";
    private static final Logger LOG = LoggerFactory.getLogger(JsRunner.class);

    private final SandboxLimits limits;
    private final int maxPages;
    private final ArrayBlockingQueue<JsEngine> ready;
    private final int poolSize;
    private final AtomicInteger starting = new AtomicInteger();
    private volatile boolean closed;

    public JsRunner(SandboxLimits limits, int poolSize) {
        this.limits = limits;
        this.maxPages = limits.maxMemoryPages();
        this.poolSize = poolSize;
        this.ready = new ArrayBlockingQueue<>(Math.max(1, poolSize));
    }

    /** Starts filling the pool in the background. */
    public void warmUp() {
        refill();
    }

    /** Runs {@code code} to its end, a limit, an error or an interruption. Blocks. */
    public ExecutionResult run(String code, HostFiles files) {
        long start = System.nanoTime();
        JsEngine engine;
        try {
            engine = take();
        } catch (JsEngine.MemoryCapTooSmall e) {
            return result(RunOutcome.MEMORY_LIMIT, "", "", null, null, start);
        }
        var run = new JsEngine.Run(code, files, limits.maxOutputBytes());
        engine.bind(run);
        boolean timedOut;
        @Nullable
        Throwable failure = null;
        try (RunGuard guard = RunGuard.arm(limits.timeout())) {
            try {
                Engine e = engine.engine();
                int compiled = e.compile(JsEngine.HARNESS);
                e.exec(compiled);
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                failure = e;
            }
            timedOut = guard.fired();
        } finally {
            engine.close();
            files.release();
        }
        String out = engine.stdout().toString(StandardCharsets.UTF_8);
        String err = engine.stderr().toString(StandardCharsets.UTF_8);
        if (engine.stdout().overflowed() || engine.stderr().overflowed() || run.valueTooLarge) {
            return result(RunOutcome.OUTPUT_LIMIT, out, err, null, null, start);
        }
        if (timedOut || failure instanceof WasmInterruptedException) {
            // Past the wall-clock limit, or cancelled by the caller (who no longer reads this).
            return result(RunOutcome.TIMEOUT, out, err, null, null, start);
        }
        ScriptError scriptError = scriptError(run.errorJson);
        if (scriptError != null) {
            if (scriptError.message().equals("out of memory") && engine.memoryExhausted()) {
                return result(RunOutcome.MEMORY_LIMIT, out, err, null, scriptError, start);
            }
            return result(RunOutcome.trap(scriptError.describe()), out, err, null, scriptError, start);
        }
        if (failure != null) {
            if (engine.memoryExhausted() || failure instanceof OutOfMemoryError) {
                return result(RunOutcome.MEMORY_LIMIT, out, err, null, null, start);
            }
            LOG.debug("JavaScript engine trapped", failure);
            return result(RunOutcome.trap(trapMessage(failure)), out, err, null, null, start);
        }
        String valueJson = run.valueJson;
        if (valueJson == null) {
            // The script left a promise that never settled.
            return result(RunOutcome.trap("the code's promise never settled"), out, err, null, null, start);
        }
        return result(RunOutcome.OK, out, err, JsonValue.parse(valueJson), null, start);
    }

    private static String trapMessage(Throwable failure) {
        if (failure instanceof StackOverflowError) {
            return "call stack exhausted";
        }
        String message = failure.getMessage();
        if (message == null) {
            return failure.getClass().getSimpleName();
        }
        // quickjs4j appends the guest's stderr and stdout, which the result carries already.
        int cut = message.indexOf("\nstderr:");
        return (cut > 0 ? message.substring(0, cut) : message).strip();
    }

    private static @Nullable ScriptError scriptError(@Nullable String json) {
        if (json == null) {
            return null;
        }
        try {
            JsonObject e = JsonValue.parse(json).asObject();
            return new ScriptError(e.getString("name").orElse("Error"), e.getString("message").orElse(""),
                    e.getLong("line").orElse(0L).intValue());
        } catch (JsonParseException | IllegalStateException e) {
            return new ScriptError("Error", json, 0);
        }
    }

    private ExecutionResult result(RunOutcome outcome, String out, String err, @Nullable JsonValue value,
            @Nullable ScriptError error, long start) {
        return new ExecutionResult(LANGUAGE, outcome, out, err, value, error,
                Duration.ofNanos(System.nanoTime() - start));
    }

    private JsEngine take() {
        JsEngine engine = ready.poll();
        refill();
        return engine != null ? engine : JsEngine.start(maxPages, limits.maxOutputBytes());
    }

    private void refill() {
        while (!closed) {
            int n = starting.get();
            if (ready.size() + n >= poolSize) {
                return;
            }
            if (starting.compareAndSet(n, n + 1)) {
                try {
                    AgentSchedulers.compute().schedule(this::startOne);
                } catch (RejectedExecutionException e) {
                    starting.decrementAndGet();
                    return;
                }
            }
        }
    }

    private void startOne() {
        try {
            if (!closed) {
                JsEngine engine = JsEngine.start(maxPages, limits.maxOutputBytes());
                if (!ready.offer(engine) || closed) {
                    ready.remove(engine);
                    engine.close();
                }
            }
        } catch (RuntimeException | Error e) {
            // The next take() starts an engine on its own thread and asks for a refill again.
            LOG.warn("could not start a pooled JavaScript engine", e);
        } finally {
            starting.decrementAndGet();
        }
    }

    /** Engines waiting in the pool (for tests and monitoring). */
    public int pooled() {
        return ready.size();
    }

    @Override
    public void close() {
        closed = true;
        JsEngine e;
        while ((e = ready.poll()) != null) {
            e.close();
        }
    }
}
