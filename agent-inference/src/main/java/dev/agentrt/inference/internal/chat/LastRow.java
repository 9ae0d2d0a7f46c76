package dev.agentrt.inference.internal.chat;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import org.jspecify.annotations.Nullable;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads the last row of a {@code [1, sequence, vocab]} logits tensor as floats, whatever its
 * element type (float32, float16, bfloat16), without copying the other rows: a prompt's logits
 * are {@code sequence x vocab} values (300 MB for 500 tokens at Qwen2.5's 151,936), of which only
 * the last row is used.
 *
 * <p>ONNX Runtime's public accessors ({@code getFloatBuffer}, {@code getByteBuffer}) copy the whole
 * tensor; its zero-copy view of an output's memory is not public API. It is reached here by
 * reflection and read at once, before the tensor is closed; where the view is not reachable (a
 * different ONNX Runtime, the module system closing the package) the whole tensor is copied.
 */
final class LastRow {
    private static final @Nullable MethodHandle VIEW = view();

    private LastRow() {}

    private static @Nullable MethodHandle view() {
        try {
            Method getBuffer = OnnxTensor.class.getDeclaredMethod("getBuffer");
            getBuffer.setAccessible(true);
            return MethodHandles.lookup()
                    .unreflect(getBuffer)
                    .asType(MethodType.methodType(ByteBuffer.class, OnnxTensor.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Whether the last row is read in place (otherwise the whole tensor is copied first). */
    static boolean inPlace() {
        return VIEW != null;
    }

    static float[] read(OnnxTensor logits, int rows, int width) {
        OnnxJavaType type = logits.getInfo().type;
        int size = switch (type) {
            case FLOAT -> 4;
            case FLOAT16, BFLOAT16 -> 2;
            default -> throw new IllegalStateException("logits of type " + type + " (float32, float16 or bfloat16"
                    + " expected)");
        };
        ByteBuffer bytes = null;
        if (VIEW != null) {
            try {
                bytes = (ByteBuffer) VIEW.invokeExact(logits);
            } catch (Throwable e) {
                bytes = null;
            }
        }
        if (bytes == null) {
            bytes = logits.getByteBuffer();
        }
        bytes = bytes.duplicate().order(ByteOrder.nativeOrder());
        int offset = (rows - 1) * width * size;
        float[] row = new float[width];
        if (type == OnnxJavaType.FLOAT) {
            bytes.position(offset).slice().order(ByteOrder.nativeOrder()).asFloatBuffer().get(row);
            return row;
        }
        for (int i = 0; i < width; i++) {
            int at = offset + i * size;
            row[i] = type == OnnxJavaType.FLOAT16
                    ? Float.float16ToFloat(bytes.getShort(at))
                    : Float.intBitsToFloat((bytes.getShort(at) & 0xffff) << 16);
        }
        return row;
    }
}
