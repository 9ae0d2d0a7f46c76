package dev.agentrt.core.model;

import reactor.core.publisher.Mono;

import java.util.List;

/**
 * Turns texts into vectors. Implementations are thread-safe; heavy local models do their work on
 * {@code AgentSchedulers.compute()}, never on the caller's thread.
 */
public interface EmbeddingModel {
    /** The length of every vector this model returns. */
    int dimensions();

    /** The most tokens one text may have; longer texts must be split by the caller, never cut silently. */
    int maxInputTokens();

    /** Embeds each text, in order. */
    Mono<List<Embedding>> embedAll(List<String> texts);

    default Mono<Embedding> embed(String text) {
        return embedAll(List.of(text)).map(list -> list.get(0));
    }
}
