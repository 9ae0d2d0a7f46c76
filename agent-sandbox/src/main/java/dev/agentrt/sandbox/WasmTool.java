package dev.agentrt.sandbox;

import dev.agentrt.core.CapabilityDeniedException;
import dev.agentrt.core.SandboxException;
import dev.agentrt.core.internal.net.Network;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.sandbox.internal.PluginCall;
import dev.agentrt.sandbox.internal.PluginHttp;
import dev.agentrt.sandbox.internal.Runs;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A tool implemented by a WebAssembly plugin: the module gets the call's JSON arguments and
 * returns JSON (the contract is in {@code PLUGIN-ABI.md}), inside a {@link Sandbox} with the
 * limits of that sandbox. What the plugin may touch is what its {@link PluginManifest} lists:
 * those capabilities are the tool's {@link #requiredCapabilities}, so the tool registry refuses a
 * call unless the task's grants cover all of them, and the plugin's host functions and file system
 * reach nothing beyond them. {@code agentrt.http_get} goes through agent-core's egress layer: each
 * URL and redirect is resolved once, every address checked against both the task's grants and the
 * manifest, and the connection made to the checked address.
 *
 * <pre>{@code
 * Tool status = WasmTool.load(Path.of("http_status.wasm"),
 *         PluginManifest.parse(Files.readString(Path.of("http_status.json"))));
 * Agent agent = Agent.builder().model(model).tools(status)
 *         .grant(Capability.net("api.example.com"))
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe; calls run concurrently, each in a fresh instance, on the sandbox's
 * bounded scheduler. {@link #invoke} does not block; cancelling it interrupts the plugin.
 */
public final class WasmTool implements Tool {
    private final WasmModule module;
    private final PluginManifest manifest;
    private final Sandbox sandbox;
    private final ToolSpec spec;
    private final int maxResponseBytes;
    private final Network network;

    private WasmTool(WasmModule module, PluginManifest manifest, Sandbox sandbox, int maxResponseBytes,
            Network network) {
        this.module = module;
        this.manifest = manifest;
        this.sandbox = sandbox;
        this.maxResponseBytes = maxResponseBytes;
        this.network = network;
        this.spec = new ToolSpec(manifest.name(), manifest.description(), manifest.inputSchema());
    }

    /** A plugin from a {@code .wasm} file, run in a shared sandbox with {@link SandboxLimits#DEFAULT}. Blocks reading the file. */
    public static WasmTool load(Path wasm, PluginManifest manifest) {
        return load(WasmModule.read(wasm), manifest, DefaultSandbox.INSTANCE);
    }

    /** A plugin from module bytes, run in a shared sandbox with {@link SandboxLimits#DEFAULT}. */
    public static WasmTool load(byte[] wasm, PluginManifest manifest) {
        return load(WasmModule.of(wasm), manifest, DefaultSandbox.INSTANCE);
    }

    /**
     * A plugin run in {@code sandbox} (its limits, mode and compile cache). HTTP response bodies are
     * cut at the sandbox's output cap.
     */
    public static WasmTool load(WasmModule module, PluginManifest manifest, Sandbox sandbox) {
        return load(module, manifest, sandbox, Network.SYSTEM);
    }

    /** As above, with the egress layer's resolver, connector, TLS and clock; for tests of this package. */
    static WasmTool load(WasmModule module, PluginManifest manifest, Sandbox sandbox, Network network) {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(network, "network");
        return new WasmTool(module, manifest, sandbox, sandbox.limits().maxOutputBytes(), network);
    }

    public PluginManifest manifest() {
        return manifest;
    }

    @Override
    public ToolSpec spec() {
        return spec;
    }

    /** Everything the manifest lists, whatever the arguments. */
    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        return manifest.capabilities();
    }

    @Override
    public Mono<ToolResult> invoke(JsonObject arguments, ToolContext context) {
        byte[] input = arguments.toJson().getBytes(StandardCharsets.UTF_8);
        return Mono.defer(() -> {
            Grants grants = context.grants();
            return Runs.onScheduler(sandbox.scheduler(), sandbox.timer(), sandbox.limits().timeout(), guard -> {
                // The registry checked these already; checked again because a tool can be invoked directly.
                List<Capability> missing = grants.missing(manifest.capabilities());
                if (!missing.isEmpty()) {
                    return ToolResult.error(ToolErrorKind.PERMISSION_DENIED,
                            "The plugin " + manifest.name() + " needs " + describe(missing)
                                    + ", which this task was not granted.");
                }
                RunRequest.Builder request = RunRequest.builder().grants(grants);
                manifest.files().forEach(request::mount);
                for (String name : manifest.env()) {
                    String value = System.getenv(name);
                    if (value != null) {
                        request.env(name, value);
                    }
                }
                var http = new PluginHttp(network, manifest.networkCapabilities(), grants,
                        maxResponseBytes, sandbox.limits().timeout());
                var call = new PluginCall(input, http, sandbox.limits().maxOutputBytes());
                try {
                    RunResult run = sandbox.engine()
                            .run(module.digest(), module.bytesUnsafe(), request.build(), guard,
                                    call);
                    return result(run, call.output());
                } catch (CapabilityDeniedException e) {
                    return ToolResult.error(ToolErrorKind.PERMISSION_DENIED, e.getMessage());
                } catch (SandboxException e) {
                    return ToolResult.error(ToolErrorKind.EXECUTION_FAILED,
                            "The plugin " + manifest.name() + " could not run: " + e.getMessage());
                }
            });
        })
                .onErrorResume(SandboxException.class, e -> Mono.just(ToolResult.error(ToolErrorKind.EXECUTION_FAILED,
                        "The plugin " + manifest.name() + " could not run: " + e.getMessage())));
    }

    private ToolResult result(RunResult run, @Nullable String output) {
        if (run.outcome() instanceof RunOutcome.Timeout) {
            return ToolResult.error(ToolErrorKind.TIMEOUT, "The plugin " + manifest.name() + " did not finish within "
                    + sandbox.limits().timeout().toMillis() + " ms and was stopped.");
        }
        if (!(run.outcome() instanceof RunOutcome.Ok) || output == null) {
            String stderr = run.stderr().isBlank() ? "" : " stderr: " + tail(run.stderr());
            return ToolResult.error(ToolErrorKind.EXECUTION_FAILED,
                    "The plugin " + manifest.name() + " failed: " + run.outcome().describe() + "." + stderr);
        }
        JsonValue json;
        try {
            json = JsonValue.parse(output);
        } catch (RuntimeException e) {
            return ToolResult.error(ToolErrorKind.EXECUTION_FAILED,
                    "The plugin " + manifest.name() + " returned output that is not JSON.");
        }
        if (json instanceof JsonObject o && o.getString("error").isPresent()) {
            return ToolResult.error(ToolErrorKind.EXECUTION_FAILED, o.getString("error").orElseThrow());
        }
        return ToolResult.json(json);
    }

    private static String describe(List<Capability> caps) {
        return String.join(", ", caps.stream().map(Capability::describe).toList());
    }

    private static String tail(String s) {
        return s.length() <= 500 ? s.strip() : "…" + s.substring(s.length() - 500).strip();
    }

    @Override
    public String toString() {
        return "WasmTool[" + manifest.name() + ", " + module + "]";
    }

    private static final class DefaultSandbox {
        static final Sandbox INSTANCE = Sandbox.create();
    }
}
