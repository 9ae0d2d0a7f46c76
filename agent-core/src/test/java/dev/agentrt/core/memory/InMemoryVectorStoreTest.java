package dev.agentrt.core.memory;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.contract.VectorStoreContract;
import org.junit.jupiter.api.Test;

class InMemoryVectorStoreTest extends VectorStoreContract {
    @Override
    protected VectorStore newStore(int dimensions) {
        return InMemoryVectorStore.create(dimensions);
    }

    @Test
    void aStoreNeedsAPositiveDimensionCount() {
        assertThatThrownBy(() -> InMemoryVectorStore.create(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dimensions");
    }
}
