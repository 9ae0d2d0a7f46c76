package dev.agentrt.inference.internal.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.inference.testing.TinyChatModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The decoder graph and its cache, one step at a time, on the tiny model. */
class DecoderSessionTest {
    @TempDir
    static Path temp;

    static DecoderSession session;

    @BeforeAll
    static void load() {
        ModelDirectory dir = ModelDirectory.open(TinyChatModels.writeBigram(temp.resolve("tiny")));
        session = DecoderSession.load(dir, dir.cacheShape());
    }

    @AfterAll
    static void close() {
        session.close();
    }

    static long[] ids(String... tokens) {
        long[] out = new long[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            out[i] = TinyChatModels.id(tokens[i]);
        }
        return out;
    }

    @Test
    void theCacheGrowsByTheTokensOfEachStep() {
        {
            DecoderSession.Step prefill = session.step(ids("user", "count", "assistant"),
                    session.emptyCache());
            assertThat(prefill.cache().length()).isEqualTo(3);
            for (int layer = 0; layer < TinyChatModels.LAYERS; layer++) {
                assertThat(prefill.cache().keyShape(layer)).containsExactly(1, 2, 3, 4);
                assertThat(prefill.cache().valueShape(layer)).containsExactly(1, 2, 3, 4);
            }
            assertThat(Sampler.argMax(prefill.logits())).isEqualTo(TinyChatModels.id("one"));
            DecoderSession.Step next = session.step(ids("one"), prefill.cache());
            assertThat(next.cache().length()).isEqualTo(4);
            assertThat(next.cache().keyShape(0)).containsExactly(1, 2, 4, 4);
            // Layer 0's keys hold the trigger feature of "count" (feature 1: head 0, dim 1) at position 1.
            float[] keys = next.cache().keyFloats(0);
            assertThat(keys[1 * 4 + 1]).isEqualTo(1f);
            assertThat(Sampler.argMax(next.logits())).isEqualTo(TinyChatModels.id("two"));
            next.cache().close();
        }
    }

    @Test
    void logitsWithTheCacheEqualLogitsOverTheWholeSequenceExactly() {
        {
            long[] prompt = ids("<tools>", "user", "dice", "assistant");
            DecoderSession.Step cached = session.step(prompt, session.emptyCache());
            long[] sequence = prompt;
            for (int i = 0; i < 6; i++) {
                DecoderSession.Step whole = session.step(sequence, session.emptyCache());
                assertThat(whole.logits()).as("step %d", i).containsExactly(cached.logits());
                whole.cache().close();
                int token = Sampler.argMax(cached.logits());
                sequence = java.util.Arrays.copyOf(sequence, sequence.length + 1);
                sequence[sequence.length - 1] = token;
                cached = session.step(new long[]{token}, cached.cache());
            }
            cached.cache().close();
        }
    }

    @Test
    void theProbeFoundTheVocabularyAndCacheShape() {
        assertThat(session.vocabWidth()).isEqualTo(TinyChatModels.VOCABULARY.size());
        assertThat(session.cacheShape()).isEqualTo(new CacheShape(2, 2, 4));
    }
}
