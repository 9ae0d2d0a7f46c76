package dev.agentrt.core.model;

import dev.agentrt.core.internal.ReplyAssembler;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A language model. Implementations stream: {@link #stream} returns a cold {@code Flux} that
 * sends the request on subscription and whose cancellation aborts it (closes the HTTP stream,
 * stops local generation).
 *
 * <pre>{@code
 * model.call(ChatRequest.of(Message.user("Hi"))).map(r -> r.message().text());
 * }</pre>
 *
 * <p>Implementations are thread-safe and serve many concurrent requests. Contract: the stream ends
 * with exactly one {@link ChatEvent.Finish}, then completes; a reply cut short is an error
 * ({@code ModelException}), never a silent short answer. The contract test suite
 * {@code ChatModelContract} in agent-core's test-jar checks this.
 */
public interface ChatModel {
    /** Streams the reply to {@code request}. */
    Flux<ChatEvent> stream(ChatRequest request);

    /**
     * Whether this model honours {@link ChatOptions#responseFormat()} natively (the provider
     * constrains the reply to the schema). When false, the agent loop asks for structured output
     * through a final-answer tool instead.
     */
    default boolean supportsResponseFormat() {
        return false;
    }

    /**
     * Whether the model can be reached, found out without a paid call (for health checks): hosted models ask
     * their provider's free model-listing endpoint once, without retries, within their response timeout; models
     * in this process say whether they are open. Never fails: what went wrong is a
     * {@link ModelReachability.Status#DOWN DOWN} value. The default is
     * {@link ModelReachability.Status#UNKNOWN UNKNOWN}, for models with no free way to tell. Non-blocking.
     */
    default Mono<ModelReachability> reachability() {
        return Mono.just(ModelReachability.unknown(getClass().getSimpleName() + " has no free reachability check"));
    }

    /** The whole reply at once: {@link #stream} assembled (tool-call fragments joined, usage kept). */
    default Mono<ChatResponse> call(ChatRequest request) {
        return Mono.defer(() -> {
            var assembler = new ReplyAssembler();
            return stream(request).doOnNext(assembler::accept).then(Mono.fromCallable(assembler::finish));
        });
    }
}
