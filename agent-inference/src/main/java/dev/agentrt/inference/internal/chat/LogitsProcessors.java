package dev.agentrt.inference.internal.chat;

/**
 * The logits processors transformers' {@code generate} applies from {@code generation_config.json}
 * before choosing a token, in its order: {@code repetition_penalty}
 * ({@code RepetitionPenaltyLogitsProcessor}), {@code no_repeat_ngram_size}
 * ({@code NoRepeatNGramLogitsProcessor}), {@code min_length} ({@code MinLengthLogitsProcessor}) and
 * {@code min_new_tokens} ({@code MinNewTokensLengthLogitsProcessor}); each over the whole sequence,
 * prompt and generated ids.
 *
 * <p>Not applied (found in few chat models' files): {@code bad_words_ids}, {@code suppress_tokens},
 * {@code begin_suppress_tokens}, {@code sequence_bias}, {@code forced_bos_token_id},
 * {@code forced_eos_token_id}, {@code exponential_decay_length_penalty}, {@code typical_p},
 * {@code epsilon_cutoff}, {@code eta_cutoff}, and {@code num_beams} above 1 (beam search).
 *
 * @param repetitionPenalty 1 for none; a seen token's positive logit is divided by it, a negative one multiplied
 * @param noRepeatNgramSize 0 for none; a token that would repeat an n-gram of the sequence is banned
 * @param minNewTokens end tokens are banned until this many tokens are generated
 * @param minLength end tokens are banned until the sequence, prompt included, is this long
 */
public record LogitsProcessors(double repetitionPenalty, int noRepeatNgramSize, int minNewTokens, int minLength) {
    public static final LogitsProcessors NONE = new LogitsProcessors(1, 0, 0, 0);

    /** Without {@code min_length}. */
    public LogitsProcessors(double repetitionPenalty, int noRepeatNgramSize, int minNewTokens) {
        this(repetitionPenalty, noRepeatNgramSize, minNewTokens, 0);
    }

    public LogitsProcessors {
        if (!(repetitionPenalty > 0) || !Double.isFinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetition_penalty must be a positive number, was "
                    + repetitionPenalty);
        }
        if (noRepeatNgramSize < 0 || minNewTokens < 0 || minLength < 0) {
            throw new IllegalArgumentException("no_repeat_ngram_size, min_new_tokens and min_length must be >= 0");
        }
    }

    /**
     * Applies the processors in place to {@code logits} for the next token after
     * {@code sequence[0, length)}, of which {@code generated} were generated.
     */
    public void apply(float[] logits, long[] sequence, int length, int generated, Iterable<Long> endTokens) {
        if (repetitionPenalty != 1) {
            // As torch: the logit is read once per distinct id (gather), then scattered back.
            float penalty = (float) repetitionPenalty;
            boolean[] seen = new boolean[logits.length];
            for (int i = 0; i < length; i++) {
                int id = (int) sequence[i];
                if (id >= 0 && id < logits.length && !seen[id]) {
                    seen[id] = true;
                    float score = logits[id];
                    logits[id] = score < 0 ? score * penalty : score / penalty;
                }
            }
        }
        int n = noRepeatNgramSize;
        if (n > 0 && length + 1 >= n) {
            // Every earlier n-gram whose first n-1 ids equal the last n-1 ids bans its last id.
            int start = length - (n - 1);
            for (int i = 0; i + n <= length; i++) {
                boolean match = true;
                for (int j = 0; j < n - 1 && match; j++) {
                    match = sequence[i + j] == sequence[start + j];
                }
                int banned = (int) sequence[i + n - 1];
                if (match && banned >= 0 && banned < logits.length) {
                    logits[banned] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        if (generated < minNewTokens || length < minLength) {
            for (long id : endTokens) {
                if (id >= 0 && id < logits.length) {
                    logits[(int) id] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    public boolean none() {
        return repetitionPenalty == 1 && noRepeatNgramSize == 0 && minNewTokens == 0 && minLength == 0;
    }
}
