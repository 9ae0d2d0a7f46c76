package dev.agentrt.inference.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an ONNX model (protobuf wire format, encoded here field by field) from a few operators,
 * float and int64 initialisers, and typed inputs and outputs whose dimensions are fixed numbers or
 * symbolic names.
 *
 * <pre>{@code
 * OnnxGraph g = new OnnxGraph("bigram");
 * g.input("input_ids", OnnxGraph.INT64, "batch", "sequence");
 * g.floats("table", table, vocab, vocab);
 * g.node("Gather", List.of("table", "input_ids"), List.of("logits"), OnnxGraph.intAttr("axis", 0));
 * g.output("logits", OnnxGraph.FLOAT, "batch", "sequence", vocab);
 * g.write(dir.resolve("model.onnx"));
 * }</pre>
 */
public final class OnnxGraph {
    public static final int FLOAT = 1;
    public static final int INT64 = 7;
    public static final int BOOL = 9;
    public static final int FLOAT16 = 10;
    public static final int BFLOAT16 = 16;

    private static final int OPSET = 17;
    private static final int IR_VERSION = 8;

    private final String name;
    private final List<byte[]> nodes = new ArrayList<>();
    private final List<byte[]> initializers = new ArrayList<>();
    private final List<byte[]> inputs = new ArrayList<>();
    private final List<byte[]> outputs = new ArrayList<>();
    private int nodeCount;

    public OnnxGraph(String name) {
        this.name = name;
    }

    /** An attribute of a node, already encoded. */
    public record Attribute(byte[] bytes) {}

    public static Attribute intAttr(String name, long value) {
        Proto p = new Proto().string(1, name).varint(20, 2).varint(3, value);
        return new Attribute(p.bytes());
    }

    public static Attribute intsAttr(String name, long... values) {
        Proto p = new Proto().string(1, name).varint(20, 7);
        for (long v : values) {
            p.varint(8, v);
        }
        return new Attribute(p.bytes());
    }

    /** A graph input; each dimension is an {@link Integer}/{@link Long} or a symbolic {@link String}. */
    public OnnxGraph input(String name, int elementType, Object... dims) {
        inputs.add(valueInfo(name, elementType, dims));
        return this;
    }

    public OnnxGraph output(String name, int elementType, Object... dims) {
        outputs.add(valueInfo(name, elementType, dims));
        return this;
    }

    /** A float initialiser of the given shape, row-major. */
    public OnnxGraph floats(String name, float[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return tensor(name, FLOAT, raw.array(), dims);
    }

    /** An int64 initialiser of the given shape, row-major. */
    public OnnxGraph longs(String name, long[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        return tensor(name, INT64, raw.array(), dims);
    }

    public OnnxGraph node(String opType, List<String> in, List<String> out, Attribute... attributes) {
        Proto p = new Proto();
        for (String s : in) {
            p.string(1, s);
        }
        for (String s : out) {
            p.string(2, s);
        }
        p.string(3, opType + "_" + nodeCount++).string(4, opType);
        for (Attribute a : attributes) {
            p.bytes(5, a.bytes());
        }
        nodes.add(p.bytes());
        return this;
    }

    public byte[] toBytes() {
        Proto graph = new Proto();
        nodes.forEach(n -> graph.bytes(1, n));
        graph.string(2, name);
        initializers.forEach(t -> graph.bytes(5, t));
        inputs.forEach(i -> graph.bytes(11, i));
        outputs.forEach(o -> graph.bytes(12, o));
        Proto opset = new Proto().string(1, "").varint(2, OPSET);
        return new Proto().varint(1, IR_VERSION)
                .string(2, "agentrt-tests")
                .bytes(7, graph.bytes())
                .bytes(8, opset.bytes())
                .bytes();
    }

    public void write(Path file) {
        try {
            Files.write(file, toBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private OnnxGraph tensor(String name, int type, byte[] raw, long... dims) {
        Proto t = new Proto();
        for (long d : dims) {
            t.varint(1, d);
        }
        t.varint(2, type).string(8, name).bytes(9, raw);
        initializers.add(t.bytes());
        return this;
    }

    private static byte[] valueInfo(String name, int elementType, Object... dims) {
        Proto shape = new Proto();
        for (Object d : dims) {
            Proto dim = new Proto();
            if (d instanceof String symbol) {
                dim.string(2, symbol);
            } else {
                dim.varint(1, ((Number) d).longValue());
            }
            shape.bytes(1, dim.bytes());
        }
        Proto tensorType = new Proto().varint(1, elementType).bytes(2, shape.bytes());
        Proto type = new Proto().bytes(1, tensorType.bytes());
        return new Proto().string(1, name).bytes(2, type.bytes()).bytes();
    }

    /** Protobuf wire format: varints (wire type 0) and length-delimited fields (wire type 2). */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            writeVarint(((long) field << 3));
            writeVarint(value);
            return this;
        }

        Proto bytes(int field, byte[] value) {
            writeVarint(((long) field << 3) | 2);
            writeVarint(value.length);
            out.writeBytes(value);
            return this;
        }

        Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private void writeVarint(long value) {
            long v = value;
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
