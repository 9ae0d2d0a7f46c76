package dev.agentrt.core.model;

import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

import java.net.URI;
import java.nio.ByteBuffer;

/**
 * A client for a model served over HTTP by a provider's API: {@code AnthropicChatModel},
 * {@code OpenAiChatModel} (and every server that speaks its API), {@code OpenAiResponsesModel},
 * {@code OllamaChatModel}, {@code GeminiChatModel}, {@code BedrockChatModel}. Beyond
 * {@link ChatModel} it tells which model and server it talks to, and decodes a recorded reply
 * exactly as it decodes a live one.
 *
 * <pre>{@code
 * HostedChatModel model = OpenAiChatModel.builder().model("gpt-4.1-mini").build();
 * log.info("asking {} at {}", model.modelName(), model.baseUrl());
 * Flux<ChatEvent> recorded = model.replay(Flux.just(ByteBuffer.wrap(Files.readAllBytes(capture))));
 * }</pre>
 *
 * <p>Implementations are thread-safe: one instance serves any number of concurrent requests. Models
 * built without an {@code HttpClient} of their own share one per process, on a bounded set of daemon
 * threads named {@code agentrt-http-N}; the subscriber's code never runs on those. The API key
 * appears only in request headers, never in {@code toString()} or a message.
 */
public interface HostedChatModel extends ChatModel {
    /** The provider's name of the model. */
    String modelName();

    /** Where requests go (without the endpoint's path). */
    URI baseUrl();

    /**
     * Decodes a recorded response body (the bytes of a streamed reply) exactly as a live reply is
     * decoded: for replaying captured streams in tests and tools. Cold; each subscription decodes
     * the body anew.
     */
    Flux<ChatEvent> replay(Publisher<ByteBuffer> body);
}
