package dev.agentrt.sandbox.internal.js;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.sandbox.internal.CappedMemory;
import dev.agentrt.sandbox.internal.CappedOutput;
import dev.agentrt.sandbox.internal.HostTools;
import dev.agentrt.sandbox.internal.RunGuard;
import io.roastedroot.quickjs4j.core.Builtins;
import io.roastedroot.quickjs4j.core.Engine;
import io.roastedroot.quickjs4j.core.ScriptCache;
import org.jspecify.annotations.Nullable;
import run.endive.log.Logger;
import run.endive.wasm.types.MemoryLimits;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One started QuickJS engine, used for exactly one run and then dropped: an engine keeps the
 * script's globals, and is unusable after an interruption or a trap.
 *
 * <p>The host functions are bound when the engine starts (before the run is known, when it comes
 * from the pool), so they reach the run through {@link #bind}.
 */
final class JsEngine {
    static final String HARNESS = harness();
    private static final ScriptCache COMPILED = new HarnessCache();
    private static final Logger QUIET = new QuietLogger();

    private final Engine engine;
    private final CappedOutput stdout;
    private final CappedOutput stderr;
    private final int maxPages;
    private volatile @Nullable CappedMemory memory;
    private volatile @Nullable Run run;

    /** What a run sees through the host functions, and what it reports through them. */
    static final class Run {
        final String code;
        final HostFiles files;
        final HostTools tools;
        final int maxValueBytes;
        final RunGuard guard;
        volatile @Nullable String valueJson;
        volatile @Nullable String errorJson;

        Run(String code, HostFiles files, HostTools tools, int maxValueBytes, RunGuard guard) {
            this.code = code;
            this.files = files;
            this.tools = tools;
            this.maxValueBytes = maxValueBytes;
            this.guard = guard;
        }
    }

    private JsEngine(int maxPages, int maxOutputBytes) {
        this.maxPages = maxPages;
        this.stdout = new CappedOutput(maxOutputBytes);
        this.stderr = new CappedOutput(maxOutputBytes);
        Builtins host = Builtins.builder("agentrt_host")
                .addVoidToString("code", () -> current().code)
                .addStringToVoid("value", this::onValue)
                .addStringToVoid("error", json -> current().errorJson = json)
                .addStringToString("call", this::onCall)
                .build();
        this.engine = Engine.builder()
                .addBuiltins(host)
                .withMemoryFactory(this::memory)
                .withCache(COMPILED)
                .withLogger(QUIET)
                .withStdout(stdout)
                .withStderr(stderr)
                .build();
    }

    /**
     * Starts an engine whose linear memory cannot grow past {@code maxPages}. Throws
     * {@code MemoryCapExceeded} when the engine needs more than that just to start.
     */
    static JsEngine start(int maxPages, int maxOutputBytes) {
        return new JsEngine(maxPages, maxOutputBytes);
    }

    private CappedMemory memory(MemoryLimits declared) {
        CappedMemory m = CappedMemory.of(declared, maxPages);
        memory = m;
        return m;
    }

    /** Hands the engine to {@code run}: its host functions, output and memory report to the run's guard. */
    void bind(Run run) {
        this.run = run;
        stdout.bind(run.guard);
        stderr.bind(run.guard);
        CappedMemory m = memory;
        if (m != null) {
            m.bind(run.guard);
        }
    }

    /** The engine's linear memory, once it has one. */
    @Nullable
    CappedMemory memory() {
        return memory;
    }

    Engine engine() {
        return engine;
    }

    CappedOutput stdout() {
        return stdout;
    }

    CappedOutput stderr() {
        return stderr;
    }

    void close() {
        try {
            engine.close();
        } catch (RuntimeException e) {
            // Closing only flushes in-memory streams; nothing is left to release.
        }
    }

    private Run current() {
        Run r = run;
        if (r == null) {
            throw new IllegalStateException("engine has no run bound");
        }
        return r;
    }

    private void onValue(String json) {
        Run r = current();
        if (json.length() > r.maxValueBytes) {
            r.guard.stop(RunGuard.Stop.OUTPUT_LIMIT);
            return;
        }
        r.valueJson = json;
    }

    private String onCall(String requestJson) {
        // Never throws: an exception in a host function leaves the engine unusable and the script
        // without an error it can catch.
        try {
            JsonObject request = JsonValue.parse(requestJson).asObject();
            String op = request.getString("op").orElse("");
            String path = request.getString("path").orElse("");
            Run run = current();
            return switch (op) {
                case "tools" -> JsonObject.builder()
                        .put("value", JsonValue.parse(run.tools.namesJson()))
                        .build()
                        .toJson();
                case "tool" -> run.tools.call(request.getString("name").orElse(""), request.get("args"), run.guard);
                case "read" -> JsonObject.builder().put("value", current().files.read(path)).build().toJson();
                case "write" -> {
                    current().files.write(path, request.getString("content").orElse(""));
                    yield JsonObject.builder().put("value", JsonValue.nullValue()).build().toJson();
                }
                default -> error("unknown host operation '" + op + "'");
            };
        } catch (HostFiles.Denied e) {
            return error(String.valueOf(e.getMessage()));
        } catch (RuntimeException e) {
            return error("host call failed: " + e);
        }
    }

    private static String error(String message) {
        return JsonObject.builder().put("error", message).build().toJson();
    }

    private static String harness() {
        try (InputStream in = JsEngine.class.getResourceAsStream("harness.js")) {
            if (in == null) {
                throw new IllegalStateException("harness.js is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Bytecode of the harness, shared by every engine: the only script an engine compiles (the
     * model's code goes through {@code eval}), so this holds one entry, and never grows past a few.
     */
    private static final class HarnessCache implements ScriptCache {
        private static final int MAX_ENTRIES = 4;
        private final Map<String, byte[]> compiled = new ConcurrentHashMap<>();

        private static String key(byte[] source) {
            return new String(source, StandardCharsets.ISO_8859_1);
        }

        @Override
        public boolean exists(byte[] source) {
            return compiled.containsKey(key(source));
        }

        @Override
        public void set(byte[] source, byte[] bytecode) {
            if (compiled.size() < MAX_ENTRIES) {
                compiled.putIfAbsent(key(source), bytecode.clone());
            }
        }

        @Override
        public byte[] get(byte[] source) {
            byte[] b = compiled.get(key(source));
            return b == null ? new byte[0] : b;
        }
    }
}
