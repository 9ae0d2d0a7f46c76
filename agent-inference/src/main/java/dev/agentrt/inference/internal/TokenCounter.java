package dev.agentrt.inference.internal;

import java.util.List;

/** Counts tokens the way the model's tokenizer does. Implementations are thread-safe. */
public interface TokenCounter {
    /** Tokens of {@code text} as the model sees it, special tokens included. */
    int count(String text);

    /** Tokens of each piece on its own, special tokens excluded. */
    int[] countEach(List<String> pieces);
}
