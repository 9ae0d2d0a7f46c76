package dev.agentrt.sandbox.internal.python;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.sandbox.ExecutionResult;
import dev.agentrt.sandbox.ExecutionResult.ScriptError;
import dev.agentrt.sandbox.RunOutcome;
import dev.agentrt.sandbox.SandboxLimits;
import dev.agentrt.sandbox.internal.CappedMemory;
import dev.agentrt.sandbox.internal.CappedOutput;
import dev.agentrt.sandbox.internal.HostTools;
import dev.agentrt.sandbox.internal.OutcomeClassifier;
import dev.agentrt.sandbox.internal.RunGuard;
import io.roastedroot.zerofs.Configuration;
import io.roastedroot.zerofs.ZeroFs;
import org.jspecify.annotations.Nullable;
import run.endive.runtime.CompiledModule;
import run.endive.runtime.HostFunction;
import run.endive.runtime.ImportValues;
import run.endive.runtime.Instance;
import run.endive.runtime.Memory;
import run.endive.wasi.WasiOptions;
import run.endive.wasi.WasiPreview1;
import run.endive.wasm.types.FunctionType;
import run.endive.wasm.types.MemoryLimits;
import run.endive.wasm.types.ValType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One Python run: a fresh instance of the interpreter (its memory capped), an in-memory file system
 * that the guest sees at {@code /guest}, holding the guest script, scratch space at {@code /guest/tmp}
 * and the run's declared files at {@code /guest} plus their host path ({@link PythonFiles}), writable
 * only where {@link WritablePaths} allows; captured and capped stdout/stderr. The
 * interpreter module is a Trino UDF host: {@code setup} imports {@code guest.py} and picks its
 * {@code run(code: str) -> str}, {@code execute} calls it with the code; the strings cross in
 * Trino's row encoding.
 */
final class PythonRun {
    private static final String GUEST = guest();
    static final String GUEST_DIR = "/guest";
    // Trino type ids of the host's encoding (pyhost.h): ROW and VARCHAR.
    private static final int ROW = 0;
    private static final int VARCHAR = 11;
    private static final long MAX_FILE_SYSTEM_BYTES = PythonFiles.MAX_DIRECTORY_BYTES + (32L << 20);

    private final int maxPages;
    private final int maxOutputBytes;
    private final CappedOutput stdout;
    private final CappedOutput stderr;
    private final FileSystem fs;
    private final WasiPreview1 wasi;
    private final WritablePaths writable;
    private final ToolChannel tools;
    private final Instance instance;
    private volatile @Nullable CappedMemory memory;
    private volatile @Nullable String hostError;

    /**
     * Starts an interpreter and imports the guest script (a second or more), or, given an {@code image} of one
     * that has done so, makes a new instance that interpreter (milliseconds). Blocks.
     */
    private PythonRun(CompiledModule module, SandboxLimits limits, @Nullable InterpreterImage image) {
        this.maxPages = limits.maxMemoryPages();
        this.maxOutputBytes = limits.maxOutputBytes();
        this.stdout = new CappedOutput(limits.maxOutputBytes());
        this.stderr = new CappedOutput(limits.maxOutputBytes());
        this.fs = ZeroFs.newFileSystem(Configuration.unix()
                .toBuilder()
                .setAttributeViews("unix")
                .setMaxSize(MAX_FILE_SYSTEM_BYTES)
                .setMaxCacheSize(0)
                .build());
        WasiPreview1 w = null;
        try {
            // The interpreter's host resolves paths through its first preopen only, which it calls /guest:
            // the root of the in-memory tree is that preopen, the guest script at its top.
            Files.writeString(fs.getPath("/guest.py"), GUEST);
            Path scratch = Files.createDirectories(fs.getPath(WritablePaths.SCRATCH.substring(GUEST_DIR.length())));
            // Code mode: a tool call is a request the script writes into its scratch directory, answered on
            // standard input (this interpreter imports no host function a call could use).
            this.tools = new ToolChannel(scratch.resolve(".tool-call"));
            var options = WasiOptions.builder()
                    .withStdin(tools, false)
                    .withStdout(stdout)
                    .withStderr(stderr)
                    .withDirectory(GUEST_DIR, fs.getPath("/"))
                    .withEnvironment("PYTHONDONTWRITEBYTECODE", "1")
                    .withEnvironment("PYTHONUNBUFFERED", "1");
            this.writable = new WritablePaths(List.of(GUEST_DIR));
            w = WasiPreview1.builder().withOptions(options.build()).build();
            this.wasi = w;
            this.instance = Instance.builder(module.wasmModule())
                    .withMachineFactory(module.machineFactory())
                    .withImportValues(ImportValues.builder()
                            .addFunction(writable.wrap(w.toHostFunctions()).toArray(HostFunction[]::new))
                            .addFunction(returnError())
                            .build())
                    .withMemoryFactory(this::memory)
                    .withStart(false)
                    .build();
            if (image != null) {
                image.restore(instance);
            } else {
                setup();
            }
        } catch (IOException e) {
            close(w);
            throw new UncheckedIOException("cannot prepare the in-memory file system", e);
        } catch (RuntimeException | Error e) {
            close(w);
            throw e;
        }
    }

    /**
     * A started interpreter with the guest script imported, ready for one {@link #execute}. Throws
     * {@code MemoryCapExceeded} when the cap is below what the interpreter needs to start.
     */
    static PythonRun prepare(CompiledModule module, SandboxLimits limits) {
        return new PythonRun(module, limits, null);
    }

    /**
     * As {@link #prepare}, from the {@code image} of an interpreter prepared so. Throws
     * {@link InterpreterImage.Mismatch} when the image does not fit this module, {@code MemoryCapExceeded} when
     * the cap is below the image's memory.
     */
    static PythonRun restore(CompiledModule module, SandboxLimits limits, InterpreterImage image) {
        return new PythonRun(module, limits, image);
    }

    /**
     * The image of this interpreter, which must not have run anything yet (called right after {@link #prepare});
     * null when its state cannot be held as an image.
     */
    @Nullable
    InterpreterImage image() {
        return InterpreterImage.of(instance);
    }

    /**
     * Copies {@code files} in and lets the next run write where they allow; throws
     * {@link PythonFiles.Refused}. Blocks on host file I/O.
     */
    void copyIn(PythonFiles files) {
        files.copyIn(fs);
        writable.allow(files.writable(), files.readOnly());
    }

    /**
     * Runs {@code code} in {@code cwd} (or {@code /}) to its end, a limit, an error or an interruption
     * under {@code guard} (whose clock the caller has started); then, if the script ended on its own
     * (a value, an error or an exit), writes back what {@code files} allow, and closes. Blocks.
     */
    ExecutionResult execute(String code, @Nullable String cwd, PythonFiles files, HostTools hostTools, RunGuard guard) {
        tools.bind(hostTools, guard);
        stdout.bind(guard);
        stderr.bind(guard);
        CappedMemory m = memory;
        if (m != null) {
            m.bind(guard);
        }
        @Nullable
        String reply = null;
        @Nullable
        Throwable failure = null;
        try {
            try {
                var request = JsonObject.builder().put("code", code);
                if (cwd != null) {
                    request.put("cwd", guestPath(cwd));
                }
                reply = call(request.build().toJson());
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                failure = e;
            } finally {
                guard.leaveGuest();
            }
            String out = stdout.text();
            String err = stderr.text();
            RunOutcome ended = OutcomeClassifier.ofRun(guard, failure);
            if (ended != null) {
                return result(ended, out, err, null, null, guard.elapsed());
            }
            ExecutionResult result = fromReply(reply, out, err, guard.elapsed());
            boolean endedOnItsOwn = result.outcome() == RunOutcome.OK || result.outcome() instanceof RunOutcome.Exit
                    || result.error() != null;
            if (!endedOnItsOwn) {
                return result;
            }
            List<String> notes = files.copyBack(fs);
            if (notes.isEmpty()) {
                return result;
            }
            String more = String.join("\n", notes) + "\n";
            return new ExecutionResult(result.language(), result.outcome(), result.stdout(),
                    result.stderr().isEmpty() || result.stderr().endsWith("\n")
                            ? result.stderr() + more
                            : result.stderr() + "\n" + more,
                    result.value(), result.error(), result.elapsed());
        } finally {
            close();
        }
    }

    /** The guest script every interpreter imports at its start. */
    static String guestScript() {
        return GUEST;
    }

    /** Where the guest sees the host path {@code host}: below {@code /guest}. */
    static String guestPath(String host) {
        return host.equals("/") ? GUEST_DIR : GUEST_DIR + host;
    }

    /** An interpreter never run: drops it. */
    void close() {
        close(wasi);
    }

    private void close(@Nullable WasiPreview1 w) {
        if (w != null) {
            w.close();
        }
        try {
            fs.close();
        } catch (IOException e) {
            // An in-memory file system has nothing to release.
        }
    }

    /** The result for a memory cap below what the interpreter needs to start. */
    static ExecutionResult memoryCapTooSmall(RunGuard guard) {
        return result(RunOutcome.MEMORY_LIMIT, "", "", null, null, guard.elapsed());
    }

    private ExecutionResult fromReply(@Nullable String reply, String out, String err, Duration elapsed) {
        if (reply == null) {
            String why = hostError != null ? hostError : "the interpreter returned no result";
            return result(RunOutcome.trap(why), out, err, null, null, elapsed);
        }
        JsonObject json;
        try {
            json = JsonValue.parse(reply).asObject();
        } catch (JsonParseException | IllegalStateException e) {
            return result(RunOutcome.trap("unreadable result from the interpreter"), out, err, null, null, elapsed);
        }
        if (json.getObject("error").isPresent()) {
            JsonObject e = json.getObject("error").orElseThrow();
            var error = new ScriptError(e.getString("type").orElse("Exception"), e.getString("message").orElse(""),
                    e.getLong("line").orElse(0L).intValue());
            RunOutcome outcome = OutcomeClassifier.scriptError(error, memory);
            return result(outcome, out, err, null, error, elapsed);
        }
        if (json.has("exit")) {
            return result(RunOutcome.exit(json.getLong("exit").orElse(1L).intValue()), out, err, null, null, elapsed);
        }
        JsonValue value = json.get("value");
        if (value != null && value.toJson().length() > maxOutputBytes) {
            return result(RunOutcome.OUTPUT_LIMIT, out, err, null, null, elapsed);
        }
        return result(RunOutcome.OK, out, err, value == null ? JsonValue.nullValue() : value, null, elapsed);
    }

    private void setup() {
        Memory m = instance.memory();
        int name = allocate(4);
        m.writeCString(name, "run");
        byte[] argType = ByteBuffer.allocate(12)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(ROW)
                .putInt(1)
                .putInt(VARCHAR)
                .array();
        int argTypePtr = allocate(argType.length);
        m.write(argTypePtr, argType);
        byte[] returnType = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(VARCHAR).array();
        int returnTypePtr = allocate(returnType.length);
        m.write(returnTypePtr, returnType);
        instance.export("setup").apply(name, argTypePtr, returnTypePtr);
    }

    private @Nullable String call(String code) {
        Memory m = instance.memory();
        byte[] source = code.getBytes(StandardCharsets.UTF_8);
        // A present row holding one present VARCHAR: flag, flag, length, bytes.
        byte[] data = ByteBuffer.allocate(1 + 1 + 4 + source.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 1)
                .put((byte) 1)
                .putInt(source.length)
                .put(source)
                .array();
        int dataPtr = allocate(data.length);
        m.write(dataPtr, data);
        int resultPtr = (int) instance.export("execute").apply(dataPtr)[0];
        if (resultPtr == 0 || m.read(resultPtr + 4) == 0) {
            return null;
        }
        // Result: total size, present flag, VARCHAR length, bytes.
        int length = m.readInt(resultPtr + 5);
        return m.readString(resultPtr + 9, length);
    }

    private int allocate(int size) {
        return (int) instance.export("allocate").apply(size)[0];
    }

    private HostFunction returnError() {
        // Called by the host only when guest.py itself failed; recorded, not thrown, so the run
        // ends with a result that names it.
        return new HostFunction("trino", "return_error",
                FunctionType.of(List.of(ValType.I32, ValType.I32, ValType.I32, ValType.I32, ValType.I32), List.of()),
                (instance, args) -> {
                    hostError = "python host error " + args[0] + ": "
                            + instance.memory().readString((int) args[1], (int) args[2]);
                    return null;
                });
    }

    private CappedMemory memory(MemoryLimits declared) {
        CappedMemory m = CappedMemory.of(declared, maxPages);
        memory = m;
        return m;
    }

    private static ExecutionResult result(RunOutcome outcome, String out, String err, @Nullable JsonValue value,
            @Nullable ScriptError error, Duration elapsed) {
        return new ExecutionResult(PythonRunner.LANGUAGE, outcome, out, err, value, error, elapsed);
    }

    private static String guest() {
        try (InputStream in = PythonRun.class.getResourceAsStream("guest.py")) {
            if (in == null) {
                throw new IllegalStateException("guest.py is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
