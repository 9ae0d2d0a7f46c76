package dev.agentrt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.testing.FakeHttpServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

class QuickStartTest {
    @Test
    void runsOfflineShowingAToolCallADenialAndTheAnswer() throws Exception {
        var bytes = new ByteArrayOutputStream();
        AgentResult result = QuickStart.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), Map.of());
        String out = bytes.toString(StandardCharsets.UTF_8);

        assertThat(out).contains("OFFLINE")
                .contains("→ tool call read_context_file")
                .contains("ship the agent loop")
                .contains("✗ denied read_env")
                .contains("env:AWS_SECRET_ACCESS_KEY")
                .contains("Final answer");
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(result.steps()).isEqualTo(2);
    }

    @Test
    void usesAnOpenAiCompatibleServerFromTheEnvironment() throws Exception {
        try (var server = FakeHttpServer.start()) {
            server.enqueue(FakeHttpServer.Responder
                    .sse("""
                            data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"Two things are left."},"finish_reason":null}]}

                            data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

                            data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":120,"completion_tokens":6}}

                            data: [DONE]

                            """));
            var bytes = new ByteArrayOutputStream();

            AgentResult result = QuickStart.run(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                    Map.of("OPENAI_BASE_URL", server.url() + "/v1", "AGENT_MODEL", "qwen3:4b"));

            assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("Using OpenAiChatModel[model=qwen3:4b")
                    .doesNotContain("OFFLINE");
            assertThat(result.text()).isEqualTo("Two things are left.");
            assertThat(result.usage().totalTokens()).isEqualTo(126);
            assertThat(server.lastRequest().path()).isEqualTo("/v1/chat/completions");
            assertThat(server.lastRequest().header("Authorization")).isNull();
        }
    }

    @Test
    void aBaseUrlWithoutAModelNameFallsBackOfflineAndSaysWhy() throws Exception {
        var bytes = new ByteArrayOutputStream();

        QuickStart.run(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                Map.of("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"));

        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("set AGENT_MODEL").contains("OFFLINE");
    }
}
