package dev.agentrt.memory.pg;

import dev.agentrt.core.contract.VectorStoreContract;
import dev.agentrt.core.memory.VectorStore;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The VectorStore contract on PostgreSQL + pgvector, each test on a table of its own. */
class PgVectorStoreContractTest extends VectorStoreContract {
    @RegisterExtension
    static final PgDatabase DB = new PgDatabase();

    @Override
    protected VectorStore newStore(int dimensions) {
        return DB.store(dimensions).build();
    }

    @org.junit.jupiter.api.Test
    void theStoreUnderContractIsPostgresWithTheRequestedDimensions() {
        try (VectorStore store = newStore(3)) {
            org.assertj.core.api.Assertions.assertThat(store).isInstanceOf(dev.agentrt.memory.PgVectorStore.class);
            org.assertj.core.api.Assertions.assertThat(store.dimensions()).isEqualTo(3);
        }
    }
}
