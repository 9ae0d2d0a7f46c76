package dev.agentrt.inference.internal.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.inference.testing.TinyChatModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;

/** The cache in the graph's own element type, the logits' last row read in place. */
class HalfPrecisionDecoderTest {
    @TempDir
    Path temp;

    @ParameterizedTest
    @EnumSource(value = TinyChatModels.Variant.class, names = {"STANDARD", "FLOAT16", "BFLOAT16"})
    void theCacheKeepsTheGraphsTypeAndTheLogitsAreReadAsFloats(TinyChatModels.Variant variant) {
        ModelDirectory dir = ModelDirectory.open(TinyChatModels.writeBigram(temp.resolve(variant.name()), variant));
        try (DecoderSession session = DecoderSession.load(dir, dir.cacheShape())) {
            String expected = switch (variant) {
                case FLOAT16 -> "float16";
                case BFLOAT16 -> "bfloat16";
                default -> "float32";
            };
            assertThat(session.cacheType()).isEqualTo(expected);
            long[] prompt = {TinyChatModels.id("user"), TinyChatModels.id("count"), TinyChatModels.id("assistant")};
            DecoderSession.Step step = session.step(prompt, session.emptyCache());
            assertThat(step.cache().dataType()).isEqualTo(expected);
            assertThat(step.cache().length()).isEqualTo(3);
            // The last row only: "assistant" after a "count" in the cache scripts "one".
            assertThat(step.logits()).hasSize(TinyChatModels.VOCABULARY.size());
            assertThat(Sampler.argMax(step.logits())).isEqualTo(TinyChatModels.id("one"));
            DecoderSession.Step next = session.step(new long[]{TinyChatModels.id("one")}, step.cache());
            assertThat(Sampler.argMax(next.logits())).isEqualTo(TinyChatModels.id("two"));
            next.cache().close();
        }
    }

    @Test
    void theLastRowIsReadWithoutCopyingTheWholeTensor() {
        assertThat(LastRow.inPlace()).isTrue();
    }
}
