package dev.agentrt.core.model;

import static dev.agentrt.core.testing.FakeHttpServer.Responder.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.ModelException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.anthropic.AnthropicChatModel;
import dev.agentrt.core.model.bedrock.BedrockChatModel;
import dev.agentrt.core.model.gemini.GeminiChatModel;
import dev.agentrt.core.model.ollama.OllamaChatModel;
import dev.agentrt.core.model.openai.OpenAiChatModel;
import dev.agentrt.core.model.openai.OpenAiResponsesModel;
import dev.agentrt.core.testing.FakeHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The exact JSON each provider is sent for images and sounds, against a 127.0.0.1 server that answers 400 (the
 * request is what is checked), and the clear failure, before any request, for media a provider cannot take.
 */
class MediaWireTest {
    static final Media.Image PNG = Media.image("image/png", new byte[]{1, 2, 3}); // AQID
    static final Media.Image URL = Media.image("image/jpeg", URI.create("https://img.example.com/cat.jpg"));
    static final Media.Audio WAV = Media.audio("audio/wav", new byte[]{4, 5, 6}); // BAUG
    static final ToolCall SHOT = new ToolCall("call_1", "screenshot", "{}");
    static final ToolCall LS = new ToolCall("call_2", "ls", "{}");

    final FakeHttpServer server = FakeHttpServer.start();

    @AfterEach
    void stop() {
        server.close();
    }

    /** The conversation: a question with media, two tool calls, the first result with an image. */
    static ChatRequest conversation(List<Media> question) {
        return ChatRequest.of(Message.user("Look:", question),
                Message.assistant("", List.of(SHOT, LS)),
                Message.toolResult(SHOT, "[screen attached]", false, List.of(PNG)),
                Message.toolResult(LS, "a.txt", false));
    }

    JsonValue sent(ChatModel model, ChatRequest request, String member) {
        server.enqueue(json(400, "{\"error\":{\"message\":\"checked\",\"type\":\"invalid_request_error\"}}"));
        StepVerifier.create(model.stream(request)).expectError(ModelException.class).verify(Duration.ofSeconds(30));
        return JsonValue.parse(server.lastRequest().body()).asObject().get(member);
    }

    void refusedBeforeAnyRequest(ChatModel model, ChatRequest request, String... messageParts) {
        int before = server.requests().size();
        StepVerifier.create(model.stream(request))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContainingAll(messageParts))
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(before);
    }

    static void assertJson(JsonValue actual, String expected) {
        assertThat(actual).isEqualTo(JsonValue.parse(expected));
    }

    /** {@code builder} for {@code model}, sending to this test's server ({@code path} below it), with no retries. */
    <B extends HostedModelBuilder<B>> B hosted(B builder, String model, String apiKey, String path) {
        return builder.model(model).apiKey(apiKey).baseUrl(server.url() + path).retryPolicy(RetryPolicy.NONE);
    }

    AnthropicChatModel.Builder anthropic() {
        return hosted(AnthropicChatModel.builder(), "claude-sonnet-4-5", "sk-ant-test", "")
                .promptCaching(AnthropicChatModel.PromptCaching.OFF);
    }

    ChatModel openAiChat() {
        return hosted(OpenAiChatModel.builder(), "gpt-4o", "sk-test", "/v1").build();
    }

    @Test
    void anthropicSendsImageBlocksInUserTurnsAndInsideToolResults() {
        JsonValue messages = sent(anthropic().build(), conversation(List.of(PNG, URL)), "messages");

        assertJson(messages, """
                [{"role":"user","content":[{"type":"text","text":"Look:"},
                  {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AQID"}},
                  {"type":"image","source":{"type":"url","url":"https://img.example.com/cat.jpg"}}]},
                 {"role":"assistant","content":[{"type":"tool_use","id":"call_1","name":"screenshot","input":{}},
                  {"type":"tool_use","id":"call_2","name":"ls","input":{}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":[
                    {"type":"text","text":"[screen attached]"},
                    {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AQID"}}]},
                  {"type":"tool_result","tool_use_id":"call_2","content":"a.txt"}]}]""");
    }

    @Test
    void anthropicRefusesAudioNamingTheModelOrDescribesItWhenAsked() {
        refusedBeforeAnyRequest(anthropic().build(), conversation(List.of(WAV)),
                "Anthropic model \"claude-sonnet-4-5\" cannot take audio", "audio/wav audio",
                "describeUnsupportedMedia(true)");

        JsonValue messages = sent(anthropic().describeUnsupportedMedia(true).build(),
                ChatRequest.of(Message.user("Hear:", List.of(WAV))), "messages");
        assertJson(messages, """
                [{"role":"user","content":[{"type":"text","text":"Hear:"},{"type":"text","text":\
                "[audio/wav audio of 3 bytes not sent: Anthropic model claude-sonnet-4-5 cannot take audio]"}]}]""");
    }

    @Test
    void openAiChatSendsImageUrlAndInputAudioPartsAndToolMediaInAUserMessageAfterTheToolMessages() {
        ChatModel model = openAiChat();

        JsonValue messages = sent(model, conversation(List.of(PNG, URL, WAV)), "messages");

        assertJson(messages, """
                [{"role":"user","content":[{"type":"text","text":"Look:"},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,AQID"}},
                  {"type":"image_url","image_url":{"url":"https://img.example.com/cat.jpg"}},
                  {"type":"input_audio","input_audio":{"data":"BAUG","format":"wav"}}]},
                 {"role":"assistant","content":null,"tool_calls":[
                  {"id":"call_1","type":"function","function":{"name":"screenshot","arguments":"{}"}},
                  {"id":"call_2","type":"function","function":{"name":"ls","arguments":"{}"}}]},
                 {"role":"tool","tool_call_id":"call_1","content":"[screen attached]"},
                 {"role":"tool","tool_call_id":"call_2","content":"a.txt"},
                 {"role":"user","content":[
                  {"type":"text","text":"The result of tool call call_1 (screenshot) came with 1 attachment:"},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,AQID"}}]}]""");
    }

    @Test
    void openAiChatRefusesAudioOtherThanWavAndMp3() {
        ChatModel model = openAiChat();
        refusedBeforeAnyRequest(model,
                ChatRequest.of(Message.user("x", List.of(Media.audio("audio/ogg", new byte[]{1})))),
                "OpenAI-compatible model \"gpt-4o\" cannot take audio other than wav and mp3", "audio/ogg");
    }

    @Test
    void openAiResponsesSendsInputImagePartsAndFunctionOutputArrays() {
        ChatModel model = hosted(OpenAiResponsesModel.builder(), "gpt-4.1", "sk-test", "/v1").build();

        JsonValue input = sent(model, conversation(List.of(PNG, URL)), "input");

        assertJson(input, """
                [{"role":"user","content":[{"type":"input_text","text":"Look:"},
                  {"type":"input_image","image_url":"data:image/png;base64,AQID"},
                  {"type":"input_image","image_url":"https://img.example.com/cat.jpg"}]},
                 {"type":"function_call","call_id":"call_1","name":"screenshot","arguments":"{}"},
                 {"type":"function_call","call_id":"call_2","name":"ls","arguments":"{}"},
                 {"type":"function_call_output","call_id":"call_1","output":[
                  {"type":"input_text","text":"[screen attached]"},
                  {"type":"input_image","image_url":"data:image/png;base64,AQID"}]},
                 {"type":"function_call_output","call_id":"call_2","output":"a.txt"}]""");
        refusedBeforeAnyRequest(model, ChatRequest.of(Message.user("x", List.of(WAV))),
                "OpenAI Responses model \"gpt-4.1\" cannot take audio input");
    }

    @Test
    void geminiSendsInlineDataAfterTheTextAndAfterTheFunctionResponse() {
        ChatModel model = hosted(GeminiChatModel.builder(), "gemini-2.5-flash", "g-test", "").build();

        JsonValue contents = sent(model, conversation(List.of(PNG, WAV)), "contents");

        assertJson(contents, """
                [{"role":"user","parts":[{"text":"Look:"},
                  {"inlineData":{"mimeType":"image/png","data":"AQID"}},
                  {"inlineData":{"mimeType":"audio/wav","data":"BAUG"}}]},
                 {"role":"model","parts":[{"functionCall":{"name":"screenshot","args":{},"id":"call_1"}},
                  {"functionCall":{"name":"ls","args":{},"id":"call_2"}}]},
                 {"role":"user","parts":[
                  {"functionResponse":{"name":"screenshot","response":{"result":"[screen attached]"},"id":"call_1"}},
                  {"text":"The result of screenshot came with 1 attachment:"},
                  {"inlineData":{"mimeType":"image/png","data":"AQID"}},
                  {"functionResponse":{"name":"ls","response":{"result":"a.txt"},"id":"call_2"}}]}]""");
        refusedBeforeAnyRequest(model, ChatRequest.of(Message.user("x", List.of(URL))),
                "Gemini model \"gemini-2.5-flash\" cannot take image URLs", "image/jpeg image");
    }

    @Test
    void ollamaSendsBase64ImagesOnTheMessageAndRefusesUrlsAndAudio() {
        var builder = OllamaChatModel.builder()
                .model("llava")
                .baseUrl(server.url())
                .environment(n -> null)
                .retryPolicy(RetryPolicy.NONE);

        JsonValue messages = sent(builder.build(), conversation(List.of(PNG)), "messages");

        assertJson(messages, """
                [{"role":"user","content":"Look:","images":["AQID"]},
                 {"role":"assistant","content":"","tool_calls":[{"function":{"name":"screenshot","arguments":{}}},
                  {"function":{"name":"ls","arguments":{}}}]},
                 {"role":"tool","tool_name":"screenshot","content":"[screen attached]","images":["AQID"]},
                 {"role":"tool","tool_name":"ls","content":"a.txt"}]""");
        refusedBeforeAnyRequest(builder.build(), ChatRequest.of(Message.user("x", List.of(URL))),
                "Ollama model \"llava\" cannot take image URLs");
        refusedBeforeAnyRequest(builder.build(), ChatRequest.of(Message.user("x", List.of(WAV))),
                "Ollama model \"llava\" cannot take audio");
    }

    @Test
    void bedrockSendsImageBlocksInUserTurnsAndToolResults() {
        ChatModel model = BedrockChatModel.builder()
                .model("anthropic.claude-3-5-sonnet")
                .region("us-east-1")
                .credentials("AKIDEXAMPLE", "secret")
                .baseUrl(server.url())
                .environment(n -> null)
                .retryPolicy(RetryPolicy.NONE)
                .build();

        JsonValue messages = sent(model, conversation(List.of(PNG)), "messages");

        assertJson(messages, """
                [{"role":"user","content":[{"text":"Look:"},
                  {"image":{"format":"png","source":{"bytes":"AQID"}}}]},
                 {"role":"assistant","content":[{"toolUse":{"toolUseId":"call_1","name":"screenshot","input":{}}},
                  {"toolUse":{"toolUseId":"call_2","name":"ls","input":{}}}]},
                 {"role":"user","content":[{"toolResult":{"toolUseId":"call_1","content":[
                    {"text":"[screen attached]"},{"image":{"format":"png","source":{"bytes":"AQID"}}}]}},
                  {"toolResult":{"toolUseId":"call_2","content":[{"text":"a.txt"}]}}]}]""");
        refusedBeforeAnyRequest(model, ChatRequest.of(Message.user("x", List.of(WAV))),
                "Bedrock model \"anthropic.claude-3-5-sonnet\" cannot take audio");
    }
}
