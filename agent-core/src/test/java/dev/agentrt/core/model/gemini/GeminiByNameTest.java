package dev.agentrt.core.model.gemini;

import static dev.agentrt.core.testing.FakeHttpServer.Responder.sse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatModels;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.testing.FakeHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

/** {@code ChatModels.byName("gemini:...")} against a Gemini server on 127.0.0.1. */
class GeminiByNameTest {
    final FakeHttpServer server = FakeHttpServer.start();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void theNamedModelSpeaksGenerateContentWithTheKeyOfEitherVariable() {
        for (String variable : new String[]{"GEMINI_API_KEY", "GOOGLE_API_KEY"}) {
            server.enqueue(sse(GeminiChatModelTest.textStream("Hi from Gemini")));
            var env = Map.of(variable, GeminiChatModelTest.KEY, "GEMINI_BASE_URL", server.url());

            ChatModel model = ChatModels.byName("gemini:gemini-2.5-flash", env::get);

            assertThat(model).isInstanceOf(GeminiChatModel.class);
            assertThat(GeminiChatModelTest.assemble(model.stream(ChatRequest.of(Message.user("Hi")))).message().text())
                    .as(variable)
                    .isEqualTo("Hi from Gemini");
            FakeHttpServer.Recorded sent = server.lastRequest();
            assertThat(sent.path()).as(variable).isEqualTo(GeminiChatModelTest.STREAM_PATH);
            assertThat(sent.header("x-goog-api-key")).as(variable).isEqualTo(GeminiChatModelTest.KEY);
        }
    }
}
