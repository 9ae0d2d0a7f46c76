package dev.agentrt.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.model.Embedding;
import dev.agentrt.core.model.EmbeddingModel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

/**
 * The contract every {@link EmbeddingModel} keeps. Shipped in agent-core's test-jar: an
 * implementation's test extends this class and returns a ready model.
 */
public abstract class EmbeddingModelContract {
    protected abstract EmbeddingModel model();

    @Test
    void everyVectorHasTheAdvertisedDimensions() {
        List<Embedding> vectors = model().embedAll(List.of("alpha", "beta", "a somewhat longer sentence"))
                .block(Duration.ofSeconds(60));
        assertThat(vectors).hasSize(3).allSatisfy(v -> assertThat(v.dimensions()).isEqualTo(model().dimensions()));
        assertThat(model().maxInputTokens()).isPositive();
    }

    @Test
    void theSameTextGivesTheSameVectorAloneOrInABatch() {
        Embedding alone = model().embed("the same text").block(Duration.ofSeconds(60));
        List<Embedding> batch = model().embedAll(List.of("other", "the same text")).block(Duration.ofSeconds(60));
        assertThat(alone).isNotNull();
        assertThat(alone.cosine(batch.get(1))).isGreaterThan(0.9999);
    }

    @Test
    void anEmptyBatchGivesAnEmptyList() {
        assertThat(model().embedAll(List.of()).block(Duration.ofSeconds(60))).isEmpty();
    }
}
