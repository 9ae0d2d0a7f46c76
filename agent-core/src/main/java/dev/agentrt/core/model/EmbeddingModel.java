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

    /**
     * How many tokens {@code text} counts against {@link #maxInputTokens()}. Splitters size their chunks with it. The
     * default is an upper bound that holds for byte-level and word-piece tokenizers alike (one token per UTF-8 byte,
     * plus two for the special tokens around a text), so it is safe but cuts small chunks; a model that knows its
     * tokenizer overrides it with the exact count.
     */
    default int countTokens(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes + 2;
    }

    /** Embeds each text, in order. */
    Mono<List<Embedding>> embedAll(List<String> texts);

    default Mono<Embedding> embed(String text) {
        return embedAll(List.of(text)).map(list -> list.get(0));
    }
}
