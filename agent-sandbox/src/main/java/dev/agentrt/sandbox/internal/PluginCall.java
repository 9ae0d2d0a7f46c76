package dev.agentrt.sandbox.internal;

import dev.agentrt.core.SandboxException;
import org.jspecify.annotations.Nullable;
import run.endive.runtime.HostFunction;
import run.endive.runtime.Instance;
import run.endive.wasm.types.FunctionType;
import run.endive.wasm.types.ValType;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One call of a WASM tool plugin, as PLUGIN-ABI.md describes: the JSON input is copied into guest
 * memory through the plugin's {@code alloc}, {@code run(ptr, len)} returns the output's pointer and
 * length packed in an i64, and the host functions of module {@code agentrt} hand results back the
 * same way.
 */
public final class PluginCall implements GuestCall {
    private static final FunctionType PTR_LEN_TO_PACKED = FunctionType.of(List.of(ValType.I32, ValType.I32),
            List.of(ValType.I64));

    private final byte[] input;
    private final PluginHttp http;
    private final int maxOutputBytes;
    private byte @Nullable [] output;

    public PluginCall(byte[] input, PluginHttp http, int maxOutputBytes) {
        this.input = input.clone();
        this.http = http;
        this.maxOutputBytes = maxOutputBytes;
    }

    @Override
    public List<HostFunction> imports() {
        return List.of(new HostFunction("agentrt", "http_get", PTR_LEN_TO_PACKED, (instance, args) -> {
            String url = readString(instance, args[0], args[1]);
            byte[] answer = http.get(url).toJson().getBytes(StandardCharsets.UTF_8);
            return new long[]{writeToGuest(instance, answer)};
        }));
    }

    @Override
    public long[] call(Instance instance) {
        for (String export : List.of("alloc", "run")) {
            if (!WasmEngine.hasExport(instance.module(), export)) {
                throw new SandboxException("the plugin exports no '" + export + "' function (see PLUGIN-ABI.md)");
            }
        }
        if (WasmEngine.hasExport(instance.module(), "_initialize")) {
            instance.export("_initialize").apply();
        }
        long in = writeToGuest(instance, input);
        long packed = instance.export("run").apply(in >>> 32, in & 0xffff_ffffL)[0];
        int ptr = (int) (packed >>> 32);
        int len = (int) packed;
        if (len < 0 || len > maxOutputBytes) {
            throw new OutputCapExceeded(maxOutputBytes);
        }
        output = instance.memory().readBytes(ptr, len);
        return new long[0];
    }

    /** The plugin's JSON output, or null if {@code run} did not return. */
    public @Nullable String output() {
        return output == null ? null : new String(output, StandardCharsets.UTF_8);
    }

    private String readString(Instance instance, long ptr, long len) {
        if (len < 0 || len > maxOutputBytes) {
            throw new OutputCapExceeded(maxOutputBytes);
        }
        return new String(instance.memory().readBytes((int) ptr, (int) len), StandardCharsets.UTF_8);
    }

    private static long writeToGuest(Instance instance, byte[] bytes) {
        int ptr = (int) instance.export("alloc").apply(bytes.length)[0];
        instance.memory().write(ptr, bytes);
        return ((long) ptr << 32) | (bytes.length & 0xffff_ffffL);
    }
}
