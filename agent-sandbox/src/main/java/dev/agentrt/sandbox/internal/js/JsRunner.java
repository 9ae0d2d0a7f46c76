package dev.agentrt.sandbox.internal.js;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.sandbox.ExecutionResult;
import dev.agentrt.sandbox.ExecutionResult.ScriptError;
import dev.agentrt.sandbox.RunOutcome;
import dev.agentrt.sandbox.SandboxLimits;
import dev.agentrt.sandbox.internal.HostTools;
import dev.agentrt.sandbox.internal.MemoryCapExceeded;
import dev.agentrt.sandbox.internal.OutcomeClassifier;
import dev.agentrt.sandbox.internal.RunGuard;
import dev.agentrt.sandbox.internal.RunTimer;
import dev.agentrt.sandbox.internal.Runs;
import io.roastedroot.quickjs4j.core.Engine;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    /**
     * Runs {@code code} on the calling thread under a guard of its own with the wall-clock limit.
     * Blocks. For callers already on a thread that may block (the benchmarks).
     */
    public ExecutionResult run(String code, HostFiles files) {
        return Runs.onThisThread(RunTimer.SYSTEM, limits.timeout(),
                guard -> run(code, files, HostTools.none(), guard));
    }

    /**
     * Runs {@code code} to its end, a limit, an error or an interruption, under {@code guard}, whose
     * clock starts once an engine is ready. Blocks; with {@code tools} that can call anything, also while
     * each tool the script calls runs.
     */
    public ExecutionResult run(String code, HostFiles files, HostTools tools, RunGuard guard) {
        JsEngine engine;
        try {
            engine = take();
        } catch (MemoryCapExceeded e) {
            files.release();
            return result(RunOutcome.MEMORY_LIMIT, "", "", null, null, guard);
        }
        guard.startClock();
        var run = new JsEngine.Run(code, files, tools, limits.maxOutputBytes(), guard);
        engine.bind(run);
        @Nullable
        Throwable failure = null;
        try {
            Engine e = engine.engine();
            int compiled = e.compile(JsEngine.HARNESS);
            e.exec(compiled);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            failure = e;
        } finally {
            guard.leaveGuest();
            engine.close();
            files.release();
        }
        String out = engine.stdout().text();
        String err = engine.stderr().text();
        RunOutcome ended = OutcomeClassifier.ofRun(guard, failure);
        if (ended != null) {
            if (failure != null && ended instanceof RunOutcome.Trap) {
                LOG.debug("JavaScript engine trapped", failure);
            }
            return result(ended, out, err, null, null, guard);
        }
        ScriptError scriptError = scriptError(run.errorJson);
        if (scriptError != null) {
            RunOutcome outcome = OutcomeClassifier.scriptError(scriptError, engine.memory());
            return result(outcome, out, err, null, scriptError, guard);
        }
        String valueJson = run.valueJson;
        if (valueJson == null) {
            // The script left a promise that never settled.
            return result(RunOutcome.trap("the code's promise never settled"), out, err, null, null, guard);
        }
        return result(RunOutcome.OK, out, err, JsonValue.parse(valueJson), null, guard);
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

    private static ExecutionResult result(RunOutcome outcome, String out, String err, @Nullable JsonValue value,
            @Nullable ScriptError error, RunGuard guard) {
        return new ExecutionResult(LANGUAGE, outcome, out, err, value, error, guard.elapsed());
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
