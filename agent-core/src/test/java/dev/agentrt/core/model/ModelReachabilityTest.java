package dev.agentrt.core.model;

import static dev.agentrt.core.testing.FakeHttpServer.Responder.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.model.ModelReachability.Status;
import dev.agentrt.core.model.anthropic.AnthropicChatModel;
import dev.agentrt.core.model.bedrock.BedrockChatModel;
import dev.agentrt.core.model.gemini.GeminiChatModel;
import dev.agentrt.core.model.ollama.OllamaChatModel;
import dev.agentrt.core.model.openai.OpenAiChatModel;
import dev.agentrt.core.model.openai.OpenAiResponsesModel;
import dev.agentrt.core.testing.FakeHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * {@link ChatModel#reachability()} of every hosted provider against a server on 127.0.0.1 speaking its wire format:
 * the free model list asked with the provider's headers, and every way it can fail reported as a value that never
 * holds the key.
 */
class ModelReachabilityTest {
    static final String KEY = "sk-reachability-secret-0123456789abcdef";
    static final String OPENAI_LIST = """
            {"object":"list","data":[{"id":"gpt-4.1-mini","object":"model","created":1,"owned_by":"openai"},\
            {"id":"gpt-4.1","object":"model","created":1,"owned_by":"openai"}]}""";
    static final String ANTHROPIC_LIST = """
            {"data":[{"type":"model","id":"claude-sonnet-4-5-20250929","display_name":"Claude Sonnet 4.5",\
            "created_at":"2025-09-29T00:00:00Z"}],"has_more":false,"first_id":"claude-sonnet-4-5-20250929",\
            "last_id":"claude-sonnet-4-5-20250929"}""";
    static final String OLLAMA_TAGS = """
            {"models":[{"name":"qwen3:4b","model":"qwen3:4b","modified_at":"2025-05-01T00:00:00Z","size":2497293918,\
            "digest":"abc","details":{"format":"gguf","family":"qwen3"}}]}""";
    static final String GEMINI_LIST = """
            {"models":[{"name":"models/gemini-2.5-flash","displayName":"Gemini 2.5 Flash",\
            "supportedGenerationMethods":["generateContent","countTokens"]}],"nextPageToken":"next"}""";

    final FakeHttpServer server = FakeHttpServer.start();
    /** Released when a test ends, so that a handler holding a request back ends too. */
    final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        server.close();
    }

    static ModelReachability reach(ChatModel model) {
        return model.reachability().block(Duration.ofSeconds(30));
    }

    OpenAiChatModel openAi() {
        return OpenAiChatModel.builder()
                .model("gpt-4.1-mini")
                .apiKey(KEY)
                .baseUrl(server.url() + "/v1")
                .environment(name -> null)
                .build();
    }

    @Test
    void openAiCompatibleServersAreAskedForTheirModelListWithTheBearerKey() {
        server.enqueue(json(200, OPENAI_LIST, "x-request-id", "req_1"));

        ModelReachability r = reach(openAi());

        assertThat(r.status()).isEqualTo(Status.UP);
        assertThat(r.httpStatus()).isEqualTo(200);
        assertThat(r.detail()).contains("listed 2 models", server.url() + "/v1/models", "req_1");
        var request = server.lastRequest();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/v1/models");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(request.body()).isEmpty();
    }

    @Test
    void theResponsesModelAsksTheSameList() {
        server.enqueue(json(200, OPENAI_LIST));

        ModelReachability r = reach(OpenAiResponsesModel.builder()
                .model("gpt-5-mini")
                .apiKey(KEY)
                .baseUrl(server.url() + "/v1")
                .environment(name -> null)
                .build());

        assertThat(r.status()).isEqualTo(Status.UP);
        assertThat(server.lastRequest().path()).isEqualTo("/v1/models");
    }

    @Test
    void anthropicIsAskedWithItsKeyAndVersionHeaders() {
        server.enqueue(json(200, ANTHROPIC_LIST));

        ModelReachability r = reach(AnthropicChatModel.builder()
                .model("claude-sonnet-4-5")
                .apiKey(KEY)
                .baseUrl(server.url())
                .environment(name -> null)
                .build());

        assertThat(r.status()).isEqualTo(Status.UP);
        assertThat(r.detail()).contains("Anthropic listed 1 models");
        var request = server.lastRequest();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/v1/models");
        assertThat(request.header("x-api-key")).isEqualTo(KEY);
        assertThat(request.header("anthropic-version")).isEqualTo(AnthropicChatModel.API_VERSION);
    }

    @Test
    void ollamaIsAskedForItsLocalModels() {
        server.enqueue(json(200, OLLAMA_TAGS));

        ModelReachability r = reach(OllamaChatModel.builder()
                .model("qwen3:4b")
                .baseUrl(server.url())
                .environment(name -> null)
                .build());

        assertThat(r.status()).isEqualTo(Status.UP);
        assertThat(r.detail()).contains("listed 1 models");
        assertThat(server.lastRequest().method()).isEqualTo("GET");
        assertThat(server.lastRequest().path()).isEqualTo("/api/tags");
    }

    @Test
    void geminiIsAskedWithTheKeyInAHeaderNeverInTheUrl() {
        server.enqueue(json(200, GEMINI_LIST));

        ModelReachability r = reach(GeminiChatModel.builder()
                .model("gemini-2.5-flash")
                .apiKey(KEY)
                .baseUrl(server.url())
                .environment(name -> null)
                .build());

        assertThat(r.status()).isEqualTo(Status.UP);
        var request = server.lastRequest();
        assertThat(request.path()).isEqualTo("/v1beta/models");
        assertThat(request.header("x-goog-api-key")).isEqualTo(KEY);
    }

    @Test
    void aRefusedKeyIsDownWithTheStatusAndErrorKindButNeitherTheKeyNorTheProvidersText() {
        // OpenAI echoes part of a wrong key in its message; some gateways echo all of it.
        server.enqueue(json(401,
                """
                        {"error":{"message":"Incorrect API key provided: sk-reac****cdef. Full: %s","type":"invalid_request_error",\
                        "param":null,"code":"invalid_api_key"}}"""
                        .formatted(KEY),
                "x-request-id", "req_401"));

        ModelReachability r = reach(openAi());

        assertThat(r.status()).isEqualTo(Status.DOWN);
        assertThat(r.httpStatus()).isEqualTo(401);
        assertThat(r.detail()).contains("HTTP 401", "invalid_request_error", "API key was refused", "req_401")
                .doesNotContain(KEY)
                .doesNotContain("sk-reac")
                .doesNotContain("Incorrect API key");
        assertThat(r.toString()).doesNotContain(KEY);
    }

    @Test
    void aServerErrorIsDownWithItsStatusAfterOneRequestWithoutRetries() {
        server.enqueue(json(503, "{\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));

        ModelReachability r = reach(openAi().toBuilder()
                .retryPolicy(RetryPolicy.DEFAULT.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5)))
                .build());

        assertThat(r.status()).isEqualTo(Status.DOWN);
        assertThat(r.httpStatus()).isEqualTo(503);
        assertThat(r.detail()).contains("HTTP 503", "overloaded_error");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void anErrorBodyThatIsNotJsonGivesTheStatusAlone() {
        server.enqueue(json(502, "<html>Bad Gateway " + KEY + "</html>"));

        ModelReachability r = reach(openAi());

        assertThat(r.status()).isEqualTo(Status.DOWN);
        assertThat(r.httpStatus()).isEqualTo(502);
        assertThat(r.detail()).contains("HTTP 502").doesNotContain("Bad Gateway").doesNotContain(KEY);
    }

    @Test
    void aClosedPortIsDownWithoutAStatus() throws IOException {
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }

        ModelReachability r = reach(OpenAiChatModel.builder()
                .model("gpt-4.1-mini")
                .apiKey(KEY)
                .baseUrl("http://127.0.0.1:" + port + "/v1")
                .environment(name -> null)
                .build());

        assertThat(r.status()).isEqualTo(Status.DOWN);
        assertThat(r.httpStatus()).isZero();
        assertThat(r.detail()).contains("could not connect", "127.0.0.1:" + port).doesNotContain(KEY);
    }

    @Test
    void aServerThatNeverAnswersIsDownOnceTheResponseTimeoutPasses() {
        var arrived = new CountDownLatch(1);
        server.enqueue(exchange -> {
            arrived.countDown();
            release.await(); // holds the request until the test ends: no answer, ever
        });

        ModelReachability r = reach(openAi().toBuilder().timeout(Duration.ofMillis(100)).build());

        assertThat(arrived.getCount()).isZero();
        assertThat(r.status()).isEqualTo(Status.DOWN);
        assertThat(r.httpStatus()).isZero();
        assertThat(r.detail()).contains("no response from " + server.url());
    }

    @Test
    void aSuccessThatIsNotAModelListIsDown() {
        server.enqueue(json(200, "this is not json " + KEY),
                json(200, "{\"object\":\"list\",\"models\":[]}"),
                json(200, "[1,2,3]"),
                FakeHttpServer.Responder.stream("text/html",
                        java.util.List.of("<html><body>Sign in</body></html>".getBytes()), Duration.ZERO));
        OpenAiChatModel model = openAi();

        for (String expected : new String[]{"not a JSON object", "no \"data\" array", "not a JSON object",
                "not a JSON object"}) {
            ModelReachability r = reach(model);
            assertThat(r.status()).isEqualTo(Status.DOWN);
            assertThat(r.httpStatus()).isEqualTo(200);
            assertThat(r.detail()).contains(expected, "not a model list", "check the base URL").doesNotContain(KEY);
        }
        assertThat(server.requests()).hasSize(4).allSatisfy(request -> assertThat(request.method()).isEqualTo("GET"));
    }

    @Test
    void eachSubscriptionAsksAgainAndNothingIsSentBeforeIt() {
        server.otherwise(request -> json(200, OPENAI_LIST));
        var probe = openAi().reachability();

        assertThat(server.requests()).isEmpty();
        StepVerifier.create(probe).assertNext(r -> assertThat(r.status()).isEqualTo(Status.UP)).verifyComplete();
        StepVerifier.create(probe).assertNext(r -> assertThat(r.status()).isEqualTo(Status.UP)).verifyComplete();
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void bedrockHasNoFreeCheckAndSaysUnknownWithoutARequest() {
        ModelReachability r = reach(BedrockChatModel.builder()
                .model("anthropic.claude-3-haiku-20240307-v1:0")
                .region("us-east-1")
                .credentials("AKIDEXAMPLE", "secret-access-key-example")
                .baseUrl(server.url())
                .environment(name -> null)
                .build());

        assertThat(r.status()).isEqualTo(Status.UNKNOWN);
        assertThat(r.httpStatus()).isZero();
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void theScriptedModelIsUpAndSpendsNoReply() {
        var model = ScriptedChatModel.of(ScriptedChatModel.Reply.text("only reply"));

        assertThat(reach(model).status()).isEqualTo(Status.UP);
        StepVerifier.create(model.call(ChatRequest.of(Message.user("hi"))).map(c -> c.message().text()))
                .expectNext("only reply")
                .verifyComplete();
    }

    @Test
    void aModelWithoutACheckOfItsOwnIsUnknown() {
        ChatModel custom = request -> Flux.error(new AssertionError("a reachability check must not chat"));

        ModelReachability r = reach(custom);

        assertThat(r.status()).isEqualTo(Status.UNKNOWN);
        assertThat(r.detail()).contains("no free reachability check");
    }

    @Test
    void aReachabilityValueRefusesWhatCannotBeAStatus() {
        Consumer<Integer> make = status -> new ModelReachability(Status.DOWN, "x", status);

        assertThatThrownBy(() -> make.accept(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("httpStatus");
        assertThatThrownBy(() -> make.accept(1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ModelReachability(null, "x", 0)).isInstanceOf(NullPointerException.class);
    }
}
