package dev.agentrt.examples.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.inference.testing.TinyChatModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The files bundled with the examples are copies: they must stay equal to what their sources produce. */
class BundledFilesTest {
    @TempDir
    Path tmp;

    @Test
    void theTinyChatModelIsTheOneAgentInferenceGenerates() throws IOException {
        Path generated = TinyChatModels.writeBigram(tmp.resolve("generated"));
        try (Offline offline = Offline.start(new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), Map.of())) {
            Path bundled = offline.tinyChatModel();
            try (var files = Files.list(generated)) {
                List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
                assertThat(names).hasSize(5);
                for (String name : names) {
                    if (name.endsWith(".json")) {
                        // Equal as JSON: the generator writes some objects from Map.of, whose order varies by run.
                        assertThat(JsonValue.parse(Files.readString(bundled.resolve(name)))).as(name)
                                .isEqualTo(JsonValue.parse(Files.readString(generated.resolve(name))));
                    } else {
                        assertThat(bundled.resolve(name)).as(name).hasSameBinaryContentAs(generated.resolve(name));
                    }
                }
            }
        }
    }

    @Test
    void thePluginAndItsManifestAreAgentSandboxs() throws IOException {
        // The tests run in the examples module's directory, beside agent-sandbox.
        Path sandboxResources = Path.of("..", "agent-sandbox", "src", "test", "resources");
        try (Offline offline = Offline.start(new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), Map.of())) {
            Path bundled = offline.plugins();
            assertThat(bundled.resolve("http_status.wasm"))
                    .hasSameBinaryContentAs(sandboxResources.resolve("wasm/http_status.wasm"));
            assertThat(bundled.resolve("http_status.json"))
                    .hasSameBinaryContentAs(sandboxResources.resolve("plugins/http_status.json"));
        }
    }
}
