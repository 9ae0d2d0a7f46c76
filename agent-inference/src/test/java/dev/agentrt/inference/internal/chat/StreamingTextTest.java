package dev.agentrt.inference.internal.chat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

class StreamingTextTest {
    @Test
    void stopSequencesSplitAcrossDeltasAreFoundAndNeverEmitted() {
        StopSequences stops = new StopSequences(List.of("STOP", "\n\n"));
        assertThat(stops.accept("abc S")).isEqualTo("abc ");
        assertThat(stops.accept("T")).isEmpty();
        assertThat(stops.accept("Ox")).isEqualTo("STOx");
        assertThat(stops.accept("y ST")).isEqualTo("y ");
        assertThat(stops.accept("OP tail")).isEmpty();
        assertThat(stops.stopped()).isTrue();
        assertThat(stops.accept("more")).isEmpty();
    }

    @Test
    void theEarliestStopSequenceWins() {
        StopSequences stops = new StopSequences(List.of("world", "lo w"));
        assertThat(stops.accept("hello world")).isEqualTo("hel");
    }

    @Test
    void incrementalDecodingHoldsBackIncompleteCharacters() {
        // A byte-level "tokenizer": each id is one byte of UTF-8.
        byte[] utf8 = "né €".getBytes(StandardCharsets.UTF_8);
        IncrementalDecoder decoder = new IncrementalDecoder(ids -> {
            byte[] bytes = new byte[ids.length];
            for (int i = 0; i < ids.length; i++) {
                bytes[i] = (byte) ids[i];
            }
            return new String(bytes, StandardCharsets.UTF_8);
        });
        StringBuilder out = new StringBuilder();
        for (byte b : utf8) {
            String delta = decoder.accept(b & 0xFF);
            assertThat(delta).doesNotContain("\uFFFD");
            out.append(delta);
        }
        out.append(decoder.flush());
        assertThat(out.toString()).isEqualTo("né €");
    }

    @Test
    void greedyTakesTheFirstOfEqualMaxima() {
        Sampler greedy = new Sampler(SamplingSettings.GREEDY, new SplittableRandom(1));
        assertThat(greedy.next(new float[]{1, 3, 3, 2})).isEqualTo(1);
    }

    @Test
    void topPKeepsOnlyTheNucleus() {
        // Probabilities about 0.88, 0.12 and almost nothing: top-p 0.5 keeps only the first.
        Sampler sampler = new Sampler(new SamplingSettings(1, 0.5, 0), new SplittableRandom(3));
        for (int i = 0; i < 200; i++) {
            assertThat(sampler.next(new float[]{0, 5, -20, 3})).isEqualTo(1);
        }
    }

    @Test
    void samplingDrawsInProportionAndTopKCuts() {
        Sampler sampler = new Sampler(new SamplingSettings(1, 1, 2), new SplittableRandom(11));
        int[] counts = new int[4];
        for (int i = 0; i < 4000; i++) {
            counts[sampler.next(new float[]{0, (float) Math.log(3), 1.5f, -1})]++;
        }
        // Top-2 keeps ids 2 (e^1.5 = 4.48) and 1 (3): shares about 0.6 and 0.4.
        assertThat(counts[0]).isZero();
        assertThat(counts[3]).isZero();
        assertThat(counts[2] / 4000.0).isBetween(0.55, 0.65);
    }
}
