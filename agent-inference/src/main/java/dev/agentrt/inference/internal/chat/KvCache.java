package dev.agentrt.inference.internal.chat;

import ai.djl.ndarray.NDArray;
import org.jspecify.annotations.Nullable;

/** One generation's key/value cache: per layer a {@code [1, heads, length, headDim]} key and value. */
public record KvCache(@Nullable NDArray[] keys, @Nullable NDArray[] values, int length) implements AutoCloseable {
    @Override
    public void close() {
        for (NDArray array : keys) {
            if (array != null) {
                array.close();
            }
        }
        for (NDArray array : values) {
            if (array != null) {
                array.close();
            }
        }
    }
}
