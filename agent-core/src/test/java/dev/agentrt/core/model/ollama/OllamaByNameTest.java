package dev.agentrt.core.model.ollama;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatModels;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.testing.FakeHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

/** {@code ChatModels.byName("ollama:...")} against an Ollama server on 127.0.0.1. */
class OllamaByNameTest {
    final FakeHttpServer server = FakeHttpServer.start();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void theNamedModelSpeaksTheChatApiAtOllamaHostAndKeepsTheColonsOfItsName() {
        server.enqueue(OllamaChatModelTest.ndjson(OllamaChatModelTest.chunk("Hi from Ollama")
                + OllamaChatModelTest.done("stop", 5, 3)));
        URI url = URI.create(server.url());
        var env = Map.of("OLLAMA_HOST", url.getHost() + ":" + url.getPort());

        ChatModel model = ChatModels.byName("ollama:qwen3:4b", env::get);

        assertThat(model).isInstanceOf(OllamaChatModel.class);
        assertThat(OllamaChatModelTest.assemble(model.stream(ChatRequest.of(Message.user("Hi")))).message().text())
                .isEqualTo("Hi from Ollama");
        FakeHttpServer.Recorded sent = server.lastRequest();
        assertThat(sent.path()).isEqualTo("/api/chat");
        assertThat(sent.header("Authorization")).isNull();
        assertThat(JsonValue.parse(sent.body()).asObject().getString("model")).contains("qwen3:4b");
    }
}
