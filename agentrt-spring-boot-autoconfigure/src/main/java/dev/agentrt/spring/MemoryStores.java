package dev.agentrt.spring;

import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.model.EmbeddingModel;
import dev.agentrt.memory.PgVectorStore;
import dev.agentrt.memory.VectorMemory;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

import javax.sql.DataSource;
import java.nio.file.Path;

/** The memories {@code agentrt.memory.*} describes; only loaded when agent-memory is on the class path. */
final class MemoryStores {
    private MemoryStores() {}

    /** A Lucene memory in {@code path}; closing it closes the index, not the model (a bean of its own). */
    static Memory lucene(Path path, EmbeddingModel model) {
        try {
            return VectorMemory.open(path, model);
        } catch (RuntimeException e) {
            throw new InvalidConfigurationPropertyValueException("agentrt.memory.path", path,
                    "cannot open a memory there: " + e.getMessage());
        }
    }

    /** A pgvector memory in the application's data source, which stays the application's. */
    static Memory postgres(DataSource dataSource, EmbeddingModel model, @Nullable String table) {
        PgVectorStore.Builder store = PgVectorStore.builder(dataSource).dimensions(model.dimensions());
        if (table != null) {
            try {
                store.table(table);
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationPropertyValueException("agentrt.memory.table", table, e.getMessage());
            }
        }
        PgVectorStore built;
        try {
            built = store.build();
        } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            if (table != null && message.startsWith("table ")) {
                throw new InvalidConfigurationPropertyValueException("agentrt.memory.table", table, message);
            }
            throw new InvalidConfigurationPropertyValueException("agentrt.memory.store", "datasource",
                    "cannot open the memory in the application's DataSource: " + message);
        }
        return VectorMemory.builder().embeddingModel(model).store(built).closing(built).build();
    }
}
