package dev.agentrt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.Message;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

class WasmPluginTest {
    @Test
    void theBundledPluginFetchesTheLocalPageItsManifestAndTheGrantsAllow() {
        var bytes = new ByteArrayOutputStream();

        AgentResult result = WasmPlugin.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), Map.of());

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("Plugin http_status asks for [net:127.0.0.1]")
                .contains("→ tool call http_status {\"url\":\"http://127.0.0.1:")
                .contains("Answer: Yes: the service answered 200");
        Message.ToolResult fetched = result.transcript()
                .stream()
                .filter(Message.ToolResult.class::isInstance)
                .map(Message.ToolResult.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(fetched.error()).isFalse();
        assertThat(fetched.content()).contains("\"status\":200").contains("\\\"status\\\":\\\"up\\\"");
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
    }
}
