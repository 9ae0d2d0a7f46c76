package dev.agentrt.sandbox.internal.python;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.sandbox.ExecutionResult;
import dev.agentrt.sandbox.SandboxLimits;
import dev.agentrt.sandbox.internal.HostTools;
import dev.agentrt.sandbox.internal.MemoryCapExceeded;
import dev.agentrt.sandbox.internal.RunGuard;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import run.endive.runtime.CompiledModule;

import java.lang.reflect.InvocationTargetException;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Python for the code executor: CPython 3.13 for WASI ({@code io.trino:trino-wasm-python}), a
 * fresh interpreter per run. That artifact is Java 25 bytecode and optional, so nothing here names
 * its classes: {@link #create} looks them up and reports why Python is unavailable when the JVM
 * is older or the artifact is absent. Thread-safe; {@link #run} blocks.
 *
 * <p>Starting an interpreter and importing the guest script takes a second or more (the first one
 * also loads the module, seconds more), so after each run one interpreter is started ahead (when the
 * pool is enabled), in the background on {@link AgentSchedulers#compute()}, and {@link #startAhead}
 * starts one before the first run; each is used for one run only.
 */
public final class PythonRunner {
    public static final String LANGUAGE = "python";
    static final String MODULE_CLASS = "io.trino.wasm.python.Python";
    static final int REQUIRED_JAVA = 25;

    private static final Logger LOG = LoggerFactory.getLogger(PythonRunner.class);

    private final SandboxLimits limits;
    private final Optional<String> unavailable;
    private final boolean pooled;
    /** The interpreter being started, or started, ahead of the next run; null when none is. */
    private final AtomicReference<@Nullable FutureTask<PythonRun>> ahead = new AtomicReference<>();
    private volatile @Nullable CompiledModule module;
    private volatile boolean closed;

    private PythonRunner(SandboxLimits limits, Optional<String> unavailable, boolean pooled) {
        this.limits = limits;
        this.unavailable = unavailable;
        this.pooled = pooled;
    }

    /** A runner that keeps one interpreter started ahead after its first run when {@code pooled}. */
    public static PythonRunner create(SandboxLimits limits, boolean pooled) {
        return new PythonRunner(limits, probe(Runtime.version().feature(), PythonRunner.class.getClassLoader()),
                pooled);
    }

    /** Why Python cannot run in this JVM, or empty when it can. */
    public Optional<String> unavailable() {
        return unavailable;
    }

    /**
     * Runs {@code code} in a fresh interpreter, to its end, a limit, an error or an interruption,
     * under {@code guard}, whose clock starts once the interpreter is ready. Blocks. Only when
     * {@link #unavailable()} is empty.
     */
    public ExecutionResult run(String code, RunGuard guard) {
        return run(code, null, PythonFiles.none(), HostTools.none(), guard);
    }

    /**
     * As {@link #run(String, RunGuard)}, in the working directory {@code cwd} (null: {@code /}), with
     * {@code files} copied in before the clock starts and written back after the script ends. Throws
     * {@link PythonFiles.Refused} when a declared file cannot be copied in; nothing has run then.
     */
    public ExecutionResult run(String code, @Nullable String cwd, PythonFiles files, HostTools tools, RunGuard guard) {
        if (unavailable.isPresent()) {
            throw new IllegalStateException("python is unavailable: " + unavailable.get());
        }
        PythonRun run;
        try {
            run = take();
        } catch (MemoryCapExceeded e) {
            return PythonRun.memoryCapTooSmall(guard);
        }
        refill();
        try {
            run.copyIn(files);
        } catch (RuntimeException e) {
            run.close();
            throw e;
        }
        guard.startClock();
        return run.execute(code, cwd, files, tools, guard);
    }

    /**
     * Starts an interpreter in the background, on {@link AgentSchedulers#compute()}, for the next run to take, unless
     * one is started or starting already: the first run then does not pay for loading the module and starting
     * CPython (seconds). Does not block. Nothing happens when Python is unavailable or the runner is closed.
     */
    public void startAhead() {
        if (unavailable.isPresent() || closed) {
            return;
        }
        var task = new FutureTask<>(() -> {
            PythonRun run = PythonRun.prepare(module(), limits);
            if (closed) {
                run.close();
                throw new CancellationException("the runner was closed");
            }
            return run;
        });
        if (ahead.compareAndSet(null, task)) {
            try {
                AgentSchedulers.compute().schedule(task);
            } catch (RejectedExecutionException e) {
                // The next run starts it on its own thread (take runs a task nobody has started).
            }
        }
    }

    /**
     * The interpreter started ahead, or a new one. A start still queued is run here rather than waited for (so a
     * run never waits for a compute thread that may be the one it holds); one under way elsewhere is waited for,
     * rather than starting a second interpreter beside it.
     */
    private PythonRun take() {
        FutureTask<PythonRun> task = ahead.getAndSet(null);
        if (task != null) {
            task.run(); // does nothing when it is running or done
            try {
                return task.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ahead.compareAndSet(null, task); // the next run takes it
                throw new CancellationException("interrupted while an interpreter started");
            } catch (CancellationException e) {
                // closed meanwhile: start one as if none had been ahead
            } catch (ExecutionException e) {
                if (e.getCause() instanceof MemoryCapExceeded cap) {
                    throw cap;
                }
                LOG.warn("could not start a Python interpreter ahead", e.getCause());
            }
        }
        return PythonRun.prepare(module(), limits);
    }

    /**
     * Drops the interpreter kept ahead; later runs start their own. One still starting closes itself when it is
     * ready (at worst, in a narrow window, it is left to the garbage collector: it holds only memory).
     */
    public void close() {
        closed = true;
        FutureTask<PythonRun> task = ahead.getAndSet(null);
        if (task != null && task.isDone()) {
            try {
                task.get().close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | CancellationException e) {
                // nothing was started
            }
        }
    }

    private void refill() {
        if (pooled) {
            startAhead();
        }
    }

    private CompiledModule module() {
        CompiledModule m = module;
        if (m == null) {
            synchronized (this) {
                m = module;
                if (m == null) {
                    m = load(PythonRunner.class.getClassLoader());
                    module = m;
                }
            }
        }
        return m;
    }

    /** Why Python cannot run on a JVM of {@code javaFeature} with {@code loader}, or empty. */
    static Optional<String> probe(int javaFeature, @Nullable ClassLoader loader) {
        if (javaFeature < REQUIRED_JAVA) {
            return Optional.of("it needs Java " + REQUIRED_JAVA + " or later, this JVM is Java " + javaFeature);
        }
        try {
            // Not initialised: the check only asks whether the class is there and loadable.
            Class.forName(MODULE_CLASS, false, loader);
            return Optional.empty();
        } catch (ClassNotFoundException e) {
            return Optional.of("io.trino:trino-wasm-python is not on the class path");
        } catch (LinkageError e) {
            return Optional.of("io.trino:trino-wasm-python cannot be loaded: " + e);
        }
    }

    private static CompiledModule load(@Nullable ClassLoader loader) {
        try {
            Class<?> type = Class.forName(MODULE_CLASS, true, loader);
            return (CompiledModule) type.getConstructor().newInstance();
        } catch (ClassNotFoundException | NoSuchMethodException | InstantiationException | IllegalAccessException
                | InvocationTargetException | ClassCastException | LinkageError e) {
            throw new IllegalStateException("python is unavailable: cannot load " + MODULE_CLASS + ": " + e, e);
        }
    }
}
