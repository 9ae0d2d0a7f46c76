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

import java.io.IOException;
import java.lang.ref.SoftReference;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
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
 * also loads the module, seconds more). So the state of the first interpreter started in the JVM, right after
 * its start, is kept as an {@link InterpreterImage}, and every later interpreter, of any runner, is a new
 * instance given that state (milliseconds):
 * each run still begins in an interpreter that has run nothing else. After each run one interpreter is
 * prepared ahead (when the pool is enabled), in the background on {@link AgentSchedulers#compute()}, and
 * {@link #startAhead} prepares one before the first run; each is used for one run only.
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
    /**
     * Per interpreter module (its class, one per class loader): the image of the first interpreter started in
     * this JVM, shared by every runner, since it holds only what any runner's start would make. Softly held (it
     * is the size of the interpreter's memory, some 35 MB): under memory pressure the next start is a full one
     * again.
     */
    private static final ClassValue<Images> IMAGES = new ClassValue<>() {
        @Override
        protected Images computeValue(Class<?> type) {
            return new Images();
        }
    };

    private volatile @Nullable CompiledModule module;
    private volatile boolean closed;

    /** Where the interpreter image is kept between JVMs, or null. */
    private final @Nullable Path imageDir;
    /** The last write of the image file, for tests; completed when there is none. */
    private volatile CompletableFuture<@Nullable Void> imageSaved = CompletableFuture.completedFuture(null);

    private PythonRunner(SandboxLimits limits, Optional<String> unavailable, boolean pooled, @Nullable Path imageDir) {
        this.limits = limits;
        this.unavailable = unavailable;
        this.pooled = pooled;
        this.imageDir = imageDir;
    }

    /** A runner that keeps one interpreter started ahead after its first run when {@code pooled}. */
    public static PythonRunner create(SandboxLimits limits, boolean pooled) {
        return create(limits, pooled, null);
    }

    /**
     * As {@link #create(SandboxLimits, boolean)}, keeping the interpreter image also in {@code imageDir} (null:
     * in memory only), so that a later JVM's first run is made from it too.
     */
    public static PythonRunner create(SandboxLimits limits, boolean pooled, @Nullable Path imageDir) {
        return new PythonRunner(limits, probe(Runtime.version().feature(), PythonRunner.class.getClassLoader()),
                pooled, imageDir);
    }

    /** Forgets the image this JVM holds of this runner's module, as if no interpreter had started yet. */
    void forgetImage() {
        IMAGES.remove(module().getClass());
    }

    /** Whether the image later runs start from was read from a file. */
    boolean imageFromFile() {
        InterpreterImage i = IMAGES.get(module().getClass()).get();
        return i != null && i.fromFile();
    }

    /** The size of the interpreter image later runs start from, or -1 while there is none. */
    long imageBytes() {
        InterpreterImage i = IMAGES.get(module().getClass()).get();
        return i == null ? -1 : i.bytes();
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
            PythonRun run = start();
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
        return start();
    }

    /**
     * A new interpreter: made from the image of the first one when there is one (milliseconds), else started
     * (seconds), its image then kept for the next ones. Throws {@code MemoryCapExceeded} when the cap is below
     * what it needs.
     */
    private PythonRun start() {
        CompiledModule m = module();
        Images images = IMAGES.get(m.getClass());
        Path file = imageDir == null ? null : imageDir.resolve(imageFileName(m.getClass()));
        InterpreterImage i = images.get();
        if (i == null && file != null) {
            i = images.load(file, imageKey(m.getClass()), limits.maxMemoryPages());
        }
        if (i != null) {
            try {
                return PythonRun.restore(m, limits, i);
            } catch (InterpreterImage.Mismatch e) {
                LOG.warn("a Python interpreter image does not fit its module; CPython starts in full", e);
                images.refuse(i);
            }
        }
        PythonRun run = PythonRun.prepare(m, limits);
        InterpreterImage taken = images.offer(run);
        if (taken != null && file != null) {
            save(file, imageKey(m.getClass()), taken);
        }
        return run;
    }

    private void save(Path file, String key, InterpreterImage image) {
        var saved = new CompletableFuture<@Nullable Void>();
        imageSaved = saved;
        try {
            AgentSchedulers.blocking().schedule(() -> {
                try {
                    ImageFile.write(file, key, image);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("cannot keep the Python interpreter image in {}: {}", file, e.toString());
                } finally {
                    saved.complete(null);
                }
            });
        } catch (RejectedExecutionException e) {
            saved.complete(null);
        }
    }

    /**
     * Makes sure the image directory holds a usable image file of this runner's module: reads the file when one is
     * there, else writes the image this JVM holds, else starts CPython in full (seconds) and writes its image.
     * Returns whether a usable file is there at the end; false without an image directory, when Python cannot run
     * here, or when the image cannot be taken or written (logged). Blocks: for a build or deployment step that
     * prepares what a later JVM's first run starts from.
     */
    public boolean prepareImage() {
        if (imageDir == null || unavailable.isPresent() || closed) {
            return false;
        }
        CompiledModule m = module();
        Images images = IMAGES.get(m.getClass());
        Path file = imageDir.resolve(imageFileName(m.getClass()));
        String key = imageKey(m.getClass());
        if (Files.isRegularFile(file) && ImageFile.read(file, key, limits.maxMemoryPages()) != null) {
            return true;
        }
        InterpreterImage held = images.get();
        if (held != null) {
            save(file, key, held);
        } else {
            start().close();
        }
        imageSaved.join();
        return Files.isRegularFile(file) && ImageFile.read(file, key, limits.maxMemoryPages()) != null;
    }

    /** Completes when the image file this runner last began to write is written (or could not be). */
    CompletableFuture<@Nullable Void> imageSaved() {
        return imageSaved;
    }

    /**
     * What an image file must have been taken from to be used: the interpreter module's class and the artifact
     * it was loaded from (its version, size and time), and the guest script the image has imported.
     */
    static String imageKey(Class<?> moduleClass) {
        var key = new StringBuilder(moduleClass.getName());
        Package p = moduleClass.getPackage();
        key.append(' ').append(p == null ? null : p.getImplementationVersion());
        try {
            var source = moduleClass.getProtectionDomain().getCodeSource();
            if (source != null && source.getLocation() != null && "file".equals(source.getLocation().getProtocol())) {
                Path jar = Path.of(source.getLocation().toURI());
                key.append(' ')
                        .append(jar.getFileName())
                        .append(' ')
                        .append(Files.size(jar))
                        .append(' ')
                        .append(Files.getLastModifiedTime(jar).toMillis());
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            key.append(" unknown-source");
        }
        return key.append(" guest ").append(sha256(PythonRun.guestScript())).toString();
    }

    static String imageFileName(Class<?> moduleClass) {
        return "python-" + sha256(imageKey(moduleClass)).substring(0, 24) + ".image";
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
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

    /**
     * The image of one interpreter module's first start, once taken or read from a file; none for good once
     * one taken in this JVM did not fit.
     */
    private static final class Images {
        private @Nullable SoftReference<InterpreterImage> image;
        private boolean refused;
        private final Set<Path> read = new HashSet<>();

        synchronized @Nullable InterpreterImage get() {
            return image == null ? null : image.get();
        }

        /** The image {@code file} holds for {@code key}, read once per file in this JVM; null when none. */
        @Nullable
        InterpreterImage load(Path file, String key, int maxPages) {
            synchronized (this) {
                if (refused || !read.add(file)) {
                    return get();
                }
            }
            InterpreterImage loaded = ImageFile.read(file, key, maxPages);
            synchronized (this) {
                if (loaded != null && get() == null) {
                    image = new SoftReference<>(loaded);
                }
                return get();
            }
        }

        /**
         * Keeps the image of {@code run}, just started and unused, unless one is kept or images were refused;
         * returns it when kept.
         */
        @Nullable
        InterpreterImage offer(PythonRun run) {
            synchronized (this) {
                if (refused || get() != null) {
                    return null;
                }
            }
            InterpreterImage taken = run.image();
            synchronized (this) {
                if (taken == null) {
                    refused = true;
                } else if (!refused && get() == null) {
                    image = new SoftReference<>(taken);
                    return taken;
                }
                return null;
            }
        }

        /**
         * {@code failed} did not fit its module: it is dropped, and when it was taken in this JVM (not read from
         * a file, which may be stale) no image is used again.
         */
        synchronized void refuse(InterpreterImage failed) {
            if (get() == failed) {
                image = null;
            }
            if (!failed.fromFile()) {
                refused = true;
            }
        }
    }
}
