package dev.agentrt.inference.internal.chat;

import ai.onnxruntime.OnnxTensor;
import org.jspecify.annotations.Nullable;

import java.nio.FloatBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One generation's key/value cache: per layer a {@code [1, heads, length, headDim]} key and value,
 * in the graph's element type. The tensors are either the cache's own (an empty cache) or outputs
 * of one run, owned by that run's result: closing the cache closes whichever owns them.
 */
public final class KvCache implements AutoCloseable {
    private final @Nullable OnnxTensor[] keys;
    private final @Nullable OnnxTensor[] values;
    private final int length;
    private final @Nullable AutoCloseable owner;
    private final AtomicInteger live;
    private boolean closed;

    KvCache(@Nullable OnnxTensor[] keys, @Nullable OnnxTensor[] values, int length, @Nullable AutoCloseable owner,
            AtomicInteger live) {
        this.keys = keys;
        this.values = values;
        this.length = length;
        this.owner = owner;
        this.live = live;
        live.incrementAndGet();
    }

    /** Positions held: the tokens run so far. */
    public int length() {
        return length;
    }

    OnnxTensor key(int layer) {
        return Objects.requireNonNull(keys[layer], "closed or missing");
    }

    OnnxTensor value(int layer) {
        return Objects.requireNonNull(values[layer], "closed or missing");
    }

    /** The shape of layer {@code layer}'s keys. */
    public long[] keyShape(int layer) {
        return key(layer).getInfo().getShape();
    }

    /** The shape of layer {@code layer}'s values. */
    public long[] valueShape(int layer) {
        return value(layer).getInfo().getShape();
    }

    /** Layer {@code layer}'s keys as floats (a copy, whatever the element type). */
    public float[] keyFloats(int layer) {
        FloatBuffer buffer = key(layer).getFloatBuffer();
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    /** The element type: float32, float16 or bfloat16. */
    public String dataType() {
        return DecoderSession.typeName(key(0).getInfo().type);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        live.decrementAndGet();
        if (owner != null) {
            try {
                owner.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot free the key/value cache: " + e.getMessage(), e);
            }
            return;
        }
        for (OnnxTensor tensor : keys) {
            if (tensor != null) {
                tensor.close();
            }
        }
        for (OnnxTensor tensor : values) {
            if (tensor != null) {
                tensor.close();
            }
        }
    }
}
