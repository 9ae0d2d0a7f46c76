package dev.agentrt.inference.internal.chat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
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
 * <p>DJL copies a whole tensor out of ONNX Runtime ({@code toByteBuffer}); ONNX Runtime's Java API
 * has a zero-copy view of an output's memory, but not as public API. It is reached here by
 * reflection and read at once, before the tensor is closed; where the view is not reachable (a
 * different ONNX Runtime, the module system closing the package) the whole tensor is copied.
 */
final class LastRow {
    private static final @Nullable MethodHandle VIEW = view();

    private LastRow() {}

    private static @Nullable MethodHandle view() {
        try {
            Class<?> tensor = Class.forName("ai.onnxruntime.OnnxTensor");
            Method getBuffer = tensor.getDeclaredMethod("getBuffer");
            getBuffer.setAccessible(true);
            Class<?> array = Class.forName("ai.djl.onnxruntime.engine.OrtNDArray");
            MethodHandle getTensor = MethodHandles.publicLookup()
                    .findVirtual(array, "getTensor", MethodType.methodType(tensor));
            MethodHandle buffer = MethodHandles.lookup().unreflect(getBuffer);
            return MethodHandles.filterReturnValue(getTensor, buffer)
                    .asType(MethodType.methodType(ByteBuffer.class, NDArray.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Whether the last row is read in place (otherwise the whole tensor is copied first). */
    static boolean inPlace() {
        return VIEW != null;
    }

    static float[] read(NDArray logits, int rows, int width) {
        DataType type = logits.getDataType();
        int size = switch (type) {
            case FLOAT32 -> 4;
            case FLOAT16, BFLOAT16 -> 2;
            default -> throw new IllegalStateException("logits of type " + type + " (float32, float16 or bfloat16"
                    + " expected)");
        };
        ByteBuffer bytes = null;
        if (VIEW != null && logits.getClass().getName().equals("ai.djl.onnxruntime.engine.OrtNDArray")) {
            try {
                bytes = (ByteBuffer) VIEW.invokeExact(logits);
            } catch (Throwable e) {
                bytes = null;
            }
        }
        if (bytes == null) {
            bytes = logits.toByteBuffer();
        }
        bytes = bytes.duplicate().order(ByteOrder.nativeOrder());
        int offset = (rows - 1) * width * size;
        float[] row = new float[width];
        if (type == DataType.FLOAT32) {
            bytes.position(offset).slice().order(ByteOrder.nativeOrder()).asFloatBuffer().get(row);
            return row;
        }
        for (int i = 0; i < width; i++) {
            int at = offset + i * size;
            row[i] = switch (type) {
                case FLOAT16 -> Float.float16ToFloat(bytes.getShort(at));
                default -> Float.intBitsToFloat((bytes.getShort(at) & 0xffff) << 16);
            };
        }
        return row;
    }
}
