package dev.agentrt.inference.internal.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/** generation_config.json's processors, as transformers computes them. */
class LogitsProcessorsTest {
    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenIdsOnce() {
        float[] logits = {2f, -2f, 0f, 3f, 1f};
        long[] sequence = {0, 1, 2, 0, 0};
        new LogitsProcessors(2, 0, 0).apply(logits, sequence, 4, 0, List.of());
        // Ids 0, 1, 2 were seen (0 three times: penalised once); 3 and 4 were not.
        assertThat(logits).containsExactly(1f, -4f, 0f, 3f, 1f);
    }

    @Test
    void repetitionPenaltyIsComputedInFloat32AsTorchDoes() {
        float[] logits = {10.3f, -7.1f};
        new LogitsProcessors(1.05, 0, 0).apply(logits, new long[]{0, 1}, 2, 0, List.of());
        assertThat(logits[0]).isEqualTo(10.3f / 1.05f);
        assertThat(logits[1]).isEqualTo(-7.1f * 1.05f);
    }

    @Test
    void noRepeatNgramBansTheTokenThatWouldRepeatAnNgram() {
        float[] logits = {1, 1, 1, 1};
        // Sequence 0 1 2 0: the bigram "0 1" was seen, so after 0 the token 1 is banned.
        new LogitsProcessors(1, 2, 0).apply(logits, new long[]{0, 1, 2, 0}, 4, 0, List.of());
        assertThat(logits).containsExactly(1, Float.NEGATIVE_INFINITY, 1, 1);
        float[] unigram = {1, 1, 1, 1};
        new LogitsProcessors(1, 1, 0).apply(unigram, new long[]{3, 1}, 2, 0, List.of());
        assertThat(unigram).containsExactly(1, Float.NEGATIVE_INFINITY, 1, Float.NEGATIVE_INFINITY);
    }

    @Test
    void minNewTokensBansTheEndTokensUntilEnoughAreGenerated() {
        float[] early = {1, 5, 1};
        new LogitsProcessors(1, 0, 2).apply(early, new long[]{0}, 1, 1, List.of(1L));
        assertThat(early).containsExactly(1, Float.NEGATIVE_INFINITY, 1);
        float[] late = {1, 5, 1};
        new LogitsProcessors(1, 0, 2).apply(late, new long[]{0}, 1, 2, List.of(1L));
        assertThat(late).containsExactly(1, 5, 1);
    }

    @Test
    void minLengthCountsThePromptToo() {
        float[] early = {1, 5, 1};
        new LogitsProcessors(1, 0, 0, 4).apply(early, new long[]{0, 0, 0}, 3, 0, List.of(1L));
        assertThat(early).containsExactly(1, Float.NEGATIVE_INFINITY, 1);
        float[] late = {1, 5, 1};
        new LogitsProcessors(1, 0, 0, 4).apply(late, new long[]{0, 0, 0, 0}, 4, 0, List.of(1L));
        assertThat(late).containsExactly(1, 5, 1);
    }

    @Test
    void minPDropsTokensLessLikelyThanItsShareOfTheBest() {
        float[] logits = {0f, -0.1f, -1f};
        Set<Integer> without = draws(new SamplingSettings(1, 1, 0), logits);
        Set<Integer> with = draws(new SamplingSettings(1, 1, 0, 0.5), logits);
        // exp(-1) = 0.37 of the best: drawn without min_p, never with min_p 0.5 (exp(-0.1) = 0.90 stays).
        assertThat(without).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(with).containsExactlyInAnyOrder(0, 1);
    }

    private static Set<Integer> draws(SamplingSettings settings, float[] logits) {
        Sampler sampler = new Sampler(settings, new SplittableRandom(5));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            seen.add(sampler.next(logits.clone()));
        }
        return seen;
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThatThrownBy(() -> new LogitsProcessors(0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LogitsProcessors(1, -1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SamplingSettings(1, 1, 0, 1.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
