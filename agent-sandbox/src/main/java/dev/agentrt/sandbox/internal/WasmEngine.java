package dev.agentrt.sandbox.internal;

import dev.agentrt.core.SandboxException;
import dev.agentrt.sandbox.ExecutionMode;
import dev.agentrt.sandbox.Mount;
import dev.agentrt.sandbox.RunOutcome;
import dev.agentrt.sandbox.RunRequest;
import dev.agentrt.sandbox.RunResult;
import dev.agentrt.sandbox.SandboxLimits;
import org.jspecify.annotations.Nullable;
import run.endive.compiler.InterpreterFallback;
import run.endive.compiler.MachineFactoryCompiler;
import run.endive.runtime.ExportFunction;
import run.endive.runtime.HostFunction;
import run.endive.runtime.ImportFunction;
import run.endive.runtime.ImportValues;
import run.endive.runtime.Instance;
import run.endive.runtime.Machine;
import run.endive.wasi.WasiOptions;
import run.endive.wasi.WasiPreview1;
import run.endive.wasm.InvalidException;
import run.endive.wasm.MalformedException;
import run.endive.wasm.Parser;
import run.endive.wasm.UnlinkableException;
import run.endive.wasm.WasmModule;
import run.endive.wasm.types.Export;
import run.endive.wasm.types.ExternalType;
import run.endive.wasm.types.MemoryImport;

import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Parses and compiles modules once (cached by content hash), and runs one instance per request on
 * the calling thread, turning every way a run can end into a {@link RunOutcome}. Thread-safe; a run
 * blocks its thread for as long as the guest runs.
 */
public final class WasmEngine {
    private final ExecutionMode mode;
    private final SandboxLimits limits;
    private final Clock clock;
    private final Supplier<? extends Random> random;
    private final long maxFileSystemBytes;
    private final int cacheSize;
    private final ConcurrentHashMap<String, Compiled> cache = new ConcurrentHashMap<>();

    private record Compiled(WasmModule module, @Nullable Function<Instance, Machine> machine) {}

    public WasmEngine(ExecutionMode mode, SandboxLimits limits, Clock clock, Supplier<? extends Random> random,
            long maxFileSystemBytes, int cacheSize) {
        this.mode = mode;
        this.limits = limits;
        this.clock = clock;
        this.random = random;
        this.maxFileSystemBytes = maxFileSystemBytes;
        this.cacheSize = cacheSize;
    }

    public SandboxLimits limits() {
        return limits;
    }

    /** Parses and (in compiled mode) translates the module unless the cache has it. Blocks; throws {@link SandboxException} for an invalid module. */
    public void prepare(String digest, byte[] bytes) {
        compiled(digest, bytes);
    }

    /** Number of modules in the compile cache. */
    public int cached() {
        return cache.size();
    }

    private Compiled compiled(String digest, byte[] bytes) {
        Compiled c = cache.get(digest);
        if (c != null) {
            return c;
        }
        // Compiled outside the map's lock: two racing first runs may both compile, which is harmless.
        c = compile(bytes);
        if (cache.size() >= cacheSize) {
            cache.keySet().stream().findAny().ifPresent(cache::remove);
        }
        Compiled earlier = cache.putIfAbsent(digest, c);
        return earlier != null ? earlier : c;
    }

    private Compiled compile(byte[] bytes) {
        WasmModule module;
        try {
            module = Parser.parse(bytes);
        } catch (RuntimeException e) {
            throw new SandboxException("not a valid WebAssembly module: " + e.getMessage(), e);
        }
        if (mode == ExecutionMode.INTERPRETED) {
            return new Compiled(module, null);
        }
        try {
            // A function too large for one JVM method runs in the interpreter instead of failing the module.
            return new Compiled(module, MachineFactoryCompiler.builder(module)
                    .withInterpreterFallback(InterpreterFallback.SILENT)
                    .compile());
        } catch (RuntimeException e) {
            throw new SandboxException("the module cannot be compiled: " + e.getMessage(), e);
        }
    }

    /** A command run ({@code _start}) or a call of the request's export. */
    public RunResult run(String digest, byte[] bytes, RunRequest request, RunGuard guard) {
        String export = request.export();
        long[] args = request.exportArgs().stream().mapToLong(Long::longValue).toArray();
        return run(digest, bytes, request, guard,
                instance -> export == null ? start(instance) : call(instance, export, args));
    }

    /**
     * Runs with a custom call and extra imports (plugins). Starts the run's clock once the module is
     * compiled; blocks until the guest ends.
     */
    public RunResult run(String digest, byte[] bytes, RunRequest request, RunGuard guard, GuestCall call) {
        Compiled compiled = compiled(digest, bytes);
        guard.startClock();
        int capPages = limits.maxMemoryPages();
        if (initialPages(compiled.module()) > capPages) {
            return new RunResult(RunOutcome.MEMORY_LIMIT, "", "", List.of(), List.of(), List.of(), guard.elapsed());
        }
        var stdout = new CappedOutput(limits.maxOutputBytes(), guard);
        var stderr = new CappedOutput(limits.maxOutputBytes(), guard);
        RunOutcome outcome;
        List<Long> returned = List.of();
        GuestFiles.CopyBack copied = GuestFiles.CopyBack.NONE;
        GuestFiles prepared;
        try {
            prepared = GuestFiles.prepare(request.mounts(), request.grants(), maxFileSystemBytes);
        } catch (RuntimeException e) {
            RunOutcome stopped = OutcomeClassifier.ofRun(guard, null);
            if (stopped != null) {
                return new RunResult(stopped, "", "", List.of(), List.of(), List.of(), guard.elapsed());
            }
            throw e;
        }
        try (GuestFiles files = prepared) {
            var options = WasiOptions.builder()
                    .withStdout(stdout, false)
                    .withStderr(stderr, false)
                    .withStdin(new ByteArrayInputStream(request.stdin()), false)
                    .withClock(clock)
                    .withRandom(random.get());
            var argv = new ArrayList<String>();
            argv.add("main");
            argv.addAll(request.args());
            options.withArguments(argv);
            for (Map.Entry<String, String> e : request.env().entrySet()) {
                options.withEnvironment(e.getKey(), e.getValue());
            }
            var readOnlyFds = new ArrayList<Integer>();
            int fd = 3;
            for (Mount m : request.mounts()) {
                options.withDirectory(m.guestPath(), files.preopens().get(m.guestPath()));
                if (!m.writable()) {
                    readOnlyFds.add(fd);
                }
                fd++;
            }
            try (WasiPreview1 wasi = WasiPreview1.builder().withOptions(options.build()).build()) {
                var imports = new ArrayList<ImportFunction>(
                        new ReadOnlyGuard(readOnlyFds).wrap(wasi.toHostFunctions()));
                for (HostFunction f : call.imports()) {
                    imports.add(f);
                }
                @Nullable
                Throwable failure = null;
                try {
                    var builder = Instance.builder(compiled.module())
                            .withImportValues(ImportValues.builder().withFunctions(imports).build())
                            .withMemoryFactory(l -> {
                                CappedMemory memory = CappedMemory.of(l, capPages);
                                memory.bind(guard);
                                return memory;
                            })
                            .withStart(false);
                    if (compiled.machine() != null) {
                        builder.withMachineFactory(compiled.machine());
                    }
                    Instance instance = builder.build();
                    long[] values = call.call(instance);
                    if (values != null) {
                        var list = new ArrayList<Long>(values.length);
                        for (long v : values) {
                            list.add(v);
                        }
                        returned = list;
                    }
                } catch (MalformedException | InvalidException | UnlinkableException e) {
                    throw new SandboxException("the module cannot be instantiated: " + e.getMessage(), e);
                } catch (SandboxException e) {
                    throw e;
                } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                    failure = e;
                } finally {
                    guard.leaveGuest();
                }
                RunOutcome ended = OutcomeClassifier.ofRun(guard, failure);
                outcome = ended != null ? ended : RunOutcome.OK;
            }
            // Only a run that ended cleanly writes to the host: a failed one may have left files half written.
            if (outcome instanceof RunOutcome.Ok) {
                copied = files.copyBack();
            }
        }
        return new RunResult(outcome, stdout.text(), stderr.text(), returned, copied.written(), copied.refused(),
                guard.elapsed());
    }

    private static long[] start(Instance instance) {
        if (!hasExport(instance.module(), "_start")) {
            throw new SandboxException("the module exports no _start function: it is not a WASI command; "
                    + "call one of its exports with RunRequest.builder().call(name, args)");
        }
        instance.export("_start").apply();
        return new long[0];
    }

    private static long[] call(Instance instance, String export, long[] args) {
        if (!hasExport(instance.module(), export)) {
            throw new SandboxException("the module exports no function named '" + export + "'");
        }
        if (hasExport(instance.module(), "_initialize")) {
            instance.export("_initialize").apply();
        }
        ExportFunction f = instance.export(export);
        return f.apply(args);
    }

    static boolean hasExport(WasmModule module, String name) {
        var exports = module.exportSection();
        for (int i = 0; i < exports.exportCount(); i++) {
            Export e = exports.getExport(i);
            if (e.name().equals(name) && e.exportType() == ExternalType.FUNCTION) {
                return true;
            }
        }
        return false;
    }

    private static int initialPages(WasmModule module) {
        int pages = module.memorySection()
                .map(s -> s.memoryCount() == 0 ? 0 : s.getMemory(0).limits().initialPages())
                .orElse(0);
        var imports = module.importSection();
        for (int i = 0; i < imports.importCount(); i++) {
            if (imports.getImport(i) instanceof MemoryImport m) {
                pages = Math.max(pages, m.limits().initialPages());
            }
        }
        return pages;
    }
}
