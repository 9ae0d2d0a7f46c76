package dev.agentrt.spring.actuate;

import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.memory.VectorStore;
import dev.agentrt.memory.VectorMemory;
import org.jspecify.annotations.Nullable;

/** The one place that names agent-memory's {@code VectorMemory}: loaded only when agent-memory is on the class path. */
final class VectorMemoryStores {
    private VectorMemoryStores() {}

    static @Nullable VectorStore storeOf(Memory memory) {
        return memory instanceof VectorMemory vector ? vector.store() : null;
    }
}
