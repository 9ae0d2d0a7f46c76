package dev.agentrt.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The test modules, assembled from src/test/wat. */
final class TestModules {
    private TestModules() {}

    static WasmModule wasm(String name) {
        try (InputStream in = TestModules.class.getResourceAsStream("/wasm/" + name + ".wasm")) {
            if (in == null) {
                throw new IllegalStateException("no test module " + name);
            }
            return WasmModule.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
