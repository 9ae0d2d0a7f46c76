package dev.agentrt.core.model;

import dev.agentrt.core.contract.EmbeddingModelContract;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;

/** Runs the embedding contract on a small deterministic model (character trigram hashing). */
class EmbeddingContractTest extends EmbeddingModelContract {
    static final class TrigramModel implements EmbeddingModel {
        @Override
        public int dimensions() {
            return 64;
        }

        @Override
        public int maxInputTokens() {
            return 512;
        }

        @Override
        public Mono<List<Embedding>> embedAll(List<String> texts) {
            return Mono.fromSupplier(() -> {
                var out = new ArrayList<Embedding>(texts.size());
                for (String t : texts) {
                    float[] v = new float[64];
                    for (int i = 0; i + 3 <= t.length(); i++) {
                        v[Math.floorMod(t.substring(i, i + 3).hashCode(), 64)] += 1;
                    }
                    out.add(Embedding.of(v));
                }
                return out;
            });
        }
    }

    @org.junit.jupiter.api.Test
    void similarTextsScoreHigherThanUnrelatedOnes() {
        List<Embedding> v = model().embedAll(List.of("the build uses maven", "the build uses gradle",
                "quantum chromodynamics")).block();
        org.assertj.core.api.Assertions.assertThat(v.get(0).cosine(v.get(1))).isGreaterThan(v.get(0).cosine(v.get(2)));
    }

    @Override
    protected EmbeddingModel model() {
        return new TrigramModel();
    }
}
