package dev.agentrt.consumercheck;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.sandbox.CodeExecutor;
import dev.agentrt.sandbox.ExecutionResult;
import dev.agentrt.sandbox.RunOutcome;
import dev.agentrt.sandbox.RunRequest;
import dev.agentrt.sandbox.RunResult;
import dev.agentrt.sandbox.Sandbox;
import dev.agentrt.sandbox.WasmModule;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * agent-sandbox on a consumer's class path: JavaScript in the code executor (QuickJS on Endive, whose
 * host bindings use Jackson 2), and a WASI command ({@code hello.wasm}, assembled from
 * agent-sandbox's {@code src/test/wat/hello.wat}) compiled and run by the {@link Sandbox}.
 */
public final class Smoke {
    private Smoke() {}

    public static void main(String[] args) throws IOException {
        try (CodeExecutor executor = CodeExecutor.javascript()) {
            ExecutionResult js = executor.execute("javascript", """
                    const xs = [1, 2, 3, 4, 5, 6];
                    console.log('sum of', xs.length, 'numbers');
                    ({ sum: xs.reduce((a, b) => a + b, 0) * 2 })""").block(Duration.ofSeconds(120));
            Checks.that(js != null, "the JavaScript run gave no result");
            Checks.equal("the JavaScript run's outcome", RunOutcome.OK, js.outcome());
            Checks.equal("what the JavaScript printed", "sum of 6 numbers\n", js.stdout());
            Checks.equal("the JavaScript value", JsonValue.parse("{\"sum\":42}"), js.value());
        }

        byte[] hello;
        try (InputStream wasm = Smoke.class.getResourceAsStream("/hello.wasm")) {
            Checks.that(wasm != null, "hello.wasm is not on the class path");
            hello = wasm.readAllBytes();
        }
        RunResult wasi = Sandbox.create().run(WasmModule.of(hello), RunRequest.empty()).block(Duration.ofSeconds(120));
        Checks.that(wasi != null, "the WASI run gave no result");
        Checks.equal("the WASI run's outcome", RunOutcome.OK, wasi.outcome());
        Checks.equal("what the WASI command printed", "hello, sandbox\n", wasi.stdout());
        System.out.println("agent-sandbox smoke test passed: JavaScript in the code executor and a WASI command"
                + " in the sandbox");
    }
}
