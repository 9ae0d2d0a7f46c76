package dev.agentrt.memory.lucene;

import dev.agentrt.core.contract.VectorStoreContract;
import dev.agentrt.core.memory.VectorStore;
import dev.agentrt.memory.LuceneOptions;
import dev.agentrt.memory.LuceneVectorStore;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** The VectorStore contract on float HNSW (this class) and on int8-quantised HNSW ({@link Int8}). */
class LuceneVectorStoreContractTest extends VectorStoreContract {
    private static final AtomicInteger STORES = new AtomicInteger();

    @TempDir
    Path dir;

    @Override
    protected VectorStore newStore(int dimensions) {
        return LuceneVectorStore.open(dir.resolve("float-" + STORES.incrementAndGet()), dimensions);
    }

    @Nested
    class Int8 extends VectorStoreContract {
        @Override
        protected VectorStore newStore(int dimensions) {
            return LuceneVectorStore.open(
                    dir.resolve("int8-" + STORES.incrementAndGet()),
                    dimensions,
                    LuceneOptions.defaults().withEncoding(LuceneOptions.Encoding.INT8));
        }
    }

    @org.junit.jupiter.api.Test
    void theStoreUnderContractIsALuceneIndexAtItsPath() {
        try (var store = (LuceneVectorStore) newStore(3)) {
            org.assertj.core.api.Assertions.assertThat(store.path()).startsWith(dir);
            org.assertj.core.api.Assertions.assertThat(store.dimensions()).isEqualTo(3);
        }
    }
}
