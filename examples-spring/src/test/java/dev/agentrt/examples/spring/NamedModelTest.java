package dev.agentrt.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.testing.FakeHttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * With {@code agentrt.model} set, the example runs on that model rather than its scripted one: here an
 * OpenAI-compatible server on 127.0.0.1, its base URL given as a Spring property ({@code OPENAI_BASE_URL}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class NamedModelTest {
    @TempDir
    static Path dir;

    static final FakeHttpServer server = FakeHttpServer.start();

    @DynamicPropertySource
    static void anOpenAiCompatibleServer(DynamicPropertyRegistry registry) {
        registry.add("agentrt.model", () -> "openai:qwen3:4b");
        registry.add("OPENAI_BASE_URL", () -> server.url() + "/v1");
        registry.add("agentrt.memory.path", () -> dir.resolve("memory").toString());
        registry.add("agentrt.runs.path", () -> dir.resolve("runs.db").toString());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    Agent agent;

    @Autowired
    ChatModel model;

    @Test
    void theNamedModelAnswersWithTheAgentsToolsOffered() {
        server.enqueue(FakeHttpServer.Responder
                .sse("""
                        data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"It has shipped."},"finish_reason":null}]}

                        data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

                        data: [DONE]

                        """));
        WebTestClient client = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofMinutes(2))
                .build();

        Map<?, ?> answer = client.post()
                .uri("/support/questions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("question", "Where is order A-1002?"))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();

        assertThat(model.getClass().getSimpleName()).isEqualTo("OpenAiChatModel");
        assertThat(agent.model()).isSameAs(model);
        assertThat(answer.get("outcome")).isEqualTo(Outcome.COMPLETED.name());
        assertThat(answer.get("answer")).isEqualTo("It has shipped.");
        FakeHttpServer.Recorded request = server.lastRequest();
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        assertThat(request.body()).contains("Where is order A-1002?")
                .contains("\"order\"")
                .contains("\"refund\"")
                .contains("Refund policy:");
    }
}
