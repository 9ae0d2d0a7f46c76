package dev.agentrt.core.model.openai;

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

/** {@code ChatModels.byName("openai:...")} and {@code "openai-responses:..."} against servers on 127.0.0.1. */
class OpenAiByNameTest {
    final FakeHttpServer server = FakeHttpServer.start();

    @AfterEach
    void stop() {
        server.close();
    }

    static ChatResponse ask(ChatModel model) {
        return OpenAiChatModelTest.assemble(model.stream(ChatRequest.of(Message.user("Hi"))));
    }

    @Test
    void theNamedModelSpeaksChatCompletionsAtTheBaseUrlOfTheEnvironmentWithItsKey() {
        server.enqueue(sse(OpenAiChatModelTest.textStream("Hi from GPT", "stop")));
        var env = Map.of("OPENAI_API_KEY", OpenAiChatModelTest.KEY, "OPENAI_BASE_URL", server.url() + "/v1");

        ChatModel model = ChatModels.byName("openai:gpt-4.1-mini", env::get);

        assertThat(model).isInstanceOf(OpenAiChatModel.class);
        assertThat(ask(model).message().text()).isEqualTo("Hi from GPT");
        FakeHttpServer.Recorded sent = server.lastRequest();
        assertThat(sent.path()).isEqualTo("/v1/chat/completions");
        assertThat(sent.header("Authorization")).isEqualTo("Bearer " + OpenAiChatModelTest.KEY);
        assertThat(JsonValue.parse(sent.body()).asObject().getString("model")).contains("gpt-4.1-mini");
    }

    @Test
    void anOpenAiCompatibleServerNamedByTheEnvironmentNeedsNoKey() {
        server.enqueue(sse(OpenAiChatModelTest.textStream("local answer", "stop")));
        var env = Map.of("OPENAI_BASE_URL", server.url() + "/v1");

        ChatModel model = ChatModels.byName("openai:qwen2.5-coder", env::get);

        assertThat(ask(model).message().text()).isEqualTo("local answer");
        assertThat(server.lastRequest().path()).isEqualTo("/v1/chat/completions");
        assertThat(server.lastRequest().header("Authorization")).isNull();
    }

    @Test
    void theResponsesPrefixSpeaksTheResponsesApi() {
        server.enqueue(sse(OpenAiResponsesModelTest.textStream("Hi from Responses")));
        var env = Map.of("OPENAI_API_KEY", OpenAiChatModelTest.KEY, "OPENAI_BASE_URL", server.url() + "/v1");

        ChatModel model = ChatModels.byName("openai-responses:gpt-5-mini", env::get);

        assertThat(model).isInstanceOf(OpenAiResponsesModel.class);
        assertThat(ask(model).message().text()).isEqualTo("Hi from Responses");
        FakeHttpServer.Recorded sent = server.lastRequest();
        assertThat(sent.path()).isEqualTo("/v1/responses");
        assertThat(sent.header("Authorization")).isEqualTo("Bearer " + OpenAiChatModelTest.KEY);
        assertThat(JsonValue.parse(sent.body()).asObject().getString("model")).contains("gpt-5-mini");
    }
}
