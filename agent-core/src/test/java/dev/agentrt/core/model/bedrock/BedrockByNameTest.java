package dev.agentrt.core.model.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatModels;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.testing.FakeHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

/**
 * {@code ChatModels.byName("bedrock:...")} against a Converse server on 127.0.0.1 that checks the SigV4 signature
 * made with the credentials and region of the environment.
 */
class BedrockByNameTest {
    final FakeHttpServer server = FakeHttpServer.start();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void theNamedModelSignsConverseStreamWithTheEnvironmentsCredentialsAndRegion() {
        server.enqueue(ConverseWire.eventStream(ConverseWire.textStream("Hi from Bedrock", "end_turn")));
        var env = Map.of("AWS_ACCESS_KEY_ID", BedrockChatModelTest.KEY_ID, "AWS_SECRET_ACCESS_KEY",
                BedrockChatModelTest.SECRET, "AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
                server.url());

        ChatModel model = ChatModels.byName("bedrock:" + BedrockChatModelTest.MODEL, env::get);

        assertThat(model).isInstanceOf(BedrockChatModel.class);
        assertThat(BedrockChatModelTest.assemble(model.stream(ChatRequest.of(Message.user("Hi")))).message().text())
                .isEqualTo("Hi from Bedrock");
        FakeHttpServer.Recorded sent = server.lastRequest();
        assertThat(sent.path()).isEqualTo(BedrockChatModelTest.MODEL_PATH + "/converse-stream");
        assertThat(ConverseWire.signatureProblem(sent, BedrockChatModelTest.KEY_ID, BedrockChatModelTest.SECRET,
                "us-east-1")).isNull();
    }
}
