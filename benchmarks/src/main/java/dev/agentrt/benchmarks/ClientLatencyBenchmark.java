package dev.agentrt.benchmarks;

import com.sun.net.httpserver.HttpServer;
import dev.agentrt.core.internal.ReplyAssembler;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.RetryPolicy;
import dev.agentrt.core.model.anthropic.AnthropicChatModel;
import dev.agentrt.core.model.openai.OpenAiChatModel;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import reactor.core.publisher.Flux;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * What a client adds to one request: a streamed reply of a few events from a local server on
 * 127.0.0.1 (the JDK's HttpServer, no delay) through {@code AnthropicChatModel} and
 * {@code OpenAiChatModel} (request body built, sent, SSE decoded, reply assembled), against the
 * bare JDK {@code HttpClient} posting the same body and reading the same response into a byte
 * array. The difference is the client's added latency.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ClientLatencyBenchmark {
    static {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    static final String ANTHROPIC_REPLY = sse("message_start",
            "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}")
            + sse("content_block_start",
                    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
            + sse("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"text_delta\",\"text\":\"Hello\"}}")
            + sse("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                    + "{\"type\":\"text_delta\",\"text\":\", world.\"}}")
            + sse("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
            + sse("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                    + "\"usage\":{\"output_tokens\":4}}")
            + sse("message_stop", "{\"type\":\"message_stop\"}");

    static final String OPENAI_REPLY = """
            data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":", world."},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

            data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":4}}

            data: [DONE]

            """;

    private @Nullable HttpServer server;
    private @Nullable HttpClient raw;
    private @Nullable AnthropicChatModel anthropic;
    private @Nullable OpenAiChatModel openAi;
    private @Nullable HttpRequest rawRequest;
    private final ChatRequest request = ChatRequest.of(Message.system("Be brief."), Message.user("Say hello."));

    @Setup
    public void setUp() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            String body = ex.getRequestURI().getPath().endsWith("/messages") ? ANTHROPIC_REPLY : OPENAI_REPLY;
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        anthropic = AnthropicChatModel.builder()
                .model("claude-sonnet-4-5")
                .apiKey("sk-ant-bench")
                .baseUrl(base)
                .retryPolicy(RetryPolicy.NONE)
                .build();
        openAi = OpenAiChatModel.builder()
                .model("gpt-4.1-mini")
                .apiKey("sk-bench")
                .baseUrl(base + "/v1")
                .retryPolicy(RetryPolicy.NONE)
                .build();
        raw = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        rawRequest = HttpRequest.newBuilder(URI.create(base + "/v1/messages"))
                .header("Content-Type", "application/json")
                .header("x-api-key", "sk-ant-bench")
                .header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":8192,"
                        + "\"system\":\"Be brief.\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                        + "\"text\":\"Say hello.\"}]}],\"stream\":true}"))
                .build();
        if (!anthropic().message().text().equals("Hello, world.") || !openAi().message().text().equals("Hello, world.")
                || jdkHttpClient().length != ANTHROPIC_REPLY.getBytes(StandardCharsets.UTF_8).length) {
            throw new IllegalStateException("the local server did not answer as expected");
        }
    }

    @TearDown
    public void tearDown() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Benchmark
    public byte[] jdkHttpClient() {
        return raw.sendAsync(rawRequest, HttpResponse.BodyHandlers.ofByteArray()).join().body();
    }

    @Benchmark
    public ChatResponse anthropic() {
        return assemble(anthropic.stream(request));
    }

    @Benchmark
    public ChatResponse openAi() {
        return assemble(openAi.stream(request));
    }

    private static ChatResponse assemble(Flux<ChatEvent> events) {
        var assembler = new ReplyAssembler();
        events.doOnNext(assembler::accept).blockLast();
        return assembler.finish();
    }

    private static String sse(String event, String data) {
        return "event: " + event + "\ndata: " + data + "\n\n";
    }
}
