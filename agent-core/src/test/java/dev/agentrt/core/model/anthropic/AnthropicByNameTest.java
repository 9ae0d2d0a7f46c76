package dev.agentrt.core.model.anthropic;

import static dev.agentrt.core.testing.FakeHttpServer.Responder.sse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatModels;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.testing.FakeHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

/** {@code ChatModels.byName("anthropic:...")} against an Anthropic Messages server on 127.0.0.1. */
class AnthropicByNameTest {
    final FakeHttpServer server = FakeHttpServer.start();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void theNamedModelSpeaksTheMessagesApiAtTheBaseUrlOfTheEnvironmentWithItsKey() {
        server.enqueue(sse(AnthropicChatModelTest.textStream("Hi from Claude", "end_turn")));
        var env = Map.of("ANTHROPIC_API_KEY", AnthropicChatModelTest.KEY, "ANTHROPIC_BASE_URL", server.url());

        ChatModel model = ChatModels.byName("anthropic:claude-sonnet-4-5", env::get);
        ChatResponse reply = AnthropicChatModelTest.assemble(model.stream(ChatRequest.of(Message.user("Hi"))));

        assertThat(model).isInstanceOf(AnthropicChatModel.class);
        assertThat(reply.message().text()).isEqualTo("Hi from Claude");
        FakeHttpServer.Recorded sent = server.lastRequest();
        assertThat(sent.path()).isEqualTo("/v1/messages");
        assertThat(sent.header("x-api-key")).isEqualTo(AnthropicChatModelTest.KEY);
        assertThat(sent.header("anthropic-version")).isEqualTo(AnthropicChatModel.API_VERSION);
        assertThat(JsonValue.parse(sent.body()).asObject().getString("model")).contains("claude-sonnet-4-5");
    }
}
